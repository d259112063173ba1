import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend';
import { stratifiedSplit } from './split';
import { describeOnBackend, TEST_BACKEND, TINY, toySamples } from './test-utils';
import { train, TrainingAbortedError } from './train';
import { liveTrainingWorkers } from './train-threads';

// The training workers run dist/train-worker.js (compiled): build it when missing.
const root = path.join(__dirname, '..');
if (!existsSync(path.join(root, 'dist', 'train-worker.js'))) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

const TINY_CNN = { arch: 'cnn', embeddingDim: 8, filters: 12, kernelSize: 3, blocks: 1, dropout: 0.1 } as const;

function maxAbsDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  let d = 0;
  for (const k of Object.keys(a)) {
    const x = a[k] as Float32Array,
      y = b[k] as Float32Array;
    expect(y.length).toBe(x.length);
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs((x[i] as number) - (y[i] as number)));
  }
  return d;
}

describeOnBackend('data-parallel training (threads)', () => {
  const split = stratifiedSplit(toySamples(80, 5), { seed: 4 });
  beforeAll(async () => {
    await initBackend({ backend: TEST_BACKEND });
  });

  it('takes the steps one thread takes, batch for batch (dropout rows included), and repeats itself exactly', async () => {
    // batches of 30 over 2 threads: parts of 15, so every part pads differently from the whole
    const options = { architecture: TINY, epochs: 2, batchSize: 30, decision: false, earlyStopping: false, seed: 7 } as const;
    const one = await train({ train: split.train, validation: split.validation }, options); // the default: one thread
    const two = await train({ train: split.train, validation: split.validation }, { ...options, threads: 2 });
    const again = await train({ train: split.train, validation: split.validation }, { ...options, threads: 2 });
    expect([one.threads, two.threads]).toEqual([1, 2]);
    expect(two.model.meta.trainingRuns.at(-1)).toMatchObject({ threads: 2 });
    // float rounding only: the two halves' gradients are summed in another order
    expect(maxAbsDiff(one.model.net.getWeights(), two.model.net.getWeights())).toBeLessThan(1e-4);
    two.history.forEach((h, e) => expect(h.loss).toBeCloseTo(one.history[e]?.loss as number, 4));
    expect(maxAbsDiff(two.model.net.getWeights(), again.model.net.getWeights())).toBe(0);
    for (const r of [one, two, again]) r.model.dispose();
    expect(liveTrainingWorkers()).toBe(0);
  });

  it('trains the CNN as one thread does, with class weights and synthetic names of no family, on batches smaller than the thread count', async () => {
    const options = {
      architecture: TINY_CNN,
      epochs: 2,
      batchSize: 16,
      classWeights: 'inverse',
      outlierExposure: { share: 0.25 },
      decision: false,
      earlyStopping: false,
      seed: 3,
    } as const;
    // 65 samples and 16 synthetic ones: 1 left for the last batch, and one thread gets none of it
    const samples = split.train.slice(0, 16 * 4 + 1);
    const one = await train({ train: samples, validation: split.validation }, { ...options, threads: 1 });
    const two = await train({ train: samples, validation: split.validation }, { ...options, threads: 2 });
    two.history.forEach((h, e) => {
      expect(h.loss).toBeCloseTo(one.history[e]?.loss as number, 3);
      expect(h.validation?.loss).toBeCloseTo(one.history[e]?.validation?.loss as number, 3);
    });
    const inputs = split.test.map((s) => s.input);
    const p1 = one.model.predictProba(inputs),
      p2 = two.model.predictProba(inputs);
    let d = 0;
    for (let i = 0; i < p1.length; i++) d = Math.max(d, Math.abs((p1[i] as number) - (p2[i] as number)));
    expect(d).toBeLessThan(1e-2);
    one.model.dispose();
    two.model.dispose();
  });

  it('stops its workers when cancelled mid-epoch', async () => {
    const ac = new AbortController();
    let batches = 0;
    const run = train(
      { train: split.train },
      {
        architecture: TINY,
        epochs: 5,
        batchSize: 16,
        threads: 2,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'batch' && ++batches === 2) {
            expect(liveTrainingWorkers()).toBe(2);
            ac.abort();
          }
        },
        progressEvery: 1,
      },
    );
    await expect(run).rejects.toBeInstanceOf(TrainingAbortedError);
    expect(batches).toBe(2);
    // terminate() resolves once the thread has stopped
    expect(liveTrainingWorkers()).toBe(0);
  });

  it('rejects a thread count that is not a positive integer', async () => {
    for (const threads of [0, 1.5])
      await expect(train({ train: split.train }, { architecture: TINY, epochs: 1, threads })).rejects.toThrow(
        /threads must be a positive integer/,
      );
  });
});
