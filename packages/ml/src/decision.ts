/**
 * One verdict per domain: `benign`, `dga` + family, or `dga` + unknown family.
 *
 *  - DGA or not: the DGA score against `dgaThreshold`, chosen on validation data for a benign
 *    false-positive rate of `targetBenignFpr` (never below 0.5, where the network itself leans
 *    benign); below 1 % read from the fitted tail of the benign scores (chooseDgaThresholdBy). The
 *    score is P(DGA) with every known family equally likely a priori (`dgaScorePrior`
 *    'uniform-families', dgaScoreOf), or 1 − P(benign) as the network's softmax gives it
 *    ('training': models calibrated before there was a choice).
 *  - Which family: the most probable DGA class (benign excluded), so the family shown never
 *    contradicts the DGA score.
 *  - Known or new family: a novelty score against `novelty.threshold`, chosen on validation DGA
 *    names of known families so that about `targetRejectRate` of them are answered "unknown".
 *
 * Novelty scores (higher = more novel), compared in bench/ml/quality.bench.mjs:
 *  - 'max-softmax': 1 − the top DGA probability renormalised without benign (Hendrycks & Gimpel 2017);
 *  - 'max-logit': − the top DGA logit (Hendrycks et al. 2022);
 *  - 'energy': − logsumexp of the DGA logits (Liu et al. 2020);
 *  - 'mahalanobis': squared Mahalanobis distance of the penultimate features to the nearest DGA
 *    class mean under one shared covariance (Lee et al. 2018).
 */

import { invertSpd } from './linalg';
import { mahalanobisMin } from './mahalanobis';

export const NOVELTY_METHODS = ['max-softmax', 'max-logit', 'energy', 'mahalanobis'] as const;
export type NoveltyMethod = (typeof NOVELTY_METHODS)[number];

/** Class means and shared precision matrix of the penultimate features (mahalanobis only). */
export interface FeatureGaussian {
  dim: number;
  /** Label indices that have a mean (DGA classes with training samples). */
  classes: number[];
  /** Row-major [classes.length × dim]. */
  means: number[];
  /** Row-major [dim × dim]: inverse of the shared covariance (with shrinkage). */
  precision: number[];
}

export interface NoveltyDetector {
  method: NoveltyMethod;
  /**
   * Scores above this are answered "unknown family". Null when there were too few validation
   * names to reject at the target rate with its guarantee (then never "unknown family").
   */
  threshold: number | null;
  /** Share of validation DGA names of known families the threshold rejects (what it was chosen for). */
  targetRejectRate: number;
  gaussian: FeatureGaussian | null;
}

export interface Decision {
  /** dgaScore ≥ this → DGA. */
  dgaThreshold: number;
  targetBenignFpr: number;
  /**
   * How the threshold was read from the benign validation scores. Absent in models calibrated
   * before there was a choice: those used the quantile.
   */
  dgaThresholdMethod?: DgaThresholdMethod;
  /** Benign validation names the threshold was chosen on (its resolution is 1 / this). */
  calibrationBenign: number;
  /** Which prior over the DGA families the DGA score assumes. Absent in older models: 'training'. */
  dgaScorePrior?: DgaScorePrior;
  /** Per label index, the weight of that class's probability in the DGA score (dgaScoreOf); null = all 1. */
  dgaWeights?: number[] | null;
  novelty: NoveltyDetector | null;
}

export interface DecisionOptions {
  /** Default 1e-3. */
  targetBenignFpr?: number;
  /** Default 'tail'. */
  dgaThresholdMethod?: DgaThresholdMethod;
  /** Default 'uniform-families'. */
  dgaScorePrior?: DgaScorePrior;
  /** Default 'max-softmax' (presets choose per architecture); false: never answer "unknown family". */
  novelty?: NoveltyMethod | false;
  /** Default 0.01. */
  targetRejectRate?: number;
}

export const DEFAULT_DECISION_OPTIONS = Object.freeze({
  targetBenignFpr: 1e-3,
  dgaThresholdMethod: 'tail' as DgaThresholdMethod,
  dgaScorePrior: 'uniform-families' as DgaScorePrior,
  novelty: 'max-softmax' as NoveltyMethod,
  targetRejectRate: 0.01,
});

/** What the network produced for n inputs (features only where the detector needs them). */
export interface ScoredOutputs {
  probs: Float32Array;
  logits?: Float32Array;
  features?: Float32Array;
}

