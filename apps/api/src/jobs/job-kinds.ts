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
