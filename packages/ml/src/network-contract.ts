/**
 * Test helper: what every network must do, whatever its architecture (used by cnn.test.ts and
 * cnn-lstm.test.ts inside their describeOnBackend blocks).
 */
import * as tf from '@tensorflow/tfjs';
import { BENIGN_LABEL } from '@dgascope/core';
import { expect, it } from 'vitest';
import { evaluate } from './evaluate';
import { timeMajorBatch } from './model';
import { createNetwork, resolveNetConfig, type ArchitectureSpec } from './network';
import { modelFromBuffer, modelToBuffer } from './persistence';
import type { DgaModel } from './predictor';
import type { Sample } from './dataset';
import type { Split } from './split';
import { stratifiedSplit } from './split';
import { toySamples } from './test-utils';
import { train } from './train';

export function networkContract(
  architecture: ArchitectureSpec & { arch: string },
  trained: () => { model: DgaModel; split: Split<Sample> },
): void {
  it('ignores how much a batch pads, and where in the batch a sequence sits', () => {
    const net = createNetwork(resolveNetConfig(10, 3, architecture), 4);
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

  it('learns the toy problem and decides verdicts like the other networks', () => {
    const { model, split } = trained();
    expect(evaluate(model, split.test).accuracy).toBeGreaterThan(0.9);
    expect(model.config).toMatchObject(architecture);
    const [b, a] = model.classify(['aeioua.com', 'qwxzzq.net']);
    expect(b).toMatchObject({ verdict: 'benign', family: BENIGN_LABEL });
    expect(a).toMatchObject({ verdict: 'dga', family: 'alpha' });
  });

  it('round-trips through a buffer with the same answers', () => {
    const { model } = trained();
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
      { epochs: 6, batchSize: 32, learningRate: 0.01, warmStart: trained().model, earlyStopping: false },
    );
    expect(r.model.config).toMatchObject({ arch: architecture.arch, numClasses: 4 });
    expect(evaluate(r.model, s2.test).perClass.find((c) => c.label === 'gamma')!.recall).toBeGreaterThan(0.8);
    r.model.dispose();
  });
}
