/**
 * A CNN-LSTM: Embedding(E) → Conv(k, F) → ReLU → LSTM(H) → Dropout → Dense(C) softmax. The
 * convolution turns each character into a feature of its k-gram, and the LSTM reads those instead
 * of single characters (the convolutional front-end of the ablation list, cf. Yu et al. 2018
 * "Character level based detection of DGA domain names").
 *
 * Padding (index 0, pre-padded) is masked as in both parents: the convolution's output is zero
 * there, and the packed recurrence (model.ts `packedLstm`) skips it, starting each name's state at
 * zero on its first character. A prediction therefore does not depend on how much its batch pads.
 * The LSTM's weights keep the Keras layout (gates i, f, c, o in storage).
 */
import * as tf from '@tensorflow/tfjs';
import { assignWeights, sameConv1d, variablesOf, weightsOf } from './cnn';
import { denseHead, glorot, orthogonal, packedLstm, swapGateBlocks, uniform, type ForwardOptions, type ModelConfig } from './model';
import { createRng } from './rng';

export interface CnnLstmConfig {
  arch: 'cnn-lstm';
  vocabSize: number;
  numClasses: number;
  embeddingDim: number;
  /** Channels of the convolution (what the LSTM reads per character). */
  filters: number;
  /** Odd window width of the convolution. */
  kernelSize: number;
  lstmUnits: number;
  dropout: number;
  maxLen: number;
  recurrentActivation: ModelConfig['recurrentActivation'];
}

export const DEFAULT_CNN_LSTM: Readonly<Omit<CnnLstmConfig, 'vocabSize' | 'numClasses'>> = Object.freeze({
  arch: 'cnn-lstm' as const,
  embeddingDim: 128,
  filters: 128,
  kernelSize: 3,
  lstmUnits: 128,
  dropout: 0.5,
  maxLen: 75,
  recurrentActivation: 'sigmoid' as const,
});