export function needsLogits(method: NoveltyMethod | undefined): boolean {
  return method === 'max-logit' || method === 'energy';
}
export function needsFeatures(method: NoveltyMethod | undefined): boolean {
  return method === 'mahalanobis';
}

/**
 * The smallest threshold (not below `floor`) that flags at most floor(targetFpr · n) of the benign
 * scores. With few benign names the target cannot be resolved below 1 / n: the threshold then sits
 * just above the highest benign score.
 */
export function chooseDgaThreshold(benignScores: ArrayLike<number>, targetFpr: number, floor = 0.5): number {
  if (!(targetFpr >= 0 && targetFpr < 1)) throw new RangeError(`targetBenignFpr must be in [0, 1), got ${targetFpr}`);
  const s = Float64Array.from(benignScores).sort().reverse(); // descending
  const allowed = Math.floor(targetFpr * s.length + 1e-9);
  if (s.length === 0 || allowed >= s.length) return floor;
  // flag the `allowed` highest: the threshold is just above the next one
  const next = s[allowed] as number;
  const above = Math.min(1, next + Math.max(1e-7, Math.abs(next) * 1e-6));
  return Math.max(floor, above);
}

/** How the DGA threshold is read from the benign validation scores (see chooseDgaThresholdBy). */
export const DGA_THRESHOLD_METHODS = ['quantile', 'tail'] as const;
export type DgaThresholdMethod = (typeof DGA_THRESHOLD_METHODS)[number];

/** The tail fit reads the benign names ranked between these shares (from the top). */
const TAIL_FIT_SHARES = [0.01, 0.1] as const;
/** Fewest benign names in the top 1 % (500 names in all): below this the tail cannot be read, the quantile is used. */
const TAIL_FIT_MIN_TOP = 5;

/**
 * The DGA threshold for a benign false-positive target.
 *
 *  - 'quantile': the empirical quantile (chooseDgaThreshold).
 *  - 'tail': for targets below 1 %, the upper tail of the benign scores in logit space fitted as an
 *    exponential (log of the share above a score, linear in the score's logit) on the names ranked
 *    between the top 1 % and 10 %, and extrapolated to the target. Why: a 1e-3 quantile of a few
 *    thousand names is decided by two or three of them, and a real top list holds a few real DGA
 *    names (Umbrella lists `ksrndkehqnwntyxlhgto.com`): the better a model recognises DGA names, the
 *    surer it is about those few and the higher it sets the bar for every other name. The names
 *    ranked 1–10 % are many and are popular names, not those few; their tail predicts the false
 *    alarms on top lists never trained on (bench:quality, docs/quality.md). Targets of 1 % and more,
 *    and too few names to read the tail, use the quantile.
 *
 * Returns the threshold and the method that set it (the quantile where the tail could not be read).
 */
export function chooseDgaThresholdBy(
  method: DgaThresholdMethod,
  benignScores: ArrayLike<number>,
  targetFpr: number,
  floor = 0.5,
): { threshold: number; method: DgaThresholdMethod } {
  // computed only where it decides: both rules sort the scores
  const quantile = () => ({ threshold: chooseDgaThreshold(benignScores, targetFpr, floor), method: 'quantile' as const });
  if (method === 'quantile' || targetFpr >= TAIL_FIT_SHARES[0]) return quantile();
  const n = benignScores.length;
  if (n * TAIL_FIT_SHARES[0] < TAIL_FIT_MIN_TOP) return quantile();
  const z = Float64Array.from(benignScores, logit).sort().reverse(); // descending
  // least squares of logit(score) on −ln(share above it), over the ranks of the fit window
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0,
    m = 0;
  const first = Math.ceil(n * TAIL_FIT_SHARES[0]);
  const last = Math.floor(n * TAIL_FIT_SHARES[1]);
  // a flat window (scores all equal, or saturated) has no tail to extrapolate
  if (!((z[first - 1] as number) - (z[last - 1] as number) > 1e-9)) return quantile();
  for (let rank = first; rank <= last; rank++) {
    const x = -Math.log(rank / n);
    const y = z[rank - 1] as number;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    m++;
  }
  const slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
  if (!(slope > 0 && Number.isFinite(slope))) return quantile();
  const intercept = (sy - slope * sx) / m;
  const zTarget = intercept + slope * -Math.log(targetFpr);
  return { threshold: Math.max(floor, Math.min(1, sigmoid(zTarget))), method: 'tail' };
}

