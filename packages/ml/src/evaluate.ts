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
  return { ...evaluateVerdicts(model, known, v, options), skippedUnknownLabels: samples.length - known.length };
}

/**
 * The same evaluation from verdicts computed already (a job computes them in chunks, to report
 * progress and stop when cancelled): `v` holds one answer per sample, in order, and every sample's
 * label is one of the model's.
 */
export function evaluateVerdicts(model: DgaModel, samples: readonly Sample[], v: Verdicts, options: EvaluateOptions = {}): Evaluation {
  const index = new Map(model.labels.map((l, i) => [l, i]));
  if (v.predicted.length !== samples.length) throw new RangeError(`${v.predicted.length} verdicts for ${samples.length} samples`);
  const yTrue = Int32Array.from(samples, (s) => {
    const i = index.get(s.label);
    if (i === undefined) throw new RangeError(`label "${s.label}" is not one of the model's`);
    return i;
  });
  const decision = effectiveDecision(model.meta);
  const m = computeMetrics({
    labels: model.labels,
    yTrue,
    probs: v.scores.probs,
    yPred: v.predicted,
    unknownLabel: UNKNOWN_FAMILY_LABEL,
    benignLabel: model.meta.benignLabel,
    dgaWeights: decision.dgaWeights,
    domains: samples.map((s) => s.domain),
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
    skippedUnknownLabels: 0,
    decision,
    benignFlaggedRate: nb ? fb / nb : null,
    unknownFamilyRate: nd ? ud / nd : null,
  };
}

/** Verdicts of consecutive chunks of inputs, as one (in the same order). */
export function concatVerdicts(parts: readonly Verdicts[], classes: number): Verdicts {
  const n = parts.reduce((a, p) => a + p.predicted.length, 0);
  const probs = new Float32Array(n * classes);
  const novelty = parts.every((p) => p.scores.novelty) && parts.length > 0 ? new Float32Array(n) : null;
  const predicted = new Int32Array(n);
  const dga = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    probs.set(p.scores.probs, at * classes);
    if (novelty) novelty.set(p.scores.novelty!, at);
    predicted.set(p.predicted, at);
    dga.set(p.dga, at);
    at += p.predicted.length;
  }
  return { scores: { probs, novelty }, predicted, dga };
}

/** The verdicts of some samples only (`indices` into `v`, in the order given). */
export function pickVerdicts(v: Verdicts, indices: readonly number[], classes: number): Verdicts {
  const probs = new Float32Array(indices.length * classes);
  const novelty = v.scores.novelty ? new Float32Array(indices.length) : null;
  const predicted = new Int32Array(indices.length);
  const dga = new Uint8Array(indices.length);
  indices.forEach((from, to) => {
    probs.set(v.scores.probs.subarray(from * classes, (from + 1) * classes), to * classes);
    if (novelty) novelty[to] = v.scores.novelty![from] as number;
    predicted[to] = v.predicted[from] as number;
    dga[to] = v.dga[from] as number;
  });
  return { scores: { probs, novelty }, predicted, dga };
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
  /** The known families (or benign, or unknown family) these domains were most often assigned to. */
  assignedTo: HeldOutAssignment[];
}

export interface HeldOutAssignment {
  family: string;
  share: number;
  /** A few of the domains answered so (only when asked for: `examples` > 0). */
  examples?: string[];
}

export interface HeldOutOptions {
  batchSize?: number;
  /** Assigned families listed per held-out family (default 3). */
  top?: number;
  /** Sample domains kept per assigned family (default 0). */
  examples?: number;
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
export function heldOutReport(model: DgaModel, held: readonly Sample[], options: HeldOutOptions = {}): HeldOutReport {
  const v = verdicts(
    model,
    held.map((s) => s.input),
    options.batchSize ?? 1024,
  );
  return heldOutFromVerdicts(model, held, v, options);
}

/** The same report from verdicts computed already (one per held-out sample, in order). */
export function heldOutFromVerdicts(model: DgaModel, held: readonly Sample[], v: Verdicts, options: HeldOutOptions = {}): HeldOutReport {
  const keep = options.examples ?? 0;
  const per = new Map<string, { n: number; dga: number; unk: number; to: Map<string, { n: number; examples: string[] }> }>();
  held.forEach((s, i) => {
    const f = per.get(s.label) ?? { n: 0, dga: 0, unk: 0, to: new Map<string, { n: number; examples: string[] }>() };
    f.n++;
    const name = !v.dga[i]
      ? model.meta.benignLabel
      : v.predicted[i] === -1
        ? UNKNOWN_FAMILY_LABEL
        : (model.labels[v.predicted[i] as number] as string);
    if (v.dga[i]) f.dga++;
    if (v.dga[i] && v.predicted[i] === -1) f.unk++;
    const to = f.to.get(name) ?? { n: 0, examples: [] };
    to.n++;
    if (to.examples.length < keep) to.examples.push(s.domain);
    f.to.set(name, to);
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
        .sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))
        .slice(0, options.top ?? 3)
        .map(([name, c]) => ({ family: name, share: c.n / f.n, ...(keep > 0 ? { examples: c.examples } : {}) })),
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
