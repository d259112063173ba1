import { BENIGN_LABEL } from '@dgascope/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend';
import { CnnLstmNet } from './cnn-lstm';
import { timeMajorBatch } from './model';
import { networkContract } from './network-contract';
import { resolveNetConfig } from './network';
import type { DgaModel } from './predictor';
import { presetTrainOptions } from './presets';
import { stratifiedSplit } from './split';
import { describeOnBackend, TEST_BACKEND, toySamples } from './test-utils';
import { train } from './train';

const TINY = { arch: 'cnn-lstm', embeddingDim: 8, filters: 10, kernelSize: 3, lstmUnits: 12, dropout: 0.1 } as const;

describeOnBackend('CnnLstmNet', () => {
  let model: DgaModel;
  const base = toySamples(150, 3, [BENIGN_LABEL, 'alpha', 'beta']);
  const split = stratifiedSplit(base, { seed: 9 });

  beforeAll(async () => {
    await initBackend({ backend: TEST_BACKEND });
    const opts = { architecture: TINY, epochs: 6, batchSize: 32, learningRate: 0.01, earlyStopping: false as const };
    model = (await train({ train: split.train, validation: split.validation }, opts)).model;
  });
  afterAll(() => model.dispose());

  networkContract(TINY, () => ({ model, split }));

  it('keeps the Keras weight layout: what it is given is what it gives back', () => {
    const cfg = resolveNetConfig(10, 3, TINY);
    const a = CnnLstmNet.create(cfg as Extract<typeof cfg, { arch: 'cnn-lstm' }>, 4);
    const w = a.getWeights();
    expect(w.bias!.slice(12, 24).every((x) => x === 1)).toBe(true); // forget gate (Keras block 2 of i, f, c, o) starts at 1
    const b = CnnLstmNet.fromWeights(a.config, w);
    const x = timeMajorBatch([Int32Array.from([2, 3, 4]), Int32Array.from([5, 6])], 75);
    expect(Array.from(b.logits(x).dataSync())).toEqual(Array.from(a.logits(x).dataSync()));
    a.dispose();
    b.dispose();
  });

  it('is a preset', () => {
    expect(presetTrainOptions('cnn-lstm')).toMatchObject({ architecture: { arch: 'cnn-lstm' }, preset: 'cnn-lstm' });
  });
});
