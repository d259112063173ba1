import type { ClassifyResult, DgaModel } from '@dgascope/ml';

export interface ModelSource {
  get(): Promise<{ id: number; model: DgaModel }>;
}

interface Waiting {
  domains: readonly string[];
  resolve(answer: { modelId: number; results: ClassifyResult[] }): void;
  reject(err: unknown): void;
}

/** Most domains one model call takes; the rest wait for the next round. */
const MAX_BATCH_DOMAINS = 4096;

/**
 * Coalesces concurrent `classify` requests into one model call per event-loop turn. A model
 * call is synchronous and costs nearly the same for 1 domain as for 50 (per-op dispatch
 * dominates), so eight callers of one domain each are served by one call instead of
 * queueing behind seven others. The model is fetched at the call itself, with no await in
 * between: a promotion can never dispose of it under a waiting request.
 */
export class ClassifyBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly source: ModelSource) {}

  classify(domains: readonly string[]): Promise<{ modelId: number; results: ClassifyResult[] }> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ domains, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    let size = 0;
    const cut = this.waiting.findIndex((w, i) => i > 0 && (size += w.domains.length) > MAX_BATCH_DOMAINS - this.waiting[0]!.domains.length);
    const batch = cut < 0 ? this.waiting : this.waiting.slice(0, cut);
    this.waiting = cut < 0 ? [] : this.waiting.slice(cut);
    try {
      const { id, model } = await this.source.get();
      const results = model.classify(batch.flatMap((w) => w.domains));
      let offset = 0;
      for (const w of batch) {
        w.resolve({ modelId: id, results: results.slice(offset, offset + w.domains.length) });
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
