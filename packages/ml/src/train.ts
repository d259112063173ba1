import * as tf from '@tensorflow/tfjs';
import { BENIGN_LABEL } from '@dgascope/core';
import { ensureBackend, type BackendChoice, type BackendInfo } from './backend';
import { epochBatches } from './batches';
import { classWeights as computeClassWeights, type ClassWeighting } from './class-weights';
import { countLabels, fingerprint, sortedLabels, type Sample } from './dataset';
import { resolveInputForm, type InputFormOptions } from './input-form';
import { computeMetrics } from './metrics';
import { predictProbs, uniform, glorot } from './model';
import { createNetwork, networkFromWeights, resolveNetConfig, type ArchitectureSpec, type Network } from './network';
import { calibrateDecision } from './calibrate';
import type { DecisionOptions } from './decision';
import { DgaModel, defaultMeta, type EpochRecord, type ValidationSummary } from './predictor';
import { createRng, deriveSeed } from './rng';
import { outlierTarget, resolveOutlierExposure, suffixOf, syntheticNames, type OutlierExposureOptions } from './outliers';
import { isNaturalSampling, sampledEpoch, validateSampling, type SamplingOptions } from './sampling';
import { CharTokenizer } from './tokenizer';
import { DEFAULT_TRAINING_THREADS, TrainingThreads, trainWorkerPath } from './train-threads';
import { LOSS_KINDS, applyStep, stepGradients, trainingOptimizer, type LossKind, type LossSpec, type StepBatch } from './train-step';

export interface TrainProgress {
  phase: 'batch' | 'epoch';
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based, batches done in this epoch. */
  batch: number;
  batches: number;
  samplesPerSec: number;
  /** Mean (weighted) training loss of this epoch so far. */
  loss: number;
  /** Seconds left for the remaining epochs at the current speed (ignores early stopping). */
  etaSeconds: number;
  /** At epoch end, when validation data was given. */
  validation?: ValidationSummary;
}

/** How the learning rate moves over the planned batches (TrainOptions.learningRateSchedule). */
export const LEARNING_RATE_SCHEDULES = ['constant', 'cosine'] as const;
export type LearningRateSchedule = (typeof LEARNING_RATE_SCHEDULES)[number];

