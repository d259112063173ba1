import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend';
import { LstmNet, resolveConfig, timeMajorBatch } from './model';
import { KerasRmsprop } from './rmsprop';
import { describeOnBackend, TEST_BACKEND } from './test-utils';

describeOnBackend('KerasRmsprop', () => {
  beforeAll(async () => {
    await initBackend({ backend: TEST_BACKEND === 'wasm' ? 'cpu' : TEST_BACKEND });
  });

  const cfg = resolveConfig(12, 3, { embeddingDim: 4, lstmUnits: 3, maxLen: 8, dropout: 0 });
  const y = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
  const lossOf = (net: LstmNet, seqs: Int32Array[], record?: (e: tf.Variable, s: tf.Tensor2D) => void) => () =>
    tf.losses.softmaxCrossEntropy(
      y,
      net.logits(timeMajorBatch(seqs, 8), { training: true, ...(record ? { onEmbeddingSlices: record } : {}) }),
    ) as tf.Scalar;

  it('reports the squared gradient of each character occurrence, summed per character', () => {
    const net = LstmNet.create(cfg, 3);
    const squares: tf.Tensor2D[] = [];
    // Every character once in the batch: the per-occurrence sum equals the square of the gradient.
    const once = [Int32Array.from([2, 3, 4]), Int32Array.from([5, 6]), Int32Array.from([7, 8, 9, 10])];
    const { grads } = tf.variableGrads(
      lossOf(net, once, (_e, s) => squares.push(tf.keep(s.clone()))),
      net.variables,
    );
    expect(squares).toHaveLength(1);
    const dense = tf.square(grads[net.emb.name] as tf.Tensor).arraySync() as number[][];
    (squares[0]!.arraySync() as number[][]).forEach((row, c) => row.forEach((v, e) => expect(v).toBeCloseTo(dense[c]![e]!, 7)));
    // A character three times with gradients of one sign: Σ g² is below (Σ g)², which is what
    // makes Keras' step for frequent characters larger than dense RMSprop's.
    const squares2: tf.Tensor2D[] = [];
    const repeated = [Int32Array.from([2, 2, 2]), Int32Array.from([5, 6]), Int32Array.from([7, 8])];
    const g2 = tf.variableGrads(
      lossOf(net, repeated, (_e, s) => squares2.push(tf.keep(s.clone()))),
      net.variables,
    ).grads;
    const perOccurrence = (squares2[0]!.arraySync() as number[][])[2]!.reduce((a, b) => a + b, 0);
    const summed = (tf.square(g2[net.emb.name] as tf.Tensor).arraySync() as number[][])[2]!.reduce((a, b) => a + b, 0);
    expect(perOccurrence).toBeGreaterThan(0);
    expect(perOccurrence).not.toBeCloseTo(summed, 9);
    net.dispose();
  });

  it('updates dense weights exactly as tf.train.rmsprop (ρ 0.9, ε 1e-7) does', () => {
    const a = LstmNet.create(cfg, 5);
    const b = LstmNet.create(cfg, 5);
    const seqs = [Int32Array.from([2, 3, 4]), Int32Array.from([5, 6]), Int32Array.from([7, 8, 9, 10])];
    const ours = new KerasRmsprop(0.01, 0.9, 1e-7);
    const theirs = tf.train.rmsprop(0.01, 0.9, 0, 1e-7);
    for (let step = 0; step < 3; step++) {
      ours.minimize(
        lossOf(a, seqs, (e, s) => ours.squaredSlices(e, s)),
        false,
        a.variables,
      );
      theirs.minimize(lossOf(b, seqs), false, b.variables);
    }
    // Every character occurs once per batch here, so even the embedding agrees.
    const wa = a.getWeights(),
      wb = b.getWeights();
    for (const k of Object.keys(wa) as (keyof typeof wa)[]) wa[k]!.forEach((v, i) => expect(v).toBeCloseTo(wb[k]![i] as number, 6));
    ours.dispose();
    theirs.dispose();
    a.dispose();
    b.dispose();
  });
});
