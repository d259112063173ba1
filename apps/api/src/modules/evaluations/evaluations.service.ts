import { FeedKind, JobKind, JobState, Prisma, type Job, type PrismaClient } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import type { EvaluationRequest } from '../../jobs/job-kinds';
import { toJson } from '../../jobs/json';
import type { JobsService } from '../jobs/jobs.service';
import type { ModelsService } from '../models/models.service';
import type { IngestedSnapshot, SnapshotIngestedHook } from '../ingestion/snapshot-ingested';
import type { EvaluationReport } from './evaluation-report';

/** An evaluation row with the report kept as stored. */
export interface StoredEvaluation {
  id: number;
  modelId: number;
  snapshotId: number;
  jobId: string;
  domains: number;
  trainedOnDomains: number;
  freshDomains: number;
  unknownToModelDomains: number;
  invalidDomains: number;
  macroF1: number | null;
  flaggedRate: number | null;
  benignFlaggedRate: number | null;
  unknownFamilyRate: number | null;
  report: EvaluationReport;
  seconds: number;
  createdAt: Date;
  snapshotTakenAt: Date;
}

/** The snapshot kinds whose listings carry families an evaluation can score. */
const LABELLED_KINDS: FeedKind[] = [FeedKind.DGA, FeedKind.LABELLED];

/** Evaluations of models on labelled snapshots: queued here, run by evaluation.job.ts, stored whole. */
export class EvaluationsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly jobs: JobsService,
    private readonly models: ModelsService,
  ) {}

  /**
   * Queues an evaluation of a model (default: the promoted one) on a snapshot. An evaluation of
   * the same pair already queued or running is returned instead of a second one.
   */
  async start(input: { modelId?: number | null; snapshotId: number; trigger?: EvaluationRequest['trigger'] }): Promise<Job> {
    const snapshot = await this.prisma.snapshot.findUnique({ where: { id: input.snapshotId }, include: { feed: true } });
    if (!snapshot) throw new AppError('NOT_FOUND', 'SNAPSHOT_NOT_FOUND', `snapshot ${input.snapshotId} not found`);
    const modelId = input.modelId ?? (await this.models.promotedId());
    if (modelId == null) throw new AppError('CONFLICT', 'NO_PROMOTED_MODEL', 'no model is promoted: give modelId or promote a model');
    const model = await this.models.get(modelId);
    if (model.artifactBytes == null) throw new AppError('CONFLICT', 'MODEL_NOT_READY', `model ${modelId} is ${model.status.toLowerCase()}`);
    const running = await this.prisma.job.findFirst({
      where: {
        kind: JobKind.EVALUATION,
        modelId,
        state: { in: [JobState.QUEUED, JobState.ACTIVE] },
        input: { path: ['snapshotId'], equals: input.snapshotId },
      },
    });
    if (running) return running;
    const request: EvaluationRequest = { modelId, snapshotId: input.snapshotId, trigger: input.trigger ?? 'manual' };
    return this.jobs.create(JobKind.EVALUATION, request, modelId);
  }

  /**
   * The post-ingest hook: a new DGA (or labelled) snapshot is evaluated with the promoted model,
   * so that drift and unseen families are measured before anyone asks.
   */
  evaluatePromotedModelHook(): SnapshotIngestedHook {
    return {
      name: 'evaluate-promoted-model',
      run: async (snapshot: IngestedSnapshot) => {
        if (!LABELLED_KINDS.includes(snapshot.feedKind)) return `skipped: ${snapshot.feedKind.toLowerCase()} snapshot`;
        const modelId = await this.models.promotedId();
        if (modelId == null) return 'skipped: no model is promoted';
        const job = await this.start({ modelId, snapshotId: snapshot.snapshotId, trigger: 'snapshot-ingested' });
        return `evaluation of model ${modelId} on snapshot ${snapshot.snapshotId} queued (job ${job.id})`;
      },
    };
  }

  /** Oldest snapshot first (the order of a drift chart). */
  async list(filter: { modelId?: number | null; snapshotId?: number | null }): Promise<StoredEvaluation[]> {
    const rows = await this.prisma.evaluation.findMany({
      where: {
        ...(filter.modelId != null ? { modelId: filter.modelId } : {}),
        ...(filter.snapshotId != null ? { snapshotId: filter.snapshotId } : {}),
      },
      include: { snapshot: { select: { takenAt: true } } },
      orderBy: [{ snapshot: { takenAt: 'asc' } }, { snapshotId: 'asc' }, { modelId: 'asc' }],
    });
    return rows.map(toStored);
  }

  async get(id: number): Promise<StoredEvaluation> {
    const row = await this.prisma.evaluation.findUnique({ where: { id }, include: { snapshot: { select: { takenAt: true } } } });
    if (!row) throw new AppError('NOT_FOUND', 'EVALUATION_NOT_FOUND', `evaluation ${id} not found`);
    return toStored(row);
  }

  /** The evaluation an evaluation job wrote, if it got that far. */
  async ofJob(jobId: string): Promise<{ id: number } | null> {
    return this.prisma.evaluation.findFirst({ where: { jobId }, select: { id: true } });
  }

  /** Written in one statement: replaces an earlier evaluation of the same model and snapshot. */
  async store(jobId: string, request: EvaluationRequest, report: EvaluationReport, invalid: number, seconds: number): Promise<number> {
    const data = {
      jobId,
      domains: report.counts.domains,
      trainedOnDomains: report.counts.trainedOn,
      freshDomains: report.counts.fresh,
      unknownToModelDomains: report.counts.unknownToModel,
      invalidDomains: invalid,
      macroF1: report.overall?.macro.f1 ?? null,
      flaggedRate: report.detection.flaggedRate,
      benignFlaggedRate: report.detection.benignFlaggedRate,
      unknownFamilyRate: report.overall?.unknownFamilyRate ?? null,
      report: toJson(report),
      seconds,
      createdAt: new Date(),
    } satisfies Omit<Prisma.EvaluationUncheckedCreateInput, 'modelId' | 'snapshotId'>;
    const row = await this.prisma.evaluation.upsert({
      where: { modelId_snapshotId: { modelId: request.modelId, snapshotId: request.snapshotId } },
      create: { modelId: request.modelId, snapshotId: request.snapshotId, ...data },
      update: data,
      select: { id: true },
    });
    return row.id;
  }
}

function toStored(row: Prisma.EvaluationGetPayload<{ include: { snapshot: { select: { takenAt: true } } } }>): StoredEvaluation {
  const { snapshot, report, ...rest } = row;
  return { ...rest, report: report as unknown as EvaluationReport, snapshotTakenAt: snapshot.takenAt };
}
