/**
 * One training step's gradients: the loss of a batch (or of one thread's part of it), the gradient
 * of every variable of the network, and the embedding's per-occurrence squared gradient that
 * Keras' RMSprop accumulates (rmsprop.ts). Training on the main thread (train.ts) and on worker
 * threads (train-threads.ts, train-worker.ts) compute it with this one function, so both run the
 * same maths.
 */
import * as tf from '@tensorflow/tfjs';
import { timeMajorBatch } from './model';
import type { Network } from './network';
import { KerasRmsprop } from './rmsprop';

/**
 * 'focal' (Lin et al. 2017) scales each sample's cross-entropy by (1 − p_true)^γ: names the network
 * already gets right stop dominating the gradient, which is what the frequent families' names are.
 */
export type LossKind = 'cross-entropy' | 'logit-adjusted' | 'focal';
export const LOSS_KINDS: readonly LossKind[] = ['cross-entropy', 'logit-adjusted', 'focal'];

/** The training loss, as plain data (it is sent to worker threads). */
export interface LossSpec {
  kind: LossKind;
  numClasses: number;
  /** 'logit-adjusted': τ·log(class prior), added to the logits. */
  logPrior: number[] | null;
  /** 'focal': γ. */
  gamma: number;
  /** Target of a sample labelled −1 (a synthetic name of no family: outliers.ts), or null when none are. */
  outlierTarget: number[] | null;
}

export interface StepBatch {
  /** Encoded names, in batch order. */
  seqs: readonly Int32Array[];
  /** Class index, or −1 for a synthetic name of no family (LossSpec.outlierTarget). */
  labels: Int32Array;
  /** Class weight of each sample, or null. */
  sampleWeights: Float32Array | null;
  /** Pad every batch to this length (padding 'max'), else to its longest name. */
  padTo?: number;
  dropoutSeed: number;
  /**
   * This is rows [offset, offset + n) of a batch of `total` (one thread's part): its loss is
   * scaled by n / total, so the parts' gradients add up to the whole batch's mean-loss gradient,
   * and it gets the whole batch's dropout rows.
   */
  part?: { offset: number; total: number };
}

export interface StepGradients {
  loss: number;
  /** One per variable, in `net.variables` order; the caller disposes them. */
  grads: tf.Tensor[];
  /** Σ over character occurrences of the embedding's squared gradient, or null (the CNN). */
  squares: tf.Tensor | null;
  /** Index in `net.variables` of the variable `squares` belongs to (-1 when none). */
  squaresIndex: number;
}

export function stepGradients(net: Network, spec: LossSpec, batch: StepBatch): StepGradients {
  const vars = net.variables;
  let squares: tf.Tensor | null = null;
  let squaresIndex = -1;
  const onEmbeddingSlices = (embeddings: tf.Variable, s: tf.Tensor2D): void => {
    const previous = squares;
    squares = tf.keep(previous ? tf.add(previous, s) : s.clone());
    previous?.dispose();
    squaresIndex = vars.indexOf(embeddings);
  };
  const { value, grads } = tf.tidy(() => {
    const x = timeMajorBatch(batch.seqs, net.config.maxLen, batch.padTo);
    const y = targets(batch.labels, spec);
    const w = batch.sampleWeights ? tf.tensor1d(batch.sampleWeights) : undefined;
    const logPrior = spec.logPrior ? tf.tensor1d(spec.logPrior) : null;
    const part = batch.part;
    return tf.variableGrads(() => {
      const z = net.logits(x, {
        training: true,
        dropoutSeed: batch.dropoutSeed,
        onEmbeddingSlices,
        ...(part ? { dropoutRows: part } : {}),
      });
      const loss =
        spec.kind === 'focal'
          ? focalLoss(y, z, spec.gamma, w)
          : (tf.losses.softmaxCrossEntropy(y, logPrior ? tf.add(z, logPrior) : z, w) as tf.Scalar);
      return part ? tf.mul(loss, batch.labels.length / part.total) : loss;
    }, vars);
  });
  const loss = value.dataSync()[0] as number;
  value.dispose();
  return { loss, grads: vars.map((v) => grads[v.name] as tf.Tensor), squares, squaresIndex };
}

/** The optimizer of every training thread: Keras' RMSprop (ρ 0.9, ε 1e-7), embedding included (rmsprop.ts). */
export function trainingOptimizer(learningRate: number): KerasRmsprop {
  return new KerasRmsprop(learningRate, 0.9, 1e-7);
}

/**
 * One optimizer step at `learningRate` with a batch's gradients (in `vars` order) and, where the
 * network reports them, the embedding's per-occurrence squared gradients (StepGradients).
 */
export function applyStep(
  optimizer: KerasRmsprop,
  vars: readonly tf.Variable[],
  grads: readonly tf.Tensor[],
  squares: tf.Tensor | null,
  squaresIndex: number,
  learningRate: number,
): void {
  optimizer.learningRate = learningRate;
  if (squares) optimizer.squaredSlices(vars[squaresIndex] as tf.Variable, squares);
  optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] as tf.Tensor })));
}

/** One-hot rows, and the outlier target where the label is −1 (oneHot leaves those rows zero). */
function targets(labels: Int32Array, spec: LossSpec): tf.Tensor2D {
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), spec.numClasses) as tf.Tensor2D;
  if (!spec.outlierTarget || !labels.includes(-1)) return y;
  const isOutlier = tf.tensor2d(
    Float32Array.from(labels, (l) => (l === -1 ? 1 : 0)),
    [labels.length, 1],
  );
  return tf.add(tf.cast(y, 'float32'), tf.mul(isOutlier, tf.tensor2d(spec.outlierTarget, [1, spec.numClasses])));
}

/** Mean over the batch of −w·(1 − p_y)^γ·log p_y (weights as in softmaxCrossEntropy: mean of w·loss). */
function focalLoss(y: tf.Tensor, logits: tf.Tensor2D, gamma: number, w?: tf.Tensor1D): tf.Scalar {
  const logp = tf.logSoftmax(logits);
  const logpTrue = tf.sum(tf.mul(y, logp), 1);
  const focus = gamma === 0 ? tf.onesLike(logpTrue) : tf.pow(tf.sub(1, tf.exp(logpTrue)), gamma);
  const perSample = tf.neg(tf.mul(focus, logpTrue));
  return tf.mean(w ? tf.mul(perSample, w) : perSample) as tf.Scalar;
}
