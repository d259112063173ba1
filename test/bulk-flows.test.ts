import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { startTraining, waitForJob } from './support/job-polling';
import { ADMIN_KEY, REDIS_URL, SHARED_DATA } from './support/test-env';
import { tinyData } from './support/tiny-data';
import { until } from './support/until';
import { startWorker, type WorkerProcess } from './support/worker-process';

const admin = { key: ADMIN_KEY };
const CHUNK = 1000;
let api: ApiHarness;
let workers: WorkerProcess[] = [];
let chunkQueue: Queue;
let snapshot: number;
let names: number;

const JOB = `query($id: String!) { job(id: $id) { id state error result attempts progress { stage processed total } } }`;
const job = async (id: string) => (await api.gql(JOB, { id })).data!.job;
const start = async (snapshotId: number) => {
  const r = await api.gql(`mutation($s: Int!) { startClassification(input: { snapshotId: $s }) { id } }`, { s: snapshotId }, admin);
  expect(r.errors).toBeUndefined();
  return r.data!.startClassification.id as string;
};
const finished = async (id: string, timeoutMs = 180_000) => {
  await waitForJob(
    api,
    id,
    (j) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(j.state),
    timeoutMs,
    () => workers.map((w) => w.output()).join('\n---\n'),
  );
  return job(id);
};
const stored = async (id: string) => {
  const r = await api.deps.db.pool.query<{ n: string; d: string }>(
    'SELECT count(*) AS n, count(DISTINCT domain) AS d FROM predictions WHERE job_id = $1',
    [id],
  );
  return { rows: Number(r.rows[0]!.n), distinct: Number(r.rows[0]!.d) };
};
const chunkJobs = async (id: string, chunks: number) =>
  Promise.all(Array.from({ length: chunks }, (_, i) => chunkQueue.getJob(`${id}-chunk-${i}`)));
const pidOf = (w: WorkerProcess) => w.child.pid!;

beforeAll(async () => {
  api = await startApi({ env: { CLASSIFY_CHUNK_SIZE: CHUNK } });
  chunkQueue = new Queue('classification-chunk', { connection: { url: REDIS_URL }, prefix: api.queuePrefix });
  const data = tinyData();
  const ingest = (text: string, feed: string, fileName: string) =>
    api.deps.ingestion.ingest({ feed, source: { kind: 'stream', stream: Readable.from([Buffer.from(text)]), fileName } });
  const dga = (await ingest(data.dga, 'labelled', 'dga.csv')).snapshotId;
  const benign = (await ingest(data.benign, 'alexa', 'top.csv')).snapshotId;
  // 12,000 names of another top list: 12 chunks of 1,000.
  const top = gunzipSync(readFileSync(path.join(SHARED_DATA, 'benign/umbrella-top100k-2026-07-06.txt.gz')))
    .toString('utf8')
    .split('\n')
    .slice(0, 12_000)
    .join('\n');
  snapshot = (await ingest(top, 'umbrella', 'top.txt')).snapshotId;
  names = Number((await api.deps.db.pool.query('SELECT count(*) AS n FROM memberships WHERE snapshot_id = $1', [snapshot])).rows[0].n);
  workers = [await startWorker(api.db.url, api.queuePrefix, { METRICS_PORT: '0', INFERENCE_THREADS: '0' })];
  const trained = await startTraining(api, [dga, benign]);
  const t = await waitForJob(api, trained.data!.startTraining.id, (j) => ['COMPLETED', 'FAILED'].includes(j.state), 120_000);
  expect(t.state).toBe('COMPLETED');
  await api.gql(`mutation($id: Int!) { promoteModel(id: $id) { id } }`, { id: t.modelId }, admin);
  workers.push(await startWorker(api.db.url, api.queuePrefix, { METRICS_PORT: '0', INFERENCE_THREADS: '0' }));
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await chunkQueue?.close();
  await api?.close();
});

