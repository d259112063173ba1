/** Pure metric computations over true class indices and predicted probabilities (no tf import). */
import { dgaScoreOf } from './decision';

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Averages {
  precision: number;
  recall: number;
  f1: number;
}

export interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}

export interface BinaryMetrics {
  /** Positives are DGA (true label ≠ benign); score = the DGA score the verdict uses. */
  positives: number;
  negatives: number;
  auc: number;
  /** Best TPR with FPR ≤ the key. */
  tprAtFpr: { '1e-3': number; '1e-4': number };
  /** Downsampled ROC curve (for a chart). */
  roc: RocPoint[];
}

export interface Misclassified {
  domain: string;
  trueLabel: string;
  predicted: string;
  probability: number;
}

export interface Metrics {
  n: number;
  accuracy: number;
  labels: string[];
  perClass: ClassMetrics[];
  micro: Averages;
  macro: Averages;
  weighted: Averages;
  /** confusion[true][predicted], counts, rows/columns in `labels` order. */
  confusion: number[][];
  binary: BinaryMetrics | null;
  /** Samples answered "unknown family" (counted as errors; not in the confusion matrix). */
  unknownFamily: number;
  misclassified: Misclassified[];
  misclassifiedTotal: number;
}

export interface MetricsInput {
  labels: readonly string[];
  /** True class index per sample. */
  yTrue: ArrayLike<number>;
  /** Row-major probabilities [n × labels.length]. */
  probs: ArrayLike<number>;
  /** Decided class per sample (−1 = unknown family); default: argmax of probs. */
  yPred?: ArrayLike<number>;
  /** Name reported for a −1 prediction. */
  unknownLabel?: string;
  /** Class name of benign for the binary view; omitted or absent from labels → no binary view. */
  benignLabel?: string;
  /** Weights of the DGA score of the binary view (decision.ts dgaScoreOf); default 1 − P(benign). */
  dgaWeights?: readonly number[] | null;
  /** Names to report in `misclassified` (default: sample index as a string). */
  domains?: readonly string[];
  /** Cap on misclassified entries, most confident errors first (default 1000). */
  misclassifiedCap?: number;
  /** ROC points kept (default 200). */
  rocPoints?: number;
}

const div = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function argmaxRow(probs: ArrayLike<number>, row: number, k: number): number {
  let best = 0,
    bestP = -Infinity;
  for (let c = 0; c < k; c++) {
    const p = probs[row * k + c] as number;
    if (p > bestP) {
      bestP = p;
      best = c;
    }
  }
  return best;
}

