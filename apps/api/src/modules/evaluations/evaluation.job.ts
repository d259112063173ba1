import { concatVerdicts, ensureBackend, toModelInput, verdicts, type BackendChoice, type DgaModel, type Verdicts } from '@dgascope/ml';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { JobInput, JobResult } from '../../jobs/job-kinds';
import { JobCancelledError, type JobContext, type JobDefinition, type JobOutcome } from '../../jobs/job-runner';
import type { ModelsService } from '../models/models.service';
import type { SnapshotDomains } from '../snapshots/snapshot-domains';
import { classOfFamily, evaluationReport, type EvaluatedListing } from './evaluation-report';
import type { EvaluationsService } from './evaluations.service';

const READ_PAGE = 20_000;
/** Domains per forward pass between progress reports and cancellation checks. */
const CHUNK = 4096;

/**
 * An evaluation job: reads a snapshot's listings (marking those listed in the model's training
 * snapshots), classifies them by the model's verdict rule in chunks, and stores the whole report in
 * one write at the end: a failed or cancelled job leaves nothing behind, a retry replaces nothing
 * half-written.
 */
export class EvaluationJob implements JobDefinition<'EVALUATION'> {
  readonly kind = 'EVALUATION';

  constructor(
    private readonly models: ModelsService,
    private readonly evaluations: EvaluationsService,
    private readonly snapshotDomains: SnapshotDomains,
    private readonly forcedBackend: BackendChoice | undefined,
    /** Told of each evaluation a post-ingest hook asked for, once stored (the alert rules about it). */
    private readonly onIngestedEvaluated?: (snapshotId: number, result: JobResult<'EVALUATION'>, modelId: number) => Promise<unknown>,
  ) {}

  async alreadyDone(jobId: string): Promise<JobOutcome<'EVALUATION'> | null> {
    const done = await this.evaluations.ofJob(jobId);
    if (!done) return null;
    const e = await this.evaluations.get(done.id);
    return { result: resultOf(e.id, e), modelId: e.modelId };
  }

  async backend(): Promise<string> {
    return (await ensureBackend(this.forcedBackend ? { backend: this.forcedBackend } : {})).choice;
  }

  async run(request: JobInput<'EVALUATION'>, ctx: JobContext<'EVALUATION'>): Promise<JobOutcome<'EVALUATION'>> {
    const started = Date.now();
    const basis = await this.models.trainingBasis(request.modelId);
    let model: DgaModel | null = null;
    try {
      model = await this.models.load(request.modelId);
      const total = await this.snapshotDomains.count([request.snapshotId]);
      const listings: EvaluatedListing[] = [];
      let invalid = 0;
      for await (const page of this.snapshotDomains.pagesSeenIn(request.snapshotId, basis.snapshotIds, READ_PAGE)) {
        for (const l of page) {
          const m = toModelInput(l.domain, model.meta.inputForm);
          if (m.ok) listings.push({ domain: l.domain, input: m.input, family: l.family, trainedOn: l.seen });
          else invalid++;
        }
        await ctx.report({ stage: 'reading', processed: listings.length + invalid, total });
        if (ctx.signal.aborted) throw new JobCancelledError();
      }

      const parts: Verdicts[] = [];
      const classifyStarted = Date.now();
      for (let i = 0; i < listings.length; i += CHUNK) {
        parts.push(
          verdicts(
            model,
            listings.slice(i, i + CHUNK).map((l) => l.input),
          ),
        );
        const processed = Math.min(i + CHUNK, listings.length);
        const rate = processed / Math.max((Date.now() - classifyStarted) / 1000, 1e-3);
        await ctx.report({
          stage: 'classifying',
          processed,
          total: listings.length,
          domainsPerSec: Math.round(rate),
          etaSeconds: Math.round((listings.length - processed) / rate),
        });
        // Inference is synchronous: let the cancellation poll and the queue's lock renewal run.
        await yieldToEventLoop();
        if (ctx.signal.aborted) throw new JobCancelledError();
      }
      const classOf = classOfFamily(model.labels, basis.familyLabels, basis.trainingFamilies);
      const report = evaluationReport(model, listings, concatVerdicts(parts, model.labels.length), classOf);
      const seconds = (Date.now() - started) / 1000;
      const id = await this.evaluations.store(ctx.jobId, request, report, invalid, seconds);
      const result = resultOf(id, await this.evaluations.get(id));
      if (request.trigger === 'snapshot-ingested' && this.onIngestedEvaluated) {
        // The evaluation is stored either way: a failed alert must not fail (and retry) the job.
        await this.onIngestedEvaluated(request.snapshotId, result, request.modelId).catch((err: unknown) =>
          console.error(`evaluation ${id}: alerts failed: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
      return { result, modelId: request.modelId };
    } finally {
      model?.dispose();
    }
  }
}

function resultOf(
  evaluationId: number,
  e: {
    domains: number;
    macroF1: number | null;
    flaggedRate: number | null;
    benignFlaggedRate: number | null;
    unknownToModelDomains: number;
    seconds: number;
  },
) {
  return {
    evaluationId,
    domains: e.domains,
    macroF1: e.macroF1,
    flaggedRate: e.flaggedRate,
    benignFlaggedRate: e.benignFlaggedRate,
    unknownToModelDomains: e.unknownToModelDomains,
    seconds: e.seconds,
  };
}
