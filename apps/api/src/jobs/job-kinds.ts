import type { TrainProgress } from '@dgascope/ml';
import type { JobKind } from '@prisma/client';
import { z } from 'zod';
import { TrainingRequest } from '../modules/training/training.types';
import type { QueueName } from '../queue/queues';

/**
 * Every kind of background job, with its contract: the queue it travels on, the schema of its
 * input (stored in jobs.input, parsed back by the worker), and the types of its result and
 * progress (jobs.result, jobs.progress). A new kind is one entry here and one `*.job.ts`.
 */

/** What a bulk-classification job is asked to do. */
export const ClassificationRequest = z.object({
  modelId: z.number().int(),
  snapshotId: z.number().int().nullable(),
  domains: z.array(z.string()).nullable(),
  /** The line of each of `domains` in the list it came from (jobs queued before lines were kept: their position). */
  lines: z.array(z.number().int().positive()).nullable().default(null),
  /** Chunk jobs the work was split into (classification/chunked); null: one job does it all. */
  chunks: z.number().int().positive().nullable().default(null),
});
export type ClassificationRequest = z.infer<typeof ClassificationRequest>;

/** The counts of a completed bulk job, besides its invalid names and duration. */
export interface ClassificationSummary {
  classified: number;
  benign: number;
  /** dgaKnownFamily + unknownFamily. */
  dga: number;
  dgaKnownFamily: number;
  unknownFamily: number;
  /** Most frequent first; "benign" and "unknownFamily" are families here too. */
  perFamily: Array<{ family: string; count: number }>;
}

export interface ClassificationResult extends ClassificationSummary {
  /** Every invalid name is in job_invalid_names (the API's Job.invalidNames). */
  invalid: number;
  /** The first few, in line order. */
  invalidExamples: Array<{ line: number; domain: string; error: string }>;
  seconds: number;
}

export interface ClassificationProgress {
  stage: 'classifying';
  processed: number;
  total: number;
  domainsPerSec: number;
  etaSeconds: number;
}

/** What an evaluation job is asked to do: one model on one labelled snapshot. */
export const EvaluationRequest = z.object({
  modelId: z.number().int(),
  snapshotId: z.number().int(),
  /** What started it: an admin, or the post-ingest hook for the promoted model. */
  trigger: z.enum(['manual', 'snapshot-ingested']).default('manual'),
});
export type EvaluationRequest = z.infer<typeof EvaluationRequest>;

export interface EvaluationResult {
  evaluationId: number;
  domains: number;
  macroF1: number | null;
  flaggedRate: number | null;
  benignFlaggedRate: number | null;
  unknownToModelDomains: number;
  seconds: number;
}

export type EvaluationProgress =
  | { stage: 'reading'; processed: number; total: number }
  | { stage: 'classifying'; processed: number; total: number; domainsPerSec: number; etaSeconds: number };

export type TrainingResult =
  | {
      modelId: number;
      classes: number;
      trainingSamples: number;
      epochs: number;
      accuracy: number | null;
      macroF1: number | null;
      auc: number | null;
      preset: string | null | undefined;
      loss: string | null | undefined;
      dgaThreshold: number | null;
      noveltyThreshold: number | null;
      benignFlaggedRate: number | null;
      unknownFamilyRate: number | null;
      preparation: unknown;
    }
  /** The model was stored by an earlier attempt that died before marking the job complete. */
  | { modelId: number; note: string };

export type TrainingProgress = { stage: 'reading'; domainsRead: number } | (TrainProgress & { stage: 'training' });

/** A pull of a feed's URL (modules/feed-pulls): scheduled by a BullMQ job scheduler, or asked for now. */
export const FeedPullRequest = z.object({
  feedId: z.number().int(),
  trigger: z.enum(['schedule', 'manual']).default('manual'),
});
export type FeedPullRequest = z.infer<typeof FeedPullRequest>;

export interface FeedPullResult {
  outcome: 'NEW_SNAPSHOT' | 'UNCHANGED' | 'NOT_MODIFIED';
  url: string;
  snapshotId: number | null;
  rowsAccepted: number | null;
}

export interface FeedPullProgress {
  stage: 'fetching' | 'ingesting';
  rows: number;
  bytes: number;
}

/** What the retention job removes (modules/retention): predictions of bulk jobs past an age, or beyond the last N jobs of a snapshot. */
export const RetentionPolicy = z.object({
  /** Predictions of jobs finished longer ago than this are removed; null: no age limit. */
  maxAgeDays: z.number().positive().nullable(),
  /** Predictions of a snapshot's jobs older than its newest N are removed; null: no limit. */
  keepJobsPerSnapshot: z.number().int().min(1).nullable(),
  /** Rows deleted per statement (one short transaction each). */
  batchSize: z.number().int().min(1).max(1_000_000).default(10_000),
});
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

export interface RetentionResult {
  jobsPruned: number;
  predictionsDeleted: number;
}

export interface RetentionProgress {
  stage: 'pruning';
  jobsDone: number;
  jobsTotal: number;
  predictionsDeleted: number;
}

interface Contract<K extends JobKind, Q extends QueueName, Input extends z.ZodType, Result, Progress> {
  kind: K;
  queue: Q;
  input: Input;
  /** Types only: carried for `JobResult<K>` and `JobProgress<K>`. */
  result?: Result;
  progress?: Progress;
}

const contract = <K extends JobKind, Q extends QueueName, Input extends z.ZodType, Result, Progress>(
  c: Contract<K, Q, Input, Result, Progress>,
) => c;

export const JOB_KINDS = {
  TRAINING: contract<'TRAINING', 'model-training', typeof TrainingRequest, TrainingResult, TrainingProgress>({
    kind: 'TRAINING',
    queue: 'model-training',
    input: TrainingRequest,
  }),
  CLASSIFICATION: contract<
    'CLASSIFICATION',
    'bulk-classification',
    typeof ClassificationRequest,
    ClassificationResult,
    ClassificationProgress
  >({ kind: 'CLASSIFICATION', queue: 'bulk-classification', input: ClassificationRequest }),
  FEED_PULL: contract<'FEED_PULL', 'feed-pull', typeof FeedPullRequest, FeedPullResult, FeedPullProgress>({
    kind: 'FEED_PULL',
    queue: 'feed-pull',
    input: FeedPullRequest,
  }),
  RETENTION: contract<'RETENTION', 'retention', typeof RetentionPolicy, RetentionResult, RetentionProgress>({
    kind: 'RETENTION',
    queue: 'retention',
    input: RetentionPolicy,
  }),
  EVALUATION: contract<'EVALUATION', 'model-evaluation', typeof EvaluationRequest, EvaluationResult, EvaluationProgress>({
    kind: 'EVALUATION',
    queue: 'model-evaluation',
    input: EvaluationRequest,
  }),
} satisfies { [K in JobKind]: Contract<K, QueueName, z.ZodType, unknown, unknown> };

export type JobKinds = typeof JOB_KINDS;
/** What the job is asked to do, as given to `JobsService.create` (before defaults are applied). */
export type JobInputIn<K extends JobKind> = z.input<JobKinds[K]['input']>;
/** What the job is asked to do, as its `*.job.ts` reads it. */
export type JobInput<K extends JobKind> = z.output<JobKinds[K]['input']>;
export type JobResult<K extends JobKind> = NonNullable<JobKinds[K]['result']>;
export type JobProgress<K extends JobKind> = NonNullable<JobKinds[K]['progress']>;

export const queueOf = (kind: JobKind): QueueName => JOB_KINDS[kind].queue;
