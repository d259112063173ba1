import { JobKind, type Job } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import type { JobsService } from '../jobs/jobs.service';
import type { ModelsService } from '../models/models.service';
import type { SnapshotsService } from '../snapshots/snapshots.service';
import type { ClassificationRequest } from '../../jobs/job-kinds';
import type { SnapshotDomains } from '../snapshots/snapshot-domains';
import { planChunks } from './chunked/chunk-plan';
import type { NumberedNames } from './domain-list';

export const MAX_LIST_DOMAINS = 100_000;

/** Bulk classification: checks and queues the jobs that `bulk-classification.job.ts` runs. */
export class BulkClassificationService {
  constructor(
    private readonly jobs: JobsService,
    private readonly models: ModelsService,
    private readonly snapshots: SnapshotsService,
    private readonly snapshotDomains: SnapshotDomains,
    /** A job of more names than this is split into chunks that every worker takes part in (CLASSIFY_CHUNK_SIZE). */
    private readonly chunkSize: number,
  ) {}

  /** `requestedBy`: the caller, as the audit log names it. */
  async start(
    input: { snapshotId?: number | null; list?: NumberedNames | null; modelId?: number | null },
    requestedBy: string | null = null,
  ): Promise<Job> {
    const sources = [input.snapshotId != null, input.list != null].filter(Boolean).length;
    if (sources !== 1)
      throw new AppError('BAD_USER_INPUT', 'SOURCE_REQUIRED', 'give exactly one of snapshotId or domains (or upload a list)');
    if (input.snapshotId != null) await this.snapshots.get(input.snapshotId);
    if (input.list != null) {
      if (input.list.names.length === 0) throw new AppError('BAD_USER_INPUT', 'NO_DOMAINS', 'the domain list is empty');
      if (input.list.names.length > MAX_LIST_DOMAINS) {
        throw new AppError(
          'BAD_USER_INPUT',
          'TOO_MANY_DOMAINS',
          `at most ${MAX_LIST_DOMAINS} domains in a list (got ${input.list.names.length}); ingest them as a snapshot instead`,
        );
      }
    }
    const modelId = input.modelId ?? (await this.models.promotedId());
    if (modelId == null) throw new AppError('CONFLICT', 'NO_PROMOTED_MODEL', 'no model is promoted: give modelId or promote a model');
    const model = await this.models.get(modelId);
    if (model.artifactBytes == null) throw new AppError('CONFLICT', 'MODEL_NOT_READY', `model ${modelId} is ${model.status.toLowerCase()}`);
    const request: ClassificationRequest = {
      modelId,
      snapshotId: input.snapshotId ?? null,
      domains: input.list?.names ?? null,
      lines: input.list?.lines ?? null,
      chunks: null,
    };
    const chunks = await planChunks(this.snapshotDomains, request, this.chunkSize);
    if (!chunks) return this.jobs.create(JobKind.CLASSIFICATION, request, modelId, requestedBy);
    return this.jobs.create(JobKind.CLASSIFICATION, { ...request, chunks: chunks.length }, modelId, requestedBy, {
      queue: 'classification-chunk',
      data: (jobId) => chunks.map((c) => ({ ...c, jobId })),
    });
  }
}
