import { describe, expect, it } from 'vitest';
import { binaryMetrics, computeMetrics } from './metrics';

describe('computeMetrics', () => {
  // labels: benign(0), a(1), b(2). 6 samples, hand-made probabilities.
  const labels = ['benign', 'a', 'b'];
  const yTrue = [0, 0, 1, 1, 2, 2];
  const probs = [
    0.8,
    0.1,
    0.1, // benign → benign
    0.3,
    0.6,
    0.1, // benign → a (error, p .6)
    0.2,
    0.7,
    0.1, // a → a
    0.1,
    0.2,
    0.7, // a → b (error, p .7)
    0.1,
    0.1,
    0.8, // b → b
    0.6,
    0.1,
    0.3, // b → benign (error, p .6)
  ];
  const m = computeMetrics({ labels, yTrue, probs, benignLabel: 'benign', domains: ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'] });

  it('matches the hand-computed report', () => {
    expect(m.accuracy).toBeCloseTo(3 / 6);
    expect(m.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, 1],
    ]);
    // every class: tp 1, predicted 2, support 2 → P = R = F1 = 0.5
    for (const c of m.perClass) expect(c).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(m.macro.f1).toBeCloseTo(0.5);
    expect(m.weighted.f1).toBeCloseTo(0.5);
    expect(m.micro.f1).toBeCloseTo(0.5);
    expect(m.misclassified.map((e) => e.domain)).toEqual(['d3', 'd1', 'd5']);
    expect(m.misclassified[0]).toEqual({ domain: 'd3', trueLabel: 'a', predicted: 'b', probability: 0.7 });
  });

  it('computes an unbalanced report', () => {
    const r = computeMetrics({ labels: ['x', 'y'], yTrue: [0, 0, 0, 1], probs: [0.9, 0.1, 0.9, 0.1, 0.1, 0.9, 0.1, 0.9] });
    // x: tp 2, predicted 2, support 3 → P 1, R 2/3, F1 .8 ; y: tp 1, predicted 2, support 1 → P .5, R 1, F1 2/3
    expect(r.perClass[0]?.f1).toBeCloseTo(0.8);
    expect(r.perClass[1]?.f1).toBeCloseTo(2 / 3);
    expect(r.macro.f1).toBeCloseTo((0.8 + 2 / 3) / 2);
    expect(r.weighted.f1).toBeCloseTo((0.8 * 3 + 2 / 3) / 4);
    expect(r.binary).toBeNull();
  });

  it('binary view: DGA score = 1 − P(benign)', () => {
    // scores: .2 .7 | .8 .9 .9 .4 → positives (a, b) 4, negatives 2
    const b = m.binary!;
    expect(b.positives).toBe(4);
    expect(b.negatives).toBe(2);
    // pairs (pos > neg): pos {.8,.9,.9,.4} vs neg {.2,.7}: .8:2 .9:2 .9:2 .4:1 → 7/8
    expect(b.auc).toBeCloseTo(7 / 8);
  });
});

describe('binaryMetrics', () => {
  it('handles ties as half and reads TPR at low FPR', () => {
    expect(binaryMetrics([0.5, 0.5], [1, 0]).auc).toBeCloseTo(0.5);
    const n = 10000;
    const scores: number[] = [],
      pos: number[] = [];
    for (let i = 0; i < n; i++) {
      scores.push(i / n);
      pos.push(0);
    } // negatives in [0, 1)
    for (let i = 0; i < 100; i++) {
      scores.push(1 + i);
      pos.push(1);
    } // 100 positives above all
    scores.push(0.99995);
    pos.push(1); // one positive above only the top negative... (0.99995 > 0.9999)
    const b = binaryMetrics(scores, pos, 50);
    expect(b.auc).toBeGreaterThan(0.999);
    expect(b.tprAtFpr['1e-4']).toBeCloseTo(101 / 101);
    expect(b.roc.length).toBeLessThanOrEqual(50);
    expect(b.roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(b.roc[b.roc.length - 1]).toMatchObject({ fpr: 1, tpr: 1 });
  });
});
