import { beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend';
import { fitFeatureGaussian, noveltyScores, type FeatureGaussian } from './decision';
import { mahalanobisMin } from './mahalanobis';
import { createRng, normal, type Rng } from './rng';
import { describeOnBackend, TEST_BACKEND } from './test-utils';

/** The definition, in float64: min over the classes of (f − μ_k)ᵀ P (f − μ_k). */
function direct(f: Float32Array, g: FeatureGaussian): Float64Array {
  const D = g.dim,
    K = g.classes.length,
    n = f.length / D;
  const out = new Float64Array(n);
  const d = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let k = 0; k < K; k++) {
      for (let a = 0; a < D; a++) d[a] = (f[i * D + a] as number) - (g.means[k * D + a] as number);
      let q = 0;
      for (let a = 0; a < D; a++) {
        let r = 0;
        for (let b = 0; b < D; b++) r += (g.precision[a * D + b] as number) * (d[b] as number);
        q += (d[a] as number) * r;
      }
      best = Math.min(best, q);
    }
    out[i] = best;
  }
  return out;
}

/**
 * Features as a network's penultimate layer gives them: classes around means far from the origin
 * (offset: what makes the expanded float32 form cancel), with correlated noise of unequal scales.
 */
function features(rng: Rng, D: number, K: number, perClass: number, offset: number) {
  const means = Array.from({ length: K }, () => Array.from({ length: D }, () => offset + 3 * normal(rng)));
  const mix = Array.from({ length: D }, (_, a) => Array.from({ length: D }, (_, b) => (a === b ? 1 : 0.3 * normal(rng)) * (1 + (a % 5))));
  const f = new Float32Array(K * perClass * D);
  const y = new Int32Array(K * perClass);
  for (let i = 0; i < K * perClass; i++) {
    const k = i % K;
    y[i] = k;
    const z = Array.from({ length: D }, () => 0.4 * normal(rng));
    for (let a = 0; a < D; a++) {
      let s = means[k]![a] as number;
      for (let b = 0; b < D; b++) s += (mix[a]![b] as number) * (z[b] as number);
      f[i * D + a] = s;
    }
  }
  return { f, y };
}

describeOnBackend('mahalanobis novelty score', () => {
  beforeAll(async () => {
    await initBackend({ backend: TEST_BACKEND });
  });

  it('equals the float64 definition within 1e-5 relative, near the class means and far from them', () => {
    const rng = createRng(11);
    const D = 48,
      K = 7;
    const { f, y } = features(rng, D, K, 120, 20);
    // label K − 1 plays benign: not modelled
    const g = fitFeatureGaussian(f, y, D, K - 1);
    expect(g.classes).toHaveLength(K - 1);
    // probes: the class means (distance 0), training rows, and the same rows pushed away by up to 10 units
    const probes = new Float32Array(g.means.length + f.length * 2);
    probes.set(g.means);
    probes.set(f, g.means.length);
    for (let i = g.means.length + f.length; i < probes.length; i++)
      probes[i] = (f[i - g.means.length - f.length] as number) + 10 * rng() * normal(rng);
    const got = noveltyScores('mahalanobis', { probs: new Float32Array(0), features: probes }, K, K - 1, g);
    const want = direct(probes, g);
    let worst = 0,
      smallest = Infinity,
      largest = 0;
    for (let i = 0; i < want.length; i++) {
      const w = want[i] as number;
      worst = Math.max(worst, Math.abs((got[i] as number) - w) / Math.max(w, 1));
      smallest = Math.min(smallest, w);
      largest = Math.max(largest, w);
    }
    // the probes span near-zero to large distances, so both kinds of error are exercised
    expect(smallest).toBeLessThan(1e-3);
    expect(largest).toBeGreaterThan(1000);
    expect(worst).toBeLessThan(1e-5);
  });

  it('mahalanobis: far from every class mean scores high, near one scores low', () => {
    const rng = createRng(5);
    const D = 4,
      n = 600;
    const f = new Float32Array(n * D);
    const y = new Int32Array(n);
    const centres = [
      [5, 0, 0, 0],
      [0, 5, 0, 0],
      [0, 0, -5, 0], // class 2 = benign: not modelled
    ];
    for (let i = 0; i < n; i++) {
      y[i] = i % 3;
      for (let a = 0; a < D; a++) f[i * D + a] = (centres[i % 3]![a] as number) + 0.5 * normal(rng);
    }
    const g = fitFeatureGaussian(f, y, D, 2);
    expect(g.classes).toEqual([0, 1]);
    expect(g.means[0]).toBeCloseTo(5, 0);
    const probe = Float32Array.from([5, 0, 0, 0, 0, 5.2, 0, 0, 0, 0, 0, 9]);
    const s = noveltyScores('mahalanobis', { probs: new Float32Array(9), features: probe }, 3, 2, g);
    expect(s[0]).toBeLessThan(10);
    expect(s[1]).toBeLessThan(10);
    expect(s[2]).toBeGreaterThan(100);
  });

  it('scores a class mean 0 and picks the nearest class, not the first', () => {
    const D = 3;
    const g = fitFeatureGaussian(Float32Array.from([0, 0, 0, 2, 0, 0, 10, 0, 0, 12, 0, 0, 0, 1, 1, 0, -1, -1]), [0, 0, 1, 1, 2, 2], D, -1);
    const probe = Float32Array.from([11, 0, 0, 1, 0, 0, 1, 0, 0.5]);
    const got = mahalanobisMin(probe, g);
    const want = direct(probe, g);
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(want[i] as number, 4);
    expect(got[0]).toBeCloseTo(0, 4);
    expect(got[1]).toBeCloseTo(0, 4);
    expect(got[2]).toBeGreaterThan(0.1);
  });

  it('returns nothing for no rows, and refuses features that are not rows of the dimension', () => {
    const g = fitFeatureGaussian(Float32Array.from([0, 0, 1, 1, 0, 1]), [0, 0, 0], 2, -1);
    expect(mahalanobisMin(new Float32Array(0), g)).toHaveLength(0);
    expect(() => mahalanobisMin(new Float32Array(3), g)).toThrow(/3 feature values are not rows of 2/);
  });
});
