import { initBackend, modelFromBuffer, modelToBuffer, trainClassifier } from '@dgascope/ml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelsService } from '../models/models.service';
import { PromotedModel } from './promoted-model';

const samples = Array.from({ length: 120 }, (_, i) => ({
  domain: i % 2 ? `${'qxz'.repeat(1 + (i % 3))}${i}.com` : `shop${i}.org`,
  label: i % 2 ? 'dga' : 'benign',
}));
const domains = Array.from({ length: 300 }, (_, i) => (i % 3 ? `qxzqxz${i}.net` : `shop${i}.org`));

describe('PromotedModel', () => {
  const artifacts = new Map<number, Buffer>();
  let promotedId: number | null = null;
  const models = {
    promotedId: async () => promotedId,
    load: async (id: number) => modelFromBuffer(artifacts.get(id)!),
  } as unknown as ModelsService;
  const promoted = new PromotedModel(models, 'wasm', 60_000);

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    for (const [id, seed] of [
      [1, 1],
      [2, 2],
    ] as const) {
      const { model } = await trainClassifier(samples, {
        train: { architecture: { embeddingDim: 8, lstmUnits: 8 }, epochs: 1, batchSize: 32, seed },
      });
      artifacts.set(id, Buffer.from(modelToBuffer(model)));
      model.dispose();
    }
  });
  afterAll(() => promoted.dispose());

  it('says so when no model is promoted', async () => {
    await expect(promoted.classifySmall(['a.com'])).rejects.toMatchObject({ reason: 'NO_PROMOTED_MODEL' });
  });

  it('gives the same answers on this thread and on the inference thread', async () => {
    promotedId = 1;
    promoted.invalidate();
    const here = await promoted.classifySmall(domains);
    const there = await promoted.classifyLarge(domains);
    expect(there.modelId).toBe(1);
    expect(there.results.map((r) => r.ok && r.family)).toEqual(here.results.map((r) => r.ok && r.family));
    there.results.forEach((r, i) => {
      const h = here.results[i]!;
      if (r.ok && h.ok) expect(r.probability).toBeCloseTo(h.probability, 5);
    });
  });

  it('lets a call in flight finish on the model it started with when another is promoted', async () => {
    const reference = modelFromBuffer(artifacts.get(1)!);
    const expected = reference.classify(domains).map((r) => r.ok && r.probability);
    reference.dispose();
    const inFlight = promoted.classifyLarge(domains);
    await new Promise((r) => setImmediate(r)); // the call has its model and has gone to the thread
    promotedId = 2;
    promoted.invalidate();
    const after = await promoted.classifySmall(domains.slice(0, 3));
    expect(after.modelId).toBe(2);
    const finished = await inFlight;
    expect(finished.modelId).toBe(1);
    finished.results.forEach((r, i) => expect(r.ok && r.probability).toBeCloseTo(expected[i] as number, 5));
    expect((await promoted.classifyLarge(domains.slice(0, 40))).modelId).toBe(2);
  });
});