describe('bulk jobs as BullMQ flows: chunks over every worker process', () => {
  it('splits a snapshot into chunks that both worker processes take, and completes with the one-piece summary', async () => {
    const id = await start(snapshot);
    const done = await finished(id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('COMPLETED');
    expect(await stored(id)).toEqual({ rows: names, distinct: names });
    expect(done.result).toMatchObject({ classified: names, invalid: 0 });
    expect(done.result.benign + done.result.dga).toBe(names);
    expect(done.result.perFamily.reduce((s: number, f: { count: number }) => s + f.count, 0)).toBe(names);
    const input = (await api.deps.db.prisma.job.findUniqueOrThrow({ where: { id } })).input as { chunks: number };
    expect(input.chunks).toBe(Math.ceil(names / CHUNK));
    const chunks = await chunkJobs(id, input.chunks);
    const results = chunks.map((c) => c!.returnvalue as { processed: number; worker: string });
    expect(results.reduce((s, r) => s + r.processed, 0)).toBe(names);
    // every worker process took part
    expect(new Set(results.map((r) => r.worker.split(':')[1])).size).toBe(2);
  });

  it('splits a list too, recording every invalid name with its line, as a job in one piece does', async () => {
    const top = (await api.deps.db.pool.query<{ name: string }>('SELECT name FROM domains ORDER BY id LIMIT 2500')).rows.map((r) => r.name);
    const domains = [...top.slice(0, 1200), 'not a domain!', ...top.slice(1200, 2400), 'bad_name?', ...top.slice(2400)];
    const r = await api.gql(`mutation($d: [String!]!) { startClassification(input: { domains: $d }) { id } }`, { d: domains }, admin);
    expect(r.errors).toBeUndefined();
    const id = r.data!.startClassification.id as string;
    const done = await finished(id);
    expect(done.state).toBe('COMPLETED');
    expect((await api.deps.db.prisma.job.findUniqueOrThrow({ where: { id } })).input).toMatchObject({ chunks: 3 });
    expect(done.result).toMatchObject({ classified: 2500, invalid: 2 });
    expect(done.result.invalidExamples.map((e: { line: number; domain: string }) => [e.line, e.domain])).toEqual([
      [1201, 'not a domain!'],
      [2402, 'bad_name?'],
    ]);
  });

  it('a worker killed mid-chunk: its chunk is retried by the other, with no duplicate and no missing prediction', async () => {
    const id = await start(snapshot);
    const [victim] = workers;
    // Kill the first worker while it holds a chunk.
    let held: string | undefined;
    await until(
      'a chunk running on the first worker',
      async () => {
        held = (await chunkQueue.getActive()).find((c) => c.data.jobId === id && c.processedBy?.endsWith(`:${pidOf(victim!)}`))?.id;
        return held !== undefined;
      },
      60_000,
    );
    await victim!.kill();
    workers = workers.slice(1);
    const done = await finished(id);
    expect(done.state).toBe('COMPLETED');
    expect(await stored(id)).toEqual({ rows: names, distinct: names });
    expect(done.result.classified).toBe(names);
    // The killed chunk was taken again (BullMQ's stalled-job check) and finished on the survivor.
    const retried = (await chunkQueue.getJob(held!))!;
    expect(retried.attemptsStarted).toBeGreaterThan(1);
    expect((retried.returnvalue as { worker: string }).worker).toMatch(new RegExp(`:${pidOf(workers[0]!)}$`));
  });

  it('cancelling the job cancels its chunks: running ones stop, waiting ones do nothing, no prediction remains', async () => {
    const id = await start(snapshot);
    await until('a chunk done', async () => ((await job(id)).progress?.processed ?? 0) > 0, 60_000);
    const c = await api.gql(`mutation($id: String!) { cancelJob(id: $id) { cancelRequested } }`, { id }, admin);
    expect(c.data!.cancelJob.cancelRequested).toBe(true);
    const done = await finished(id);
    expect(done.state).toBe('CANCELLED');
    expect((await stored(id)).rows).toBe(0);
    const chunks = await chunkJobs(id, Math.ceil(names / CHUNK));
    expect(chunks.filter((ch) => ch && (ch.returnvalue as { cancelled: boolean } | null)?.cancelled).length).toBeGreaterThan(0);
  });

  it('cancelling a chunked job no worker has started removes it and its chunks at once', async () => {
    for (const w of workers) await w.stop();
    workers = [];
    const id = await start(snapshot);
    const c = await api.gql(`mutation($id: String!) { cancelJob(id: $id) { state } }`, { id }, admin);
    expect(c.data!.cancelJob.state).toBe('CANCELLED');
    expect((await chunkJobs(id, Math.ceil(names / CHUNK))).every((ch) => ch == null)).toBe(true);
  });
});
