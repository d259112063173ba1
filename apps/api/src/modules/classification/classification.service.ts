import { UNKNOWN_FAMILY_LABEL } from '@dgascope/core';
import { activeBackend, InferencePool, type ClassifyResult, type DgaModel } from '@dgascope/ml';
import { JobKind, JobState, type Job, type Prisma, type PrismaClient } from '@prisma/client';
import type { Pool } from 'pg';
import { AppError } from '../../errors/app-error';
import type { JobsService } from '../jobs/jobs.service';
import type { ModelsService } from '../models/models.service';
import type { Classified, PromotedModel } from '../models/promoted-model';
import type { SnapshotsService } from '../snapshots/snapshots.service';
import type { RunContext } from '../training/training.service';
import { ClassifyBatcher, type VerdictOverrides } from './classify-batcher';
import { toVerdict } from './classification.mapper';

/** Requests up to this many domains go to the small-batch lane (this thread, latency first). */
const SMALL_REQUEST_DOMAINS = 32;
/** Most domains in one round of the small-batch lane: about 20 ms of WASM; more wait a round. */
const SMALL_ROUND_DOMAINS = 64;
/** Most domains in one round of the large-batch lane (the inference thread). */
const LARGE_ROUND_DOMAINS = 4096;

/** The result of a completed bulk job, besides its invalid names and duration. */
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

/** What a bulk-classification job is asked to do; stored as the job's input. */
export interface ClassificationRequest {
  modelId: number;
  snapshotId: number | null;
  domains: string[] | null;
}

const BATCH = 16384;
export const MAX_LIST_DOMAINS = 100_000;

