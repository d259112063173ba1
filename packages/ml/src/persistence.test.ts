import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend';
import { loadModel, modelFromBuffer, modelToBuffer, ModelFormatError, saveModel } from './persistence';
import type { DgaModel } from './predictor';
import { stratifiedSplit } from './split';
import { describeOnBackend, TEST_BACKEND, TINY, toySamples } from './test-utils';
import { train } from './train';

describeOnBackend('persistence', () => {
  let model: DgaModel;
  const dir = mkdtempSync(path.join(tmpdir(), 'dgascope-ml-'));
  const probe = ['aeiou.com', 'qwxzq.net', '0123.org', 'bcdfgb.info', 'unseen-chars!.xyz'];

  beforeAll(async () => {
    await initBackend({ backend: TEST_BACKEND });
    const s = stratifiedSplit(toySamples(60, 2));
    model = (await train({ train: s.train, validation: s.validation }, { architecture: TINY, epochs: 2, batchSize: 32 })).model;
  });
  afterAll(() => {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves to a directory and loads identical predictions and metadata', async () => {
    await saveModel(model, dir);
    const back = await loadModel(dir);
    expect(Array.from(back.predictProba(probe))).toEqual(Array.from(model.predictProba(probe)));
    expect(back.labels).toEqual(model.labels);
    expect(back.config).toEqual(model.config);
    expect(back.tokenizer.toJSON()).toEqual(model.tokenizer.toJSON());
    expect(back.meta).toEqual(JSON.parse(JSON.stringify(model.meta)));
    expect(back.meta.trainedWith).toBe(TEST_BACKEND);
    expect(back.meta.trainingFingerprint).toMatch(/^sha256:/);
    back.dispose();
  });

  it('round-trips through a single Buffer', () => {
    const buf = modelToBuffer(model);
    const back = modelFromBuffer(buf);
    expect(back.classify(probe)).toEqual(model.classify(probe));
    back.dispose();
  });

  it('rejects corrupted or incompatible artifacts with a clear error', async () => {
    const buf = modelToBuffer(model);
    const flipped = Buffer.from(buf);
    flipped[flipped.length - 3]! ^= 0xff;
    expect(() => modelFromBuffer(flipped)).toThrow(/checksum mismatch/);
    expect(() => modelFromBuffer(buf.subarray(0, buf.length - 10))).toThrow(/truncated or corrupted/);
    expect(() => modelFromBuffer(Buffer.from('hello world, not a model'))).toThrow(/bad magic/);
    const v2 = Buffer.from(buf);
    v2.writeUInt32LE(2, 8);
    expect(() => modelFromBuffer(v2)).toThrow(/format version 2 is not supported/);
    expect(() => modelFromBuffer(buf.subarray(0, 40))).toThrow(ModelFormatError);

    await saveModel(model, dir);
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    json.config.lstmUnits = 7;
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/shape/);
    writeFileSync(path.join(dir, 'model.json'), '{ nope');
    await expect(loadModel(dir)).rejects.toThrow(/not valid JSON/);
    await expect(loadModel(path.join(dir, 'missing'))).rejects.toThrow(ModelFormatError);
  });
});
