import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { LstmNet, resolveConfig, timeMajorBatch, initWeights } from './model';

// The patched WASM kernels (gather, its gradient UnsortedSegmentSum, transposed BatchMatMul,
// Slice/Unpack/SplitV) must give the same loss gradients as the reference cpu backend.
async function gradients(backend: 'cpu' | 'wasm', act: 'sigmoid' | 'hardSigmoid'): Promise<{ loss: number; grads: Float32Array[] }> {
  await initBackend({ backend });
  const cfg = resolveConfig(20, 5, { embeddingDim: 8, lstmUnits: 6, recurrentActivation: act });
  const net = LstmNet.fromWeights(cfg, initWeights(cfg, 3));
  const seqs = Array.from({ length: 9 }, (_, b) => Int32Array.from({ length: 3 + (b % 5) }, (_, j) => 1 + ((b * 7 + j * 13) % 19)));
  const x = timeMajorBatch(seqs, 75);
  const y = tf.oneHot(
    tf.tensor1d(
      seqs.map((_, b) => b % 5),
      'int32',
    ),
    5,
  );
  const w = tf.tensor1d(seqs.map((_, b) => 1 + (b % 3)));
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, net.logits(x, { training: false }), w) as tf.Scalar,
    net.variables,
  );
  const out = {
    loss: value.dataSync()[0] as number,
    grads: net.variables.map((v) => (grads[v.name] as tf.Tensor).dataSync() as Float32Array),
  };
  net.dispose();
  return out;
}

describe('WASM kernel patches', () => {
  for (const act of ['sigmoid', 'hardSigmoid'] as const) {
    it(`give the cpu backend's gradients (${act})`, async () => {
      const cpu = await gradients('cpu', act);
      const wasm = await gradients('wasm', act);
      expect(wasm.loss).toBeCloseTo(cpu.loss, 5);
      let maxDiff = 0,
        maxGrad = 0;
      cpu.grads.forEach((g, i) =>
        g.forEach((v, j) => {
          maxDiff = Math.max(maxDiff, Math.abs(v - ((wasm.grads[i] as Float32Array)[j] as number)));
          maxGrad = Math.max(maxGrad, Math.abs(v));
        }),
      );
      expect(maxGrad).toBeGreaterThan(1e-3);
      expect(maxDiff).toBeLessThan(1e-5);
    });
  }

  it('gather, unstack and split on wasm equal cpu', async () => {
    const run = async (b: 'cpu' | 'wasm'): Promise<number[]> => {
      await initBackend({ backend: b });
      return tf.tidy(() => {
        const x = tf.tensor3d(
          Array.from({ length: 60 }, (_, i) => i),
          [3, 4, 5],
        );
        const g = tf.gather(tf.reshape(x, [12, 5]), tf.tensor1d([3, 0, 11, 3], 'int32'));
        const [u0, u1] = tf.unstack(x, 1);
        const [s0, s1] = tf.split(x, [2, 3], 2);
        const sl = tf.slice(x, [1, 1, 1], [2, 2, 3]);
        return [g, u0!, u1!, s0!, s1!, sl, tf.matMul(tf.reshape(x, [12, 5]), tf.reshape(x, [12, 5]), true, false)].flatMap((t) =>
          Array.from(t.dataSync()),
        );
      });
    };
    expect(await run('wasm')).toEqual(await run('cpu'));
  });
});
