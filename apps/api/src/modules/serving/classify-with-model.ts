import { ensureBackend, LATENCY_ORDER, type ClassifyResult } from '@dgascope/ml';
import { AppError } from '../../errors/app-error';
import type { ModelsService } from '../models/models.service';
import type { Classified, VerdictOptions } from './promoted-model';

/**
 * Loads one model (default: the promoted one), classifies, and releases it: for one-off callers
 * such as the CLI, which have no PromotedModel kept warm. Same model artifact and verdict rule as the API's.
 */
export async function classifyWithModel(
  models: ModelsService,
  domains: readonly string[],
  modelId: number | undefined,
  options: VerdictOptions = {},
): Promise<Classified> {
  const id = modelId ?? (await models.promotedId());
  if (id == null)
    throw new AppError('CONFLICT', 'NO_PROMOTED_MODEL', 'no model is promoted yet: train one and promote it, or give --model');
  await ensureBackend({ order: LATENCY_ORDER });
  const model = await models.load(id);
  try {
    const results: ClassifyResult[] = model.classify(domains, options);
    return { modelId: id, results };
  } finally {
    model.dispose();
  }
}
