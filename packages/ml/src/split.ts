import { createRng, shuffleInPlace } from './rng';

export interface SplitOptions {
  /** Default 23 (the seed notebook's random_state). */
  seed?: number;
  /** Fraction for validation (default 0.1). */
  validation?: number;
  /** Fraction for test (default 0.2, the seed's 80/20 split). */
  test?: number;
}

export interface Split<T> {
  train: T[];
  validation: T[];
  test: T[];
}

/**
 * Seeded stratified split: every label is shuffled on its own and cut by the fractions, so each
 * part keeps the label proportions. Same input order + seed → same split.
 * A label with n samples gives round(n·test) to test and round(n·validation) to validation,
 * but always keeps at least one sample in train.
 */
export function stratifiedSplit<T extends { label: string }>(samples: readonly T[], options: SplitOptions = {}): Split<T> {
  const seed = options.seed ?? 23;
  const fVal = options.validation ?? 0.1;
  const fTest = options.test ?? 0.2;
  if (fVal < 0 || fTest < 0 || fVal + fTest >= 1)
    throw new RangeError(`split fractions must be >= 0 and sum below 1 (validation ${fVal}, test ${fTest})`);
  const groups = new Map<string, T[]>();
  for (const s of samples) {
    const g = groups.get(s.label);
    if (g) g.push(s);
    else groups.set(s.label, [s]);
  }
  const out: Split<T> = { train: [], validation: [], test: [] };
  const rng = createRng(seed);
  for (const label of [...groups.keys()].sort()) {
    const g = shuffleInPlace([...(groups.get(label) as T[])], rng);
    const n = g.length;
    let nTest = Math.round(n * fTest);
    let nVal = Math.round(n * fVal);
    while (nTest + nVal > n - 1 && nTest + nVal > 0) {
      if (nVal >= nTest && nVal > 0) nVal--;
      else nTest--;
    }
    out.test.push(...g.slice(0, nTest));
    out.validation.push(...g.slice(nTest, nTest + nVal));
    out.train.push(...g.slice(nTest + nVal));
  }
  // Mix the labels (stable, seeded) so callers that slice a part do not get one label only.
  shuffleInPlace(out.train, rng);
  shuffleInPlace(out.validation, rng);
  shuffleInPlace(out.test, rng);
  return out;
}
