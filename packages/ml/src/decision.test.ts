import { describe, expect, it } from 'vitest';
import {
  chooseDgaThreshold,
  chooseDgaThresholdBy,
  decide,
  dgaScoreOf,
  noveltyScores,
  rejectThreshold,
  uniformFamilyWeights,
  type Decision,
} from './decision';
import { invertSpd } from './linalg';
import { computeMetrics } from './metrics';
import { createRng } from './rng';

describe('chooseDgaThreshold', () => {
  const benign = Array.from({ length: 1000 }, (_, i) => i / 1000); // 0 … 0.999
  it('flags at most the target share of benign names', () => {
    const t = chooseDgaThreshold(benign, 0.01, 0);
    expect(benign.filter((s) => s >= t).length).toBe(10);
    expect(benign.filter((s) => s >= chooseDgaThreshold(benign, 0.001, 0)).length).toBe(1);
  });
  it('sits just above the highest benign score when the target is below 1 / n', () => {
    const t = chooseDgaThreshold(benign.slice(0, 100), 0.001, 0);
    expect(t).toBeGreaterThan(0.099);
    expect(benign.slice(0, 100).filter((s) => s >= t)).toHaveLength(0);
  });
  it('never goes below the floor, and refuses a target outside [0, 1)', () => {
    expect(chooseDgaThreshold([0.01, 0.02], 0.5)).toBe(0.5);
    expect(chooseDgaThreshold([], 0.001)).toBe(0.5);
    expect(() => chooseDgaThreshold(benign, 1)).toThrow(/targetBenignFpr/);
  });
});

describe('chooseDgaThresholdBy tail', () => {
  // benign scores whose logit has an exponential upper tail: P(logit > z) = e^(−(z + 4)) for z > −4
  const rng = createRng(7);
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const clean = Array.from({ length: 3000 }, () => sigmoid(-4 - Math.log(1 - rng())));
  const trueAt = (fpr: number) => sigmoid(-4 - Math.log(fpr));
  const logit = (s: number) => Math.log(s / (1 - s));

  it('extrapolates the tail to the target, as the quantile of a sample large enough would', () => {
    const t = chooseDgaThresholdBy('tail', clean, 1e-3, 0).threshold;
    expect(Math.abs(logit(t) - logit(trueAt(1e-3)))).toBeLessThan(0.4);
    expect(Math.abs(logit(chooseDgaThresholdBy('tail', clean, 1e-4, 0).threshold) - logit(trueAt(1e-4)))).toBeLessThan(0.7);
  });
  it('is not moved by a few DGA names inside the benign list, unlike the quantile', () => {
    const dirty = [...clean, 0.999999, 0.99999, 0.99995, 0.9999];
    const q = chooseDgaThreshold(dirty, 1e-3, 0);
    const t = chooseDgaThresholdBy('tail', dirty, 1e-3, 0).threshold;
    expect(q).toBeGreaterThan(0.9999); // decided by the planted names
    expect(Math.abs(logit(t) - logit(trueAt(1e-3)))).toBeLessThan(0.4);
  });
  it('uses the quantile for targets of 1 % and more, too few names, or a flat tail', () => {
    const quantile = (s: number[], t: number) => ({ threshold: chooseDgaThreshold(s, t, 0), method: 'quantile' });
    expect(chooseDgaThresholdBy('tail', clean, 0.01, 0)).toEqual(quantile(clean, 0.01));
    const few = clean.slice(0, 400); // the top 1 % would be 4 names
    expect(chooseDgaThresholdBy('tail', few, 1e-3, 0)).toEqual(quantile(few, 1e-3));
    const flat = Array.from({ length: 2000 }, () => 0.2);
    expect(chooseDgaThresholdBy('tail', flat, 1e-3, 0)).toEqual(quantile(flat, 1e-3));
    expect(chooseDgaThresholdBy('quantile', clean, 1e-3, 0)).toEqual(quantile(clean, 1e-3));
    expect(chooseDgaThresholdBy('tail', clean, 1e-3, 0).method).toBe('tail');
  });
  it('keeps the floor', () => {
    expect(
      chooseDgaThresholdBy(
        'tail',
        clean.map((s) => s / 100),
        1e-3,
      ).threshold,
    ).toBe(0.5);
  });
});

