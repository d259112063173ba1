import type { Classified } from '../models/promoted-model';

/** Classifies one round's domains (the requests of that round, concatenated). */
export type ClassifyRound = (domains: string[]) => Promise<Classified>;

interface Waiting {
  domains: readonly string[];
  resolve(answer: Classified): void;
  reject(err: unknown): void;
}

/**
 * Coalesces concurrent `classify` requests into one model call per round. A model call costs
 * nearly the same for 1 domain as for 10 (per-op dispatch dominates), so eight callers of one
 * domain each are served by one call instead of queueing behind seven others. One round runs
 * at a time; requests that arrive meanwhile, or that do not fit into `maxRoundDomains`, make
 * the next one.
 */
export class ClassifyBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly round: ClassifyRound,
    /** Most domains in one round; a request larger than that makes a round of its own. */
    private readonly maxRoundDomains: number,
  ) {}

  classify(domains: readonly string[]): Promise<Classified> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ domains, resolve, reject });
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
    let size = 0;
    const cut = this.waiting.findIndex((w, i) => (size += w.domains.length) > this.maxRoundDomains && i > 0);
    const batch = cut < 0 ? this.waiting : this.waiting.slice(0, cut);
    this.waiting = cut < 0 ? [] : this.waiting.slice(cut);
    try {
      const { modelId, results } = await this.round(batch.flatMap((w) => w.domains));
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
