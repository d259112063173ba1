import { createRng, deriveSeed, type Rng } from './rng';

/**
 * Outlier exposure (Hendrycks et al. 2019, "Deep Anomaly Detection with Outlier Exposure"): each
 * epoch also shows the network synthetic DGA-like names of no family, whose target is "DGA, no
 * family in particular": the DGA half of the output spread evenly over the DGA families, nothing on
 * benign. Families the model never saw should then score as DGA (high 1 − p(benign)) without one
 * family's confident answer (low top family probability), which is what the verdict's "unknown
 * family" answer and the DGA threshold read.
 *
 * The names are generic string shapes (random letters, letters and digits, hex, pronounceable
 * syllables), not any family's algorithm, on the suffixes of the training DGA names, so the suffix
 * alone tells them apart from nothing.
 */
export interface OutlierExposureOptions {
  /** Synthetic names per real training sample, in (0, 1]. */
  share: number;
  /** Weight of a synthetic name's loss relative to a real sample's (default 0.5). */
  weight?: number;
}

export type ResolvedOutlierExposure = Required<OutlierExposureOptions>;

export function resolveOutlierExposure(o: OutlierExposureOptions): ResolvedOutlierExposure {
  if (!(o.share > 0 && o.share <= 1)) throw new RangeError(`outlierExposure.share must be in (0, 1], got ${o.share}`);
  const weight = o.weight ?? 0.5;
  if (!(weight > 0 && weight <= 10)) throw new RangeError(`outlierExposure.weight must be in (0, 10], got ${weight}`);
  return { share: o.share, weight };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = LETTERS + '0123456789';
const HEX = '0123456789abcdef';
const CONSONANTS = 'bcdfghjklmnprstvwxz';
const VOWELS = 'aeiouy';

const pick = (s: string, rng: Rng): string => s[Math.floor(rng() * s.length)] as string;
const between = (lo: number, hi: number, rng: Rng): number => lo + Math.floor(rng() * (hi - lo + 1));
const randomString = (alphabet: string, length: number, rng: Rng): string => Array.from({ length }, () => pick(alphabet, rng)).join('');

/** The label shapes, each drawn equally often. */
const SHAPES: ReadonlyArray<(rng: Rng) => string> = [
  (rng) => randomString(LETTERS, between(6, 24, rng), rng),
  (rng) => pick(LETTERS, rng) + randomString(ALNUM, between(7, 19, rng), rng),
  (rng) => randomString(HEX, between(8, 32, rng), rng),
  (rng) =>
    Array.from(
      { length: between(3, 7, rng) },
      () => pick(CONSONANTS, rng) + pick(VOWELS, rng) + (rng() < 0.3 ? pick(CONSONANTS, rng) : ''),
    ).join(''),
];

/** The public suffix of a registered-domain input (everything after its first label). */
export function suffixOf(input: string): string | null {
  const dot = input.indexOf('.');
  return dot > 0 && dot < input.length - 1 ? input.slice(dot + 1) : null;
}

/**
 * `count` synthetic names for one epoch, deterministic for (seed, epoch). `suffixes` holds one entry
 * per training DGA name (repeats kept), so suffixes are drawn with the DGA names' frequencies.
 */
export function syntheticNames(count: number, suffixes: readonly string[], seed: number, epoch: number): string[] {
  if (suffixes.length === 0) throw new RangeError('outlier exposure needs DGA training names with a suffix');
  const rng = createRng(deriveSeed(seed, 0x0e00 + epoch));
  return Array.from({ length: count }, () => {
    const shape = SHAPES[Math.floor(rng() * SHAPES.length)] as (rng: Rng) => string;
    return `${shape(rng)}.${suffixes[Math.floor(rng() * suffixes.length)] as string}`;
  });
}

/** The training target of a synthetic name: 1/(C − 1) on every class but benign. */
export function outlierTarget(numClasses: number, benignIndex: number): number[] {
  const dga = benignIndex >= 0 ? numClasses - 1 : numClasses;
  return Array.from({ length: numClasses }, (_, c) => (c === benignIndex ? 0 : 1 / dga));
}
