import { computeMetrics, type Metrics } from './metrics';
import type { Sample } from './dataset';
import { stratifiedSplit, type SplitOptions } from './split';
import { DgaModel, topK } from './predictor';
import { train, type TrainOptions } from './train';

export interface EvaluateOptions {
  batchSize?: number;
  /** Cap on misclassified samples listed (default 1000). */
  misclassifiedCap?: number;
  rocPoints?: number;
}

export interface Evaluation extends Metrics {
  /** Samples whose label the model does not know (not scored). */
  skippedUnknownLabels: number;
  /** Share of samples that classify() would call `uncertain` at the model's threshold. */
  uncertainRate: number | null;
  openSetThreshold: number | null;
}

/** Score a model on prepared samples (`input` already in the model's input form). */
export function evaluate(model: DgaModel, samples: readonly Sample[], options: EvaluateOptions = {}): Evaluation {
  const index = new Map(model.labels.map((l, i) => [l, i]));
  const known = samples.filter((s) => index.has(s.label));
  const probs = model.predictProba(
    known.map((s) => s.input),
    options.batchSize ?? 1024,
  );
  const m = computeMetrics({
    labels: model.labels,
    yTrue: Int32Array.from(known, (s) => index.get(s.label) as number),
    probs,
    benignLabel: model.meta.benignLabel,
    domains: known.map((s) => s.domain),
    misclassifiedCap: options.misclassifiedCap ?? 1000,
    rocPoints: options.rocPoints,
  });
  const th = model.meta.openSetThreshold;
  return {
    ...m,
    skippedUnknownLabels: samples.length - known.length,
    uncertainRate: th === null ? null : uncertainShare(probs, model.labels.length, th),
    openSetThreshold: th,
  };
}

function uncertainShare(probs: Float32Array, C: number, threshold: number): number {
  const n = probs.length / C;
  let u = 0;
  for (let i = 0; i < n; i++) if ((probs[i * C + (topK(probs.subarray(i * C, (i + 1) * C), 1)[0] as number)] as number) < threshold) u++;
  return n === 0 ? 0 : u / n;
}

export interface HeldOutFamily {
  family: string;
  n: number;
  /** Share scored as DGA (top class not benign, or uncertain with dgaScore ≥ 0.5): the paper's leave-family-out recall. */
  dgaRecall: number;
  uncertainRate: number;
  /** The known families these domains were most often assigned to. */
  assignedTo: { family: string; share: number }[];
}

export interface LeaveOutResult {
  families: HeldOutFamily[];
  micro: { dgaRecall: number; uncertainRate: number };
  macro: { dgaRecall: number; uncertainRate: number };
  /** Metrics of the reduced model on its own (known-family) test split. */
  knownTest: Evaluation;
  threshold: number | null;
}

export interface LeaveOutOptions {
  split?: SplitOptions;
  train?: TrainOptions;
  /** Keep the trained model (caller disposes); default false: disposed. */
  keepModel?: boolean;
}

/**
 * Leave-families-out: train without `families`, then classify all their domains and count how many
 * come out as DGA and how many as `uncertain` (open set).
 */
export async function leaveFamiliesOut(
  samples: readonly Sample[],
  families: readonly string[],
  options: LeaveOutOptions = {},
): Promise<LeaveOutResult & { model?: DgaModel }> {
  const out = new Set(families);
  const known = samples.filter((s) => !out.has(s.label));
  const held = samples.filter((s) => out.has(s.label));
  const split = stratifiedSplit(known, options.split);
  const { model } = await train({ train: split.train, validation: split.validation }, options.train);
  try {
    const knownTest = evaluate(model, split.test);
    const C = model.labels.length;
    const benign = model.labels.indexOf(model.meta.benignLabel);
    const th = model.meta.openSetThreshold;
    const probs = model.predictProba(held.map((s) => s.input));
    const per = new Map<string, { n: number; dga: number; unc: number; to: Map<string, number> }>();
    held.forEach((s, i) => {
      const row = probs.subarray(i * C, (i + 1) * C);
      const top = topK(row, 1)[0] as number;
      const uncertain = th !== null && (row[top] as number) < th;
      const dga = uncertain ? 1 - (benign >= 0 ? (row[benign] as number) : 0) >= 0.5 : top !== benign;
      const f = per.get(s.label) ?? { n: 0, dga: 0, unc: 0, to: new Map<string, number>() };
      f.n++;
      if (dga) f.dga++;
      if (uncertain) f.unc++;
      const name = model.labels[top] as string;
      f.to.set(name, (f.to.get(name) ?? 0) + 1);
      per.set(s.label, f);
    });
    const fams: HeldOutFamily[] = [...per]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([family, f]) => ({
        family,
        n: f.n,
        dgaRecall: f.dga / f.n,
        uncertainRate: f.unc / f.n,
        assignedTo: [...f.to]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([name, c]) => ({ family: name, share: c / f.n })),
      }));
    const total = fams.reduce((a, f) => a + f.n, 0);
    const mean = (g: (f: HeldOutFamily) => number): number => (fams.length ? fams.reduce((a, f) => a + g(f), 0) / fams.length : 0);
    const result = {
      families: fams,
      micro: {
        dgaRecall: total ? fams.reduce((a, f) => a + f.dgaRecall * f.n, 0) / total : 0,
        uncertainRate: total ? fams.reduce((a, f) => a + f.uncertainRate * f.n, 0) / total : 0,
      },
      macro: { dgaRecall: mean((f) => f.dgaRecall), uncertainRate: mean((f) => f.uncertainRate) },
      knownTest,
      threshold: th,
    };
    if (options.keepModel) return { ...result, model };
    model.dispose();
    return result;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
