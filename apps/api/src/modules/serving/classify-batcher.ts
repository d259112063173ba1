import type { Classified } from './promoted-model';

/** Per-request overrides of the model's verdict rule (see @dgascope/ml ClassifyOptions). */
export interface VerdictOverrides {
  dgaThreshold?: number;
  /** null: never answer "unknown family". */
  noveltyThreshold?: number | null;
}

/** Classifies one round's domains (the requests of that round, concatenated), all under the same overrides. */
export type ClassifyRound = (domains: string[], overrides: VerdictOverrides) => Promise<Classified>;

interface Waiting {
  domains: readonly string[];
  overrides: VerdictOverrides;
  /** Requests with equal keys share a round. */
  key: string;
  resolve(answer: Classified): void;
  reject(err: unknown): void;
}

function overridesKey(o: VerdictOverrides): string {
  return `${o.dgaThreshold ?? ''}|${o.noveltyThreshold === undefined ? '' : String(o.noveltyThreshold)}`;
}

/**
 * Coalesces concurrent `classify` requests into one model call per round. A model call costs
 * nearly the same for 1 domain as for 10 (per-op dispatch dominates), so eight callers of one
 * domain each are served by one call instead of queueing behind seven others. One round runs
 * at a time; requests that arrive meanwhile, that do not fit into `maxRoundDomains`, or that
 * override the verdict rule differently from the round's first request, make a later one.
 */
export class ClassifyBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly round: ClassifyRound,
    /** Most domains in one round; a request larger than that makes a round of its own. */
    private readonly maxRoundDomains: number,
  ) {}

  classify(domains: readonly string[], overrides: VerdictOverrides = {}): Promise<Classified> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ domains, overrides, key: overridesKey(overrides), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    // After the pending I/O callbacks: the requests that arrived together make one round.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    // The longest prefix of the queue under the first request's overrides that fits (at least one request).
    const key = this.waiting[0]!.key;
    let size = 0;
    let cut = this.waiting.findIndex((w, i) => {
      size += w.domains.length;
      return i > 0 && (size > this.maxRoundDomains || w.key !== key);
    });
    if (cut < 0) cut = this.waiting.length;
    const batch = this.waiting.slice(0, cut);
    this.waiting = this.waiting.slice(cut);
    try {
      const { modelId, results } = await this.round(
        batch.flatMap((w) => w.domains),
        batch[0]!.overrides,
      );
      let offset = 0;
      for (const w of batch) {
        w.resolve({ modelId, results: results.slice(offset, offset + w.domains.length) });
        offset += w.domains.length;
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.scheduled = false;
      this.schedule();
    }
  }
}
