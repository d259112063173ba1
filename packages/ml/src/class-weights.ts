/** Class weighting against imbalance; weights are scaled so the mean weight per training sample is 1. */
export type ClassWeighting = 'none' | 'inverse' | 'sqrt' | { kind: 'effective-number'; beta?: number } | 'effective-number';

/**
 * - inverse: w_c ∝ 1 / n_c
 * - sqrt: w_c ∝ 1 / sqrt(n_c)
 * - effective-number (Cui et al. 2019): w_c ∝ (1 − β) / (1 − β^n_c), β default 0.999
 * Classes with no training samples get weight 0.
 */
export function classWeights(counts: readonly number[], weighting: ClassWeighting = 'none'): Float32Array {
  const w = new Float64Array(counts.length);
  const kind = typeof weighting === 'string' ? weighting : weighting.kind;
  const beta = typeof weighting === 'object' ? (weighting.beta ?? 0.999) : 0.999;
  if (kind === 'effective-number' && !(beta >= 0 && beta < 1)) throw new RangeError(`effective-number beta must be in [0, 1), got ${beta}`);
  counts.forEach((n, c) => {
    if (n <= 0) return;
    switch (kind) {
      case 'none':
        w[c] = 1;
        break;
      case 'inverse':
        w[c] = 1 / n;
        break;
      case 'sqrt':
        w[c] = 1 / Math.sqrt(n);
        break;
      case 'effective-number':
        w[c] = (1 - beta) / (1 - Math.pow(beta, n));
        break;
      default:
        throw new Error(`unknown class weighting ${String(kind)}`);
    }
  });
  let total = 0,
    weighted = 0;
  counts.forEach((n, c) => {
    total += n;
    weighted += n * (w[c] as number);
  });
  const scale = weighted > 0 ? total / weighted : 1;
  return Float32Array.from(w, (x) => x * scale);
}
