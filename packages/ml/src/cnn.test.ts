import * as tf from '@tensorflow/tfjs';
import { BENIGN_LABEL } from '@dgascope/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend';
import { CnnNet, maskedRelu } from './cnn';
import { predictProbs, timeMajorBatch } from './model';
import { networkContract } from './network-contract';
import { resolveNetConfig } from './network';
import type { DgaModel } from './predictor';
import { stratifiedSplit } from './split';
import { describeOnBackend, TEST_BACKEND, toySamples } from './test-utils';
import { train } from './train';

const TINY_CNN = { arch: 'cnn', embeddingDim: 8, filters: 12, kernelSize: 3, blocks: 1, dropout: 0.1 } as const;

describeOnBackend('CnnNet', () => {
  let model: DgaModel;
  const base = toySamples(150, 3, [BENIGN_LABEL, 'alpha', 'beta']);
  const split = stratifiedSplit(base, { seed: 9 });

  beforeAll(async () => {
    await initBackend({ backend: TEST_BACKEND });
    const opts = { architecture: TINY_CNN, epochs: 6, batchSize: 32, learningRate: 0.01, earlyStopping: false as const };
    model = (await train({ train: split.train, validation: split.validation }, opts)).model;
  });
  afterAll(() => model.dispose());

  networkContract(TINY_CNN, () => ({ model, split }));

  it("has ReLU's gradient in its masked ReLU: 0 where the input is ≤ 0 or masked, the incoming gradient elsewhere", () => {
    const x = tf.tensor3d([
      [
        [-1.5, 0],
        [2, 0.25],
        [3, -0.5],
        [0.75, 4],
      ],
    ]); // [1, 4, 2]
    const mask = tf.tensor3d([[[1], [1], [0], [1]]]); // the third position is padding
    const dy = tf.tensor3d([
      [
        [0.5, -2],
        [1.5, 3],
        [7, 7],
        [-1, 0.25],
      ],
    ]);
    const ours = tf.grad((v: tf.Tensor) => maskedRelu(v as tf.Tensor3D, mask))(x, dy);
    const plain = tf.grad((v: tf.Tensor) => tf.mul(tf.relu(v), mask))(x, dy);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(plain.dataSync()));
    expect(Array.from(ours.dataSync(), (v) => v + 0)).toEqual([0, 0, 1.5, 3, 0, 0, -1, 0.25]); // + 0: −0 is 0 here
    expect(Array.from(maskedRelu(x, mask).dataSync())).toEqual([0, 0, 2, 0.25, 0, 0, 0.75, 4]);
  });

  it('computes the same features with its folded inference form as with the training form', () => {
    // trained weights (non-zero biases), a wider window, and batches with and without padding
    for (const cfg of [
      model.config,
      resolveNetConfig(12, 3, { ...TINY_CNN, kernelSize: 5, blocks: 2 }),
      resolveNetConfig(12, 3, { ...TINY_CNN, pooling: 'max-mean' }),
    ]) {
      const net = cfg === model.config ? (model.net as CnnNet) : CnnNet.create(cfg as Extract<typeof cfg, { arch: 'cnn' }>, 5);
      const table = tf.keep(net.precompute() as tf.Tensor2D);
      const V = cfg.vocabSize;
      const seqs = [
        [1, 2, 3, 4, 5, 6],
        [6, 5, 4, 3, 2, 1],
        [2, 2, 7, 1, 1, 3],
      ].map((s) => Int32Array.from(s, (v) => v % V || 1));
      const withShort = [...seqs, Int32Array.from([3, 2])];
      for (const batch of [seqs, withShort]) {
        const x = timeMajorBatch(batch, 75);
        const trained = net.hidden(x).dataSync();
        const folded = net.hidden(x, { precomputed: table }).dataSync();
        expect(folded.length).toBe(trained.length);
        for (let i = 0; i < trained.length; i++) expect(folded[i]).toBeCloseTo(trained[i] as number, 5);
        x.dispose();
      }
      table.dispose();
      if (net !== model.net) net.dispose();
    }
  });

  it("pools the max and the mean of each name's characters with pooling 'max-mean', whatever its batch pads", () => {
    const net = CnnNet.create(
      resolveNetConfig(12, 3, { ...TINY_CNN, pooling: 'max-mean' }) as Extract<ReturnType<typeof resolveNetConfig>, { arch: 'cnn' }>,
      5,
    );
    expect(net.featureDim).toBe(2 * TINY_CNN.filters);
    const short = Int32Array.from([3, 2, 5]);
    const alone = timeMajorBatch([short], 75);
    const padded = timeMajorBatch([Int32Array.from([1, 2, 3, 4, 5, 6, 7]), short], 75);
    const a = net.hidden(alone).dataSync();
    const p = net.hidden(padded).dataSync().slice(a.length); // the short name's row
    for (let i = 0; i < a.length; i++) expect(p[i]).toBeCloseTo(a[i] as number, 5);
    // the mean half is at most the max half, feature by feature, and not equal to it everywhere
    const F = TINY_CNN.filters;
    for (let f = 0; f < F; f++) expect(a[F + f] as number).toBeLessThanOrEqual((a[f] as number) + 1e-6);
    expect(Array.from({ length: F }, (_, f) => (a[f] as number) - (a[F + f] as number)).some((d) => d > 1e-4)).toBe(true);
    alone.dispose();
    padded.dispose();
    net.dispose();
  });

  it('gives the same probabilities through the model (folded, one-length batches) as through the training form', () => {
    const names = split.test.map((s) => s.input);
    const viaModel = model.predictProba(names, 8);
    const viaTrainingForm = predictProbs(
      model.net,
      names.map((n) => model.tokenizer.encode(n)),
      8,
    );
    expect(viaModel.length).toBe(viaTrainingForm.length);
    for (let i = 0; i < viaModel.length; i++) expect(Math.abs((viaModel[i] as number) - (viaTrainingForm[i] as number))).toBeLessThan(1e-6);
  });
});