describe('rejectThreshold', () => {
  it('rejects at most the target share (conformal rank), and nothing when there are too few scores for it', () => {
    const s = Array.from({ length: 1000 }, (_, i) => i);
    const t = rejectThreshold(s, 0.02)!;
    expect(s.filter((x) => x > t).length).toBeLessThanOrEqual(20);
    expect(s.filter((x) => x > t).length).toBeGreaterThanOrEqual(18);
    expect(rejectThreshold(s, 0)).toBeNull();
    expect(rejectThreshold(s.slice(0, 98), 0.01)).toBeNull(); // 99 < 1 / 0.01
    expect(rejectThreshold(s.slice(0, 99), 0.01)).toBe(98);
    expect(rejectThreshold([], 0.01)).toBeNull();
  });
});

describe('decide', () => {
  const decision: Decision = {
    dgaThreshold: 0.8,
    targetBenignFpr: 1e-3,
    calibrationBenign: 1000,
    novelty: { method: 'max-softmax', threshold: 0.5, targetRejectRate: 0.01, gaussian: null },
  };
  // labels: a(0), benign(1), b(2)
  it('benign below the DGA threshold, even when a DGA class has the top probability', () => {
    expect(decide([0.45, 0.3, 0.25], 1, 0, decision)).toMatchObject({ verdict: 'benign', classIndex: 1, unknownFamily: false });
  });
  it('DGA: the top DGA class, even when benign has the top probability', () => {
    expect(decide([0.1, 0.15, 0.75], 1, 0.1, decision)).toMatchObject({ verdict: 'dga', classIndex: 2, unknownFamily: false });
  });
  it('unknown family above the novelty threshold; overrides per call', () => {
    expect(decide([0.45, 0.1, 0.45], 1, 0.6, decision)).toMatchObject({ verdict: 'dga', unknownFamily: true });
    expect(decide([0.45, 0.1, 0.45], 1, 0.6, decision, { noveltyThreshold: null })).toMatchObject({ unknownFamily: false });
    expect(decide([0.45, 0.1, 0.45], 1, 0.6, decision, { dgaThreshold: 0.95 })).toMatchObject({ verdict: 'benign' });
  });
});

