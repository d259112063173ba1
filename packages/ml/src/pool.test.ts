import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend';
import { InferencePool } from './pool';
import type { DgaModel } from './predictor';
import { stratifiedSplit } from './split';
import { describeOnBackend, TEST_BACKEND, TINY, toySamples } from './test-utils';
import { train } from './train';

// The pool runs dist/worker.js (compiled): build it when missing.
const root = path.join(__dirname, '..');
if (!existsSync(path.join(root, 'dist', 'worker.js'))) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

describeOnBackend('InferencePool', () => {
  let model: DgaModel;
  let pool: InferencePool;
  beforeAll(async () => {
    await initBackend({ backend: TEST_BACKEND });
    const s = stratifiedSplit(toySamples(60, 6));
    model = (await train({ train: s.train, validation: s.validation }, { architecture: TINY, epochs: 2, batchSize: 32 })).model;
    pool = await InferencePool.create(model, { workers: 2, chunkSize: 16 });
  });
  afterAll(async () => {
    await pool.close();
    model.dispose();
  });

  it('gives the same answers as the model on the main thread', async () => {
    const domains = [...toySamples(30, 8).map((s) => s.domain), 'bad..name', 'www.aeiou.com'];
    const a = await pool.classify(domains);
    const b = model.classify(domains);
    expect(a.map((r) => (r.ok ? r.family : r.error))).toEqual(b.map((r) => (r.ok ? r.family : r.error)));
    a.forEach((r, i) => {
      if (r.ok) expect(r.probability).toBeCloseTo((b[i] as { probability: number }).probability, 5);
    });
    const p = await pool.predictProba(['aeiou.com', 'qwxz.net']);
    const q = model.predictProba(['aeiou.com', 'qwxz.net']);
    Array.from(q).forEach((v, i) => expect(p[i]).toBeCloseTo(v, 5));
  });

  it("runs its workers on the caller's backend, or on the first of `order` that loads", async () => {
    expect(pool.backends).toEqual([TEST_BACKEND, TEST_BACKEND]);
    const other = await InferencePool.create(model, { workers: 1, order: ['cpu'] });
    try {
      expect(other.backends).toEqual(['cpu']);
      const p = await other.predictProba(['aeiou.com', 'qwxz.net']);
      const q = model.predictProba(['aeiou.com', 'qwxz.net']);
      Array.from(q).forEach((v, i) => expect(p[i]).toBeCloseTo(v, 5));
    } finally {
      await other.close();
    }
  });
});
