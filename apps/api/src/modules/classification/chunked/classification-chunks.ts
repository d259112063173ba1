import { hostname } from 'node:os';
import { activeBackend } from '@dgascope/ml';
import { JobState } from '@prisma/client';
import { ClassificationRequest } from '../../../jobs/job-kinds';
import { JobCancelledError } from '../../../jobs/job-runner';
import type { ChunkPayload } from '../../../queue/queues';
import type { JobsService } from '../../jobs/jobs.service';
import type { ModelsService } from '../../models/models.service';
import type { SnapshotDomains } from '../../snapshots/snapshot-domains';
import type { BulkClassificationJob } from '../bulk-classification.job';
import { BATCH, classifyAndStore, openClassifier, type Batch, type OpenClassifier } from '../classify-pipeline';

/** What a chunk returns to its parent (BullMQ keeps it as the child's return value). */
export interface ChunkResult {
  index: number;
  /** Names it went through (valid or not). */
  processed: number;
  cancelled: boolean;
  startedAt: number;
  /** host:pid of the worker process that ran it. */
  worker: string;
}

export const WORKER_NAME = `${hostname()}:${process.pid}`;
const FINISHED: JobState[] = [JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED];

/**
 * Runs the chunks of bulk-classification jobs (the classification-chunk queue, on every
 * worker): a key range of the snapshot, or a slice of the list. Predictions are keyed by
 * (job, domain), so a chunk retried after its worker died writes only what is missing. The
 * loaded model stays loaded for the next chunk of the same model: the per-chunk cost is a
 * PostgreSQL range read, not a model load.
 */
export class ClassificationChunks {
  private classifier: Promise<OpenClassifier> | null = null;

  constructor(
    private readonly jobs: JobsService,
    private readonly models: ModelsService,
    /** How a batch is stored: as the job in one piece stores it (predictions and invalid names). */
    private readonly whole: BulkClassificationJob,
    private readonly snapshotDomains: SnapshotDomains,
    private readonly inferenceThreads: number,
    private readonly cancelCheckMs = 1000,
  ) {}

  async run(chunk: ChunkPayload): Promise<ChunkResult> {
    const startedAt = Date.now();
    const none: ChunkResult = {
      index: chunk.index,
      cancelled: true,
      startedAt,
      worker: WORKER_NAME,
      processed: 0,
    };
    const job = await this.jobs.get(chunk.jobId);
    if (FINISHED.includes(job.state) || job.cancelRequested) return none;
    const request = ClassificationRequest.parse(job.input);
    await this.jobs.markChunkedStarted(chunk.jobId, activeBackend()?.choice ?? null);
    const classifier = await this.classifierFor(request.modelId);
    const controller = new AbortController();
    const poll = setInterval(() => {
      this.jobs.cancelRequested(chunk.jobId).then(
        (yes) => yes && controller.abort(),
        () => undefined,
      );
    }, this.cancelCheckMs);
    try {
      const processed = await classifyAndStore({
        batches: this.batches(request, chunk),
        classify: classifier.classify,
        write: (batch, results) => this.whole.write(chunk.jobId, request.modelId, batch, results),
        signal: controller.signal,
      });
      const total = request.snapshotId != null ? await this.snapshotDomains.count([request.snapshotId]) : (request.domains?.length ?? 0);
      await this.jobs.addChunkProgress(chunk.jobId, processed, total, request.chunks ?? 1);
      return { processed, index: chunk.index, cancelled: false, startedAt, worker: WORKER_NAME };
    } catch (err) {
      if (err instanceof JobCancelledError) return none;
      throw err;
    } finally {
      clearInterval(poll);
    }
  }

  async close(): Promise<void> {
    const open = this.classifier;
    this.classifier = null;
    await (await open?.catch(() => null))?.close();
  }

  private async classifierFor(modelId: number): Promise<OpenClassifier> {
    const current = await this.classifier?.catch(() => null);
    if (current?.modelId === modelId) return current;
    // Another model: the previous one is let go (chunks of one job run one after another here).
    await current?.close();
    this.classifier = openClassifier(this.models, modelId, this.inferenceThreads);
    this.classifier.catch(() => (this.classifier = null));
    return this.classifier;
  }

  private async *batches(request: ClassificationRequest, chunk: ChunkPayload): AsyncGenerator<Batch> {
    if (chunk.slice && request.domains) {
      const { start, end } = chunk.slice;
      const names = request.domains.slice(start, end);
      const lines = request.lines?.slice(start, end) ?? names.map((_, i) => start + i + 1);
      for (let i = 0; i < names.length; i += BATCH) yield { names: names.slice(i, i + BATCH), lines: lines.slice(i, i + BATCH) };
      return;
    }
    if (request.snapshotId == null || !chunk.range) return;
    yield* this.snapshotDomains.namePages(request.snapshotId, BATCH, chunk.range);
  }
}