export function computeMetrics(input: MetricsInput): Metrics {
  const { labels, yTrue, probs } = input;
  const k = labels.length,
    n = yTrue.length;
  if (probs.length !== n * k) throw new RangeError(`probs has ${probs.length} values, expected ${n}×${k}`);
  const confusion = labels.map(() => new Array<number>(k).fill(0));
  const errors: Misclassified[] = [];
  let correct = 0;
  if (input.yPred && input.yPred.length !== n) throw new RangeError(`yPred has ${input.yPred.length} values, expected ${n}`);
  let unknown = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i] as number;
    const p = input.yPred ? (input.yPred[i] as number) : argmaxRow(probs, i, k);
    if (p < 0) {
      unknown++;
      errors.push({
        domain: input.domains?.[i] ?? String(i),
        trueLabel: labels[t] as string,
        predicted: input.unknownLabel ?? 'unknown',
        probability: probs[i * k + argmaxRow(probs, i, k)] as number,
      });
      continue;
    }
    (confusion[t] as number[])[p]! += 1;
    if (p === t) correct++;
    else
      errors.push({
        domain: input.domains?.[i] ?? String(i),
        trueLabel: labels[t] as string,
        predicted: labels[p] as string,
        probability: probs[i * k + p] as number,
      });
  }
  const unknownOf = new Int32Array(k);
  if (input.yPred) for (let i = 0; i < n; i++) if ((input.yPred[i] as number) < 0) unknownOf[yTrue[i] as number]! += 1;
  const perClass: ClassMetrics[] = labels.map((label, c) => {
    const tp = (confusion[c] as number[])[c] as number;
    let predicted = 0,
      support = 0;
    for (let r = 0; r < k; r++) predicted += (confusion[r] as number[])[c] as number;
    for (let q = 0; q < k; q++) support += (confusion[c] as number[])[q] as number;
    support += unknownOf[c] as number;
    const precision = div(tp, predicted),
      recall = div(tp, support);
    return { label, precision, recall, f1: div(2 * precision * recall, precision + recall), support };
  });
  const present = perClass.filter((m) => m.support > 0);
  const avg = (f: (m: ClassMetrics) => number, w: (m: ClassMetrics) => number): number => {
    let s = 0,
      ws = 0;
    for (const m of present) {
      s += f(m) * w(m);
      ws += w(m);
    }
    return div(s, ws);
  };
  const accuracy = div(correct, n);
  const averages = (w: (m: ClassMetrics) => number): Averages => ({
    precision: avg((m) => m.precision, w),
    recall: avg((m) => m.recall, w),
    f1: avg((m) => m.f1, w),
  });
  errors.sort((a, b) => b.probability - a.probability);
  const cap = input.misclassifiedCap ?? 1000;

  let binary: BinaryMetrics | null = null;
  const b = input.benignLabel === undefined ? -1 : labels.indexOf(input.benignLabel);
  if (b >= 0) {
    const scores = new Float64Array(n);
    const positive = new Uint8Array(n);
    // rows as views, not copies: evaluations of whole snapshots score every row
    const rows = probs instanceof Float32Array || probs instanceof Float64Array ? probs : Float64Array.from(probs);
    for (let i = 0; i < n; i++) {
      scores[i] = dgaScoreOf(rows.subarray(i * k, (i + 1) * k), b, input.dgaWeights);
      positive[i] = yTrue[i] === b ? 0 : 1;
    }
    binary = binaryMetrics(scores, positive, input.rocPoints ?? 200);
  }
  return {
    n,
    accuracy,
    labels: [...labels],
    perClass,
    // single-label multiclass: micro P = micro R = micro F1 = accuracy
    micro: { precision: accuracy, recall: accuracy, f1: accuracy },
    macro: averages(() => 1),
    weighted: averages((m) => m.support),
    confusion,
    binary,
    unknownFamily: unknown,
    misclassified: errors.slice(0, cap),
    misclassifiedTotal: errors.length,
  };
}

/** ROC over (score, isPositive); ties handled as one threshold step. */
export function binaryMetrics(scores: ArrayLike<number>, positive: ArrayLike<number>, rocPoints = 200): BinaryMetrics {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, c) => (scores[c] as number) - (scores[a] as number));
  let P = 0;
  for (let i = 0; i < n; i++) P += positive[i] ? 1 : 0;
  const N = n - P;
  const full: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0,
    fp = 0,
    auc = 0,
    prevF = 0,
    prevT = 0;
  for (let i = 0; i < n;) {
    const s = scores[order[i] as number] as number;
    while (i < n && scores[order[i] as number] === s) {
      if (positive[order[i] as number]) tp++;
      else fp++;
      i++;
    }
    const fpr = div(fp, N),
      tpr = div(tp, P);
    auc += ((fpr - prevF) * (tpr + prevT)) / 2;
    prevF = fpr;
    prevT = tpr;
    full.push({ fpr, tpr, threshold: s });
  }
  const tprAt = (maxFpr: number): number => {
    let best = 0;
    for (const p of full) if (p.fpr <= maxFpr && p.tpr > best) best = p.tpr;
    return best;
  };
  return {
    positives: P,
    negatives: N,
    auc: P === 0 || N === 0 ? NaN : auc,
    tprAtFpr: { '1e-3': tprAt(1e-3), '1e-4': tprAt(1e-4) },
    roc: downsample(full, rocPoints),
  };
}

function downsample(points: RocPoint[], max: number): RocPoint[] {
  if (points.length <= max) return points;
  const out: RocPoint[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let j = 0; j < max; j++) out.push(points[Math.round(j * step)] as RocPoint);
  return out;
}
