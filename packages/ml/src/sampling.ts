import { createRng, shuffleInPlace } from './rng';

/**
 * How an epoch's samples are drawn. Class weights rescale the loss of rare classes, which makes
 * their few samples' gradients large and noisy; resampling shows the network more (repeated)
 * examples of them at the normal gradient size instead (the "balanced sampling" of the ablation).
 *
 * - `power` (default 1 = every sample once, no resampling): the DGA families' shares of the epoch
 *   are ∝ n_c^power; 0.5 is square-root sampling, 0 gives every family the same share.
 * - `benignShare`: the benign class's share of the epoch (default: its natural share). The DGA
 *   threshold is set for a benign false-positive rate; giving benign names a fixed share keeps the
 *   benign/DGA boundary trained however many families there are.
 */
export interface SamplingOptions {
  power?: number;
  benignShare?: number;
}

export function validateSampling(s: SamplingOptions): void {
  if (s.power !== undefined && !(s.power >= 0 && s.power <= 1)) throw new RangeError(`sampling.power must be in [0, 1], got ${s.power}`);
  if (s.benignShare !== undefined && !(s.benignShare > 0 && s.benignShare < 1))
    throw new RangeError(`sampling.benignShare must be in (0, 1), got ${s.benignShare}`);
}

/** True when the options change nothing (each sample once per epoch). */
export function isNaturalSampling(s: SamplingOptions | undefined): boolean {
  return !s || ((s.power ?? 1) === 1 && s.benignShare === undefined);
}

/**
 * Sample indices for one epoch of the same size as the training set. Within a class, samples are
 * taken in a shuffled cycle, so no sample repeats before all of its class have been drawn.
 */
export function sampledEpoch(ys: ArrayLike<number>, numClasses: number, benignIndex: number, s: SamplingOptions, seed: number): Int32Array {
  validateSampling(s);
  const n = ys.length;
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < n; i++) (byClass[ys[i] as number] as number[]).push(i);
  const power = s.power ?? 1;
  const present = byClass.map((m) => m.length > 0);
  const benignPresent = benignIndex >= 0 && present[benignIndex] === true;
  const benignShare = benignPresent ? (s.benignShare ?? (byClass[benignIndex] as number[]).length / n) : 0;
  let dgaMass = 0;
  byClass.forEach((m, c) => {
    if (c !== benignIndex && m.length > 0) dgaMass += Math.pow(m.length, power);
  });
  const share = byClass.map((m, c) => {
    if (m.length === 0) return 0;
    if (c === benignIndex) return benignShare;
    return dgaMass > 0 ? ((1 - benignShare) * Math.pow(m.length, power)) / dgaMass : 0;
  });
  // Largest-remainder rounding: the epoch keeps exactly n samples.
  const exact = share.map((p) => p * n);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, c) => ({ c, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (let k = 0; left > 0; k = (k + 1) % byRemainder.length) {
    const c = (byRemainder[k] as { c: number }).c;
    if (!present[c]) continue;
    counts[c] = (counts[c] as number) + 1;
    left--;
  }
  const rng = createRng(seed);
  const out = new Int32Array(n);
  let o = 0;
  byClass.forEach((members, c) => {
    let cycle: number[] = [];
    for (let k = 0; k < (counts[c] as number); k++) {
      if (cycle.length === 0) cycle = shuffleInPlace([...members], rng);
      out[o++] = cycle.pop() as number;
    }
  });
  return out;
}
