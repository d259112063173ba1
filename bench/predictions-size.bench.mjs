#!/usr/bin/env node
// How the database grows with predictions: writes N predictions (default 1M) the way bulk jobs
// write them (PredictionsService.write, real names, the model's top-3 JSON), then reports the
// predictions table's heap, TOAST and each index, per million rows. Usage:
// npm run bench:predictions-size [-- --rows 1000000]
import { createRequire } from 'node:module';
import path from 'node:path';
import { freshDatabase, nameAt, root, seedNames } from './support.mjs';

const require = createRequire(import.meta.url);
const { createCore } = require(path.join(root, 'apps/api/dist/deps.js'));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 1_000_000);
const JOBS = 10;
const families = ['benign', 'necurs', 'banjori', 'pykspa', 'suppobox', 'ramnit', 'unknownFamily'];

const url = await freshDatabase('dgascope_bench_predictions_size');
const core = createCore({ DATABASE_URL: url, MAX_INGEST_BYTES: 1e9 });
const seeds = seedNames();
// Ten bulk jobs of ROWS / 10 names each, as ten snapshots' jobs would be.
for (let j = 0; j < JOBS; j++) {
  const jobId = `00000000-0000-4000-8000-${String(j).padStart(12, '0')}`;
  await core.db.prisma.job.create({ data: { id: jobId, kind: 'CLASSIFICATION', state: 'COMPLETED', input: {} } });
  const per = ROWS / JOBS;
  for (let start = 0; start < per; start += 16384) {
    const batch = [];
    for (let i = start; i < Math.min(per, start + 16384); i++) {
      const name = nameAt(seeds, j * per + i);
      const f = families[(i * 7 + j) % families.length];
      const dga = f !== 'benign';
      batch.push({
        ok: true,
        domain: name,
        normalized: name,
        verdict: dga ? 'dga' : 'benign',
        family: f,
        probability: 0.5 + (i % 500) / 1000,
        nearestFamily: families[1 + (i % 5)],
        dgaScore: dga ? 0.9 + (i % 100) / 1000 : (i % 100) / 1000,
        novelty: (i % 1000) / 100,
        unknownFamily: f === 'unknownFamily',
        top3: [
          { family: f, probability: 0.91 },
          { family: families[1 + (i % 5)], probability: 0.06 },
          { family: families[1 + ((i + 1) % 5)], probability: 0.02 },
        ],
      });
    }
    await core.predictions.write(jobId, 1, batch);
  }
}
await core.db.pool.query('VACUUM ANALYZE predictions');
const sizes = await core.db.pool.query(`
  SELECT pg_relation_size('predictions') AS heap,
         pg_total_relation_size('predictions') - pg_relation_size('predictions') - pg_indexes_size('predictions') AS toast,
         pg_indexes_size('predictions') AS indexes,
         pg_total_relation_size('predictions') AS total`);
const indexes = await core.db.pool.query(`
  SELECT indexrelname AS name, pg_relation_size(indexrelid) AS bytes FROM pg_stat_user_indexes WHERE relname = 'predictions' ORDER BY 2 DESC`);
const mib = (b) => `${(Number(b) / 1024 ** 2 / (ROWS / 1e6)).toFixed(0)} MiB`;
const s = sizes.rows[0];
console.log(`predictions size: ${ROWS.toLocaleString('en')} rows in ${JOBS} jobs, per million predictions:`);
console.log(`  total ${mib(s.total)} = heap ${mib(s.heap)} + TOAST ${mib(s.toast)} + indexes ${mib(s.indexes)}`);
for (const i of indexes.rows) console.log(`  ${i.name.padEnd(40)} ${mib(i.bytes)}`);
console.log(`  bytes per prediction, all in: ${Math.round(Number(s.total) / ROWS)}`);
await core.close();
