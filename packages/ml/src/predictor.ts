import { BENIGN_LABEL, UNKNOWN_FAMILY_LABEL } from '@dgascope/core';
import * as tf from '@tensorflow/tfjs';
import { decide, dgaScoreOf, needsFeatures, needsLogits, noveltyScores, type Decision } from './decision';
import type { Metrics } from './metrics';
import { predictOutputs } from './model';
import type { NetConfig, Network } from './network';
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
  /**
   * How probabilities become a verdict (DGA threshold, novelty detector), chosen on validation data
   * at training time. Null only for models trained before verdicts existed: see effectiveDecision().
   */
  decision: Decision | null;
  /** Models of format 1 before verdicts: the top-probability threshold of the old open-set rule. */
  openSetThreshold?: number | null;
  /** Named training recipe (presets.ts), null when trained from raw options. */
  preset: string | null;
  /** Training loss ('cross-entropy', 'logit-adjusted'). */
  loss: string;
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
      /** One answer: benign, or DGA (with a known family or UNKNOWN_FAMILY_LABEL). */
      verdict: 'benign' | 'dga';
      /** BENIGN_LABEL when benign; the family when DGA; UNKNOWN_FAMILY_LABEL when DGA of no known family. */
      family: string;
      /** 1 − dgaScore when benign; P(family | DGA) when DGA (of the nearest family when unknown). */
      probability: number;
      /** The most probable DGA family, also when the verdict is benign or the family unknown. */
      nearestFamily: string | null;
      top3: TopEntry[];
      /** The DGA score the threshold applies to (decision.ts dgaScoreOf; 1 − P(benign) for older models). */
      dgaScore: number;
      /** The detector's novelty score (higher = less like any known family); null without a detector. */
      novelty: number | null;
      unknownFamily: boolean;
    }
  | { ok: false; domain: string; error: string };

export interface ClassifyOptions {
  /** Domains per forward pass (default: the network's inferenceBatchSize). */
  batchSize?: number;
  /** Override the model's DGA threshold for this call. */
  dgaThreshold?: number;
  /** Override the novelty threshold for this call (null: never answer unknown family). */
  noveltyThreshold?: number | null;
}

/** Probabilities and novelty scores of n inputs. */
export interface Scores {
  probs: Float32Array;
  /** Null when the model has no novelty detector. */
  novelty: Float32Array | null;
}

/** The decision rule of a model; models without one (older artifacts) get the rule they used to follow. */
export function effectiveDecision(meta: ModelMeta): Decision {
  if (meta.decision) return meta.decision;
  const th = meta.openSetThreshold ?? null;
  return {
    dgaThreshold: 0.5,
    targetBenignFpr: Number.NaN,
    calibrationBenign: 0,
    novelty: th === null ? null : { method: 'max-softmax', threshold: 1 - th, targetRejectRate: Number.NaN, gaussian: null },
  };
}

/**
 * A trained classifier: network + tokenizer + labels + metadata. Owns tf memory: call dispose().
 * Its weights are final: what depends on them alone is computed once.
 */
export class DgaModel {
  /**
   * What the network computes once for fixed weights (the LSTM's input table, the CNN's first
   * convolution folded into its embedding), kept: a small batch spent a tenth of its time
   * recomputing it. Passing it also selects the networks' inference form (one-length batches for the
   * CNN). undefined = not asked yet; null = the network has none.
   */
  private table: tf.Tensor2D | null | undefined = undefined;

  constructor(
    readonly net: Network,
    readonly tokenizer: CharTokenizer,
    readonly labels: readonly string[],
    public meta: ModelMeta,
  ) {
    if (labels.length !== net.config.numClasses)
      throw new RangeError(`model has ${net.config.numClasses} outputs but ${labels.length} labels`);
    if (tokenizer.vocabSize !== net.config.vocabSize)
      throw new RangeError(`model vocabulary ${net.config.vocabSize} does not match the tokenizer's ${tokenizer.vocabSize}`);
  }

  get config(): NetConfig {
    return this.net.config;
  }

  /** Probabilities [n × labels.length] for already prepared inputs (see toModelInput). */
  predictProba(inputs: readonly string[], batchSize?: number): Float32Array {
    return this.predictEncoded(
      inputs.map((s) => this.tokenizer.encode(s)),
      batchSize,
    );
  }

  /** Probabilities [n × labels.length] for sequences the tokenizer already encoded. */
  predictEncoded(seqs: readonly Int32Array[], batchSize?: number): Float32Array {
    return predictOutputs(this.net, seqs, { batchSize, ...this.precomputed() }).probs;
  }

  /** Probabilities and novelty scores for encoded sequences (what classify() and the pool's workers compute). */
  scoreEncoded(seqs: readonly Int32Array[], batchSize?: number): Scores {
    const d = effectiveDecision(this.meta);
    const method = d.novelty?.method;
    const out = predictOutputs(this.net, seqs, {
      batchSize,
      ...this.precomputed(),
      logits: needsLogits(method),
      features: needsFeatures(method),
    });
    const novelty = d.novelty
      ? noveltyScores(d.novelty.method, out, this.labels.length, this.labels.indexOf(this.meta.benignLabel), d.novelty.gaussian)
      : null;
    return { probs: out.probs, novelty };
  }

