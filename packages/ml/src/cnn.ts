/**
 * A residual 1-D CNN over characters, in the style of Drichel et al. 2020 ("Analyzing the real-world
 * applicability of DGA classifiers": ResNet on DGArchive): Embedding(E) → Conv(k, F) → ReLU →
 * `blocks` × [Conv → ReLU → Conv, + skip, ReLU] → global max-pool over characters (and, with
 * `pooling: 'max-mean'`, the mean beside it) → Dropout → Dense(C) softmax.
 *
 * Every convolution is an im2col matmul (the k shifted copies of the sequence side by side, one
 * [B·T, k·C_in] × [k·C_in, F] product): one large op instead of T small ones, which both cores can
 * work on, and whose gradient the WASM backend has (it has no Conv2DBackpropFilter kernel).
 *
 * Training packs a batch's names into one sequence (no padding convolved: `hidden`); inference of
 * final weights batches names of one length (`inferHidden`).
 *
 * Padding (index 0, pre-padded) is masked: its embedding and every layer's output are zero there,
 * so a 'same' convolution at a sequence's first character sees zeros exactly as it would without
 * padding, and the max-pool of non-negative activations ignores the zeros. A prediction therefore
 * does not depend on how much its batch pads.
 */
import * as tf from '@tensorflow/tfjs';
import { denseHead, glorot, uniform, type ForwardOptions } from './model';
import { createRng } from './rng';

export interface CnnConfig {
  arch: 'cnn';
  vocabSize: number;
  numClasses: number;
  embeddingDim: number;
  /** Channels of every convolution (the feature dimension). */
  filters: number;
  /** Odd window width of every convolution. */
  kernelSize: number;
  /** Residual blocks after the first convolution. */
  blocks: number;
  dropout: number;
  maxLen: number;
  /**
   * Global pooling over a name's characters: 'max' (whether a feature occurs anywhere; absent in
   * older models) or 'max-mean' (the max and the mean side by side: also how much of the name has it).
   */
  pooling?: CnnPooling;
}

export const CNN_POOLINGS = ['max', 'max-mean'] as const;
export type CnnPooling = (typeof CNN_POOLINGS)[number];

export const DEFAULT_CNN: Readonly<Omit<CnnConfig, 'vocabSize' | 'numClasses'>> = Object.freeze({
  arch: 'cnn' as const,
  embeddingDim: 128,
  filters: 128,
  kernelSize: 3,
  blocks: 2,
  dropout: 0.5,
  maxLen: 75,
});

