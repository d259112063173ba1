import { AppError } from '../../errors/app-error';
import { ClassifyBatcher, type VerdictOverrides } from './classify-batcher';
import type { Classified, PromotedModel } from './promoted-model';

/** Requests up to this many domains go to the small-batch lane (this thread, latency first). */
const SMALL_REQUEST_DOMAINS = 32;
/** Most domains in one round of the small-batch lane: about 20 ms of WASM; more wait a round. */
const SMALL_ROUND_DOMAINS = 64;
/** Most domains in one round of the large-batch lane (the inference thread). */
const LARGE_ROUND_DOMAINS = 4096;

/**
 * Serving: the `classify` query answered by the promoted model, through two lanes (small
 * requests on this thread, large ones on the inference thread), each batching concurrent calls.
 */
export class ServingService {
  private readonly small: ClassifyBatcher;
  private readonly large: ClassifyBatcher;

  constructor(
    promoted: PromotedModel,
    private readonly maxSyncDomains: number,
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
}
