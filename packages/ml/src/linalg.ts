/** Small dense float64 linear algebra for the feature Gaussian (decision.ts, mahalanobis.ts). Row-major n × n. */

/** Lower-triangular L with a = L Lᵀ, for a symmetric positive-definite a. */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array {
  if (a.length !== n * n) throw new RangeError(`cholesky: expected ${n * n} values for ${n} × ${n}, got ${a.length}`);
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (L[i * n + k] as number) * (L[j * n + k] as number);
      if (i === j) {
        if (!(s > 0)) throw new RangeError('cholesky: matrix is not positive definite');
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / (L[j * n + j] as number);
    }
  return L;
}

/** Inverse of a symmetric positive-definite matrix (Cholesky). */
export function invertSpd(a: Float64Array, n: number): Float64Array {
  const L = cholesky(a, n);
  // inverse of L (lower triangular), then A⁻¹ = L⁻ᵀ L⁻¹
  const Li = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    Li[i * n + i] = 1 / (L[i * n + i] as number);
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= (L[i * n + k] as number) * (Li[k * n + j] as number);
      Li[i * n + j] = s / (L[i * n + i] as number);
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += (Li[k * n + i] as number) * (Li[k * n + j] as number);
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  return inv;
}
