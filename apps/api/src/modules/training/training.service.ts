import { DEFAULT_PRESET, PRESETS } from '@dgascope/ml';
import { JobKind, ModelStatus, type Job } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import type { JobsService } from '../jobs/jobs.service';
import type { ModelsService } from '../models/models.service';
import type { SnapshotsService } from '../snapshots/snapshots.service';
import { labelPolicyOf } from './label-policy.input';
import { TrainingRequest, type StartTrainingInput, type TrainingPreset } from './training.types';

export class TrainingService {
  constructor(
    private readonly jobs: JobsService,
    private readonly models: ModelsService,
    private readonly snapshots: SnapshotsService,
  ) {}

  presets(): TrainingPreset[] {
    return Object.values(PRESETS).map((p) => ({
      name: p.name,
      description: p.description,
      isDefault: p.name === DEFAULT_PRESET,
      loss: p.options.loss ?? null,
      epochs: p.options.epochs ?? null,
      classWeights: typeof p.options.classWeights === 'string' ? p.options.classWeights : (p.options.classWeights?.kind ?? null),
    }));
  }

  /** `requestedBy`: the caller, as the audit log names it. */
  async start(input: StartTrainingInput, requestedBy: string | null = null): Promise<Job> {
    await this.snapshots.requireAll(input.snapshotIds);
    if (input.warmStartModelId != null) {
      const parent = await this.models.get(input.warmStartModelId);
      if (parent.status === ModelStatus.TRAINING || parent.status === ModelStatus.FAILED) {
        throw new AppError(
          'CONFLICT',
          'MODEL_NOT_READY',
          `model ${parent.id} is ${parent.status.toLowerCase()} and cannot be warm-started from`,
        );
      }
    }
    const request: TrainingRequest = {
      snapshotIds: [...new Set(input.snapshotIds)].sort((a, b) => a - b),
      labelPolicy: labelPolicyOf(input),
      preset: input.preset ?? DEFAULT_PRESET,
      seed: input.seed,
      inputForm: input.inputForm,
      earlyStoppingPatience: input.earlyStoppingPatience,
      warmStartModelId: input.warmStartModelId ?? null,
      epochs: input.epochs ?? null,
      batchSize: input.batchSize ?? null,
      learningRate: input.learningRate ?? null,
      learningRateSchedule: input.learningRateSchedule ?? null,
      classWeights: input.classWeights ?? null,
      loss: input.loss ?? null,
      embeddingDim: input.embeddingDim ?? null,
      lstmUnits: input.lstmUnits ?? null,
      filters: input.filters ?? null,
      pooling: input.pooling ?? null,
      dropout: input.dropout ?? null,
      maxLength: input.maxLength ?? null,
      targetBenignFpr: input.targetBenignFpr ?? null,
      dgaThresholdMethod: input.dgaThresholdMethod ?? null,
      dgaScorePrior: input.dgaScorePrior ?? null,
      noveltyMethod: input.noveltyMethod ?? null,
      targetRejectRate: input.targetRejectRate ?? null,
      samplingPower: input.samplingPower ?? null,
      benignShare: input.benignShare ?? null,
      outlierShare: input.outlierShare ?? null,
    };
    // The same schema the worker reads it back with: a request that cannot run is refused now.
    const parsed = TrainingRequest.safeParse(request);
    if (!parsed.success)
      throw new AppError(
        'BAD_USER_INPUT',
        'INVALID_TRAINING_INPUT',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    return this.jobs.create(JobKind.TRAINING, request, null, requestedBy);
  }
}