export class ClassificationService {
  private readonly small: ClassifyBatcher;
  private readonly large: ClassifyBatcher;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool: Pool,
    private readonly jobs: JobsService,
    private readonly models: ModelsService,
    private readonly snapshots: SnapshotsService,
    promoted: PromotedModel,
    private readonly maxSyncDomains: number,
    /** Inference threads of a bulk job (worker_threads with their own backend); 0 = this thread. */
    private readonly inferenceThreads: number,
  ) {
    this.small = new ClassifyBatcher((domains, overrides) => promoted.classifySmall(domains, overrides), SMALL_ROUND_DOMAINS);
    this.large = new ClassifyBatcher((domains, overrides) => promoted.classifyLarge(domains, overrides), LARGE_ROUND_DOMAINS);
  }

  /**
   * Synchronous classification with the promoted model (the `classify` query), optionally under
   * another DGA threshold or novelty threshold than the model's (null: never "unknown family").
   */
  async classifyNow(domains: readonly string[], overrides: VerdictOverrides = {}): Promise<Classified> {
    if (overrides.dgaThreshold !== undefined && !(overrides.dgaThreshold >= 0 && overrides.dgaThreshold <= 1))
      throw new AppError('BAD_USER_INPUT', 'INVALID_THRESHOLD', `dgaThreshold must be in [0, 1] (got ${overrides.dgaThreshold})`);
    if (overrides.noveltyThreshold != null && !Number.isFinite(overrides.noveltyThreshold))
      throw new AppError('BAD_USER_INPUT', 'INVALID_THRESHOLD', 'noveltyThreshold must be a finite number or null');
    if (domains.length === 0) throw new AppError('BAD_USER_INPUT', 'NO_DOMAINS', 'give at least one domain');
    if (domains.length > this.maxSyncDomains) {
      throw new AppError(
        'BAD_USER_INPUT',
        'TOO_MANY_DOMAINS',
        `at most ${this.maxSyncDomains} domains per classify call (got ${domains.length}); use startClassification for more`,
      );
    }
    return (domains.length <= SMALL_REQUEST_DOMAINS ? this.small : this.large).classify(domains, overrides);
  }

  async start(input: { snapshotId?: number | null; domains?: string[] | null; modelId?: number | null }): Promise<Job> {
    const sources = [input.snapshotId != null, input.domains != null].filter(Boolean).length;
    if (sources !== 1)
      throw new AppError('BAD_USER_INPUT', 'SOURCE_REQUIRED', 'give exactly one of snapshotId or domains (or upload a list)');
    if (input.snapshotId != null) await this.snapshots.get(input.snapshotId);
    if (input.domains != null) {
      if (input.domains.length === 0) throw new AppError('BAD_USER_INPUT', 'NO_DOMAINS', 'the domain list is empty');
      if (input.domains.length > MAX_LIST_DOMAINS) {
        throw new AppError(
          'BAD_USER_INPUT',
          'TOO_MANY_DOMAINS',
          `at most ${MAX_LIST_DOMAINS} domains in a list (got ${input.domains.length}); ingest them as a snapshot instead`,
        );
      }
    }
    const modelId = input.modelId ?? (await this.models.promotedId());
    if (modelId == null) throw new AppError('CONFLICT', 'NO_PROMOTED_MODEL', 'no model is promoted: give modelId or promote a model');
    const model = await this.models.get(modelId);
    if (model.artifactBytes == null) throw new AppError('CONFLICT', 'MODEL_NOT_READY', `model ${modelId} is ${model.status.toLowerCase()}`);
    const request: ClassificationRequest = { modelId, snapshotId: input.snapshotId ?? null, domains: input.domains ?? null };
    return this.jobs.create(JobKind.CLASSIFICATION, request as unknown as Prisma.InputJsonValue, modelId);
  }

  /**
   * Classifies a snapshot or a list in batches, writing predictions keyed by (job, domain):
   * a retry after a crash skips what is already written and fills in the rest. Cancelled
   * or finally failed jobs have their partial predictions removed.
   */
  async run(jobId: string, ctx: RunContext): Promise<void> {
    const job = await this.jobs.get(jobId);
    if (job.state === JobState.CANCELLED || job.state === JobState.COMPLETED) return;
    if (job.cancelRequested) return this.jobs.markCancelled(jobId);
    const request = job.input as unknown as ClassificationRequest;
    await this.jobs.start(jobId, ctx.attempt, activeBackend()?.choice ?? null);
    let model: DgaModel | null = null;
    let pool: InferencePool | null = null;
    // The batch write in flight, if any. The clean-up of a cancelled or failed job waits for it:
    // a write that committed after the clean-up would leave partial predictions behind.
    let writing: Promise<void> = Promise.resolve();
    try {
      model = await this.models.load(request.modelId);
      // Each batch is split across the threads, so that all of them work on every batch.
      if (this.inferenceThreads > 0)
        pool = await InferencePool.create(model, { workers: this.inferenceThreads, chunkSize: Math.ceil(BATCH / this.inferenceThreads) });
      const classify = (names: string[]) => (pool ? pool.classify(names) : Promise.resolve(model!.classify(names)));
      const total = request.snapshotId != null ? await this.snapshotSize(request.snapshotId) : request.domains!.length;
      let processed = 0;
      let invalid = 0;
      const invalidExamples: Array<{ domain: string; error: string }> = [];
      const started = Date.now();
      // A pipeline that keeps the inference threads busy: while batch n + 1 is being
      // classified, batch n's results are written and batch n + 2 is read from PostgreSQL.
      const finish = async (names: string[], classified: Promise<ClassifyResult[]>) => {
        const results = await classified;
        await writing;
        writing = this.write(jobId, request.modelId, results);
        // Awaited on the next turn; handled now so a failed write is not an unhandled rejection meanwhile.
        writing.catch(() => undefined);
        for (const r of results) {
          if (!r.ok) {
            invalid += 1;
            if (invalidExamples.length < 20) invalidExamples.push({ domain: r.domain, error: r.error });
          }
        }
        processed += names.length;
        const rate = processed / Math.max((Date.now() - started) / 1000, 1e-3);
        await ctx.report({
          stage: 'classifying',
          processed,
          total,
          domainsPerSec: Math.round(rate),
          etaSeconds: Math.round((total - processed) / rate),
        });
      };
      let previous: { names: string[]; classified: Promise<ClassifyResult[]> } | null = null;
      for await (const names of prefetchOne(this.batches(request))) {
        if (ctx.signal.aborted) throw new CancelledError();
        const current = { names, classified: classify(names) };
        current.classified.catch(() => undefined);
        if (previous) await finish(previous.names, previous.classified);
        previous = current;
      }
      if (previous) await finish(previous.names, previous.classified);
      await writing;
      const summary = await this.summary(jobId);
      await this.jobs.complete(jobId, {
        ...summary,
        invalid,
        invalidExamples,
        seconds: (Date.now() - started) / 1000,
      } as unknown as Prisma.InputJsonValue);
    } catch (err) {
      await writing.catch(() => undefined);
      if (err instanceof CancelledError || ctx.signal.aborted) {
        await this.deletePredictions(jobId);
        await this.jobs.markCancelled(jobId);
        return;
      }
      const final = ctx.final || err instanceof AppError;
      if (final) await this.deletePredictions(jobId);
      await this.jobs.fail(jobId, err instanceof Error ? err.message : String(err), final);
      throw err;
    } finally {
      await pool?.close();
      model?.dispose();
    }
  }

  private async snapshotSize(snapshotId: number): Promise<number> {
    const r = await this.pool.query<{ n: string }>(
      'SELECT COALESCE(sum(count), 0) AS n FROM snapshot_family_counts WHERE snapshot_id = $1',
      [snapshotId],
    );
    return Number(r.rows[0]!.n);
  }

  private async *batches(request: ClassificationRequest): AsyncGenerator<string[]> {
    if (request.domains) {
      for (let i = 0; i < request.domains.length; i += BATCH) yield request.domains.slice(i, i + BATCH);
      return;
    }
    let after: [number, number] = [-1, -1];
    for (;;) {
      const page = await this.pool.query<{ family_id: number; domain_id: number; name: string }>(
        `SELECT m.family_id, m.domain_id, d.name FROM memberships m JOIN domains d ON d.id = m.domain_id
         WHERE m.snapshot_id = $1 AND (m.family_id, m.domain_id) > ($2, $3)
         ORDER BY m.family_id, m.domain_id LIMIT ${BATCH}`,
        [request.snapshotId, ...after],
      );
      if (page.rows.length === 0) return;
      yield page.rows.map((r) => r.name);
      const last = page.rows[page.rows.length - 1]!;
      after = [last.family_id, last.domain_id];
    }
  }

  private async write(jobId: string, modelId: number, results: ClassifyResult[]): Promise<void> {
    const ok = results.filter((r): r is Extract<ClassifyResult, { ok: true }> => r.ok);
    if (ok.length === 0) return;
    await this.pool.query(
      `INSERT INTO predictions (job_id, model_id, domain, verdict, family, probability, nearest_family, dga_score, novelty, unknown_family, top3)
       SELECT $1, $2, u.domain, u.verdict, u.family, u.probability, u.nearest_family, u.dga_score, u.novelty, u.unknown_family, u.top3
       FROM unnest($3::text[], $4::"Verdict"[], $5::text[], $6::real[], $7::text[], $8::real[], $9::real[], $10::boolean[], $11::jsonb[])
         AS u(domain, verdict, family, probability, nearest_family, dga_score, novelty, unknown_family, top3)
       ON CONFLICT (job_id, domain) DO NOTHING`,
      [
        jobId,
        modelId,
        ok.map((r) => r.normalized),
        ok.map((r) => toVerdict(r.verdict)),
        ok.map((r) => r.family),
        ok.map((r) => r.probability),
        ok.map((r) => r.nearestFamily),
        ok.map((r) => r.dgaScore),
        ok.map((r) => r.novelty),
        ok.map((r) => r.unknownFamily),
        ok.map((r) => JSON.stringify(r.top3)),
      ],
    );
  }

  /**
   * Counts per verdict and per family, from the stored predictions (so a retried job counts each
   * domain once). The family of a prediction follows its verdict ("benign" exactly when benign,
   * "unknownFamily" exactly when DGA of no known family), so the counts agree with each other.
   */
  private async summary(jobId: string): Promise<ClassificationSummary> {
    const rows = await this.pool.query<{ family: string; verdict: string; n: string }>(
      `SELECT family, verdict, count(*) AS n FROM predictions WHERE job_id = $1 GROUP BY family, verdict ORDER BY count(*) DESC, family`,
      [jobId],
    );
    const count = (keep: (r: { family: string; verdict: string }) => boolean) =>
      rows.rows.filter(keep).reduce((s, r) => s + Number(r.n), 0);
    const unknownFamily = count((r) => r.verdict === 'DGA' && r.family === UNKNOWN_FAMILY_LABEL);
    const dga = count((r) => r.verdict === 'DGA');
    return {
      classified: count(() => true),
      benign: count((r) => r.verdict === 'BENIGN'),
      dga,
      dgaKnownFamily: dga - unknownFamily,
      unknownFamily,
      perFamily: rows.rows.map((r) => ({ family: r.family, count: Number(r.n) })),
    };
  }

  private async deletePredictions(jobId: string): Promise<void> {
    await this.prisma.prediction.deleteMany({ where: { jobId } });
  }
}

class CancelledError extends Error {}

/** Iterates `source` while already fetching its next item (the next page comes from PostgreSQL as this one is classified). */
async function* prefetchOne<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const fetch = () => {
    const promise = iterator.next();
    // Handled here too, so that a failure after the consumer stopped cannot crash the process.
    promise.catch(() => undefined);
    return promise;
  };
  let next = fetch();
  for (;;) {
    const current = await next;
    if (current.done) return;
    next = fetch();
    yield current.value;
  }
}
