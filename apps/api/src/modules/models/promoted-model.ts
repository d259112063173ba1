import { ensureBackend, type BackendChoice, type DgaModel } from '@dgascope/ml';
import { AppError } from '../../errors/app-error';
import type { ModelsService } from './models.service';

/**
 * The API's copy of the promoted model: loaded once, and swapped without a restart when
 * another model is promoted (by this process, or by any other: the promoted id is checked
 * at most every `checkEveryMs`).
 */
export class PromotedModel {
  private current: { id: number; model: DgaModel } | null = null;
  private checkedAt = 0;
  private loading: Promise<{ id: number; model: DgaModel }> | null = null;

  constructor(
    private readonly models: ModelsService,
    private readonly backend: BackendChoice | undefined,
    private readonly checkEveryMs = 2000,
  ) {}

  /** Forget the cached id (after a promotion in this process). */
  invalidate(): void {
    this.checkedAt = 0;
  }

  async get(): Promise<{ id: number; model: DgaModel }> {
    if (this.current && Date.now() - this.checkedAt < this.checkEveryMs) return this.current;
    this.loading ??= this.refresh().finally(() => (this.loading = null));
    return this.loading;
  }

  private async refresh(): Promise<{ id: number; model: DgaModel }> {
    const id = await this.models.promotedId();
    if (id === null) throw new AppError('CONFLICT', 'NO_PROMOTED_MODEL', 'no model is promoted yet: train one and promote it');
    if (this.current?.id !== id) {
      await ensureBackend(this.backend ? { backend: this.backend } : {});
      const model = await this.models.load(id);
      const previous = this.current;
      this.current = { id, model };
      // classify() is synchronous, so no request can still be using the previous model.
      previous?.model.dispose();
    }
    this.checkedAt = Date.now();
    return this.current!;
  }

  dispose(): void {
    this.current?.model.dispose();
    this.current = null;
  }
}