export interface TrainOptions {
  /** Architecture (ignored for a warm start: the saved model's architecture is kept). */
  architecture?: ArchitectureSpec;
  /** Default 10. */
  epochs?: number;
  /** Default 128. */
  batchSize?: number;
  /** RMSprop learning rate, default 0.001 (Keras default; rho 0.9, epsilon 1e-7). */
  learningRate?: number;
  /**
   * 'constant' (default) or 'cosine': the rate decays over the planned batches as
   * lr·(1 + cos(π·step/steps))/2, so the last epochs settle instead of bouncing at full rate.
   */
  learningRateSchedule?: LearningRateSchedule;
  /** Seeds initial weights, epoch shuffles and dropout. Default 23. */
  seed?: number;
  /**
   * 'batch' (default): random batches, each padded to its own longest member (padding is skipped by
   * the packed LSTM, so this is the same maths as 'max' at a fraction of the cost);
   * 'bucket': sortish length-grouped batches (faster still, but batches of similar length hold few
   * families and learn more slowly per epoch: see bench/ml/README.md);
   * 'max': random batches padded to maxLen (the seed notebook's way; same model as 'batch').
   */
  padding?: 'bucket' | 'batch' | 'max';
  /** For 'bucket': batches per length-sorted chunk (default 8; Infinity = sort the whole epoch). */
  bucketChunk?: number;
  /** Default 'none'. */
  classWeights?: ClassWeighting;
  /**
   * 'cross-entropy' (default) or 'logit-adjusted' (Menon et al. 2021): the training loss sees
   * logits + τ·log(class prior), so rare families are not out-voted by frequent ones, while
   * inference uses the plain logits. τ defaults to 1.
   */
  loss?: LossKind;
  logitAdjustmentTau?: number;
  /** For 'focal': the focusing exponent γ (Lin et al. 2017), default 2; 0 is cross-entropy. */
  focalGamma?: number;
  /** How each epoch's samples are drawn (sampling.ts); default each sample once. */
  sampling?: SamplingOptions;
  /** Synthetic DGA-like names of no family beside each epoch's samples (outliers.ts); default none. */
  outlierExposure?: OutlierExposureOptions | null;
  /** Recorded in the model: the preset these options came from (presets.ts). */
  preset?: string | null;
  /** Early stopping on validation loss, best weights restored. Default { patience: 2 }; false disables. */
  earlyStopping?: { patience?: number; minDelta?: number } | false;
  /** Continue from this model (it is not modified); new families grow the output layer. */
  warmStart?: DgaModel;
  /** Recorded in the model: how the samples' `input` was produced (default registered domain). */
  inputForm?: InputFormOptions;
  /**
   * How the verdict is decided, calibrated on the validation samples (decision.ts): DGA threshold for
   * a target benign false-positive rate, novelty detector and its threshold. false: the network's
   * argmax alone (threshold 0.5, no unknown family).
   */
  decision?: DecisionOptions | false;
  onProgress?: (p: TrainProgress) => void;
  /** Batch progress every n batches (default 10; epoch-end progress always). */
  progressEvery?: number;
  signal?: AbortSignal;
  /** Force a backend (else the active one, else auto-selection). */
  backend?: BackendChoice;
  /** Batch size for validation passes (default 1024). */
  inferenceBatchSize?: number;
  /**
   * Threads that train (data-parallel, train-threads.ts: each computes the gradient of its part of
   * every batch, the parts are added, the same optimizer step follows; the WASM backend runs one
   * per worker). Deterministic for a seed and a thread count; thread counts differ by float
   * rounding only. Default DEFAULT_TRAINING_THREADS (1: two were slower on a shared 2-vCPU machine,
   * see there). Falls back to 1 where the compiled worker (dist/train-worker.js) is missing;
   * TrainResult.threads says how many trained.
   */
  threads?: number;
}

export interface TrainResult {
  model: DgaModel;
  history: EpochRecord[];
  /** 1-based epoch whose weights were kept. */
  bestEpoch: number;
  stoppedEarly: boolean;
  backend: BackendInfo;
  /** Weight per class actually used, null when 'none'. */
  classWeights: Record<string, number> | null;
  /** Validation samples whose label the model does not know (left out of validation). */
  skippedValidation: number;
  /** Threads that trained (options.threads). */
  threads: number;
}

export class TrainingAbortedError extends Error {
  constructor(reason?: unknown) {
    super(`training aborted${reason instanceof Error ? `: ${reason.message}` : reason !== undefined ? `: ${String(reason)}` : ''}`);
    this.name = 'AbortError';
  }
}

export type { LossKind } from './train-step';