describe('the DGA score under a uniform family prior', () => {
  // labels: big(0), benign(1), rare(2); trained on 900 big, 100 benign, 100 rare names
  const ys = [...Array(900).fill(0), ...Array(100).fill(1), ...Array(100).fill(2)];
  it('weights each DGA class by 1 / its share of the training epochs, the DGA mass kept', () => {
    const w = uniformFamilyWeights(ys, 3, 1);
    expect(w[1]).toBe(1);
    expect(w[0]).toBeCloseTo(500 / 900, 12);
    expect(w[2]).toBeCloseTo(500 / 100, 12);
    // the weighted shares are equal and sum to the DGA classes' share as trained
    expect(900 * w[0]! + 100 * w[2]!).toBeCloseTo(1000, 9);
    // square-root sampling showed the families ∝ √n: the weights undo that, not the raw counts
    const sqrt = uniformFamilyWeights(ys, 3, 1, 0.5);
    expect(sqrt[0]! * 30).toBeCloseTo(sqrt[2]! * 10, 9);
    // power 0 trained on equal shares already: nothing to correct
    expect(uniformFamilyWeights(ys, 3, 1, 0)).toEqual([1, 1, 1]);
    expect(() => uniformFamilyWeights(ys, 3, 1, 2)).toThrow(RangeError);
  });
  it('scores a name of a rare family higher than one of a frequent family at the same P(benign); 1 − P(benign) without weights', () => {
    const w = uniformFamilyWeights(ys, 3, 1);
    const rareLike = [0.01, 0.1, 0.89];
    const bigLike = [0.89, 0.1, 0.01];
    expect(dgaScoreOf(rareLike, 1, null)).toBeCloseTo(0.9, 12);
    expect(dgaScoreOf(bigLike, 1, null)).toBeCloseTo(0.9, 12);
    const big = 0.89 * (500 / 900) + 0.01 * 5;
    expect(dgaScoreOf(bigLike, 1, w)).toBeCloseTo(big / (big + 0.1), 12); // 0.845 < 0.9
    const rare = 0.01 * (500 / 900) + 0.89 * 5;
    expect(dgaScoreOf(rareLike, 1, w)).toBeCloseTo(rare / (rare + 0.1), 12); // 0.978 > 0.9
    expect(dgaScoreOf([0, 1, 0], 1, w)).toBe(0);
    expect(dgaScoreOf([0.5, 0.5], -1, null)).toBe(1);
  });
  it('decide applies the stored weights: the same row is DGA of the rare family, benign when it leans on the frequent one', () => {
    const decision: Decision = {
      dgaThreshold: 0.95,
      targetBenignFpr: 1e-3,
      calibrationBenign: 1000,
      dgaScorePrior: 'uniform-families',
      dgaWeights: uniformFamilyWeights(ys, 3, 1),
      novelty: null,
    };
    expect(decide([0.01, 0.1, 0.89], 1, Number.NaN, decision)).toMatchObject({ verdict: 'dga', classIndex: 2 });
    expect(decide([0.89, 0.1, 0.01], 1, Number.NaN, decision)).toMatchObject({ verdict: 'benign', nearest: 0 });
  });
});

describe('novelty scores', () => {
  it('max-softmax renormalises without benign; energy and max-logit read logits', () => {
    const probs = Float32Array.from([0.5, 0.4, 0.1, 0.1, 0.1, 0.8]); // labels a, benign, b
    const ms = noveltyScores('max-softmax', { probs }, 3, 1, null);
    expect(ms[0]).toBeCloseTo(1 - 0.5 / 0.6, 5);
    expect(ms[1]).toBeCloseTo(1 - 0.8 / 0.9, 5);
    const logits = Float32Array.from([2, 9, 0, 0, 9, 0]);
    const ml = noveltyScores('max-logit', { probs, logits }, 3, 1, null);
    expect(Array.from(ml)).toEqual([-2, -0]);
    const en = noveltyScores('energy', { probs, logits }, 3, 1, null);
    expect(en[0]).toBeCloseTo(-Math.log(Math.exp(2) + 1), 5);
    expect(en[1]).toBeCloseTo(-Math.log(2), 5);
  });

  it('invertSpd inverts a symmetric positive-definite matrix', () => {
    const a = Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]);
    const inv = invertSpd(a, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += (a[i * 3 + k] as number) * (inv[k * 3 + j] as number);
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
      }
    expect(() => invertSpd(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/positive definite/);
  });
});

describe('computeMetrics with decided predictions', () => {
  it('counts unknown-family answers as errors outside the confusion matrix', () => {
    const m = computeMetrics({
      labels: ['benign', 'a'],
      yTrue: [0, 1, 1, 1],
      probs: [0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.1, 0.9],
      yPred: [0, 1, -1, 1],
      unknownLabel: 'unknownFamily',
    });
    expect(m.unknownFamily).toBe(1);
    expect(m.accuracy).toBe(0.75);
    expect(m.perClass[1]).toMatchObject({ support: 3, recall: 2 / 3, precision: 1 });
    expect(m.confusion).toEqual([
      [1, 0],
      [0, 2],
    ]);
    expect(m.misclassified[0]).toMatchObject({ trueLabel: 'a', predicted: 'unknownFamily' });
  });
});