export function validateCnnLstmConfig(c: CnnLstmConfig): void {
  for (const k of ['vocabSize', 'numClasses', 'embeddingDim', 'filters', 'kernelSize', 'lstmUnits', 'maxLen'] as const)
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new RangeError(`model config: ${k} must be a positive integer, got ${String(c[k])}`);
  if (c.kernelSize % 2 !== 1) throw new RangeError(`model config: kernelSize must be odd, got ${c.kernelSize}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new RangeError(`model config: dropout must be in [0, 1), got ${c.dropout}`);
  if (c.recurrentActivation !== 'sigmoid' && c.recurrentActivation !== 'hardSigmoid')
    throw new RangeError(`model config: recurrentActivation must be sigmoid or hardSigmoid, got ${String(c.recurrentActivation)}`);
}

/** Storage order and names of the weights (Keras-like names). */
export function cnnLstmWeightSpec(c: CnnLstmConfig): { key: string; name: string; shape: number[] }[] {
  const { embeddingDim: E, filters: F, kernelSize: K, lstmUnits: H, numClasses: C } = c;
  return [
    { key: 'embeddings', name: 'embedding/embeddings', shape: [c.vocabSize, E] },
    { key: 'conv0Kernel', name: 'conv0/kernel', shape: [K * E, F] },
    { key: 'conv0Bias', name: 'conv0/bias', shape: [F] },
    { key: 'kernel', name: 'lstm/kernel', shape: [F, 4 * H] },
    { key: 'recurrentKernel', name: 'lstm/recurrent_kernel', shape: [H, 4 * H] },
    { key: 'bias', name: 'lstm/bias', shape: [4 * H] },
    { key: 'denseKernel', name: 'dense/kernel', shape: [H, C] },
    { key: 'denseBias', name: 'dense/bias', shape: [C] },
  ];
}

/** Keras initialisers: uniform(±0.05) embeddings, glorot-uniform kernels, orthogonal recurrent kernel, forget bias 1. */
export function initCnnLstmWeights(c: CnnLstmConfig, seed: number): Record<string, Float32Array> {
  const rng = createRng(seed);
  const { embeddingDim: E, filters: F, kernelSize: K, lstmUnits: H, numClasses: C } = c;
  const bias = new Float32Array(4 * H);
  bias.fill(1, H, 2 * H);
  return {
    embeddings: uniform(c.vocabSize * E, 0.05, rng),
    conv0Kernel: glorot(K * E, F, rng),
    conv0Bias: new Float32Array(F),
    kernel: glorot(F, 4 * H, rng),
    recurrentKernel: orthogonal(H, 4 * H, rng),
    bias,
    denseKernel: glorot(H, C, rng),
    denseBias: new Float32Array(C),
  };
}

/** Keys whose gate blocks are stored in Keras order and kept internally as (i, f, o, c). */
const GATED: Record<string, (c: CnnLstmConfig) => number> = {
  kernel: (c) => c.filters,
  recurrentKernel: (c) => c.lstmUnits,
  bias: () => 1,
};

export class CnnLstmNet {
  readonly vars: Map<string, tf.Variable>;

  private constructor(
    readonly config: CnnLstmConfig,
    w: Record<string, Float32Array>,
  ) {
    validateCnnLstmConfig(config);
    this.vars = variablesOf(cnnLstmWeightSpec(config), w, (key, data) => this.toInternal(key, data));
  }

  static create(config: CnnLstmConfig, seed = 23): CnnLstmNet {
    return new CnnLstmNet(config, initCnnLstmWeights(config, seed));
  }

  static fromWeights(config: CnnLstmConfig, weights: Record<string, Float32Array>): CnnLstmNet {
    return new CnnLstmNet(config, weights);
  }

  private toInternal(key: string, data: Float32Array): Float32Array {
    const rows = GATED[key];
    return rows ? swapGateBlocks(data, rows(this.config), this.config.lstmUnits) : data;
  }

  private v(key: string): tf.Variable {
    return this.vars.get(key) as tf.Variable;
  }

  get featureDim(): number {
    return this.config.lstmUnits;
  }

  /** True: the convolution computes every padded position, so inference batches names of one length. */
  readonly padsCostArithmetic = true;

  readonly inferenceBatchSize = 1024;

  get variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  /** Keras layout copy of the weights. */
  getWeights(): Record<string, Float32Array> {
    // swapping (i, f, o, c) ↔ (i, f, c, o) is its own inverse
    return weightsOf(this.vars, (k, d) => this.toInternal(k, d));
  }

  setWeights(w: Record<string, Float32Array>): void {
    assignWeights(this.vars, w, (k, d) => this.toInternal(k, d));
  }

  /** Nothing to fold: the LSTM's input at a character depends on its neighbours. */
  precompute(): tf.Tensor2D | null {
    return null;
  }

  logits(xT: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
    return this.head(this.hidden(xT, options), options);
  }

  head(hidden: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
    return denseHead(hidden, this.v('denseKernel'), this.v('denseBias'), this.config.dropout, options);
  }

  /** The LSTM's last state [B, H] for time-major, pre-padded ids xT [T, B]. */
  hidden(xT: tf.Tensor2D, _options: ForwardOptions = {}): tf.Tensor2D {
    const c = this.config;
    const [T, B] = xT.shape;
    const ids = tf.transpose(xT) as tf.Tensor2D; // [B, T]
    const mask = tf.expandDims(tf.cast(tf.notEqual(ids, 0), 'float32'), 2) as tf.Tensor3D;
    const emb = tf.reshape(tf.gather(this.v('embeddings'), tf.reshape(ids, [B * T])), [B, T, c.embeddingDim]) as tf.Tensor3D;
    const conv = tf.mul(
      tf.relu(sameConv1d(tf.mul(emb, mask) as tf.Tensor3D, this.v('conv0Kernel'), this.v('conv0Bias'), c.kernelSize)),
      mask,
    ) as tf.Tensor3D;
    // every position's input projection; row 0 stands for padding, position (b, t) is row b·T + t + 1
    const projected = tf.add(tf.matMul(tf.reshape(conv, [B * T, c.filters]), this.v('kernel')), this.v('bias'));
    const table = tf.concat([tf.zeros([1, 4 * c.lstmUnits]), projected], 0) as tf.Tensor2D;
    const chars = xT.dataSync() as Int32Array;
    const rows = new Int32Array(T * B);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (chars[t * B + b] !== 0) rows[t * B + b] = b * T + t + 1;
    return packedLstm(rows, T, B, table, this.v('recurrentKernel'), c.lstmUnits, c.recurrentActivation);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}
