import { BENIGN_LABEL, UNCERTAIN_LABEL } from '@dgascope/core';
import * as tf from '@tensorflow/tfjs';
import type { Metrics } from './metrics';
import { LstmNet, predictProbs, type ModelConfig } from './model';
import { toModelInput, type ModelInput, type ResolvedInputForm } from './input-form';
import { CharTokenizer } from './tokenizer';

export interface EpochRecord {
  epoch: number;
  loss: number;
  samplesPerSec: number;
  seconds: number;
  validation: ValidationSummary | null;
}

export interface ValidationSummary {
  loss: number;
  accuracy: number;
  macroF1: number;
  n: number;
}

/** Everything besides the weights that travels with a model. */
export interface ModelMeta {
  createdAt: string;
  /** How raw names become model inputs (must be the same at training and inference). */
  inputForm: ResolvedInputForm;
  benignLabel: string;
  /** Backend that trained the weights (BackendInfo.choice), null if unknown. */
  trainedWith: string | null;
  /** fingerprint() of the training samples (all warm-start rounds: the latest round's data). */
  trainingFingerprint: string | null;
  trainingSamples: number;
  /** Top-probability threshold below which classify() answers `uncertain`; null = never. */
  openSetThreshold: number | null;
  /** Metrics of the latest evaluation the trainer chose to store (usually the test split). */
  metrics: Metrics | null;
  history: EpochRecord[];
  /** Seeds, epochs, class weighting ... of the training runs, oldest first. */
  trainingRuns: Record<string, unknown>[];
}

export interface TopEntry {
  family: string;
  probability: number;
}

export type ClassifyResult =
  | {
      ok: true;
      /** As given. */
      domain: string;
      /** Normalised as at ingestion (lower case, no trailing dot, punycode). */
      normalized: string;
      /** What the network read (registered domain by default). */
      input: string;
      /** Top family, or UNCERTAIN_LABEL when `uncertain`. */
      family: string;
      /** Probability of the top family. */
      probability: number;
      top3: TopEntry[];
      /** 1 − P(benign). */
      dgaScore: number;
      uncertain: boolean;
    }
  | { ok: false; domain: string; error: string };

export interface ClassifyOptions {
  /** Domains per forward pass (default 1024). */
  batchSize?: number;
  /** Override the stored open-set threshold (null disables it). */
  threshold?: number | null;
}

/**
 * A trained classifier: network + tokenizer + labels + metadata. Owns tf memory: call dispose().
 * Its weights are final: what depends on them alone is computed once.
 */
export class DgaModel {
  /** The network's input table, kept: a small batch spent a tenth of its time recomputing it. */
  private table: tf.Tensor2D | null = null;

  constructor(
    readonly net: LstmNet,
    readonly tokenizer: CharTokenizer,
    readonly labels: readonly string[],
    public meta: ModelMeta,
  ) {
    if (labels.length !== net.config.numClasses)
      throw new RangeError(`model has ${net.config.numClasses} outputs but ${labels.length} labels`);
    if (tokenizer.vocabSize !== net.config.vocabSize)
      throw new RangeError(`model vocabulary ${net.config.vocabSize} does not match the tokenizer's ${tokenizer.vocabSize}`);
  }

  get config(): ModelConfig {
    return this.net.config;
  }

  /** Probabilities [n × labels.length] for already prepared inputs (see toModelInput). */
  predictProba(inputs: readonly string[], batchSize = 1024): Float32Array {
    return this.predictEncoded(
      inputs.map((s) => this.tokenizer.encode(s)),
      batchSize,
    );
  }

  /** Probabilities [n × labels.length] for sequences the tokenizer already encoded. */
  predictEncoded(seqs: readonly Int32Array[], batchSize = 1024): Float32Array {
    // kept: a tf.tidy around the first call must not take it along when it ends
    this.table ??= tf.keep(tf.tidy(() => this.net.inputTable()));
    return predictProbs(this.net, seqs, batchSize, this.table);
  }

  /** Normalise, reduce, predict. Invalid names come back as `{ ok: false }` items, never as a thrown batch. */
  classify(domains: readonly string[], options: ClassifyOptions = {}): ClassifyResult[] {
    const prepared = domains.map((d) =>
      typeof d === 'string' ? toModelInput(d, this.meta.inputForm) : ({ ok: false, reason: 'not a string' } as const),
    );
    const valid: number[] = [];
    prepared.forEach((p, i) => p.ok && valid.push(i));
    const probs = this.predictProba(
      valid.map((i) => (prepared[i] as { input: string }).input),
      options.batchSize ?? 1024,
    );
    return this.resultsFromProbs(domains, prepared, valid, probs, options);
  }

  /** Build classify() results from probabilities of the valid items (shared with InferencePool). */
  resultsFromProbs(
    domains: readonly string[],
    prepared: readonly ModelInput[],
    valid: readonly number[],
    probs: Float32Array,
    options: ClassifyOptions = {},
  ): ClassifyResult[] {
    const C = this.labels.length;
    const threshold = options.threshold === undefined ? this.meta.openSetThreshold : options.threshold;
    const benign = this.labels.indexOf(this.meta.benignLabel);
    const results: ClassifyResult[] = domains.map((d, i) => {
      const p = prepared[i] as ModelInput;
      return p.ok ? (null as unknown as ClassifyResult) : { ok: false, domain: String(d), error: p.reason };
    });
    valid.forEach((i, r) => {
      const p = prepared[i] as { normalized: string; input: string };
      const row = probs.subarray(r * C, (r + 1) * C);
      const top = topK(row, 3).map((c) => ({ family: this.labels[c] as string, probability: row[c] as number }));
      const best = top[0] as TopEntry;
      const uncertain = threshold !== null && best.probability < threshold;
      results[i] = {
        ok: true,
        domain: domains[i] as string,
        normalized: p.normalized,
        input: p.input,
        family: uncertain ? UNCERTAIN_LABEL : best.family,
        probability: best.probability,
        top3: top,
        dgaScore: benign >= 0 ? 1 - (row[benign] as number) : 1,
        uncertain,
      };
    });
    return results;
  }

  dispose(): void {
    this.table?.dispose();
    this.table = null;
    this.net.dispose();
  }
}

export function topK(row: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: row.length }, (_, i) => i);
  idx.sort((a, b) => (row[b] as number) - (row[a] as number) || a - b);
  return idx.slice(0, k);
}

export function defaultMeta(inputForm: ResolvedInputForm): ModelMeta {
  return {
    createdAt: new Date().toISOString(),
    inputForm,
    benignLabel: BENIGN_LABEL,
    trainedWith: null,
    trainingFingerprint: null,
    trainingSamples: 0,
    openSetThreshold: null,
    metrics: null,
    history: [],
    trainingRuns: [],
  };
}
