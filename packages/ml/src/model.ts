/**
 * The Endgame network: Embedding(E) → LSTM(H) → Dropout → Dense(C) softmax, written as a custom
 * tfjs computation (fastest formulation measured on WASM) with the maths and the weight layout of
 * tfjs-layers / Keras:
 *  - weights: embeddings [V,E]; lstm kernel [E,4H], recurrent_kernel [H,4H], bias [4H] in Keras gate
 *    order (i, f, c, o); dense kernel [H,C], bias [C]. `getWeights()`/`fromWeights()` use this layout
 *    and `toLayersModel()` rebuilds the same network as a tf.LayersModel.
 *  - internally the gate blocks are kept as (i, f, o, c) so one sigmoid covers three gates, and the
 *    embedding is folded into the input projection (table = E·W + b, gathered per character).
 *  - padding index 0 is masked (Keras `mask_zero=True`): sequences are pre-padded and the state stays
 *    zero until the first real character, so a prediction does not depend on how much a batch pads.
 *    Padding is skipped, not computed (packed sequences), so it costs no arithmetic.
 *  - recurrent activation: 'sigmoid' (Keras ≥ 2.3 default, the default here) or 'hardSigmoid'
 *    (tfjs-layers default, clip(0.2x + 0.5, 0, 1)); saved in the config, used by train and inference.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, normal, type Rng } from './rng';
import type { Network } from './network';

export interface ModelConfig {
  /** Absent in artifacts written before other architectures existed. */
  arch?: 'lstm';
  vocabSize: number;
  numClasses: number;
  embeddingDim: number;
  lstmUnits: number;
  dropout: number;
  /** Longer inputs keep their last maxLen characters (Keras pad_sequences truncating='pre'). */
  maxLen: number;
  recurrentActivation: 'sigmoid' | 'hardSigmoid';
  /**
   * A second LSTM reads each name backwards; the two last states are concatenated ([2H] features).
   * Absent = false (artifacts of before the option).
   */
  bidirectional?: boolean;
}

export type ArchitectureOptions = Partial<Omit<ModelConfig, 'vocabSize' | 'numClasses'>>;

export const DEFAULT_ARCHITECTURE: Readonly<Omit<ModelConfig, 'vocabSize' | 'numClasses'>> = Object.freeze({
  arch: 'lstm' as const,
  embeddingDim: 128,
  lstmUnits: 128,
  dropout: 0.5,
  maxLen: 75,
  recurrentActivation: 'sigmoid',
  bidirectional: false,
});

export function resolveConfig(vocabSize: number, numClasses: number, arch: ArchitectureOptions = {}): ModelConfig {
  const c: ModelConfig = { ...DEFAULT_ARCHITECTURE, ...stripUndefined(arch), vocabSize, numClasses };
  validateConfig(c);
  return c;
}

