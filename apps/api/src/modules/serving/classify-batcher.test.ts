import { initBackend, trainClassifier, type DgaModel } from '@dgascope/ml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassifyBatcher, type VerdictOverrides } from './classify-batcher';

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

  /** A round that records the domains of each call. */
  const recorded = (rounds: string[][]) => async (domains: string[], overrides: VerdictOverrides) => (
    rounds.push(domains),
    { modelId: 7, results: model.classify(domains, overrides) }
  );

  it('answers concurrent callers with exactly what classifying each alone gives, in one model call', async () => {
    const rounds: string[][] = [];
    const batcher = new ClassifyBatcher(recorded(rounds), 100);
    const requests = [['a.com'], ['qxzqxz.net', 'bad name!', 'b.org'], [], ['c.info']];
    const answers = await Promise.all(requests.map((r) => batcher.classify(r)));
    expect(rounds).toHaveLength(1);
    expect(answers).toEqual(requests.map((r) => ({ modelId: 7, results: model.classify(r) })));
    expect(await batcher.classify(['d.com'])).toEqual({ modelId: 7, results: model.classify(['d.com']) });
    expect(rounds).toHaveLength(2);
  });

  it('keeps rounds within their size, except for a request that is larger by itself', async () => {
    const rounds: string[][] = [];
    const batcher = new ClassifyBatcher(recorded(rounds), 4);
    const requests = [['a.com', 'b.com'], ['c.com'], ['d.com', 'e.com'], ['f.com', 'g.com', 'h.com', 'i.com', 'j.com'], ['k.com']];
    const answers = await Promise.all(requests.map((r) => batcher.classify(r)));
    expect(rounds).toEqual([['a.com', 'b.com', 'c.com'], ['d.com', 'e.com'], ['f.com', 'g.com', 'h.com', 'i.com', 'j.com'], ['k.com']]);
    expect(answers).toEqual(requests.map((r) => ({ modelId: 7, results: model.classify(r) })));
  });

  it('gives requests that override the verdict rule differently rounds of their own, each under its overrides', async () => {
    const rounds: string[][] = [];
    const batcher = new ClassifyBatcher(recorded(rounds), 100);
    const requests: Array<[string[], VerdictOverrides]> = [
      [['a.com'], {}],
      [['qxzqxz.net'], {}],
      [['b.org', 'qxz7.com'], { dgaThreshold: 0 }],
      [['c.info'], { dgaThreshold: 0 }],
      [['d.com'], { dgaThreshold: 1, noveltyThreshold: null }],
    ];
    const answers = await Promise.all(requests.map(([d, o]) => batcher.classify(d, o)));
    expect(rounds).toEqual([['a.com', 'qxzqxz.net'], ['b.org', 'qxz7.com', 'c.info'], ['d.com']]);
    expect(answers).toEqual(requests.map(([d, o]) => ({ modelId: 7, results: model.classify(d, o) })));
    // a threshold of 0 makes every valid name DGA, of 1 (above any score) every name benign
    expect(answers[2]!.results.every((r) => r.ok && r.verdict === 'dga')).toBe(true);
    expect(answers[4]!.results.every((r) => r.ok && r.verdict === 'benign')).toBe(true);
  });

  it('fails the callers of a round whose model cannot be had, and serves the next round', async () => {
    let available = false;
    const batcher = new ClassifyBatcher(async (domains) => {
      if (!available) throw new Error('no model is promoted');
      return { modelId: 1, results: model.classify(domains) };
    }, 100);
    await expect(Promise.all([batcher.classify(['a.com']), batcher.classify(['b.com'])])).rejects.toThrow('no model is promoted');
    available = true;
    expect((await batcher.classify(['a.com'])).results).toEqual(model.classify(['a.com']));
  });
});