  private precomputed(): { precomputed?: tf.Tensor2D } {
    if (this.table === undefined) {
      // kept: a tf.tidy around the first call must not take it along when it ends
      const t = tf.tidy(() => this.net.precompute() ?? undefined);
      this.table = t ? tf.keep(t as tf.Tensor2D) : null;
    }
    return this.table ? { precomputed: this.table } : {};
  }

  /** Normalise, reduce, predict, decide. Invalid names come back as `{ ok: false }` items, never as a thrown batch. */
  classify(domains: readonly string[], options: ClassifyOptions = {}): ClassifyResult[] {
    const prepared = domains.map((d) =>
      typeof d === 'string' ? toModelInput(d, this.meta.inputForm) : ({ ok: false, reason: 'not a string' } as const),
    );
    const valid: number[] = [];
    prepared.forEach((p, i) => p.ok && valid.push(i));
    const scores = this.scoreEncoded(
      valid.map((i) => this.tokenizer.encode((prepared[i] as { input: string }).input)),
      options.batchSize,
    );
    return this.resultsFromScores(domains, prepared, valid, scores, options);
  }

  /** Build classify() results from the scores of the valid items (shared with InferencePool). */
  resultsFromScores(
    domains: readonly string[],
    prepared: readonly ModelInput[],
    valid: readonly number[],
    scores: Scores,
    options: ClassifyOptions = {},
  ): ClassifyResult[] {
    const C = this.labels.length;
    const decision = effectiveDecision(this.meta);
    const benign = this.labels.indexOf(this.meta.benignLabel);
    const overrides = {
      ...(options.dgaThreshold !== undefined ? { dgaThreshold: options.dgaThreshold } : {}),
      ...(options.noveltyThreshold !== undefined ? { noveltyThreshold: options.noveltyThreshold } : {}),
    };
    const results: ClassifyResult[] = domains.map((d, i) => {
      const p = prepared[i] as ModelInput;
      return p.ok ? (null as unknown as ClassifyResult) : { ok: false, domain: String(d), error: p.reason };
    });
    valid.forEach((i, r) => {
      const p = prepared[i] as { normalized: string; input: string };
      const row = scores.probs.subarray(r * C, (r + 1) * C);
      const novelty = scores.novelty ? (scores.novelty[r] as number) : Number.NaN;
      const v = decide(row, benign, novelty, decision, overrides);
      const top: TopEntry[] = [];
      for (const c of topK(row, 3)) top.push({ family: this.labels[c] as string, probability: row[c] as number });
      const nearest = v.nearest;
      const pNearest = nearest >= 0 ? (row[nearest] as number) : 0;
      const pDga = dgaScoreOf(row, benign, null);
      results[i] = {
        ok: true,
        domain: domains[i] as string,
        normalized: p.normalized,
        input: p.input,
        verdict: v.verdict,
        family:
          v.verdict === 'benign' ? this.meta.benignLabel : v.unknownFamily ? UNKNOWN_FAMILY_LABEL : (this.labels[v.classIndex] as string),
        // the family's share of the DGA classes' probability, as the network gave it
        probability: v.verdict === 'benign' ? 1 - v.dgaScore : pDga > 0 ? pNearest / pDga : 0,
        nearestFamily: nearest >= 0 ? (this.labels[nearest] as string) : null,
        top3: top,
        dgaScore: v.dgaScore,
        novelty: scores.novelty ? novelty : null,
        unknownFamily: v.unknownFamily,
      };
    });
    return results;
  }

  dispose(): void {
    this.table?.dispose();
    this.table = undefined;
    this.net.dispose();
  }
}

/** Indices of the k largest values, largest first, the lower index first among equal values. */
export function topK(row: ArrayLike<number>, k: number): number[] {
  // One pass keeping the best k in order, shifted in place: a full sort of every row was a tenth
  // of a bulk job's main thread, and Array.splice still half of what is left.
  const best: number[] = [];
  let kept = 0;
  let floor = Number.NaN;
  for (let c = 0; c < row.length; c++) {
    const v = row[c] as number;
    // Most values are below the k-th best so far: one comparison each.
    if (kept === k && !(v > floor)) continue;
    let p = kept < k ? kept : k - 1;
    while (p > 0 && v > (row[best[p - 1] as number] as number)) {
      best[p] = best[p - 1] as number;
      p--;
    }
    best[p] = c;
    if (kept < k) kept++;
    if (kept === k) floor = row[best[k - 1] as number] as number;
  }
  return best;
}

export function defaultMeta(inputForm: ResolvedInputForm): ModelMeta {
  return {
    createdAt: new Date().toISOString(),
    inputForm,
    benignLabel: BENIGN_LABEL,
    trainedWith: null,
    trainingFingerprint: null,
    trainingSamples: 0,
    decision: null,
    preset: null,
    loss: 'cross-entropy',
    metrics: null,
    history: [],
    trainingRuns: [],
  };
}