export function validateCnnConfig(c: CnnConfig): void {
  for (const k of ['vocabSize', 'numClasses', 'embeddingDim', 'filters', 'kernelSize', 'maxLen'] as const)
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new RangeError(`model config: ${k} must be a positive integer, got ${String(c[k])}`);
  if (c.kernelSize % 2 !== 1) throw new RangeError(`model config: kernelSize must be odd, got ${c.kernelSize}`);
  if (!Number.isInteger(c.blocks) || c.blocks < 0)
    throw new RangeError(`model config: blocks must be a non-negative integer, got ${String(c.blocks)}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new RangeError(`model config: dropout must be in [0, 1), got ${c.dropout}`);
  if (c.pooling !== undefined && !CNN_POOLINGS.includes(c.pooling))
    throw new RangeError(`model config: pooling must be one of ${CNN_POOLINGS.join(', ')}, got ${String(c.pooling)}`);
}

/** Width of the pooled features the dense head reads. */
const pooledDim = (c: CnnConfig): number => (c.pooling === 'max-mean' ? 2 : 1) * c.filters;

/** Storage order and names of the weights (Keras-like names). */
export function cnnWeightSpec(c: CnnConfig): { key: string; name: string; shape: number[] }[] {
  const { embeddingDim: E, filters: F, kernelSize: K, numClasses: C } = c;
  const spec = [
    { key: 'embeddings', name: 'embedding/embeddings', shape: [c.vocabSize, E] },
    { key: 'conv0Kernel', name: 'conv0/kernel', shape: [K * E, F] },
    { key: 'conv0Bias', name: 'conv0/bias', shape: [F] },
  ];
  for (let b = 0; b < c.blocks; b++)
    for (const part of ['a', 'b'])
      spec.push(
        { key: `block${b}${part}Kernel`, name: `block${b}/conv_${part}/kernel`, shape: [K * F, F] },
        { key: `block${b}${part}Bias`, name: `block${b}/conv_${part}/bias`, shape: [F] },
      );
  spec.push({ key: 'denseKernel', name: 'dense/kernel', shape: [pooledDim(c), C] }, { key: 'denseBias', name: 'dense/bias', shape: [C] });
  return spec;
}

/** Keras initialisers: uniform(±0.05) embeddings, glorot-uniform kernels (fan over the window), zero biases. */
export function initCnnWeights(c: CnnConfig, seed: number): Record<string, Float32Array> {
  const rng = createRng(seed);
  const w: Record<string, Float32Array> = {};
  for (const s of cnnWeightSpec(c)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.key === 'embeddings') w[s.key] = uniform(n, 0.05, rng);
    else if (s.shape.length === 1) w[s.key] = new Float32Array(n);
    else w[s.key] = glorot(s.shape[0] as number, s.shape[1] as number, rng);
  }
  return w;
}

export class CnnNet {
  readonly vars: Map<string, tf.Variable>;

  private constructor(
    readonly config: CnnConfig,
    w: Record<string, Float32Array>,
  ) {
    validateCnnConfig(config);
    this.vars = variablesOf(cnnWeightSpec(config), w);
  }

  static create(config: CnnConfig, seed = 23): CnnNet {
    return new CnnNet(config, initCnnWeights(config, seed));
  }

  static fromWeights(config: CnnConfig, weights: Record<string, Float32Array>): CnnNet {
    return new CnnNet(config, weights);
  }

  get featureDim(): number {
    return pooledDim(this.config);
  }

  /** True: every padded position is convolved (and masked), so inference batches names of one length. */
  readonly padsCostArithmetic = true;

  /** Names per inference batch when the caller does not say (each op is already large at 1024). */
  readonly inferenceBatchSize = 1024;

  get variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  private v(key: string): tf.Variable {
    return this.vars.get(key) as tf.Variable;
  }

  getWeights(): Record<string, Float32Array> {
    return weightsOf(this.vars);
  }

  setWeights(w: Record<string, Float32Array>): void {
    assignWeights(this.vars, w);
  }

  /**
   * The first convolution folded into the embedding, for weights that no longer change: [K·V, F],
   * row j·V + v = embedding(v) · (window position j's block of conv0's kernel), row 0 of each block
   * zero (padding is masked). conv0 then costs K row lookups per character instead of a
   * [K·E] × [E, F] product (a fifth of the network's arithmetic).
   */
  precompute(): tf.Tensor2D | null {
    const { kernelSize: K, embeddingDim: E, vocabSize: V } = this.config;
    const notPadding = tf.concat([tf.zeros([1, 1]), tf.ones([V - 1, 1])]);
    const emb = tf.mul(this.v('embeddings'), notPadding) as tf.Tensor2D;
    const kernel = this.v('conv0Kernel');
    return tf.concat(
      Array.from({ length: K }, (_, j) => tf.matMul(emb, tf.slice(kernel, [j * E, 0], [E, this.config.filters]))),
      0,
    ) as tf.Tensor2D;
  }

  logits(xT: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
    return this.head(this.hidden(xT, options), options);
  }

  head(hidden: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
    return denseHead(hidden, this.v('denseKernel'), this.v('denseBias'), this.config.dropout, options);
  }

  /**
   * Max-pooled features [B, F] for time-major, pre-padded ids xT [T, B].
   *
   * Training form, packed: the batch's names are laid end to end in one sequence, separated by
   * (k − 1)/2 padding positions, and convolved as one [1, P] sequence of P = Σ lengths + gaps
   * positions instead of B × T. The separators are masked to zero after every layer, so a window
   * at a name's edge sees zeros exactly as it would in the padded layout: the same maths, without
   * convolving the padding (a random batch of 128 pads to its longest name, ~3x the characters).
   * The max-pool then gathers each name's positions back into [B, longest, F] (padding points at
   * a separator, whose activations are zero, and ReLU features are ≥ 0).
   */
  hidden(xT: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
    if (options.precomputed && !options.training) return this.inferHidden(xT, options.precomputed);
    const c = this.config;
    const [T, B] = xT.shape;
    const { packed, pool, longest } = packNames(xT.dataSync() as Int32Array, T, B, (c.kernelSize - 1) / 2);
    const P = packed.length;
    const ids = tf.tensor1d(packed, 'int32');
    const mask = tf.reshape(tf.cast(tf.notEqual(ids, 0), 'float32'), [1, P, 1]) as tf.Tensor3D;
    const emb = tf.reshape(tf.gather(this.v('embeddings'), ids), [1, P, c.embeddingDim]) as tf.Tensor3D;
    let h = maskedRelu(this.conv(tf.mul(emb, mask) as tf.Tensor3D, 'conv0'), mask);
    for (let b = 0; b < c.blocks; b++) {
      const a = maskedRelu(this.conv(h, `block${b}a`), mask);
      h = maskedRelu(tf.add(this.conv(a, `block${b}b`), h) as tf.Tensor3D, mask);
    }
    const perName = tf.reshape(tf.gather(tf.reshape(h, [P, c.filters]), tf.tensor1d(pool, 'int32')), [B, longest, c.filters]);
    return this.pool(perName as tf.Tensor3D, () => nameLengths(xT));
  }

  /** Global pooling of [B, T, F] whose padding positions are zero; `lengths` [B, 1] only for the mean. */
  private pool(h: tf.Tensor3D, lengths: () => tf.Tensor2D | null): tf.Tensor2D {
    const max = tf.max(h, 1) as tf.Tensor2D;
    if (this.config.pooling !== 'max-mean') return max;
    const n = lengths();
    const mean = n ? tf.div(tf.sum(h, 1), n) : tf.mean(h, 1);
    return tf.concat([max, mean as tf.Tensor2D], 1);
  }

  /**
   * hidden() for final weights (`table` = precompute()), the same maths in fewer and larger ops:
   * conv0 by table lookups, the other convolutions as the backend's own convolution (no im2col
   * copies; training keeps the matmul form, whose gradient every backend has), and no masking in a
   * batch without padding (predictOutputs batches names of one length together), where the mask
   * is all ones. Agrees with the training form to float32 rounding (summation order).
   */
  private inferHidden(xT: tf.Tensor2D, table: tf.Tensor2D): tf.Tensor2D {
    const c = this.config;
    const [T, B] = xT.shape;
    const K = c.kernelSize,
      V = c.vocabSize,
      half = (K - 1) / 2;
    const idsT = xT.dataSync() as Int32Array;
    let padded = false;
    // rows of the folded table for each window position j: j·V + the id at t + j − half (0 outside)
    const rows = Array.from({ length: K }, () => new Int32Array(B * T));
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        if (idsT[t * B + b] === 0) padded = true;
        for (let j = 0; j < K; j++) {
          const s = t + j - half;
          (rows[j] as Int32Array)[b * T + t] = j * V + (s >= 0 && s < T ? (idsT[s * B + b] as number) : 0);
        }
      }
    const mask = padded ? (tf.expandDims(tf.cast(tf.notEqual(tf.transpose(xT), 0), 'float32'), 2) as tf.Tensor3D) : null;
    const masked = (x: tf.Tensor3D): tf.Tensor3D => (mask ? (tf.mul(x, mask) as tf.Tensor3D) : x);
    const conv0 = tf.addN(rows.map((r) => tf.gather(table, tf.tensor1d(r, 'int32'))));
    let h = masked(tf.reshape(tf.relu(tf.add(conv0, this.v('conv0Bias'))), [B, T, c.filters]) as tf.Tensor3D);
    const conv = (x: tf.Tensor3D, name: string): tf.Tensor3D =>
      tf.add(
        tf.conv1d(x, tf.reshape(this.v(`${name}Kernel`), [K, c.filters, c.filters]) as tf.Tensor3D, 1, 'same'),
        this.v(`${name}Bias`),
      ) as tf.Tensor3D;
    for (let b = 0; b < c.blocks; b++) {
      const a = masked(tf.relu(conv(h, `block${b}a`)) as tf.Tensor3D);
      h = masked(tf.relu(tf.add(conv(a, `block${b}b`), h)) as tf.Tensor3D);
    }
    return this.pool(h, () => (padded ? nameLengths(xT) : null));
  }

  private conv(x: tf.Tensor3D, name: string): tf.Tensor3D {
    return sameConv1d(x, this.v(`${name}Kernel`), this.v(`${name}Bias`), this.config.kernelSize);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}

/** Characters of each name [B, 1] of time-major, pre-padded ids xT [T, B] (at least 1). */
function nameLengths(xT: tf.Tensor2D): tf.Tensor2D {
  return tf.maximum(tf.sum(tf.cast(tf.notEqual(xT, 0), 'float32'), 0), 1).reshape([-1, 1]) as tf.Tensor2D;
}

/**
 * 'same' convolution [B, T, Cin] → [B, T, F] with a kernel [k·Cin, F] (window position j's block
 * is rows j·Cin …): TensorFlow's own convolution on native TensorFlow (forward and both gradients
 * are oneDNN kernels there), elsewhere one matmul over the k shifted copies (WASM has no
 * convolution gradient for the filter).
 */
export function sameConv1d(x: tf.Tensor3D, kernel: tf.Tensor, bias: tf.Tensor, k: number): tf.Tensor3D {
  const [B, T, Cin] = x.shape;
  const F = kernel.shape[1] as number;
  if (tf.getBackend() === 'tensorflow')
    return tf.add(tf.conv1d(x, tf.reshape(kernel, [k, Cin, F]) as tf.Tensor3D, 1, 'same'), bias) as tf.Tensor3D;
  const half = (k - 1) / 2;
  const padded =
    half > 0
      ? tf.pad(x, [
          [0, 0],
          [half, half],
          [0, 0],
        ])
      : x;
  const cols =
    k === 1
      ? padded
      : tf.concat(
          Array.from({ length: k }, (_, j) => tf.slice(padded, [0, j, 0], [B, T, Cin])),
          2,
        );
  const y = tf.add(tf.matMul(tf.reshape(cols, [B * T, k * Cin]), kernel as tf.Tensor2D), bias);
  return tf.reshape(y, [B, T, F]) as tf.Tensor3D;
}

/** Maps a stored (Keras-layout) weight to the network's internal layout and back (the identity for most). */
type Layout = (key: string, data: Float32Array) => Float32Array;
const sameLayout: Layout = (_k, d) => d;

/** Copies of the variables' values in the stored layout. */
export function weightsOf(vars: ReadonlyMap<string, tf.Variable>, layout: Layout = sameLayout): Record<string, Float32Array> {
  return Object.fromEntries([...vars].map(([k, v]) => [k, layout(k, (v.dataSync() as Float32Array).slice())]));
}

/** Overwrites every variable from stored-layout weights of the same shapes. */
export function assignWeights(vars: ReadonlyMap<string, tf.Variable>, w: Record<string, Float32Array>, layout: Layout = sameLayout): void {
  for (const [k, v] of vars) {
    const data = w[k];
    if (!data || data.length !== v.size) throw new RangeError(`setWeights: ${k} shape mismatch`);
    tf.tidy(() => v.assign(tf.tensor(layout(k, data), v.shape)));
  }
}

/** Trainable variables for a weight spec, each checked against its shape; `transform` maps stored to internal layout. */
export function variablesOf(
  spec: { key: string; shape: number[] }[],
  w: Record<string, Float32Array>,
  transform: Layout = sameLayout,
): Map<string, tf.Variable> {
  const vars = new Map<string, tf.Variable>();
  for (const s of spec) {
    const data = w[s.key];
    const expected = s.shape.reduce((a, b) => a * b, 1);
    if (!data || data.length !== expected)
      throw new RangeError(`weights: ${s.key} has ${data?.length ?? 0} values, expected ${expected} for shape [${s.shape.join(', ')}]`);
    const t = tf.tensor(transform(s.key, data), s.shape);
    vars.set(s.key, tf.variable(t, true));
    t.dispose();
  }
  return vars;
}

/**
 * The names of a pre-padded time-major batch ids [T, B] end to end: `gap` zeros, name 0, `gap`
 * zeros, name 1, … (at least one zero first, so position 0 is padding); `pool` [B × longest]: the
 * position of each name's j-th character, 0 (a padding position) past its end.
 */
export function packNames(ids: Int32Array, T: number, B: number, gap: number): { packed: Int32Array; pool: Int32Array; longest: number } {
  const starts = new Int32Array(B);
  let total = Math.max(gap, 1),
    longest = 1;
  for (let b = 0; b < B; b++) {
    let t = 0;
    while (t < T && ids[t * B + b] === 0) t++;
    starts[b] = t;
    total += T - t + gap;
    longest = Math.max(longest, T - t);
  }
  const packed = new Int32Array(total);
  const pool = new Int32Array(B * longest);
  let at = Math.max(gap, 1);
  for (let b = 0; b < B; b++) {
    for (let t = starts[b] as number, j = 0; t < T; t++, j++) {
      packed[at] = ids[t * B + b] as number;
      pool[b * longest + j] = at++;
    }
    at += gap;
  }
  return { packed, pool, longest };
}

/**
 * ReLU, then zero where `mask` is 0 (training's packed layout), with the gradient dy · sign(y):
 * tfjs' own ReLU gradient, dy · step(x), is seven full-size ops on tfjs-node (its Step kernel builds
 * ones and a fill and selects twice) and was a fifth of a CNN training step; this is two. The same
 * derivative: y > 0 exactly where x > 0 and the mask is 1.
 */
export function maskedRelu(x: tf.Tensor3D, mask: tf.Tensor3D): tf.Tensor3D {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor3D, tf.GradSaveFunc];
    const y = tf.mul(tf.relu(input), mask) as tf.Tensor3D;
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.mul(dy as tf.Tensor, tf.sign(saved[0] as tf.Tensor)),
    };
  })(x) as tf.Tensor3D;
}
