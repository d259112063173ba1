/**
 * Open set: a domain whose top probability is below a threshold is reported as `uncertain`.
 * The threshold is chosen on validation data (known families only): the (1 − acceptRate)
 * quantile of the validation samples' top probabilities, so about acceptRate of known-family
 * domains keep their family.
 */
export function chooseThreshold(probs: ArrayLike<number>, numClasses: number, options: { acceptRate?: number } = {}): number {
  const acceptRate = options.acceptRate ?? 0.99;
  if (!(acceptRate > 0 && acceptRate <= 1)) throw new RangeError(`acceptRate must be in (0, 1], got ${acceptRate}`);
  const n = probs.length / numClasses;
  if (n === 0) return 0;
  const tops = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let c = 0; c < numClasses; c++) m = Math.max(m, probs[i * numClasses + c] as number);
    tops[i] = m;
  }
  tops.sort();
  const k = Math.floor((1 - acceptRate) * n + 1e-9);
  return k <= 0 ? 0 : (tops[k] as number);
}
