import {
  BACKEND_ORDER,
  ensureBackend,
  InferencePool,
  LATENCY_ORDER,
  type BackendChoice,
  type ClassifyOptions,
  type ClassifyResult,
  type DgaModel,
} from '@dgascope/ml';
import { AppError } from '../../errors/app-error';
import type { ModelsService } from '../models/models.service';

/** Per-call overrides of the model's verdict rule. */
export type VerdictOptions = Pick<ClassifyOptions, 'dgaThreshold' | 'noveltyThreshold'>;

export interface Classified {
  modelId: number;
  results: ClassifyResult[];
}

/** One promoted model, loaded twice: here for small batches, on an inference thread for large ones. */
interface Loaded {
  id: number;
  /** On this thread's backend, latency first (WASM): a few domains take a few milliseconds. */
  model: DgaModel;
  /** A worker thread on the throughput backend (native where installed); null if it did not start. */
  thread: Promise<InferencePool | null>;
  /** Calls still using it: a model swapped out is released only once they are done. */
  users: number;
  retired: boolean;
  released: boolean;
}

/**
 * The API's copy of the promoted model: loaded once, and swapped without a restart when
 * another model is promoted (by this process, or by any other: the promoted id is checked
 * at most every `checkEveryMs`).
 *
 * Small batches run here, synchronously, on the backend that is fastest for a few domains;
 * large ones on an inference thread with the backend that is fastest for many, so that a
 * 1,000-domain call neither blocks the event loop nor runs at WASM speed.
 */
export class PromotedModel {
  private current: Loaded | null = null;
  private readonly retiredInUse = new Set<Loaded>();
  private checkedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly models: ModelsService,
    /** Forces one backend for both (ML_BACKEND). */
    private readonly backend: BackendChoice | undefined,
    private readonly checkEveryMs = 2000,
  ) {}

  /** Forget the cached id (after a promotion in this process). */
  invalidate(): void {
    this.checkedAt = 0;
  }

  /** A few domains: on this thread, at once. */
  classifySmall(domains: string[], options: VerdictOptions = {}): Promise<Classified> {
    return this.use(async (m) => ({ modelId: m.id, results: m.model.classify(domains, options) }));
  }

  /** Many domains: on the inference thread (here, if it could not be started). */
  classifyLarge(domains: string[], options: VerdictOptions = {}): Promise<Classified> {
    return this.use(async (m) => {
      const thread = await m.thread;
      return { modelId: m.id, results: thread ? await thread.classify(domains, options) : m.model.classify(domains, options) };
    });
  }

  /** Runs `fn` with the promoted model, which stays loaded until `fn` is done. */
  private async use<T>(fn: (m: Loaded) => Promise<T>): Promise<T> {
    if (!this.current || Date.now() - this.checkedAt >= this.checkEveryMs) {
      this.loading ??= this.refresh().finally(() => (this.loading = null));
      await this.loading;
    }
    // Taken synchronously after the await: `current` is never a released model.
    const m = this.current!;
    m.users++;
    try {
      return await fn(m);
    } finally {
      m.users--;
      if (m.retired && m.users === 0) void this.release(m);
    }
  }

  private async refresh(): Promise<void> {
    const id = await this.models.promotedId();
    if (id === null) throw new AppError('CONFLICT', 'NO_PROMOTED_MODEL', 'no model is promoted yet: train one and promote it');
    if (this.current?.id !== id) {
      await ensureBackend(this.backend ? { backend: this.backend } : { order: LATENCY_ORDER });
      const model = await this.models.load(id);
      const thread = InferencePool.create(model, {
        workers: 1,
        ...(this.backend ? { backend: this.backend } : { order: BACKEND_ORDER }),
      }).catch((err: unknown) => {
        console.error(`model ${id}: the inference thread did not start, large batches run on the main thread:`, err);
        return null;
      });
      const previous = this.current;
      this.current = { id, model, thread, users: 0, retired: false, released: false };
      if (previous) this.retire(previous);
    }
    this.checkedAt = Date.now();
  }

  private retire(m: Loaded): void {
    m.retired = true;
    if (m.users === 0) void this.release(m);
    else this.retiredInUse.add(m);
  }

  private async release(m: Loaded): Promise<void> {
    if (m.released) return;
    m.released = true;
    this.retiredInUse.delete(m);
    m.model.dispose();
    await (await m.thread)?.close();
  }

  async dispose(): Promise<void> {
    const all = [...this.retiredInUse, ...(this.current ? [this.current] : [])];
    this.current = null;
    await Promise.all(all.map((m) => this.release(m)));
  }
}
