import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { jobState, startTraining, waitForJob } from './support/job-polling';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from './support/private-services';
import { ADMIN_KEY } from './support/test-env';
import { tinyData } from './support/tiny-data';
import { startWorker, type WorkerProcess } from './support/worker-process';

// Faults done for real: worker processes are SIGKILLed, Redis and PostgreSQL are crashed and
// restarted. Redis and PostgreSQL are private to this file so that other files keep theirs.

async function ingestTiny(api: ApiHarness): Promise<number[]> {
  const data = tinyData();
  const ingest = (text: string, feed: string) =>
    api.deps.ingestion.ingest({ feed, source: { kind: 'stream', stream: Readable.from([Buffer.from(text)]), fileName: `${feed}.csv` } });
  return [(await ingest(data.dga, 'labelled')).snapshotId, (await ingest(data.benign, 'alexa')).snapshotId];
}

async function trainingJob(api: ApiHarness, snapshots: number[], extra: Record<string, unknown> = {}): Promise<string> {
  const r = await startTraining(api, snapshots, extra);
  expect(r.errors).toBeUndefined();
  return r.data!.startTraining.id;
}

describe('worker faults (real worker processes, SIGKILL)', () => {
  let api: ApiHarness;
  let snapshots: number[];
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    api = await startApi();
    snapshots = await ingestTiny(api);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await api?.close();
  });

  it('a training job whose worker is killed mid-epoch finishes on a restarted worker, with one model version', async () => {
    const first = await startWorker(api.db.url, api.queuePrefix);
    workers.push(first);
    const id = await trainingJob(api, snapshots, { epochs: 6 });
    await waitForJob(api, id, (j) => j.state === 'ACTIVE' && (j.progress?.epoch ?? 0) >= 2, 120_000, first.output);
    await first.kill();
    const second = await startWorker(api.db.url, api.queuePrefix);
    workers.push(second);
    const job = await waitForJob(api, id, (j) => ['COMPLETED', 'FAILED'].includes(j.state), 180_000, second.output);
    expect(job).toMatchObject({ state: 'COMPLETED', attempts: 2, error: null });
    const models = await api.deps.db.prisma.mlModel.findMany({ where: { trainingJobId: id } });
    expect(models.map((m) => [m.id, m.status])).toEqual([[job.modelId, 'READY']]);
    expect(await api.deps.db.prisma.mlModel.count()).toBe(1);
    await second.stop();
  });

  it('two training jobs at once on one worker (concurrency 2) both complete, with identical results for identical input', async () => {
    const worker = await startWorker(api.db.url, api.queuePrefix, { WORKER_CONCURRENCY: '2' });
    workers.push(worker);
    const a = await trainingJob(api, snapshots, { seed: 7 });
    const b = await trainingJob(api, snapshots, { seed: 7 });
    let together = false;
    await waitForJob(
      api,
      b,
      (jb) => {
        if (jb.state === 'ACTIVE') void jobState(api, a).then((ja) => (together ||= ja.state === 'ACTIVE'));
        return ['COMPLETED', 'FAILED'].includes(jb.state);
      },
      180_000,
      worker.output,
    );
    const ja = await waitForJob(api, a, (j) => ['COMPLETED', 'FAILED'].includes(j.state));
    const jb = await jobState(api, b);
    expect(together).toBe(true);
    expect([ja.state, jb.state]).toEqual(['COMPLETED', 'COMPLETED']);
    expect(ja.modelId).not.toBe(jb.modelId);
    const [ma, mb] = await Promise.all(
      [ja.modelId!, jb.modelId!].map((m) => api.deps.db.prisma.mlModel.findUniqueOrThrow({ where: { id: m } })),
    );
    // Same data, same seed: interleaving two trainings in one process must not change either.
    expect(ma!.labels).toEqual(mb!.labels);
    expect((ma!.metrics as { accuracy: number }).accuracy).toBe((mb!.metrics as { accuracy: number }).accuracy);
    await worker.stop();
  });
});