export interface TrainData {
  train: readonly Sample[];
  validation?: readonly Sample[];
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Train a new model, or continue one (options.warmStart). */
export async function train(data: TrainData, options: TrainOptions = {}): Promise<TrainResult> {
  if (data.train.length === 0) throw new RangeError('train: no training samples');
  const backend = await ensureBackend(options.backend ? { backend: options.backend } : {});
  const seed = options.seed ?? 23;
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 128;
  const padding = options.padding ?? 'batch';
  const warm = options.warmStart;
  const checkAbort = (): void => {
    if (options.signal?.aborted) throw new TrainingAbortedError(options.signal.reason);
  };
  checkAbort();

  // Vocabulary, labels, network (fresh or grown from the warm-start model).
  const trainInputs = data.train.map((s) => s.input);
  const tokenizer = warm ? warm.tokenizer.extend(trainInputs) : CharTokenizer.fit(trainInputs);
  const labels = warm ? [...new Set([...warm.labels, ...sortedLabels(data.train)])].sort() : sortedLabels(data.train);
  if (labels.length < 2) throw new RangeError(`train: need at least 2 classes, got ${labels.join(', ') || 'none'}`);
  const config = warm
    ? { ...warm.config, vocabSize: tokenizer.vocabSize, numClasses: labels.length }
    : resolveNetConfig(tokenizer.vocabSize, labels.length, options.architecture);
  const net = warm ? networkFromWeights(config, growWeights(warm, tokenizer, labels, seed)) : createNetwork(config, seed);

  try {
    const labelIndex = new Map(labels.map((l, i) => [l, i]));
    const xs = data.train.map((s) => tokenizer.encode(s.input));
    const ys = Int32Array.from(data.train, (s) => labelIndex.get(s.label) as number);
    const lengths = Int32Array.from(xs, (x) => x.length);
    const labelCounts = countLabels(data.train);
    const counts = labels.map((l) => labelCounts.get(l) ?? 0);
    const weighting = options.classWeights ?? 'none';
    const cw = weighting === 'none' ? null : computeClassWeights(counts, weighting);
    const lossKind: LossKind = options.loss ?? 'cross-entropy';
    if (!LOSS_KINDS.includes(lossKind)) throw new RangeError(`unknown loss ${String(lossKind)}`);
    const tau = options.logitAdjustmentTau ?? 1;
    const gamma = options.focalGamma ?? 2;
    if (!(gamma >= 0)) throw new RangeError(`focalGamma must be ≥ 0, got ${gamma}`);
    const sampling = options.sampling;
    if (sampling) validateSampling(sampling);
    const benignIndex = labels.indexOf(warm ? warm.meta.benignLabel : BENIGN_LABEL);
    const total = counts.reduce((a, b) => a + b, 0);
    // classes absent from this round (warm start) get the smallest prior seen, not log(0)
    const minCount = Math.max(1, Math.min(...counts.filter((n) => n > 0)));
    const oe = options.outlierExposure ? resolveOutlierExposure(options.outlierExposure) : null;
    if (oe && benignIndex < 0) throw new RangeError('outlier exposure needs benign training samples');
    const lossSpec: LossSpec = {
      kind: lossKind,
      numClasses: labels.length,
      logPrior: lossKind === 'logit-adjusted' ? counts.map((n) => tau * Math.log(Math.max(n, minCount) / total)) : null,
      gamma,
      outlierTarget: oe ? outlierTarget(labels.length, benignIndex) : null,
    };
    // Synthetic names take the indices after the real samples (label −1), drawn anew each epoch.
    const realCount = xs.length;
    const outlierCount = oe ? Math.round(oe.share * realCount) : 0;
    const dgaSuffixes = oe
      ? data.train.flatMap((s, i) => {
          const suffix = ys[i] === benignIndex ? null : suffixOf(s.input);
          return suffix ? [suffix] : [];
        })
      : [];
    const allYs =
      outlierCount > 0 ? Int32Array.from({ length: realCount + outlierCount }, (_, i) => (i < realCount ? (ys[i] as number) : -1)) : ys;
    const allLengths =
      outlierCount > 0
        ? Int32Array.from({ length: realCount + outlierCount }, (_, i) => (i < realCount ? (lengths[i] as number) : 0))
        : lengths;
    const exposeOutliers = (epoch: number): void => {
      if (outlierCount === 0) return;
      syntheticNames(outlierCount, dgaSuffixes, seed, epoch).forEach((name, k) => {
        const x = tokenizer.encode(name);
        xs[realCount + k] = x;
        allLengths[realCount + k] = x.length;
      });
    };
    const sampleWeight = (y: number): number => (y === -1 ? (oe as { weight: number }).weight : cw ? (cw[y] as number) : 1);

    const val = (data.validation ?? []).filter((s) => labelIndex.has(s.label));
    const skippedValidation = (data.validation?.length ?? 0) - val.length;
    const valX = val.map((s) => tokenizer.encode(s.input));
    const valY = Int32Array.from(val, (s) => labelIndex.get(s.label) as number);
    const inferenceBatch = options.inferenceBatchSize ?? 1024;

    const learningRate = options.learningRate ?? 0.001;
    const schedule = options.learningRateSchedule ?? 'constant';
    if (schedule !== 'constant' && schedule !== 'cosine') throw new RangeError(`unknown learningRateSchedule ${String(schedule)}`);
    const plannedSteps = epochs * Math.ceil((realCount + outlierCount) / batchSize);
    const threads = await startTraining(net, {
      backend: backend.choice,
      threads: options.threads ?? DEFAULT_TRAINING_THREADS,
      spec: lossSpec,
      learningRate,
    });
    let step = 0;
    const es =
      options.earlyStopping === false || val.length === 0
        ? null
        : { patience: options.earlyStopping?.patience ?? 2, minDelta: options.earlyStopping?.minDelta ?? 0 };
    const history: EpochRecord[] = [];
    let best: { loss: number; epoch: number; weights: Record<string, Float32Array> } | null = null;
    let sinceBest = 0;
    let stoppedEarly = false;
    const every = Math.max(1, options.progressEvery ?? 10);
    const t0 = performance.now();
    let samplesDone = 0;
    const totalSamples = epochs * (realCount + outlierCount);
    const epochIndexBatches = (epoch: number): number[][] => {
      const epochSeed = deriveSeed(seed, epoch);
      if (isNaturalSampling(sampling))
        return epochBatches(allLengths, batchSize, config.maxLen, padding, epochSeed, options.bucketChunk ?? 8);
      const sampled = sampledEpoch(ys, labels.length, benignIndex, sampling as SamplingOptions, deriveSeed(epochSeed, 0x5a));
      const drawn =
        outlierCount > 0
          ? Int32Array.from({ length: sampled.length + outlierCount }, (_, k) =>
              k < sampled.length ? (sampled[k] as number) : realCount + k - sampled.length,
            )
          : sampled;
      const drawnLengths = Int32Array.from(drawn, (i) => allLengths[i] as number);
      return epochBatches(drawnLengths, batchSize, config.maxLen, padding, epochSeed, options.bucketChunk ?? 8).map((b) =>
        b.map((j) => drawn[j] as number),
      );
    };

    try {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        exposeOutliers(epoch);
        const batches = epochIndexBatches(epoch);
        const te = performance.now();
        let lossSum = 0,
          seen = 0;
        for (let bi = 0; bi < batches.length; bi++) {
          await yieldToEventLoop();
          checkAbort();
          const idx = batches[bi] as number[];
          const rate = scheduledRate(learningRate, schedule, step, plannedSteps);
          step++;
          const loss = await threads.step(
            {
              seqs: idx.map((i) => xs[i] as Int32Array),
              labels: Int32Array.from(idx, (i) => allYs[i] as number),
              sampleWeights: cw || oe ? Float32Array.from(idx, (i) => sampleWeight(allYs[i] as number)) : null,
              ...(padding === 'max' ? { padTo: config.maxLen } : {}),
              dropoutSeed: deriveSeed(seed, epoch * 1_000_003 + bi),
            },
            rate,
          );
          if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at epoch ${epoch}, batch ${bi + 1}`);
          lossSum += loss * idx.length;
          seen += idx.length;
          samplesDone += idx.length;
          if (options.onProgress && ((bi + 1) % every === 0 || bi + 1 === batches.length)) {
            const elapsed = (performance.now() - t0) / 1000;
            const rate = samplesDone / Math.max(elapsed, 1e-9);
            options.onProgress({
              phase: 'batch',
              epoch,
              epochs,
              batch: bi + 1,
              batches: batches.length,
              samplesPerSec: seen / Math.max((performance.now() - te) / 1000, 1e-9),
              loss: lossSum / seen,
              etaSeconds: (totalSamples - samplesDone) / rate,
            });
          }
        }
        await threads.syncWeights(); // the epoch's weights into `net` (validated, kept as the best, returned)
        const seconds = (performance.now() - te) / 1000;
        const validation = val.length > 0 ? validate(net, valX, valY, labels, inferenceBatch) : null;
        const record: EpochRecord = { epoch, loss: lossSum / Math.max(seen, 1), samplesPerSec: seen / seconds, seconds, validation };
        history.push(record);
        const elapsed = (performance.now() - t0) / 1000;
        options.onProgress?.({
          phase: 'epoch',
          epoch,
          epochs,
          batch: batches.length,
          batches: batches.length,
          samplesPerSec: record.samplesPerSec,
          loss: record.loss,
          etaSeconds: (totalSamples - samplesDone) / (samplesDone / elapsed),
          ...(validation ? { validation } : {}),
        });
        if (es && validation) {
          if (!best || validation.loss < best.loss - es.minDelta) {
            best = { loss: validation.loss, epoch, weights: net.getWeights() };
            sinceBest = 0;
          } else if (++sinceBest >= es.patience) {
            stoppedEarly = epoch < epochs;
            break;
          }
        }
      }
    } finally {
      await threads.close();
    }
    if (best && best.epoch !== history.length) net.setWeights(best.weights);

    const inputForm = warm ? warm.meta.inputForm : resolveInputForm(options.inputForm);
    const meta = {
      ...defaultMeta(inputForm),
      ...(warm ? { benignLabel: warm.meta.benignLabel, trainingRuns: [...warm.meta.trainingRuns] } : { benignLabel: BENIGN_LABEL }),
    };
    meta.trainedWith = backend.choice;
    meta.trainingFingerprint = fingerprint(data.train);
    meta.trainingSamples = data.train.length;
    meta.history = history;
    meta.trainingRuns.push({
      at: meta.createdAt,
      warmStart: !!warm,
      seed,
      epochs,
      epochsRun: history.length,
      batchSize,
      padding,
      bucketChunk: padding === 'bucket' ? (options.bucketChunk ?? 8) : null,
      learningRate,
      ...(schedule === 'constant' ? {} : { learningRateSchedule: schedule }),
      classWeights: weighting,
      loss: lossKind,
      ...(lossKind === 'logit-adjusted' ? { logitAdjustmentTau: tau } : {}),
      ...(lossKind === 'focal' ? { focalGamma: gamma } : {}),
      ...(isNaturalSampling(sampling) ? {} : { sampling: { ...sampling } }),
      ...(oe ? { outlierExposure: oe } : {}),
      preset: options.preset ?? null,
      earlyStopping: es,
      backend: backend.choice,
      threads: threads.size,
      samples: data.train.length,
      validationSamples: val.length,
    });
    meta.preset = options.preset ?? null;
    meta.loss = lossKind;
    const model = new DgaModel(net, tokenizer, labels, meta);
    if (options.decision !== false) {
      checkAbort();
      // the real samples only: the synthetic names belong to no class
      meta.decision = calibrateDecision(
        model,
        { xs: xs.slice(0, realCount), ys },
        { xs: valX, ys: valY },
        options.decision ?? {},
        inferenceBatch,
        sampling?.power ?? 1,
      );
    }
    return {
      model,
      history,
      bestEpoch: best?.epoch ?? history.length,
      stoppedEarly,
      backend,
      classWeights: cw ? Object.fromEntries(labels.map((l, i) => [l, cw[i] as number])) : null,
      skippedValidation,
      threads: threads.size,
    };
  } catch (e) {
    net.dispose();
    throw e;
  }
}

/** The learning rate at a 0-based step of `steps` planned ones. */
export function scheduledRate(rate: number, schedule: LearningRateSchedule, step: number, steps: number): number {
  if (schedule === 'constant') return rate;
  return (rate * (1 + Math.cos((Math.PI * Math.min(step, steps)) / Math.max(steps, 1)))) / 2;
}

/** Where the optimizer steps run: on this thread, or on worker threads (train-threads.ts). */
interface Trainer {
  /** Threads that compute the steps. */
  readonly size: number;
  /** One optimizer step on a whole batch at this learning rate; returns the batch's loss. */
  step(batch: StepBatch, learningRate: number): Promise<number>;
  /** Makes the calling thread's network hold the trained weights. */
  syncWeights(): Promise<void>;
  close(): Promise<void>;
}

async function startTraining(
  net: Network,
  o: { backend: BackendChoice; threads: number; spec: LossSpec; learningRate: number },
): Promise<Trainer> {
  if (!Number.isInteger(o.threads) || o.threads < 1) throw new RangeError(`threads must be a positive integer, got ${o.threads}`);
  const file = o.threads > 1 ? trainWorkerPath() : null;
  if (file) {
    const pool = await TrainingThreads.start(o.threads, file, {
      backend: o.backend,
      config: net.config,
      weights: net.getWeights() as Record<string, Float32Array>,
      spec: o.spec,
      learningRate: o.learningRate,
    });
    return {
      size: pool.size,
      step: (batch, rate) => pool.step(batch, rate),
      syncWeights: async () => net.setWeights(await pool.weights()),
      close: () => pool.close(),
    };
  }
  // Keras' RMSprop, embedding included (rmsprop.ts): dgascope learns as much per epoch as Keras.
  const optimizer = trainingOptimizer(o.learningRate);
  const vars = net.variables;
  return {
    size: 1,
    step: async (batch, rate) => {
      const g = stepGradients(net, o.spec, batch);
      applyStep(optimizer, vars, g.grads, g.squares, g.squaresIndex, rate);
      tf.dispose([...g.grads, ...(g.squares ? [g.squares] : [])]);
      return g.loss;
    },
    syncWeights: async () => undefined,
    close: async () => optimizer.dispose(),
  };
}

function validate(net: Network, xs: Int32Array[], ys: Int32Array, labels: string[], batchSize: number): ValidationSummary {
  const probs = predictProbs(net, xs, batchSize);
  const C = labels.length;
  let loss = 0;
  for (let i = 0; i < ys.length; i++) loss -= Math.log(Math.max(probs[i * C + (ys[i] as number)] as number, 1e-7));
  const m = computeMetrics({ labels, yTrue: ys, probs, misclassifiedCap: 0 });
  return { loss: loss / Math.max(ys.length, 1), accuracy: m.accuracy, macroF1: m.macro.f1, n: ys.length };
}

/**
 * Warm start: the old weights in the new vocabulary/label space. Known characters keep their
 * embedding rows (extend() appends), new rows get the Keras embedding initialiser; known classes
 * keep their dense columns (moved to their sorted position), new columns get glorot-uniform values.
 * Every other weight is kept as it is (same architecture).
 */
export function growWeights(
  old: DgaModel,
  tokenizer: CharTokenizer,
  labels: readonly string[],
  seed: number,
): Record<string, Float32Array> {
  const w: Record<string, Float32Array> = { ...old.net.getWeights() };
  const c = old.config;
  const E = c.embeddingDim,
    H = old.net.featureDim,
    V = tokenizer.vocabSize,
    C = labels.length;
  const rng = createRng(deriveSeed(seed, 0x9a0));
  const embeddings = uniform(V * E, 0.05, rng);
  embeddings.set((w.embeddings as Float32Array).subarray(0, c.vocabSize * E));
  const fresh = glorot(H, C, rng);
  const denseKernel = new Float32Array(H * C);
  const denseBias = new Float32Array(C);
  const oldKernel = w.denseKernel as Float32Array,
    oldBias = w.denseBias as Float32Array;
  labels.forEach((label, j) => {
    const o = old.labels.indexOf(label);
    for (let r = 0; r < H; r++)
      denseKernel[r * C + j] = o >= 0 ? (oldKernel[r * c.numClasses + o] as number) : (fresh[r * C + j] as number);
    denseBias[j] = o >= 0 ? (oldBias[o] as number) : 0;
  });
  return { ...w, embeddings, denseKernel, denseBias };
}