/** log(s / (1 − s)), finite at 0 and 1. */
function logit(s: number): number {
  const eps = 1e-12;
  const c = Math.min(1 - eps, Math.max(eps, s));
  return Math.log(c) - Math.log1p(-c);
}
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The prior over DGA families that the DGA score assumes.
 *
 *  - 'training': the families' shares of the training epochs, i.e. 1 − P(benign) as the softmax
 *    gives it. A whole feed is dominated by a few families (zloader and bazarbackdoor are 86 % of
 *    baderj's examples), so a popular name that looks a little like one of *them* outscores
 *    a DGA name of a rare family, and the threshold that keeps popular names out drops the rare
 *    families first.
 *  - 'uniform-families': P(DGA) if every known family were equally likely a priori (the DGA
 *    classes' probabilities reweighted by 1 / their share of the training epochs, the DGA mass kept:
 *    the decision-time counterpart of logit adjustment, Menon et al. 2021). bench:quality, round 7:
 *    more fresh and never-seen DGA names caught at the same false alarms (docs/quality.md).
 */
export const DGA_SCORE_PRIORS = ['training', 'uniform-families'] as const;
export type DgaScorePrior = (typeof DGA_SCORE_PRIORS)[number];

/**
 * The DGA score of one row of class probabilities: Σ w_c p_c / (Σ w_c p_c + p_benign) over the DGA
 * classes c; with no weights, 1 − p_benign. 1 when the model has no benign class.
 */
export function dgaScoreOf(row: ArrayLike<number>, benign: number, weights: ArrayLike<number> | null | undefined): number {
  if (benign < 0) return 1;
  const pBenign = row[benign] as number;
  if (!weights) return 1 - pBenign;
  let dga = 0;
  for (let c = 0; c < row.length; c++) if (c !== benign) dga += (weights[c] as number) * (row[c] as number);
  const total = dga + pBenign;
  return total > 0 ? dga / total : 0;
}

/**
 * Weights for a uniform prior over the DGA classes: a class seen in the training epochs with share
 * ∝ n_c^power (power: the sampling's, 1 = each name once) gets mean(n^power) / n_c^power, so the
 * weighted shares are equal and sum to the DGA classes' share as trained. Benign's weight is 1;
 * classes without training samples count as one sample.
 */
export function uniformFamilyWeights(trainLabels: ArrayLike<number>, numClasses: number, benign: number, power = 1): number[] {
  if (!(power >= 0 && power <= 1)) throw new RangeError(`sampling power must be in [0, 1], got ${power}`);
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < trainLabels.length; i++) counts[trainLabels[i] as number]! += 1;
  const shares = Array.from(counts, (n) => Math.pow(Math.max(n, 1), power));
  const dga = shares.filter((_, c) => c !== benign);
  const mean = dga.reduce((a, b) => a + b, 0) / Math.max(dga.length, 1);
  return shares.map((x, c) => (c === benign ? 1 : mean / x));
}

/** Novelty score per row (higher = more novel). */
export function noveltyScores(
  method: NoveltyMethod,
  out: ScoredOutputs,
  numClasses: number,
  benign: number,
  gaussian: FeatureGaussian | null,
): Float32Array {
  const C = numClasses;
  const n = out.probs.length / C;
  const res = new Float32Array(n);
  if (method === 'max-softmax') {
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 0; c < C; c++) if (c !== benign) best = Math.max(best, out.probs[i * C + c] as number);
      const dga = benign >= 0 ? 1 - (out.probs[i * C + benign] as number) : 1;
      res[i] = 1 - (dga > 0 ? best / dga : 0);
    }
    return res;
  }
  if (method === 'max-logit' || method === 'energy') {
    const z = out.logits;
    if (!z) throw new Error(`novelty ${method} needs logits`);
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let c = 0; c < C; c++) if (c !== benign) m = Math.max(m, z[i * C + c] as number);
      if (method === 'max-logit') res[i] = -m;
      else {
        let s = 0;
        for (let c = 0; c < C; c++) if (c !== benign) s += Math.exp((z[i * C + c] as number) - m);
        res[i] = -(m + Math.log(s));
      }
    }
    return res;
  }
  const f = out.features;
  if (!f || !gaussian) throw new Error('novelty mahalanobis needs features and a fitted gaussian');
  return mahalanobisMin(f, gaussian);
}

/**
 * Class means of the DGA classes and one shared covariance of the penultimate features, inverted
 * with shrinkage towards a scaled identity (the covariance of a few thousand 128-dim vectors is
 * close to singular).
 */
