import { initBackend, trainClassifier, type DgaModel } from '@dgascope/ml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassifyBatcher } from './classify-batcher';

const samples = Array.from({ length: 120 }, (_, i) => ({
  domain: i % 2 ? `${'qxz'.repeat(1 + (i % 3))}${i}.com` : `shop${i}.org`,
  label: i % 2 ? 'dga' : 'benign',
}));

describe('ClassifyBatcher', () => {
  let model: DgaModel;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    model = (await trainClassifier(samples, { train: { architecture: { embeddingDim: 8, lstmUnits: 8 }, epochs: 1, batchSize: 32 } }))
      .model;
  });

  it('answers concurrent callers with exactly what classifying each alone gives, in one model call', async () => {
    let calls = 0;
    const counted = { classify: (d: readonly string[]) => (calls++, model.classify(d)) } as unknown as DgaModel;
    const batcher = new ClassifyBatcher({ get: async () => ({ id: 7, model: counted }) });
    const requests = [['a.com'], ['qxzqxz.net', 'bad name!', 'b.org'], [], ['c.info']];
    const answers = await Promise.all(requests.map((r) => batcher.classify(r)));
    expect(calls).toBe(1);
    expect(answers).toEqual(requests.map((r) => ({ modelId: 7, results: model.classify(r) })));
    expect(await batcher.classify(['d.com'])).toEqual({ modelId: 7, results: model.classify(['d.com']) });
    expect(calls).toBe(2);
  });

  it('fails the callers of a batch whose model cannot be had, and serves the next batch', async () => {
    let available = false;
    const batcher = new ClassifyBatcher({
      get: async () => {
        if (!available) throw new Error('no model is promoted');
        return { id: 1, model };
      },
    });
    await expect(Promise.all([batcher.classify(['a.com']), batcher.classify(['b.com'])])).rejects.toThrow('no model is promoted');
    available = true;
    expect((await batcher.classify(['a.com'])).results).toEqual(model.classify(['a.com']));
  });
});
