import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeBackend, initBackend } from './backend';
import { modelFromBuffer, modelToBuffer } from './persistence';
import type { DgaModel } from './predictor';
import { stratifiedSplit } from './split';
import { nativeUnavailable, TINY, toySamples } from './test-utils';
import { train } from './train';

const reason = nativeUnavailable();

// Cross-backend checks (WASM and native in one process), in project `ml` only. The rest of the ml
// suite runs on native too, as project `ml-native` (vitest.config.mts). Runs where
// @tensorflow/tfjs-node is installed (ordinary npm install with internet, or
// `npm run native-tf -- --from <wheel>`); elsewhere the suite is skipped and says why.
describe.skipIf(reason !== null)(`native TensorFlow backend${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let wasmModel: DgaModel;
  const probe = ['aeiou.com', 'qwxzq.net', '0123.org', 'bcdfgb.info', 'unseen-chars!.xyz', 'zzzzqqqwwwxx.net'];

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    const s = stratifiedSplit(toySamples(60, 2));
    wasmModel = (await train({ train: s.train, validation: s.validation }, { architecture: TINY, epochs: 2, batchSize: 32 })).model;
  });
  afterAll(() => wasmModel?.dispose());

  it('is chosen first by automatic selection (after the GPU build)', async () => {
    const info = await initBackend();
    expect(['tfjs-node', 'tfjs-node-gpu']).toContain(info.choice);
    expect(info.backend).toBe('tensorflow');
  });

  it('predicts what WASM predicts for the same saved model', async () => {
    await initBackend({ backend: 'wasm' });
    const onWasm = Array.from(wasmModel.predictProba(probe));
    const buffer = modelToBuffer(wasmModel);
    await initBackend({ backend: 'tfjs-node' });
    const onNative = modelFromBuffer(buffer);
    try {
      const native = Array.from(onNative.predictProba(probe));
      const worst = Math.max(...native.map((p, i) => Math.abs(p - onWasm[i]!)));
      expect(worst).toBeLessThan(1e-4);
    } finally {
      onNative.dispose();
    }
  });

  it('trains the toy problem', async () => {
    await initBackend({ backend: 'tfjs-node' });
    const s = stratifiedSplit(toySamples(60, 3));
    const { model } = await train({ train: s.train, validation: s.validation }, { architecture: TINY, epochs: 6, batchSize: 32 });
    try {
      expect(activeBackend()?.choice).toBe('tfjs-node');
      expect(model.meta.trainedWith).toBe('tfjs-node');
      const results = model.classify(s.test.map((x) => x.domain));
      const correct = results.filter((r, i) => r.ok && r.family === s.test[i]!.label).length;
      expect(correct / s.test.length).toBeGreaterThan(0.95);
    } finally {
      model.dispose();
    }
  });
});
