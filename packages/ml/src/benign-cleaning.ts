/**
 * Benign top lists are built from DNS traffic, so they hold some DGA names themselves (Umbrella's
 * top 100k holds names like `ksrndkehqnwntyxlhgto.com`): trained as benign they teach the network
 * that random strings can be popular sites, and in the validation split they set the DGA threshold
 * (the 1e-3 benign false-positive rate is decided by its two or three most DGA-like names).
 *
 * Cleaning sets aside the benign names a short first training pass finds most DGA-like (a share of
 * the training and of the validation benign names, each ranked by its own scores), before the real
 * training. Nothing is relabelled: the names are left out, and listed in the model so an analyst can
 * see what was set aside.
 */
import type { Sample } from './dataset';
import type { DgaModel } from './predictor';

export interface BenignCleaningOptions {
  /** Share of the benign names set aside, in (0, 0.2]. */
  share: number;
  /** Epochs of the first pass (default 2). */
  epochs?: number;
}

export interface BenignCleaningReport {
  share: number;
  epochs: number;
  removedTrain: number;
  removedValidation: number;
  /** The most DGA-like names set aside, highest score first. */
  examples: { input: string; dgaScore: number }[];
}

export function validateBenignCleaning(o: BenignCleaningOptions): void {
  if (!(o.share > 0 && o.share <= 0.2)) throw new RangeError(`benignCleaning.share must be in (0, 0.2], got ${o.share}`);
  if (o.epochs !== undefined && !(Number.isInteger(o.epochs) && o.epochs >= 1))
    throw new RangeError(`benignCleaning.epochs must be a positive integer, got ${o.epochs}`);
}

/** DGA score (1 − P(benign)) of each input under `model`. */
function dgaScores(model: DgaModel, inputs: string[]): Float64Array {
  const C = model.labels.length;
  const b = model.labels.indexOf(model.meta.benignLabel);
  const p = model.predictProba(inputs);
  return Float64Array.from(inputs, (_, i) => 1 - (p[i * C + b] as number));
}

/** The samples without the `share` most DGA-like benign ones; the removed ones, by score. */
function withoutTop(
  model: DgaModel,
  samples: readonly Sample[],
  benignLabel: string,
  share: number,
): { kept: Sample[]; removed: { input: string; dgaScore: number }[] } {
  const benign = samples.filter((s) => s.label === benignLabel);
  const scores = dgaScores(
    model,
    benign.map((s) => s.input),
  );
  const ranked = benign.map((s, i) => ({ s, score: scores[i] as number })).sort((a, b) => b.score - a.score);
  const n = Math.floor(share * benign.length);
  const drop = new Set(ranked.slice(0, n).map((r) => r.s));
  return {
    kept: samples.filter((s) => !drop.has(s)),
    removed: ranked.slice(0, n).map((r) => ({ input: r.s.input, dgaScore: r.score })),
  };
}

/**
 * Run `firstPass` (a short training without cleaning and without calibration), then drop the most
 * DGA-like benign names of the training and validation samples.
 */
export async function cleanBenign(
  data: { train: readonly Sample[]; validation?: readonly Sample[] },
  benignLabel: string,
  options: BenignCleaningOptions,
  firstPass: (epochs: number) => Promise<DgaModel>,
): Promise<{ train: Sample[]; validation?: Sample[]; report: BenignCleaningReport }> {
  validateBenignCleaning(options);
  const epochs = options.epochs ?? 2;
  const model = await firstPass(epochs);
  try {
    const train = withoutTop(model, data.train, benignLabel, options.share);
    const validation = data.validation ? withoutTop(model, data.validation, benignLabel, options.share) : null;
    const removed = [...train.removed, ...(validation?.removed ?? [])].sort((a, b) => b.dgaScore - a.dgaScore);
    return {
      train: train.kept,
      ...(validation ? { validation: validation.kept } : {}),
      report: {
        share: options.share,
        epochs,
        removedTrain: train.removed.length,
        removedValidation: validation?.removed.length ?? 0,
        examples: removed.slice(0, 20),
      },
    };
  } finally {
    model.dispose();
  }
}