describe('Redis crash with queued jobs', () => {
  let redis: PrivateRedis;
  let api: ApiHarness;
  let snapshots: number[];
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    api = await startApi({ redisUrl: redis.url });
    snapshots = await ingestTiny(api);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await redis?.stop();
  });

  it('loses no acknowledged job across a crash, refuses new jobs clearly while Redis is down, and runs them all after', async () => {
    const queued = [await trainingJob(api, snapshots, { epochs: 1 }), await trainingJob(api, snapshots, { epochs: 1 })];
    const toCancel = await trainingJob(api, snapshots, { epochs: 1 });
    await redis.kill();

    // Cancelling a queued job while Redis is down: the caller learns the cancellation is recorded, not a 500.
    const cancel = await api.gql(`mutation($id: String!) { cancelJob(id: $id) { id } }`, { id: toCancel }, { key: ADMIN_KEY });
    expect(cancel.status).toBe(200);
    expect(cancel.errors![0]!.extensions).toEqual({ code: 'CONFLICT', reason: 'CANCEL_PENDING' });
    expect(cancel.errors![0]!.message).toMatch(/cancellation is recorded/);

    const started = Date.now();
    const refused = await startTraining(api, snapshots);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'QUEUE_UNAVAILABLE' });
    expect((await api.gql(`{ health { database redis } }`)).data).toEqual({ health: { database: true, redis: false } });

    await redis.start();
    worker = await startWorker(api.db.url, api.queuePrefix, { REDIS_URL: redis.url });
    for (const id of queued) {
      expect(await waitForJob(api, id, (j) => ['COMPLETED', 'FAILED'].includes(j.state), 120_000, worker.output)).toMatchObject({
        state: 'COMPLETED',
        attempts: 1,
      });
    }
    expect(await waitForJob(api, toCancel, (j) => j.state !== 'QUEUED', 60_000, worker.output)).toMatchObject({ state: 'CANCELLED' });
    // The refused job is FAILED and stays so: nothing queued it behind the caller's back.
    const failed = await api.deps.db.prisma.job.findMany({ where: { state: 'FAILED' } });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toMatch(/could not be queued/);
    expect(worker.output()).not.toMatch(/re-queued/);
  });

  it('re-queues from PostgreSQL the jobs a Redis restarted without its data has lost', async () => {
    await worker?.stop();
    const id = await trainingJob(api, snapshots, { epochs: 1 });
    await redis.kill();
    await redis.start({ wipe: true });
    worker = await startWorker(api.db.url, api.queuePrefix, { REDIS_URL: redis.url });
    expect(await waitForJob(api, id, (j) => ['COMPLETED', 'FAILED'].includes(j.state), 120_000, worker.output)).toMatchObject({
      state: 'COMPLETED',
    });
    expect(worker.output()).toContain(`re-queued 1 job(s) Redis had lost: ${id}`);
  });
});

describe('PostgreSQL crash under the API', () => {
  let pg: PrivatePostgres;
  let api: ApiHarness;
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    api = await startApi({ db: pg.database });
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  it('answers errors quickly during the outage and recovers by itself afterwards', async () => {
    const query = `{ feeds(first: 5) { totalCount } }`;
    expect((await api.gql(query)).data).toEqual({ feeds: { totalCount: 0 } });
    const { secret } = await api.deps.apiKeys.create('analyst', 'VIEWER', 'test');
    await pg.crash();

    // A key the API has not seen yet is looked up in PostgreSQL while the request's context is built.
    const keyed = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query }),
    });
    const keyedText = await keyed.text();
    expect(keyed.status).toBe(503);
    expect(JSON.parse(keyedText).errors[0].extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' });
    expect(keyedText).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:\d{4}|Context creation/);

    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const down = await api.gql(query);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(down.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' });
    }
    const healthz = await fetch(api.url.replace('/graphql', '/healthz'));
    expect(healthz.status).toBe(503);

    await pg.start();
    const started = Date.now();
    let answer = await api.gql(query);
    while (answer.errors && Date.now() - started < 20_000) {
      await new Promise((r) => setTimeout(r, 200));
      answer = await api.gql(query);
    }
    expect(answer.data).toEqual({ feeds: { totalCount: 0 } });
    expect((await fetch(api.url.replace('/graphql', '/healthz'))).status).toBe(200);
  });
});
