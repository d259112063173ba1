import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend';
import { LstmNet, predictProbs, resolveConfig, swapGateBlocks, timeMajorBatch } from './model';
import { describeOnBackend, TEST_BACKEND } from './test-utils';

describeOnBackend('LstmNet', () => {
  beforeAll(async () => {
    // WASM project: against the reference cpu backend; native project: on tfjs-node itself.
    await initBackend({ backend: TEST_BACKEND === 'wasm' ? 'cpu' : TEST_BACKEND });
  });

  for (const act of ['sigmoid', 'hardSigmoid'] as const) {
    it(`matches the tfjs-layers Embedding(mask_zero)→LSTM→Dense model (${act})`, () => {
      const cfg = resolveConfig(12, 4, { embeddingDim: 6, lstmUnits: 5, maxLen: 10, recurrentActivation: act });
      const net = LstmNet.create(cfg, 7);
      const seqs = [Int32Array.from([3, 4, 5]), Int32Array.from([2, 11, 7, 7, 1, 9]), Int32Array.from([5])];
      const ours = predictProbs(net, seqs, 2);
      // the inference form (final weights: the input table computed once, what DgaModel passes)
      const table = net.inputTable();
      const inference = predictProbs(net, seqs, 2, table);
      const layers = net.toLayersModel();
      for (let i = 0; i < seqs.length; i++) {
        const x = tf.tensor2d(Array.from(seqs[i] as Int32Array), [1, (seqs[i] as Int32Array).length], 'int32');
        const p = (layers.predict(x) as tf.Tensor).dataSync();
        for (let c = 0; c < 4; c++) {
          expect(ours[i * 4 + c]).toBeCloseTo(p[c] as number, 5);
          expect(inference[i * 4 + c]).toBeCloseTo(p[c] as number, 5);
        }
      }
      table.dispose();
      net.dispose();
    });
  }

  for (const act of ['sigmoid', 'hardSigmoid'] as const) {
    it(`has the gradients of the tfjs-layers model: the written-out backward pass (${act})`, () => {
      const H = 5;
      const cfg = resolveConfig(12, 4, { embeddingDim: 6, lstmUnits: H, maxLen: 10, recurrentActivation: act });
      const net = LstmNet.create(cfg, 11);
      // lengths 0..7 and repeated: rows join at many steps, some steps add none, one name is empty
      const seqs = [6, 3, 0, 7, 1, 3, 5, 2].map((n, r) => Int32Array.from({ length: n }, (_, j) => 1 + ((r * 5 + j * 3) % 11)));
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1, 2, 0, 3], 'int32'), 4);
      const ours = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(y, net.logits(timeMajorBatch(seqs, 10))) as tf.Scalar,
        net.variables,
      ).grads;
      const layers = net.toLayersModel();
      const padded = tf.tensor2d(
        seqs.flatMap((q) => [...new Array<number>(7 - q.length).fill(0), ...q]),
        [seqs.length, 7],
        'int32',
      );
      const theirs = tf.variableGrads(
        () => {
          const p = layers.apply(padded) as tf.Tensor2D; // softmax
          return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), 1))) as tf.Scalar;
        },
        layers.trainableWeights.map((w) => w.read() as tf.Variable),
      ).grads;
      const keras = layers.trainableWeights.map((w) => theirs[(w.read() as tf.Variable).name] as tf.Tensor);
      const [emb, wx, u, b, wd, bd] = net.variables.map((v) => ours[v.name] as tf.Tensor);
      const pairs: [Float32Array, tf.Tensor][] = [
        [emb!.dataSync() as Float32Array, keras[0]!],
        [swapGateBlocks(wx!.dataSync() as Float32Array, 6, H), keras[1]!],
        [swapGateBlocks(u!.dataSync() as Float32Array, H, H), keras[2]!],
        [swapGateBlocks(b!.dataSync() as Float32Array, 1, H), keras[3]!],
        [wd!.dataSync() as Float32Array, keras[4]!],
        [bd!.dataSync() as Float32Array, keras[5]!],
      ];
      for (const [mine, reference] of pairs) {
        const r = reference.dataSync();
        expect(mine).toHaveLength(r.length);
        expect(Math.max(...Array.from(r, (v) => Math.abs(v)))).toBeGreaterThan(1e-4); // a gradient, not zeros
        mine.forEach((v, i) => expect(v).toBeCloseTo(r[i] as number, 5));
      }
      net.dispose();
    });
  }

  it('infers as it trains: names starting at every step of a batch, an empty one, both activations', () => {
    for (const act of ['sigmoid', 'hardSigmoid'] as const) {
      const net = LstmNet.create(resolveConfig(12, 4, { embeddingDim: 6, lstmUnits: 5, recurrentActivation: act }), 3);
      const seqs = Array.from({ length: 9 }, (_, n) => Int32Array.from({ length: n }, (_, j) => 1 + ((n * 7 + j * 5) % 11)));
      const table = net.inputTable();
      for (const padTo of [undefined, 12]) {
        const trained = net.hidden(timeMajorBatch(seqs, 75, padTo)).dataSync();
        const inferred = net.hidden(timeMajorBatch(seqs, 75, padTo), { precomputed: table }).dataSync();
        expect(inferred).toHaveLength(trained.length);
        trained.forEach((v, i) => expect(inferred[i]).toBeCloseTo(v, 6));
        expect(Array.from(inferred.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]); // the empty name: zero state
      }
      table.dispose();
      net.dispose();
    }
  });

  it('round-trips weights in Keras layout and ignores how much a batch pads', () => {
    const cfg = resolveConfig(10, 3, { embeddingDim: 4, lstmUnits: 3 });
    const a = LstmNet.create(cfg, 1);
    const b = LstmNet.fromWeights(cfg, a.getWeights());
    const seq = Int32Array.from([2, 3, 4]);
    const p1 = tf.softmax(a.logits(timeMajorBatch([seq], 75))).dataSync();
    const p2 = tf.softmax(b.logits(timeMajorBatch([seq], 75, 20))).dataSync();
    for (let c = 0; c < 3; c++) expect(p2[c]).toBeCloseTo(p1[c] as number, 6);
    a.dispose();
    b.dispose();
  });
});

