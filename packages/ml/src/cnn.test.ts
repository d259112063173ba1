import * as tf from '@tensorflow/tfjs';
import { BENIGN_LABEL } from '@dgascope/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend';
import { CnnNet } from './cnn';
import { evaluate } from './evaluate';
import { predictProbs, timeMajorBatch } from './model';
import { resolveNetConfig } from './network';
import { modelFromBuffer, modelToBuffer } from './persistence';
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

  it('ignores how much a batch pads, and where in the batch a sequence sits', () => {
    const cfg = resolveNetConfig(10, 3, TINY_CNN);
    const net = CnnNet.create(cfg as Extract<typeof cfg, { arch: 'cnn' }>, 4);
    const seq = Int32Array.from([2, 3, 4, 9]);
    const alone = tf.softmax(net.logits(timeMajorBatch([seq], 75))).dataSync();
    const padded = tf.softmax(net.logits(timeMajorBatch([seq], 75, 30))).dataSync();
    const inBatch = tf.softmax(net.logits(timeMajorBatch([Int32Array.from([5, 6, 7, 8, 9, 2, 3, 1]), seq], 75))).dataSync();
    for (let c = 0; c < 3; c++) {
      expect(padded[c]).toBeCloseTo(alone[c] as number, 6);
      expect(inBatch[3 + c]).toBeCloseTo(alone[c] as number, 6);
    }
    net.dispose();
  });

  it('computes the same features with its folded inference form as with the training form', () => {
    // trained weights (non-zero biases), a wider window, and batches with and without padding
    for (const cfg of [model.config, resolveNetConfig(12, 3, { ...TINY_CNN, kernelSize: 5, blocks: 2 })]) {
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

  it('learns the toy problem and decides verdicts like the LSTM', () => {
    const m = evaluate(model, split.test);
    expect(m.accuracy).toBeGreaterThan(0.9);
    expect(model.config).toMatchObject({ arch: 'cnn', filters: 12, blocks: 1 });
    const [b, a] = model.classify(['aeioua.com', 'qwxzzq.net']);
    expect(b).toMatchObject({ verdict: 'benign', family: BENIGN_LABEL });
    expect(a).toMatchObject({ verdict: 'dga', family: 'alpha' });
  });

  it('round-trips through a buffer with the same answers', () => {
    const again = modelFromBuffer(modelToBuffer(model));
    expect(again.config).toEqual(model.config);
    const names = ['aeioua.com', 'qwxzzq.net', '0123.org'];
    expect(Array.from(again.predictProba(names))).toEqual(Array.from(model.predictProba(names)));
    again.dispose();
  });

  it('warm-starts with a new family', async () => {
    const more = toySamples(150, 4, [BENIGN_LABEL, 'alpha', 'beta', 'gamma']);
    const s2 = stratifiedSplit(more, { seed: 10 });
    const r = await train(
      { train: s2.train, validation: s2.validation },
      { epochs: 6, batchSize: 32, learningRate: 0.01, warmStart: model, earlyStopping: false },
    );
    expect(r.model.config).toMatchObject({ arch: 'cnn', numClasses: 4 });
    expect(evaluate(r.model, s2.test).perClass.find((c) => c.label === 'gamma')!.recall).toBeGreaterThan(0.8);
    r.model.dispose();
  });
});