export function fitFeatureGaussian(
  features: Float32Array,
  labels: ArrayLike<number>,
  dim: number,
  benign: number,
  shrinkage = 0.05,
): FeatureGaussian {
  const n = labels.length;
  const sums = new Map<number, Float64Array>();
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    if (y === benign) continue;
    let s = sums.get(y);
    if (!s) sums.set(y, (s = new Float64Array(dim)));
    for (let a = 0; a < dim; a++) s[a]! += features[i * dim + a] as number;
    counts.set(y, (counts.get(y) ?? 0) + 1);
  }
  const classes = [...sums.keys()].sort((a, b) => a - b);
  if (classes.length === 0) throw new RangeError('fitFeatureGaussian: no DGA samples');
  const means = new Float64Array(classes.length * dim);
  const slot = new Map<number, number>();
  classes.forEach((c, k) => {
    slot.set(c, k);
    const s = sums.get(c) as Float64Array;
    const m = counts.get(c) as number;
    for (let a = 0; a < dim; a++) means[k * dim + a] = (s[a] as number) / m;
  });
  const cov = new Float64Array(dim * dim);
  let m = 0;
  const d = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const k = slot.get(labels[i] as number);
    if (k === undefined) continue;
    m++;
    for (let a = 0; a < dim; a++) d[a] = (features[i * dim + a] as number) - (means[k * dim + a] as number);
    for (let a = 0; a < dim; a++) {
      const da = d[a] as number;
      for (let b = a; b < dim; b++) cov[a * dim + b]! += da * (d[b] as number);
    }
  }
  let trace = 0;
  for (let a = 0; a < dim; a++)
    for (let b = a; b < dim; b++) {
      const v = (cov[a * dim + b] as number) / Math.max(m, 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
      if (a === b) trace += v;
    }
  const ridge = shrinkage * Math.max(trace / dim, 1e-6);
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b < dim; b++) cov[a * dim + b] = (1 - shrinkage) * (cov[a * dim + b] as number);
    cov[a * dim + a]! += ridge;
  }
  return { dim, classes, means: Array.from(means), precision: Array.from(invertSpd(cov, dim)) };
}

/**
 * The score above which a new name of a known family lies with probability at most `rejectRate`
 * (split-conformal rank ⌈(1 − rate)(n + 1)⌉ of the n calibration scores). Null when n is too small
 * for that rate (n + 1 < 1 / rate): no threshold can promise it, so nothing is rejected.
 */
export function rejectThreshold(scores: ArrayLike<number>, rejectRate: number): number | null {
  if (!(rejectRate >= 0 && rejectRate < 1)) throw new RangeError(`targetRejectRate must be in [0, 1), got ${rejectRate}`);
  const s = Float64Array.from(scores).sort();
  const n = s.length;
  const rank = Math.ceil((1 - rejectRate) * (n + 1) - 1e-9);
  if (n === 0 || rank > n) return null;
  return s[rank - 1] as number;
}

export interface Verdict {
  verdict: 'benign' | 'dga';
  /** Label index of the family: benign's when benign, the top DGA class otherwise (also when unknown). */
  classIndex: number;
  /** The top DGA class whatever the verdict (−1 when the model has no DGA class). */
  nearest: number;
  unknownFamily: boolean;
  dgaScore: number;
}

/** Decide one row. `novelty` is the row's novelty score (NaN when the model has no detector). */
export function decide(
  row: ArrayLike<number>,
  benign: number,
  novelty: number,
  decision: Decision,
  overrides: { dgaThreshold?: number; noveltyThreshold?: number | null } = {},
): Verdict {
  const dgaScore = dgaScoreOf(row, benign, decision.dgaWeights);
  let nearest = -1,
    bestP = -Infinity;
  for (let c = 0; c < row.length; c++)
    if (c !== benign && (row[c] as number) > bestP) {
      bestP = row[c] as number;
      nearest = c;
    }
  const dgaThreshold = overrides.dgaThreshold ?? decision.dgaThreshold;
  if (dgaScore < dgaThreshold) return { verdict: 'benign', classIndex: benign, nearest, unknownFamily: false, dgaScore };
  const nt = overrides.noveltyThreshold === undefined ? (decision.novelty?.threshold ?? null) : overrides.noveltyThreshold;
  const unknownFamily = nt !== null && Number.isFinite(novelty) && novelty > nt;
  return { verdict: 'dga', classIndex: nearest, nearest, unknownFamily, dgaScore };
}