export function validateConfig(c: ModelConfig): void {
  const ints: (keyof ModelConfig)[] = ['vocabSize', 'numClasses', 'embeddingDim', 'lstmUnits', 'maxLen'];
  for (const k of ints)
    if (!Number.isInteger(c[k]) || (c[k] as number) < 1)
      throw new RangeError(`model config: ${k} must be a positive integer, got ${String(c[k])}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new RangeError(`model config: dropout must be in [0, 1), got ${c.dropout}`);
  if (c.recurrentActivation !== 'sigmoid' && c.recurrentActivation !== 'hardSigmoid')
    throw new RangeError(`model config: recurrentActivation must be sigmoid or hardSigmoid, got ${String(c.recurrentActivation)}`);
  if (c.bidirectional !== undefined && typeof c.bidirectional !== 'boolean')
    throw new RangeError(`model config: bidirectional must be a boolean, got ${String(c.bidirectional)}`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Weights in tfjs-layers / Keras layout (row-major Float32Arrays). */
export type NetWeights = {
  embeddings: Float32Array; // [V, E]
  kernel: Float32Array; // [E, 4H], gates i, f, c, o
  recurrentKernel: Float32Array; // [H, 4H]
  bias: Float32Array; // [4H]
  denseKernel: Float32Array; // [H, C] ([2H, C] when bidirectional)
  denseBias: Float32Array; // [C]
  /** Bidirectional only: the backward LSTM's weights, same layout. */
  kernelBackward?: Float32Array;
  recurrentKernelBackward?: Float32Array;
  biasBackward?: Float32Array;
};

export function weightShapes(c: ModelConfig): Record<keyof NetWeights, number[]> {
  const H = c.lstmUnits;
  const F = c.bidirectional ? 2 * H : H;
  return {
    embeddings: [c.vocabSize, c.embeddingDim],
    kernel: [c.embeddingDim, 4 * H],
    recurrentKernel: [H, 4 * H],
    bias: [4 * H],
    ...(c.bidirectional ? { kernelBackward: [c.embeddingDim, 4 * H], recurrentKernelBackward: [H, 4 * H], biasBackward: [4 * H] } : {}),
    denseKernel: [F, c.numClasses],
    denseBias: [c.numClasses],
  } as Record<keyof NetWeights, number[]>;
}

/** Keras initialisers: uniform(±0.05) embeddings, glorot-uniform kernels, orthogonal recurrent kernel, forget bias 1. */
export function initWeights(c: ModelConfig, seed: number): NetWeights {
  const rng = createRng(seed);
  const H = c.lstmUnits,
    E = c.embeddingDim,
    V = c.vocabSize,
    C = c.numClasses;
  const bias = (): Float32Array => {
    const b = new Float32Array(4 * H);
    b.fill(1, H, 2 * H);
    return b;
  };
  const w: NetWeights = {
    embeddings: uniform(V * E, 0.05, rng),
    kernel: glorot(E, 4 * H, rng),
    recurrentKernel: orthogonal(H, 4 * H, rng),
    bias: bias(),
    denseKernel: new Float32Array(0),
    denseBias: new Float32Array(C),
  };
  if (c.bidirectional) {
    w.kernelBackward = glorot(E, 4 * H, rng);
    w.recurrentKernelBackward = orthogonal(H, 4 * H, rng);
    w.biasBackward = bias();
  }
  w.denseKernel = glorot(c.bidirectional ? 2 * H : H, C, rng);
  return w;
}

export function uniform(n: number, limit: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => (rng() * 2 - 1) * limit);
}

export function glorot(fanIn: number, fanOut: number, rng: Rng): Float32Array {
  return uniform(fanIn * fanOut, Math.sqrt(6 / (fanIn + fanOut)), rng);
}

/** [rows, cols] with orthonormal rows (rows ≤ cols) or columns, as Keras' Orthogonal initialiser. */
export function orthogonal(rows: number, cols: number, rng: Rng): Float32Array {
  const n = Math.min(rows, cols),
    len = Math.max(rows, cols);
  const vecs: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from({ length: len }, () => normal(rng));
    for (const u of vecs) {
      let d = 0;
      for (let j = 0; j < len; j++) d += (v[j] as number) * (u[j] as number);
      for (let j = 0; j < len; j++) v[j]! -= d * (u[j] as number);
    }
    let norm = 0;
    for (let j = 0; j < len; j++) norm += (v[j] as number) ** 2;
    norm = Math.sqrt(norm);
    for (let j = 0; j < len; j++) v[j]! /= norm;
    vecs.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let col = 0; col < cols; col++) {
      out[r * cols + col] = rows <= cols ? ((vecs[r] as Float64Array)[col] as number) : ((vecs[col] as Float64Array)[r] as number);
    }
  return out;
}

/** Reorder the 4 gate blocks of each row: Keras (i,f,c,o) ↔ internal (i,f,o,c). The permutation is its own inverse. */
export function swapGateBlocks(w: Float32Array, rows: number, H: number): Float32Array {
  const out = new Float32Array(w.length);
  const cols = 4 * H;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    out.set(w.subarray(base, base + 2 * H), base);
    out.set(w.subarray(base + 3 * H, base + 4 * H), base + 2 * H);
    out.set(w.subarray(base + 2 * H, base + 3 * H), base + 3 * H);
  }
  return out;
}

export interface ForwardOptions {
  training?: boolean;
  /** Seed of the dropout mask (training only). */
  dropoutSeed?: number;
  /**
   * Training on part of a batch (data-parallel training): this batch is rows [offset, offset + n)
   * of a batch of `total`, and gets those rows of the dropout mask the whole batch would get.
   */
  dropoutRows?: { offset: number; total: number };
  /** `precompute()` computed beforehand, for a network whose weights no longer change. */
  precomputed?: tf.Tensor2D;
  /**
   * Training: receives, during the backward pass, the embedding's squared gradient summed per
   * character occurrence ([V, E]), what Keras' RMSprop accumulates for an embedding (rmsprop.ts).
   */
  onEmbeddingSlices?: (embeddings: tf.Variable, squares: tf.Tensor2D) => void;
}

/** What a training pass needs to report the embedding's per-occurrence squared gradient. */
interface EmbeddingSlices {
  wx: tf.Variable;
  record: NonNullable<ForwardOptions['onEmbeddingSlices']>;
}

/**
 * tf.dropout of the features [n, F] with `dropoutSeed`; with `dropoutRows`, the rows of the mask
 * that tf.dropout would draw for the whole batch of `total` rows (the same random stream, sliced),
 * so a batch split over threads is dropped out as the whole batch is on one thread.
 */
export function trainingDropout(x: tf.Tensor2D, rate: number, options: ForwardOptions): tf.Tensor2D {
  const rows = options.dropoutRows;
  if (!rows) return tf.dropout(x, rate, undefined, options.dropoutSeed) as tf.Tensor2D;
  const [n, F] = x.shape;
  const keep = 1 - rate;
  const uniform = tf.slice(tf.randomUniform([rows.total, F], 0, 1, 'float32', options.dropoutSeed), [rows.offset, 0], [n, F]);
  return tf.mul(x, tf.div(tf.floor(tf.add(uniform, keep)), keep)) as tf.Tensor2D;
}

/** Every network's head: Dropout (training only) → Dense, logits [B, C] from features [B, F]. */
export function denseHead(hidden: tf.Tensor2D, kernel: tf.Tensor, bias: tf.Tensor, dropout: number, options: ForwardOptions): tf.Tensor2D {
  const last = options.training && dropout > 0 ? trainingDropout(hidden, dropout, options) : hidden;
  return tf.add(tf.matMul(last, kernel as tf.Tensor2D), bias) as tf.Tensor2D;
}

/** A trainable variable that owns its data (the initial tensor is released). */
function ownVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** The network's variables; owns tf memory: call dispose(). */
export class LstmNet {
  readonly emb: tf.Variable;
  readonly wx: tf.Variable;
  readonly u: tf.Variable;
  readonly b: tf.Variable;
  readonly wd: tf.Variable;
  readonly bd: tf.Variable;
  /** The backward direction (bidirectional only). */
  readonly back: { wx: tf.Variable; u: tf.Variable; b: tf.Variable } | null;

  private constructor(
    readonly config: ModelConfig,
    w: NetWeights,
  ) {
    validateConfig(config);
    const s = weightShapes(config);
    const H = config.lstmUnits;
    for (const k of Object.keys(s) as (keyof NetWeights)[]) {
      const expected = s[k].reduce((a, c) => a * c, 1);
      if (w[k]?.length !== expected)
        throw new RangeError(`weights: ${k} has ${w[k]?.length ?? 0} values, expected ${expected} for shape [${s[k].join(', ')}]`);
    }
    this.back = config.bidirectional
      ? {
          wx: ownVariable(tf.tensor2d(swapGateBlocks(w.kernelBackward!, config.embeddingDim, H), s.kernel as [number, number])),
          u: ownVariable(tf.tensor2d(swapGateBlocks(w.recurrentKernelBackward!, H, H), s.recurrentKernel as [number, number])),
          b: ownVariable(tf.tensor1d(swapGateBlocks(w.biasBackward!, 1, H))),
        }
      : null;
    this.emb = ownVariable(tf.tensor2d(w.embeddings, s.embeddings as [number, number]));
    this.wx = ownVariable(tf.tensor2d(swapGateBlocks(w.kernel, config.embeddingDim, H), s.kernel as [number, number]));
    this.u = ownVariable(tf.tensor2d(swapGateBlocks(w.recurrentKernel, H, H), s.recurrentKernel as [number, number]));
    this.b = ownVariable(tf.tensor1d(swapGateBlocks(w.bias, 1, H)));
    this.wd = ownVariable(tf.tensor2d(w.denseKernel, s.denseKernel as [number, number]));
    this.bd = ownVariable(tf.tensor1d(w.denseBias));
  }

  static create(config: ModelConfig, seed = 23): LstmNet {
    return new LstmNet(config, initWeights(config, seed));
  }

  static fromWeights(config: ModelConfig, weights: NetWeights): LstmNet {
    return new LstmNet(config, weights);
  }

  get variables(): tf.Variable[] {
    return [this.emb, this.wx, this.u, this.b, ...(this.back ? [this.back.wx, this.back.u, this.back.b] : []), this.wd, this.bd];
  }

  /** Keras layout copy of the weights. */
  getWeights(): NetWeights {
    const H = this.config.lstmUnits;
    const f = (v: tf.Variable): Float32Array => v.dataSync() as Float32Array;
    return {
      embeddings: f(this.emb).slice(),
      kernel: swapGateBlocks(f(this.wx), this.config.embeddingDim, H),
      recurrentKernel: swapGateBlocks(f(this.u), H, H),
      bias: swapGateBlocks(f(this.b), 1, H),
      ...(this.back
        ? {
            kernelBackward: swapGateBlocks(f(this.back.wx), this.config.embeddingDim, H),
            recurrentKernelBackward: swapGateBlocks(f(this.back.u), H, H),
            biasBackward: swapGateBlocks(f(this.back.b), 1, H),
          }
        : {}),
      denseKernel: f(this.wd).slice(),
      denseBias: f(this.bd).slice(),
    };
  }

  /** Overwrite all variables (same config) from Keras-layout weights. */
  setWeights(weights: Readonly<Record<string, Float32Array>>): void {
    const H = this.config.lstmUnits;
    for (const k of Object.keys(weightShapes(this.config))) if (!weights[k]) throw new RangeError(`setWeights: ${k} missing`);
    const w = weights as NetWeights;
    const pairs: [tf.Variable, Float32Array][] = [
      [this.emb, w.embeddings],
      [this.wx, swapGateBlocks(w.kernel, this.config.embeddingDim, H)],
      [this.u, swapGateBlocks(w.recurrentKernel, H, H)],
      [this.b, swapGateBlocks(w.bias, 1, H)],
      [this.wd, w.denseKernel],
      [this.bd, w.denseBias],
    ];
    if (this.back)
      pairs.push(
        [this.back.wx, swapGateBlocks(w.kernelBackward!, this.config.embeddingDim, H)],
        [this.back.u, swapGateBlocks(w.recurrentKernelBackward!, H, H)],
        [this.back.b, swapGateBlocks(w.biasBackward!, 1, H)],
      );
    for (const [v, data] of pairs) {
      if (data.length !== v.size) throw new RangeError('setWeights: shape mismatch');
      tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
    }
  }

  get featureDim(): number {
    return this.config.bidirectional ? 2 * this.config.lstmUnits : this.config.lstmUnits;
  }

  /** False: the packed recurrence skips padding, so batches of mixed lengths (fewer steps in all) are best. */
  readonly padsCostArithmetic = false;

  /**
   * Names per inference batch when the caller does not say: each time step is one small matmul
   * and a dozen element-wise ops, so a larger batch spreads their fixed cost over more names.
   */
  readonly inferenceBatchSize = 4096;

  /** The input table: what inference can compute once for weights that no longer change. */
  precompute(): tf.Tensor2D | null {
    return this.inputTable();
  }

  /** [V, 4H]: the embedding folded into the input projection, bias included. */
  inputTable(): tf.Tensor2D {
    return tf.add(tf.matMul(this.emb, this.wx), this.b) as tf.Tensor2D;
  }

  /**
   * Logits [B, C] for time-major, pre-padded character ids xT [T, B] (0 = padding).
   * Packed like cuDNN / PyTorch packed sequences: the batch is ordered by length (longest first), and
   * step t only computes the rows whose sequence has started, so padding costs no arithmetic and a
   * sequence's state is exactly zero until its first character (Keras mask_zero semantics).
   */
  logits(xT: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
    return this.head(this.hidden(xT, options), options);
  }

  /** Logits [B, C] from the LSTM's last hidden state (dropout when training). */
  head(hidden: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
    return denseHead(hidden, this.wd, this.bd, this.config.dropout, options);
  }

  /**
   * The LSTM's last hidden state [B, H] in input order ([B, 2H], forward then backward, when
   * bidirectional): the penultimate features that the open-set detector measures distances in.
   */
  hidden(xT: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
    const [T, B] = xT.shape;
    const ids = xT.dataSync() as Int32Array;
    const record = options.onEmbeddingSlices;
    const forward =
      options.precomputed && !options.training
        ? packedLstmInference(ids, T, B, options.precomputed, this.u as tf.Tensor2D, this.config.lstmUnits, this.config.recurrentActivation)
        : this.recurrence(ids, T, B, options.precomputed ?? this.inputTable(), this.u, record && { wx: this.wx, record });
    if (!this.back) return forward;
    // the same pre-padded layout with each name's characters in reverse order
    const reversed = new Int32Array(ids.length);
    for (let b = 0; b < B; b++) {
      let t0 = 0;
      while (t0 < T && ids[t0 * B + b] === 0) t0++;
      for (let t = t0; t < T; t++) reversed[t * B + b] = ids[(T - 1 - (t - t0)) * B + b] as number;
    }
    const backTable = tf.add(tf.matMul(this.emb, this.back.wx), this.back.b) as tf.Tensor2D;
    // Each direction reports its own per-occurrence squares (Keras squares the sum of both
    // directions' gradient at a position: close, not identical, for the bidirectional network).
    return tf.concat(
      [forward, this.recurrence(reversed, T, B, backTable, this.back.u, record && { wx: this.back.wx, record })],
      1,
    ) as tf.Tensor2D;
  }

  /**
   * The table rows of `ids` ([N, 4H]); with `slices` (training, onEmbeddingSlices set) the backward
   * pass also reports Σ over occurrences of (∂loss/∂row · wxᵀ)², the embedding's squared gradient
   * per occurrence, since table = embeddings · wx + b.
   */
  private gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D, slices?: EmbeddingSlices): tf.Tensor2D {
    if (!slices) return tf.gather(table, ids) as tf.Tensor2D;
    const { wx, record } = slices;
    const V = table.shape[0];
    const emb = this.emb;
    const gather = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
      // The ids are kept for the backward pass by save(): the forward pass's tensors are released.
      (inputs[1] as tf.GradSaveFunc)([ids]);
      return {
        value: tf.gather(inputs[0] as tf.Tensor2D, ids),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const at = saved[0] as tf.Tensor1D;
          const perOccurrence = tf.matMul(dy as tf.Tensor2D, wx, false, true);
          record(emb, tf.unsortedSegmentSum(tf.square(perOccurrence), at, V) as tf.Tensor2D);
          return [tf.unsortedSegmentSum(dy, at, V)];
        },
      };
    });
    return gather(table) as tf.Tensor2D;
  }

  /** One packed LSTM pass over pre-padded time-major ids; last states [B, H] in input order. */
  private recurrence(ids: Int32Array, T: number, B: number, table: tf.Tensor2D, u: tf.Variable, slices?: EmbeddingSlices): tf.Tensor2D {
    const c = this.config;
    return packedLstm(ids, T, B, table, u, c.lstmUnits, c.recurrentActivation, (rows) => this.gatherRows(table, rows, slices));
  }

  /** Same network as a tfjs-layers model with these weights (mask_zero embedding, LSTM, dropout, softmax dense). */
  toLayersModel(): tf.LayersModel {
    const c = this.config;
    if (c.bidirectional) throw new Error('toLayersModel: only the unidirectional LSTM is rebuilt as a layers model');
    const m = tf.sequential();
    m.add(
      tf.layers.embedding({ inputDim: c.vocabSize, outputDim: c.embeddingDim, maskZero: true, inputShape: [null] as unknown as number[] }),
    );
    m.add(tf.layers.lstm({ units: c.lstmUnits, recurrentActivation: c.recurrentActivation === 'sigmoid' ? 'sigmoid' : 'hardSigmoid' }));
    m.add(tf.layers.dropout({ rate: c.dropout }));
    m.add(tf.layers.dense({ units: c.numClasses, activation: 'softmax' }));
    const w = this.getWeights();
    const s = weightShapes(c);
    m.setWeights([
      tf.tensor(w.embeddings, s.embeddings),
      tf.tensor(w.kernel, s.kernel),
      tf.tensor(w.recurrentKernel, s.recurrentKernel),
      tf.tensor(w.bias, s.bias),
      tf.tensor(w.denseKernel, s.denseKernel),
      tf.tensor(w.denseBias, s.denseBias),
    ]);
    return m;
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/**
 * One packed LSTM pass (gates in the internal order i, f, o, c) over pre-padded time-major row ids
 * [T, B] (0 = padding): `gatherInputs` turns the active rows' ids into their input projections
 * ([N, 4H], bias included). The LSTM gathers rows of its character table; the CNN-LSTM rows of its
 * per-position convolution features. Last states [B, H] in input order.
 */
export function packedLstm(
  ids: Int32Array,
  T: number,
  B: number,
  table: tf.Tensor2D,
  u: tf.Tensor,
  H: number,
  recurrentActivation: ModelConfig['recurrentActivation'],
  gatherInputs: (rows: tf.Tensor1D) => tf.Tensor2D = (rows) => tf.gather(table, rows) as tf.Tensor2D,
): tf.Tensor2D {
  const { order, sizes, active } = packSteps(ids, T, B);
  if (active.length === 0) return tf.zeros([B, H]);
  const nonEmpty = sizes.filter((k) => k > 0);
  const xp = gatherInputs(tf.tensor1d(active, 'int32')); // [Σ lengths, 4H]
  const last = lstmRecurrence(nonEmpty, H, recurrentActivation)(xp, u as tf.Tensor2D) as tf.Tensor2D;
  const k = nonEmpty[nonEmpty.length - 1] as number;
  const h =
    k < B
      ? (tf.pad(last, [
          [0, B - k],
          [0, 0],
        ]) as tf.Tensor2D)
      : last; // empty sequences
  return inInputOrder(h, order);
}

/**
 * The packed recurrence over its steps' input projections xp ([Σ sizes, 4H], step after step; the
 * rows active at step s are the first sizes[s], nondecreasing) with its own backward pass
 * (backpropagation through time written out). Left to autodiff, every per-step op records a tape
 * node and its gradient, and the recurrent kernel's gradient is one small matmul and one add per step;
 * written out, the backward pass is fewer ops per step and one matmul for the recurrent kernel over all
 * steps. The maths is the same (tested against autodiff to float rounding).
 */
function lstmRecurrence(sizes: readonly number[], H: number, recurrentActivation: ModelConfig['recurrentActivation']) {
  const gate = gateActivation(recurrentActivation);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xp, u, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const steps = sizes.length === 1 ? [xp] : (tf.split(xp, sizes as number[], 0) as tf.Tensor2D[]);
    // per step: the gate activations (i, f, o), the candidate, tanh of the cell, and (after the
    // first) the previous state padded to this step's rows
    const kept: tf.Tensor[] = [];
    let h: tf.Tensor2D | null = null;
    let cell: tf.Tensor2D | null = null;
    sizes.forEach((k, s) => {
      const grow = k - (sizes[s - 1] ?? 0);
      let z = steps[s] as tf.Tensor2D;
      if (h && cell) {
        if (grow > 0) {
          // sequences that start now: zero state
          h = tf.pad(h, [
            [0, grow],
            [0, 0],
          ]) as tf.Tensor2D;
          cell = tf.pad(cell, [
            [0, grow],
            [0, 0],
          ]) as tf.Tensor2D;
        }
        kept.push(h, cell);
        z = tf.add(z, tf.matMul(h, u)) as tf.Tensor2D;
      }
      const [sPre, gPre] = tf.split(z, [3 * H, H], 1) as [tf.Tensor2D, tf.Tensor2D];
      const sig = gate(sPre);
      const [i, f, o] = tf.split(sig, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const g = tf.tanh(gPre) as tf.Tensor2D;
      const cand = tf.mul(i, g) as tf.Tensor2D;
      cell = cell === null ? cand : (tf.add(tf.mul(f, cell), cand) as tf.Tensor2D);
      const tc = tf.tanh(cell) as tf.Tensor2D;
      h = tf.mul(o, tc) as tf.Tensor2D;
      kept.push(sig, i, f, o, g, tc);
    });
    save(kept);
    return {
      value: h as unknown as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => lstmBackward(dy as tf.Tensor2D, saved, sizes, u, recurrentActivation),
    };
  });
}

/** Backpropagation through the packed steps that lstmRecurrence saved: [∂xp, ∂u]. */
function lstmBackward(
  dy: tf.Tensor2D,
  saved: tf.Tensor[],
  sizes: readonly number[],
  u: tf.Tensor2D,
  recurrentActivation: ModelConfig['recurrentActivation'],
): tf.Tensor[] {
  const H = u.shape[0];
  // 0 over the three sigmoid gates, 1 over the candidate's tanh (activationDerivative)
  const candidateSlots = recurrentActivation === 'sigmoid' ? tf.concat([tf.zeros([3 * H]), tf.ones([H])]) : null;
  const dz: tf.Tensor2D[] = new Array(sizes.length);
  const states: tf.Tensor2D[] = [];
  let at = saved.length;
  let dh: tf.Tensor2D = dy;
  let dcNext: tf.Tensor2D | null = null;
  for (let s = sizes.length - 1; s >= 0; s--) {
    const [sig, i, f, o, g, tc] = saved.slice(at - 6, at) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    at -= 6;
    const [hPrev, cPrev] = s > 0 ? (saved.slice(at - 2, at) as [tf.Tensor2D, tf.Tensor2D]) : [null, null];
    if (s > 0) at -= 2;
    // h = o·tanh(c), c = f·c_prev + i·g
    let dc = tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tc))) as tf.Tensor2D;
    if (dcNext) dc = tf.add(dc, dcNext) as tf.Tensor2D;
    // ∂loss/∂(i, f, o, g), times each activation's derivative
    const dAct = tf.concat([tf.mul(dc, g), cPrev ? tf.mul(dc, cPrev) : tf.zerosLike(f), tf.mul(dh, tc), tf.mul(dc, i)], 1);
    const dzStep = tf.mul(dAct, activationDerivative(sig, g, candidateSlots)) as tf.Tensor2D;
    dz[s] = dzStep;
    if (s === 0) {
      // the first step has no previous state: zero rows, so ∂u below is one product with ∂xp
      states.push(tf.zeros([sizes[0] as number, H]));
      break;
    }
    states.push(hPrev as tf.Tensor2D);
    const kPrev = sizes[s - 1] as number;
    const k = sizes[s] as number;
    const dhPrev = tf.matMul(dzStep, u, false, true) as tf.Tensor2D;
    const dcPrev = tf.mul(dc, f) as tf.Tensor2D;
    dh = k > kPrev ? (tf.slice(dhPrev, [0, 0], [kPrev, H]) as tf.Tensor2D) : dhPrev;
    dcNext = k > kPrev ? (tf.slice(dcPrev, [0, 0], [kPrev, H]) as tf.Tensor2D) : dcPrev;
  }
  const dxp = dz.length === 1 ? (dz[0] as tf.Tensor2D) : tf.concat(dz, 0);
  // ∂u = Σ_s h_{s−1}ᵀ · ∂z_s, as one product over all steps
  const du = tf.matMul(states.length === 1 ? (states[0] as tf.Tensor2D) : tf.concat(states.reverse(), 0), dxp, true, false);
  return [dxp, du];
}

/**
 * The derivative of each activation [k, 4H] from its value: σ(1 − σ) for the gates and 1 − g² for the
 * candidate. With sigmoid gates both are (1 − a)(a + m), m = 0 over the gates and 1 over the candidate:
 * three ops over the whole row instead of two sets of three; for the hard sigmoid, 0.2 inside its clip
 * (as tfjs' clipByValue gradient, except where 0.2x + 0.5 is exactly 0 or 1).
 */
function activationDerivative(sig: tf.Tensor2D, g: tf.Tensor2D, candidateSlots: tf.Tensor | null): tf.Tensor {
  if (candidateSlots) {
    const a = tf.concat([sig, g], 1);
    return tf.mul(tf.sub(1, a), tf.add(a, candidateSlots));
  }
  const inside = tf.mul(tf.cast(tf.logicalAnd(tf.greater(sig, 0), tf.less(sig, 1)), 'float32'), 0.2);
  return tf.concat([inside, tf.sub(1, tf.square(g))], 1);
}

/**
 * How a packed pass walks a batch: `order` sorts the columns of pre-padded ids [T, B] longest first;
 * at step t the active rows are the first sizes[t] of that order, and `active` holds their ids,
 * step after step.
 */
function packSteps(ids: Int32Array, T: number, B: number): { order: number[]; sizes: number[]; active: Int32Array } {
  // length of each column = T − first non-padding step
  const lens = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    let t = 0;
    while (t < T && ids[t * B + b] === 0) t++;
    lens[b] = T - t;
  }
  const order = Array.from({ length: B }, (_, b) => b).sort((a, b) => (lens[b] as number) - (lens[a] as number) || a - b);
  const sizes: number[] = [];
  let total = 0,
    n = 0;
  for (let t = 0; t < T; t++) {
    while (n < B && (lens[order[n] as number] as number) >= T - t) n++;
    sizes.push(n);
    total += n;
  }
  const active = new Int32Array(total);
  let at = 0;
  sizes.forEach((k, t) => {
    for (let r = 0; r < k; r++) active[at++] = ids[t * B + (order[r] as number)] as number;
  });
  return { order, sizes, active };
}

function gateActivation(recurrentActivation: ModelConfig['recurrentActivation']): (x: tf.Tensor) => tf.Tensor2D {
  return recurrentActivation === 'sigmoid'
    ? (x) => tf.sigmoid(x) as tf.Tensor2D
    : (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1) as tf.Tensor2D;
}

/** Rows of the packed order [B, H] back in input order. */
function inInputOrder(sorted: tf.Tensor2D, order: readonly number[]): tf.Tensor2D {
  const inverse = new Int32Array(order.length);
  order.forEach((b, r) => (inverse[b] = r));
  return tf.gather(sorted, tf.tensor1d(inverse, 'int32')) as tf.Tensor2D;
}

/**
 * packedLstm for weights that no longer change (inference; never differentiated): the same steps
 * and the same arithmetic per element (results agree within float rounding; on the inference bench
 * bitwise), with each step's inputs gathered as the step starts instead of all at once ([Σ lengths,
 * 4H], 150 MB for a batch of 4,096 names, then copied again by the split into steps), and each step's
 * temporaries released as it ends instead of when the batch ends: peak memory of scoring 20,480
 * names 2.2 GB → 0.4 GB. One split per step (packedLstm splits twice per step, and the inputs into
 * steps); the batch's first step computes no forget gate, its previous cell being zero.
 */
export function packedLstmInference(
  ids: Int32Array,
  T: number,
  B: number,
  table: tf.Tensor2D,
  u: tf.Tensor2D,
  H: number,
  recurrentActivation: ModelConfig['recurrentActivation'],
): tf.Tensor2D {
  const { order, sizes, active } = packSteps(ids, T, B);
  const gate = gateActivation(recurrentActivation);
  let h: tf.Tensor2D | null = null;
  let cell: tf.Tensor2D | null = null;
  let at = 0;
  for (const k of sizes) {
    if (k === 0) continue;
    const rows = active.subarray(at, at + k);
    at += k;
    const [hPrev, cPrev] = [h, cell] as [tf.Tensor2D | null, tf.Tensor2D | null];
    [h, cell] = tf.tidy((): [tf.Tensor2D, tf.Tensor2D] => {
      const x = tf.gather(table, tf.tensor1d(rows, 'int32')) as tf.Tensor2D;
      // sequences that start at this step: zero state
      const grow = (t: tf.Tensor2D) =>
        t.shape[0] < k
          ? (tf.pad(t, [
              [0, k - t.shape[0]],
              [0, 0],
            ]) as tf.Tensor2D)
          : t;
      const z = hPrev ? tf.add(x, tf.matMul(grow(hPrev), u)) : x;
      const [i, f, o, g] = tf.split(z, 4, 1) as tf.Tensor2D[];
      const cand = tf.mul(gate(i as tf.Tensor2D), tf.tanh(g as tf.Tensor2D));
      const c2 = (cPrev ? tf.add(tf.mul(gate(f as tf.Tensor2D), grow(cPrev)), cand) : cand) as tf.Tensor2D;
      return [tf.mul(gate(o as tf.Tensor2D), tf.tanh(c2)) as tf.Tensor2D, c2];
    });
    hPrev?.dispose();
    cPrev?.dispose();
  }
  cell?.dispose();
  const done = h as tf.Tensor2D | null;
  // empty sequences: zero state
  const last =
    done === null
      ? tf.zeros([B, H])
      : done.shape[0] < B
        ? tf.pad(done, [
            [0, B - done.shape[0]],
            [0, 0],
          ])
        : done;
  return inInputOrder(last as tf.Tensor2D, order);
}

/** Pre-padded, time-major batch [T, B] (T = longest in the batch, or `padTo`), truncating to the last maxLen ids. */
export function timeMajorBatch(seqs: readonly Int32Array[], maxLen: number, padTo?: number): tf.Tensor2D {
  const B = seqs.length;
  let T = padTo ?? 1;
  if (padTo === undefined) for (const s of seqs) T = Math.max(T, Math.min(s.length, maxLen));
  const x = new Int32Array(T * B);
  seqs.forEach((s, b) => {
    const L = Math.min(s.length, maxLen, T);
    const off = s.length - L;
    for (let j = 0; j < L; j++) x[(T - L + j) * B + b] = s[off + j] as number;
  });
  return tf.tensor2d(x, [T, B], 'int32');
}

/** Softmax probabilities [N × C] for encoded sequences, in input order; batches grouped by length. */
export function predictProbs(net: Network, seqs: readonly Int32Array[], batchSize = 1024, precomputed?: tf.Tensor2D): Float32Array {
  return predictOutputs(net, seqs, { batchSize, ...(precomputed ? { precomputed } : {}) }).probs;
}

export interface NetOutputs {
  /** Softmax probabilities [N × C]. */
  probs: Float32Array;
  /** Logits [N × C], when asked for. */
  logits?: Float32Array;
  /** Penultimate features [N × H] (the LSTM's last hidden state), when asked for. */
  features?: Float32Array;
}

/**
 * Consecutive batches of `order` (indices sorted by clipped length), at most `batchSize` each.
 * With `oneLength`, a batch also ends where the length changes once it holds a quarter of
 * `batchSize`: such batches have no padding, which a network that computes its padding
 * (the CNN) then neither computes nor masks; the remaining small groups of rare lengths are
 * merged into their neighbours rather than run as tiny batches.
 */
export function lengthBatches(
  order: readonly number[],
  seqs: readonly Int32Array[],
  maxLen: number,
  batchSize: number,
  oneLength: boolean,
): number[][] {
  const batches: number[][] = [];
  const len = (i: number): number => Math.min((seqs[i] as Int32Array).length, maxLen);
  let current: number[] = [];
  for (const i of order) {
    const lengthChanges = current.length > 0 && len(i) !== len(current[current.length - 1] as number);
    if (current.length === batchSize || (oneLength && lengthChanges && current.length >= batchSize / 4)) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Probabilities, and optionally logits and features, for encoded sequences in input order; batches grouped by length. */
export function predictOutputs(
  net: Network,
  seqs: readonly Int32Array[],
  options: { batchSize?: number; precomputed?: tf.Tensor2D; logits?: boolean; features?: boolean } = {},
): NetOutputs {
  const C = net.config.numClasses,
    H = net.featureDim,
    maxLen = net.config.maxLen,
    batchSize = options.batchSize ?? net.inferenceBatchSize;
  const probs = new Float32Array(seqs.length * C);
  const logits = options.logits ? new Float32Array(seqs.length * C) : undefined;
  const features = options.features ? new Float32Array(seqs.length * H) : undefined;
  const order = Array.from({ length: seqs.length }, (_, i) => i).sort(
    (a, b) => Math.min((seqs[a] as Int32Array).length, maxLen) - Math.min((seqs[b] as Int32Array).length, maxLen),
  );
  for (const idx of lengthBatches(order, seqs, maxLen, batchSize, !!options.precomputed && net.padsCostArithmetic)) {
    let p: Float32Array = new Float32Array(0);
    let z: Float32Array | null = null;
    let f: Float32Array | null = null;
    tf.tidy(() => {
      const x = timeMajorBatch(
        idx.map((i) => seqs[i] as Int32Array),
        maxLen,
      );
      const hidden = net.hidden(x, options.precomputed ? { precomputed: options.precomputed } : {});
      const zz = net.head(hidden);
      p = tf.softmax(zz).dataSync() as Float32Array;
      if (logits) z = zz.dataSync() as Float32Array;
      if (features) f = hidden.dataSync() as Float32Array;
    });
    idx.forEach((i, r) => {
      probs.set(p.subarray(r * C, (r + 1) * C), i * C);
      if (logits && z) logits.set((z as Float32Array).subarray(r * C, (r + 1) * C), i * C);
      if (features && f) features.set((f as Float32Array).subarray(r * H, (r + 1) * H), i * H);
    });
  }
  return { probs, ...(logits ? { logits } : {}), ...(features ? { features } : {}) };
}
