import { UNKNOWN_FAMILY_LABEL } from '@dgascope/core';
import type { Sample } from './dataset';
import { decide, type Decision } from './decision';
import { computeMetrics, type Metrics } from './metrics';
import { stratifiedSplit, type SplitOptions } from './split';
import { effectiveDecision, type DgaModel, type Scores } from './predictor';
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
  /** The rule the verdicts were decided with. */
  decision: Decision;
  /** Share of benign samples answered DGA (false alarms at the model's threshold); null without benign samples. */
  benignFlaggedRate: number | null;
  /** Share of known-family DGA samples answered "unknown family"; null without DGA samples. */
  unknownFamilyRate: number | null;
}

/** Scores and verdicts of prepared samples: the one place where a model's answers are counted. */
export interface Verdicts {
  scores: Scores;
  /** Decided label index per sample, −1 = unknown family. */
  predicted: Int32Array;
  dga: Uint8Array;
}

export function verdicts(model: DgaModel, inputs: readonly string[], batchSize = 1024): Verdicts {
  const scores = model.scoreEncoded(
    inputs.map((s) => model.tokenizer.encode(s)),
    batchSize,
  );
  const C = model.labels.length;
  const benign = model.labels.indexOf(model.meta.benignLabel);
  const decision = effectiveDecision(model.meta);
  const n = inputs.length;
  const predicted = new Int32Array(n),
    dga = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = scores.probs.subarray(i * C, (i + 1) * C);
    const v = decide(row, benign, scores.novelty ? (scores.novelty[i] as number) : Number.NaN, decision);
    dga[i] = v.verdict === 'dga' ? 1 : 0;
    predicted[i] = v.unknownFamily ? -1 : v.classIndex;
  }
  return { scores, predicted, dga };
}

/** Score a model on prepared samples (`input` already in the model's input form), by its verdicts. */
export function evaluate(model: DgaModel, samples: readonly Sample[], options: EvaluateOptions = {}): Evaluation {
  const index = new Map(model.labels.map((l, i) => [l, i]));
  const known = samples.filter((s) => index.has(s.label));
  const v = verdicts(
    model,
    known.map((s) => s.input),
    options.batchSize ?? 1024,
  );
  const yTrue = Int32Array.from(known, (s) => index.get(s.label) as number);
  const m = computeMetrics({
    labels: model.labels,
    yTrue,
    probs: v.scores.probs,
    yPred: v.predicted,
    unknownLabel: UNKNOWN_FAMILY_LABEL,
    benignLabel: model.meta.benignLabel,
    domains: known.map((s) => s.domain),
    misclassifiedCap: options.misclassifiedCap ?? 1000,
    rocPoints: options.rocPoints,
  });
  const benign = index.get(model.meta.benignLabel) ?? -1;
  let nb = 0,
    fb = 0,
    nd = 0,
    ud = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === benign) {
      nb++;
      if (v.dga[i]) fb++;
    } else {
      nd++;
      if (v.predicted[i] === -1) ud++;
    }
  }
  return {
    ...m,
    skippedUnknownLabels: samples.length - known.length,
    decision: effectiveDecision(model.meta),
    benignFlaggedRate: nb ? fb / nb : null,
    unknownFamilyRate: nd ? ud / nd : null,
  };
}

export interface HeldOutFamily {
  family: string;
  n: number;
  /** Share answered DGA (the paper's leave-family-out recall). */
  dgaRecall: number;
  /** Share answered DGA + unknown family (the right answer for a family the model never saw). */
  unknownFamilyRate: number;
  /** Share answered DGA + a known family (a confident wrong family). */
  wrongFamilyRate: number;
  /** The known families (or benign) these domains were most often assigned to. */
  assignedTo: { family: string; share: number }[];
}

export interface HeldOutRates {
  dgaRecall: number;
  unknownFamilyRate: number;
  wrongFamilyRate: number;
}

export interface HeldOutReport {
  families: HeldOutFamily[];
  micro: HeldOutRates;
  macro: HeldOutRates;
}

/** How a model answers domains of families it does not know. */
export function heldOutReport(model: DgaModel, held: readonly Sample[], batchSize = 1024): HeldOutReport {
  const v = verdicts(
    model,
    held.map((s) => s.input),
    batchSize,
  );
  const per = new Map<string, { n: number; dga: number; unk: number; to: Map<string, number> }>();
  held.forEach((s, i) => {
    const f = per.get(s.label) ?? { n: 0, dga: 0, unk: 0, to: new Map<string, number>() };
    f.n++;
    const name = !v.dga[i]
      ? model.meta.benignLabel
      : v.predicted[i] === -1
        ? UNKNOWN_FAMILY_LABEL
        : (model.labels[v.predicted[i] as number] as string);
    if (v.dga[i]) f.dga++;
    if (v.dga[i] && v.predicted[i] === -1) f.unk++;
    f.to.set(name, (f.to.get(name) ?? 0) + 1);
    per.set(s.label, f);
  });
  const families: HeldOutFamily[] = [...per]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([family, f]) => ({
      family,
      n: f.n,
      dgaRecall: f.dga / f.n,
      unknownFamilyRate: f.unk / f.n,
      wrongFamilyRate: (f.dga - f.unk) / f.n,
      assignedTo: [...f.to]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([name, c]) => ({ family: name, share: c / f.n })),
    }));
  const total = families.reduce((a, f) => a + f.n, 0);
  const micro = (g: (f: HeldOutFamily) => number): number => (total ? families.reduce((a, f) => a + g(f) * f.n, 0) / total : 0);
  const macro = (g: (f: HeldOutFamily) => number): number =>
    families.length ? families.reduce((a, f) => a + g(f), 0) / families.length : 0;
  const rates = (agg: typeof micro): HeldOutRates => ({
    dgaRecall: agg((f) => f.dgaRecall),
    unknownFamilyRate: agg((f) => f.unknownFamilyRate),
    wrongFamilyRate: agg((f) => f.wrongFamilyRate),
  });
  return { families, micro: rates(micro), macro: rates(macro) };
}

export interface LeaveOutResult extends HeldOutReport {
  /** Metrics of the reduced model on its own (known-family) test split. */
  knownTest: Evaluation;
}

export interface LeaveOutOptions {
  split?: SplitOptions;
  train?: TrainOptions;
  /** Keep the trained model (caller disposes); default false: disposed. */
  keepModel?: boolean;
}

/**
 * Leave-families-out: train without `families`, then classify all their domains and count how many
 * come out as DGA, as unknown family, and as a wrong known family.
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
    const result = { ...heldOutReport(model, held), knownTest: evaluate(model, split.test) };
    if (options.keepModel) return { ...result, model };
    model.dispose();
    return result;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