describeOnBackend('LstmNet, bidirectional', () => {
  beforeAll(async () => {
    await initBackend({ backend: TEST_BACKEND === 'wasm' ? 'cpu' : TEST_BACKEND });
  });

  it('reads each name backwards in its second half, whatever the batch pads', () => {
    const cfg = resolveConfig(12, 3, { embeddingDim: 5, lstmUnits: 4, bidirectional: true });
    const bi = LstmNet.create(cfg, 3);
    const w = bi.getWeights();
    // a one-way LSTM with the backward weights, fed the reversed names, must give the second half
    const back = LstmNet.fromWeights(resolveConfig(12, 3, { embeddingDim: 5, lstmUnits: 4 }), {
      embeddings: w.embeddings,
      kernel: w.kernelBackward!,
      recurrentKernel: w.recurrentKernelBackward!,
      bias: w.biasBackward!,
      denseKernel: w.denseKernel.slice(0, 4 * 3),
      denseBias: w.denseBias,
    });
    const seqs = [Int32Array.from([3, 4, 5]), Int32Array.from([2, 11, 7, 7, 1, 9])];
    const both = bi.hidden(timeMajorBatch(seqs, 75, 9)).arraySync() as number[][];
    const reversed = back
      .hidden(
        timeMajorBatch(
          seqs.map((s) => s.slice().reverse()),
          75,
        ),
      )
      .arraySync() as number[][];
    const forward = LstmNet.fromWeights(resolveConfig(12, 3, { embeddingDim: 5, lstmUnits: 4 }), {
      ...w,
      denseKernel: w.denseKernel.slice(0, 4 * 3),
      kernelBackward: undefined,
      recurrentKernelBackward: undefined,
      biasBackward: undefined,
    });
    const fwd = forward.hidden(timeMajorBatch(seqs, 75)).arraySync() as number[][];
    seqs.forEach((_, i) => {
      for (let j = 0; j < 4; j++) {
        expect(both[i]![j]).toBeCloseTo(fwd[i]![j]!, 5);
        expect(both[i]![4 + j]).toBeCloseTo(reversed[i]![j]!, 5);
      }
    });
    expect(bi.featureDim).toBe(8);
    const again = LstmNet.fromWeights(cfg, bi.getWeights());
    expect(Array.from(predictProbs(again, seqs))).toEqual(Array.from(predictProbs(bi, seqs)));
    for (const n of [bi, back, forward, again]) n.dispose();
  });
});
