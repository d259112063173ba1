import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { initBackend } from './backend';
import { evaluate } from './evaluate';
import { stratifiedSplit } from './split';
import { describeOnBackend, TEST_BACKEND, TINY, toySamples } from './test-utils';
import { scheduledRate, train, TrainingAbortedError, type TrainProgress } from './train';

describeOnBackend('train', () => {
  const split = stratifiedSplit(toySamples(150, 1), { seed: 5 });

  it('learns a toy separable problem, reports progress, and is reproducible with a seed', async () => {
    await initBackend({ backend: TEST_BACKEND });
    const tensorsBefore = tf.memory().numTensors;
    const progress: TrainProgress[] = [];
    const opts = {
      architecture: TINY,
      epochs: 6,
      batchSize: 32,
      learningRate: 0.02,
      seed: 7,
      earlyStopping: false as const,
      progressEvery: 1,
    };
    const r = await train({ train: split.train, validation: split.validation }, { ...opts, onProgress: (p) => progress.push(p) });
    const m = evaluate(r.model, split.test);
    expect(m.accuracy).toBeGreaterThan(0.95);
    expect(m.binary?.auc).toBeGreaterThan(0.98);
    expect(r.history).toHaveLength(6);
    expect(r.history[5]!.loss).toBeLessThan(r.history[0]!.loss);
    const batches = Math.ceil(split.train.length / 32);
    expect(progress.filter((p) => p.phase === 'batch')).toHaveLength(6 * batches);
    const ends = progress.filter((p) => p.phase === 'epoch');
    expect(ends.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ends[0]).toMatchObject({ epochs: 6, batch: batches, batches });
    expect(ends[0]!.validation?.n).toBe(split.validation.length);
    expect(ends[5]!.etaSeconds).toBe(0);
    expect(progress[0]!.samplesPerSec).toBeGreaterThan(0);
    expect(r.backend.choice).toBe(TEST_BACKEND);
    expect(r.model.meta.trainedWith).toBe(TEST_BACKEND);
    expect(r.model.meta.openSetThreshold).not.toBeNull();

    const again = await train({ train: split.train, validation: split.validation }, opts);
    expect(again.history.map((h) => h.loss)).toEqual(r.history.map((h) => h.loss));
    expect(Array.from(again.model.predictProba(['aeiou.com']))).toEqual(Array.from(r.model.predictProba(['aeiou.com'])));
    r.model.dispose();
    again.model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore); // no tensor leaks in train / evaluate / predict
  });

  it('trains with class weights and with padding to maxLen', async () => {
    const r = await train(
      { train: split.train },
      { architecture: { ...TINY, maxLen: 20 }, epochs: 4, batchSize: 32, learningRate: 0.02, classWeights: 'inverse', padding: 'max' },
    );
    expect(evaluate(r.model, split.test).accuracy).toBeGreaterThan(0.9);
    expect(Object.keys(r.classWeights ?? {})).toHaveLength(4);
    r.model.dispose();
  });

  it('trains with the focal loss, balanced sampling and a cosine schedule, and records them', async () => {
    const r = await train(
      { train: split.train },
      {
        architecture: TINY,
        epochs: 5,
        batchSize: 32,
        learningRate: 0.02,
        loss: 'focal',
        focalGamma: 2,
        sampling: { power: 0.5, benignShare: 0.4 },
        learningRateSchedule: 'cosine',
        decision: false,
      },
    );
    expect(evaluate(r.model, split.test).accuracy).toBeGreaterThan(0.9);
    expect(r.model.meta.loss).toBe('focal');
    expect(r.model.meta.trainingRuns[0]).toMatchObject({
      loss: 'focal',
      focalGamma: 2,
      sampling: { power: 0.5, benignShare: 0.4 },
      learningRateSchedule: 'cosine',
    });
    r.model.dispose();
    await expect(train({ train: split.train }, { architecture: TINY, loss: 'hinge' as never })).rejects.toThrow(/unknown loss "?hinge/);
  });

  it('stops early on validation loss and restores the best weights', async () => {
    // minDelta so large that no epoch after the first counts as an improvement
    const r = await train(
      { train: split.train, validation: split.validation },
      { architecture: TINY, epochs: 6, batchSize: 32, learningRate: 0.02, earlyStopping: { patience: 2, minDelta: 1e9 } },
    );
    expect(r.history).toHaveLength(3);
    expect(r.stoppedEarly).toBe(true);
    expect(r.bestEpoch).toBe(1);
    const valLoss = evaluateLoss(
      r.model.predictProba(split.validation.map((s) => s.input)),
      split.validation.map((s) => r.model.labels.indexOf(s.label)),
      r.model.labels.length,
    );
    expect(valLoss).toBeCloseTo(r.history[0]!.validation!.loss, 4);
    r.model.dispose();
  });

  it('cancels at the next batch through an AbortSignal', async () => {
    const ac = new AbortController();
    let batchesSeen = 0;
    const p = train(
      { train: split.train },
      {
        architecture: TINY,
        epochs: 50,
        batchSize: 16,
        progressEvery: 1,
        signal: ac.signal,
        onProgress: (q) => {
          if (q.phase === 'batch') batchesSeen++;
          if (batchesSeen === 3) ac.abort();
        },
      },
    );
    await expect(p).rejects.toThrow(TrainingAbortedError);
    expect(batchesSeen).toBe(3);
    const already = new AbortController();
    already.abort();
    await expect(train({ train: split.train }, { architecture: TINY, signal: already.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

it('decays the learning rate along a half cosine', () => {
  expect(scheduledRate(0.001, 'constant', 50, 100)).toBe(0.001);
  expect(scheduledRate(0.001, 'cosine', 0, 100)).toBeCloseTo(0.001, 12);
  expect(scheduledRate(0.001, 'cosine', 50, 100)).toBeCloseTo(0.0005, 12);
  expect(scheduledRate(0.001, 'cosine', 100, 100)).toBeCloseTo(0, 12);
});

function evaluateLoss(probs: Float32Array, y: number[], C: number): number {
  let l = 0;
  y.forEach((c, i) => (l -= Math.log(Math.max(probs[i * C + c] as number, 1e-7))));
  return l / y.length;
}
