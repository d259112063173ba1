import { getPublicSuffix } from 'tldts';
import { suffixOf } from './outliers';
import { createRng, deriveSeed } from './rng';

/**
 * Benign names on other suffixes. A top list of one vantage point is mostly `.com` and `.net`;
 * popular names on national suffixes (`.ru`, `.de`, `.jp`) are rare in it, so the network learns a
 * national suffix as evidence of DGA (docs/quality.md, round 8: 83 of the 123 Alexa names the
 * default scored above 0.98 were not `.com`). Each epoch a share of the benign training names is
 * shown on another suffix drawn from the benign names' own suffixes, flattened by a power of their
 * counts, so a popular name's label, not its suffix, has to tell it from a DGA name. DGA names keep
 * their suffixes: a family's suffixes are signal.
 *
 * Only names registered under a public (ICANN) suffix take part, as sources and as suffixes: a
 * label under a provider's private suffix (`d2x7k9.cloudfront.net`, `foo.trafficmanager.net`) is
 * the provider's generated name, and shown on `.ru` it would teach that random labels are benign.
 */
export interface BenignSuffixOptions {
  /** Share of the benign training names shown on another suffix each epoch, in (0, 1]. */
  share: number;
  /** Suffixes are drawn in proportion to (their count among benign names)^power; default 0.5. */
  power?: number;
  /** Suffixes seen on fewer benign names are not drawn (default 3: one-off private suffixes). */
  minCount?: number;
}

export type ResolvedBenignSuffixes = Required<BenignSuffixOptions>;

export function resolveBenignSuffixes(o: BenignSuffixOptions): ResolvedBenignSuffixes {
  if (!(o.share > 0 && o.share <= 1)) throw new RangeError(`benignSuffixes.share must be in (0, 1], got ${o.share}`);
  const power = o.power ?? 0.5;
  if (!(power >= 0 && power <= 1)) throw new RangeError(`benignSuffixes.power must be in [0, 1], got ${power}`);
  const minCount = o.minCount ?? 3;
  if (!(Number.isInteger(minCount) && minCount >= 1))
    throw new RangeError(`benignSuffixes.minCount must be an integer ≥ 1, got ${minCount}`);
  return { share: o.share, power, minCount };
}

/** The suffixes to draw from and their cumulative weights. */
export interface SuffixPool {
  suffixes: string[];
  cumulative: Float64Array;
}

/** The input's suffix when it is a public (ICANN) suffix a name is registered under, else null. */
export function registrableSuffix(input: string): string | null {
  const suffix = suffixOf(input);
  if (!suffix || suffix === 'arpa' || suffix.endsWith('.arpa')) return null;
  return getPublicSuffix(input, { allowPrivateDomains: false }) === suffix ? suffix : null;
}

/**
 * The suffixes to draw from: those of the inputs (benign names) under a public suffix; null where
 * fewer than two are seen minCount times (a list of `.com` names alone has nothing to move them to).
 */
export function benignSuffixPool(benignInputs: readonly string[], o: ResolvedBenignSuffixes): SuffixPool | null {
  const counts = new Map<string, number>();
  for (const input of benignInputs) {
    const s = registrableSuffix(input);
    if (s) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const kept = [...counts].filter(([, n]) => n >= o.minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (kept.length < 2) return null;
  const cumulative = new Float64Array(kept.length);
  let sum = 0;
  kept.forEach(([, n], i) => (cumulative[i] = sum += n ** o.power));
  cumulative.forEach((c, i) => (cumulative[i] = c / sum));
  return { suffixes: kept.map(([s]) => s), cumulative };
}

function draw(pool: SuffixPool, u: number): string {
  let lo = 0,
    hi = pool.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u < (pool.cumulative[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return pool.suffixes[lo] as string;
}

/**
 * For one epoch, deterministic for (seed, epoch): the benign inputs (by position in `inputs`) shown
 * on another suffix, and that input; only names under a public suffix move (registrableSuffix). A drawn suffix
 * equal to the name's own is drawn again once, then kept (the name is shown as it is).
 */
export function resuffixedBenign(
  inputs: readonly string[],
  benignPositions: readonly number[],
  pool: SuffixPool,
  share: number,
  seed: number,
  epoch: number,
): Map<number, string> {
  const rng = createRng(deriveSeed(seed, 0x5f00 + epoch));
  const out = new Map<number, string>();
  for (const i of benignPositions) {
    if (rng() >= share) continue;
    const input = inputs[i] as string;
    const own = registrableSuffix(input);
    if (!own) continue;
    let suffix = draw(pool, rng());
    if (suffix === own) suffix = draw(pool, rng());
    if (suffix !== own) out.set(i, `${input.slice(0, input.length - own.length)}${suffix}`);
  }
  return out;
}
