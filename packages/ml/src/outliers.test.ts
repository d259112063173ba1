import { BENIGN_LABEL } from '@dgascope/core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { createNetwork, resolveNetConfig } from './network';
import { outlierTarget, resolveOutlierExposure, suffixOf, syntheticNames } from './outliers';
import { createRng } from './rng';
import { describeOnBackend, TEST_BACKEND, TINY, toySamples } from './test-utils';
import { train } from './train';
import { stepGradients, type LossSpec } from './train-step';

describe('synthetic names of no family', () => {
  it('are DGA-like labels on the given suffixes, the same for a seed and epoch, new each epoch', () => {
    const suffixes = ['com', 'net', 'co.uk'];
    const a = syntheticNames(2000, suffixes, 7, 1);
    expect(syntheticNames(2000, suffixes, 7, 1)).toEqual(a);
    const b = syntheticNames(2000, suffixes, 7, 2);
    expect(a.filter((n, i) => n === b[i]).length).toBeLessThan(5);
    for (const name of a) {
      const [label, ...rest] = name.split('.');
      expect(suffixes).toContain(rest.join('.'));
      expect(label).toMatch(/^[a-z0-9]{6,32}$/);
    }
    // every shape shows up: hex-only, with digits, letters only
    expect(a.some((n) => /^[0-9a-f]+\./.test(n) && /[0-9]/.test(n))).toBe(true);
    expect(a.filter((n) => /^[a-z]+\./.test(n)).length).toBeGreaterThan(600);
    // suffixes follow the given frequencies
    const skewed = syntheticNames(4000, ['com', 'com', 'com', 'net'], 3, 1).filter((n) => n.endsWith('.com')).length / 4000;
    expect(skewed).toBeGreaterThan(0.7);
    expect(skewed).toBeLessThan(0.8);
    expect(() => syntheticNames(1, [], 1, 1)).toThrow(/suffix/);
  });

  it('take the suffix after the first label, and validate their options', () => {
    expect(suffixOf('abc.co.uk')).toBe('co.uk');
    expect(suffixOf('localhost')).toBeNull();
    expect(resolveOutlierExposure({ share: 0.2 })).toEqual({ share: 0.2, weight: 0.5 });
    expect(() => resolveOutlierExposure({ share: 0 })).toThrow(/share must be in \(0, 1\]/);
    expect(() => resolveOutlierExposure({ share: 0.2, weight: -1 })).toThrow(/weight/);
  });

  it('have the target "DGA, no family in particular"', () => {
    const t = outlierTarget(5, 2);
    expect(t[2]).toBe(0);
    expect(t.filter((_, c) => c !== 2)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describeOnBackend('outlier exposure in training', () => {
  it("gives a synthetic name's loss as the cross-entropy against its target (linear in the one-hot losses)", async () => {
    await initBackend({ backend: TEST_BACKEND });
    const net = createNetwork(resolveNetConfig(12, 4, { ...TINY, maxLen: 20 }), 3);
    const seqs = [Int32Array.from([3, 5, 7, 2, 9])];
    const spec: LossSpec = { kind: 'cross-entropy', numClasses: 4, logPrior: null, gamma: 0, outlierTarget: outlierTarget(4, 0) };
    const lossOf = (label: number): number => {
      const g = stepGradients(net, spec, { seqs, labels: Int32Array.from([label]), sampleWeights: null, dropoutSeed: 11 });
      g.grads.forEach((t) => t.dispose());
      g.squares?.dispose();
      return g.loss;
    };
    const expected = (lossOf(1) + lossOf(2) + lossOf(3)) / 3;
    expect(lossOf(-1)).toBeCloseTo(expected, 5);
    net.dispose();
  });

  it('makes names unlike any class answer "DGA, no family" instead of benign or one family, and records itself', async () => {
    const samples = toySamples(150, 1);
    // Never seen: random letters and digits from other alphabets, on a DGA class's suffix.
    const rng = createRng(9);
    const unseen = Array.from({ length: 200 }, () => {
      const len = 8 + Math.floor(rng() * 8);
      return `${Array.from({ length: len }, () => 'hjkmnprstvy'[Math.floor(rng() * 11)]).join('')}.${['com', 'net', 'org', 'info'][Math.floor(rng() * 4)]}`;
    });
    const opts = {
      architecture: TINY,
      epochs: 6,
      batchSize: 32,
      learningRate: 0.02,
      seed: 7,
      earlyStopping: false as const,
      decision: false as const,
    };
    const plain = await train({ train: samples }, opts);
    const exposed = await train({ train: samples }, { ...opts, outlierExposure: { share: 0.3 } });
    const summary = (probs: Float32Array, labels: readonly string[]) => {
      const C = labels.length;
      const b = labels.indexOf(BENIGN_LABEL);
      let benign = 0,
        top = 0;
      for (let i = 0; i < probs.length / C; i++) {
        const row = Array.from(probs.subarray(i * C, (i + 1) * C));
        benign += row[b] as number;
        top += Math.max(...row.filter((_, c) => c !== b)) / (1 - (row[b] as number));
      }
      return { benign: benign / (probs.length / C), topFamilyShare: top / (probs.length / C) };
    };
    const p = summary(plain.model.predictProba(unseen), plain.model.labels);
    const e = summary(exposed.model.predictProba(unseen), exposed.model.labels);
    expect(e.benign).toBeLessThan(p.benign);
    expect(e.topFamilyShare).toBeLessThan(p.topFamilyShare - 0.1);
    // and the classes it knows are still told apart
    const known = exposed.model.predictProba(['qwxzqw.net', '01234567.org', 'aeiouae.com']);
    const L = exposed.model.labels;
    const argmax = (k: number) =>
      L[Array.from(known.subarray(k * L.length, (k + 1) * L.length)).reduce((m, v, i, a) => (v > (a[m] as number) ? i : m), 0)];
    expect([argmax(0), argmax(1), argmax(2)]).toEqual(['alpha', 'beta', BENIGN_LABEL]);
    expect(exposed.model.meta.trainingRuns.at(-1)).toMatchObject({ outlierExposure: { share: 0.3, weight: 0.5 } });
    expect(exposed.history[0]!.samplesPerSec).toBeGreaterThan(0);
    plain.model.dispose();
    exposed.model.dispose();
  });
});
