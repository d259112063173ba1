import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { startFeedServer, type FeedServer } from './support/feed-server';
import { waitForJob } from './support/job-polling';
import { freePort } from './support/private-services';
import { sample } from './support/prometheus-text';
import { ADMIN_KEY } from './support/test-env';
import { until } from './support/until';
import { startWorker, type WorkerProcess } from './support/worker-process';

const admin = { key: ADMIN_KEY };
const FEED = `query($name: String!) { feed(name: $name) { id url snapshotCount
  schedule { cron everySeconds paused format nextPullAt }
  lastPull { at outcome snapshotId error } } }`;
const labelled = (rows: string[]) => ['family,domain', ...rows].join('\n');
const V1 = labelled(['banjori,aaaabbbbccccdddd.com', 'banjori,eeeeffffgggghhhh.com', 'necurs,qwpoeiruty.net']);
const V2 = labelled(['banjori,aaaabbbbccccdddd.com', 'necurs,qwpoeiruty.net', 'pykspa,zxcvbnmlkj.org']);

let api: ApiHarness;
let worker: WorkerProcess;
let server: FeedServer;
let metricsPort: number;

const feed = async (name: string) => (await api.gql(FEED, { name })).data!.feed;
const pulls = (name: string, done: (f: any) => boolean) => until(`feed ${name}`, async () => done(await feed(name)), 60_000);

beforeAll(async () => {
  server = await startFeedServer(V1);
  api = await startApi({ env: { FEED_PULL_MIN_INTERVAL_S: 1, FEED_PULL_BACKOFF_MS: 100 } });
  metricsPort = await freePort();
  worker = await startWorker(api.db.url, api.queuePrefix, {
    // The loopback feed server is allowed by address; 127.0.0.2 (loopback too) is not.
    INGEST_URL_ALLOW: '127.0.0.1',
    FEED_PULL_BACKOFF_MS: '100',
    METRICS_PORT: String(metricsPort),
  });
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await server?.close();
});

describe('scheduled feed pulls (BullMQ job schedulers, conditional GET, content hash)', () => {
  it('refuses schedules that are not one valid cron pattern or interval, or lack a URL', async () => {
    const set = (input: Record<string, unknown>) =>
      api.gql(`mutation($i: SetFeedScheduleInput!) { setFeedSchedule(input: $i) { id } }`, { i: input }, admin);
    const reason = async (input: Record<string, unknown>) => (await set(input)).errors?.[0]?.extensions?.reason;
    expect(await reason({ feed: 'x', url: server.url, kind: 'DGA', cron: 'every day' })).toBe('SCHEDULE_INVALID');
    expect(await reason({ feed: 'x', url: server.url, kind: 'DGA', cron: '0 * * * *', everySeconds: 60 })).toBe('SCHEDULE_REQUIRED');
    expect(await reason({ feed: 'x', url: server.url, kind: 'DGA', everySeconds: 0 })).toBe('SCHEDULE_INVALID');
    expect(await reason({ feed: 'x', kind: 'DGA', everySeconds: 5 })).toBe('FEED_URL_MISSING');
    expect(await reason({ feed: 'x', url: 'ftp://example.org/f', kind: 'DGA', everySeconds: 5 })).toBe('SOURCE_URL_INVALID');
    expect(await reason({ feed: 'x', url: server.url, everySeconds: 5 })).toBe('FEED_NOT_FOUND');
    const noKey = await api.gql(`mutation { pullFeedNow(feed: "x") { id } }`);
    expect(noKey.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('pulls on schedule: a new snapshot, then 304s (If-None-Match), then the same content without ETag makes no snapshot', async () => {
    const r = await api.gql(
      `mutation($i: SetFeedScheduleInput!) { setFeedSchedule(input: $i) { name schedule { everySeconds paused nextPullAt } } }`,
      { i: { feed: 'mirror', url: server.url, kind: 'LABELLED', everySeconds: 1, format: 'labelled-csv' } },
      admin,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.setFeedSchedule.schedule).toMatchObject({ everySeconds: 1, paused: false });
    expect(r.data!.setFeedSchedule.schedule.nextPullAt).not.toBeNull();

    await pulls('mirror', (f) => f.lastPull?.outcome === 'NEW_SNAPSHOT');
    const first = await feed('mirror');
    expect(first.snapshotCount).toBe(1);
    expect(first.lastPull.snapshotId).toBeGreaterThan(0);
    expect(first.lastPull.error).toBeNull();

    await pulls('mirror', (f) => f.lastPull?.outcome === 'NOT_MODIFIED');
    expect(server.requests.some((h) => h['if-none-match'] === '"v1"')).toBe(true);

    server.state.etag = false;
    await pulls('mirror', (f) => f.lastPull?.outcome === 'UNCHANGED');
    expect((await feed('mirror')).snapshotCount).toBe(1);

    server.state.body = V2;
    await pulls('mirror', (f) => f.lastPull?.outcome === 'NEW_SNAPSHOT' && f.lastPull.snapshotId !== first.lastPull.snapshotId);
    expect((await feed('mirror')).snapshotCount).toBe(2);
  });

  it('pauses and resumes: a paused schedule has no next pull (no scheduler in Redis)', async () => {
    const paused = await api.gql(`mutation { pauseFeedSchedule(feed: "mirror") { schedule { paused nextPullAt } } }`, {}, admin);
    expect(paused.data!.pauseFeedSchedule.schedule).toEqual({ paused: true, nextPullAt: null });
    expect(await api.deps.queue.nextRun('feed-pull', `feed-${(await feed('mirror')).id}`)).toBeNull();
    const resumed = await api.gql(`mutation { resumeFeedSchedule(feed: "mirror") { schedule { paused nextPullAt } } }`, {}, admin);
    expect(resumed.data!.resumeFeedSchedule.schedule.paused).toBe(false);
    expect(resumed.data!.resumeFeedSchedule.schedule.nextPullAt).not.toBeNull();
    await api.gql(`mutation { pauseFeedSchedule(feed: "mirror") { id } }`, {}, admin);
  });

  it('retries a failing server with backoff, showing the last error on the feed, then succeeds', async () => {
    // A pull the scheduler had already queued when the schedule was paused still runs: let it end first.
    await until(
      'no feed pull queued or running',
      async () => (await api.deps.queue.depth()).filter((d) => d.queue === 'feed-pull' && d.state !== 'failed').every((d) => d.count === 0),
      30_000,
    );
    server.state.etag = true;
    server.state.body = labelled(['banjori,aaaabbbbccccdddd.com', 'pykspa,zxcvbnmlkj.org', 'necurs,mnbvcxzlkjh.net']);
    server.state.failNext = 2;
    const r = await api.gql(`mutation { pullFeedNow(feed: "mirror") { id kind state } }`, {}, admin);
    expect(r.data!.pullFeedNow).toMatchObject({ kind: 'FEED_PULL', state: 'QUEUED' });
    const job = await waitForJob(
      api,
      r.data!.pullFeedNow.id,
      (j) => ['COMPLETED', 'FAILED'].includes(j.state),
      60_000,
      () => worker.output(),
    );
    expect(job.state).toBe('COMPLETED');
    expect(job.attempts).toBe(3);
    expect((await api.gql(`{ job(id: "${job.id}") { result } }`)).data!.job.result).toMatchObject({ outcome: 'NEW_SNAPSHOT' });
    const f = await feed('mirror');
    expect(f.lastPull).toMatchObject({ outcome: 'NEW_SNAPSHOT', error: null });
    expect(f.snapshotCount).toBe(3);
  });

  it('a pull that keeps failing ends FAILED with the error on the feed', async () => {
    server.state.failNext = 100;
    const r = await api.gql(`mutation { pullFeedNow(feed: "mirror") { id } }`, {}, admin);
    const job = await waitForJob(api, r.data!.pullFeedNow.id, (j) => ['COMPLETED', 'FAILED'].includes(j.state), 60_000);
    server.state.failNext = 0;
    expect(job.state).toBe('FAILED');
    expect(job.attempts).toBe(4); // FEED_PULL_ATTEMPTS
    const f = await feed('mirror');
    expect(f.lastPull.outcome).toBe('FAILED');
    expect(f.lastPull.error).toMatch(/HTTP 500.*no retry left/);
  });

  it('applies the URL rules: an internal address not in INGEST_URL_ALLOW is refused, without retries', async () => {
    const blockedUrl = server.url.replace('127.0.0.1', '127.0.0.2');
    await api.gql(
      `mutation($i: SetFeedScheduleInput!) { setFeedSchedule(input: $i) { id } }`,
      { i: { feed: 'internal', url: blockedUrl, kind: 'DGA', cron: '0 0 1 1 *' } },
      admin,
    );
    const r = await api.gql(`mutation { pullFeedNow(feed: "internal") { id } }`, {}, admin);
    const job = await waitForJob(api, r.data!.pullFeedNow.id, (j) => ['COMPLETED', 'FAILED'].includes(j.state), 60_000);
    expect(job.state).toBe('FAILED');
    expect(job.attempts).toBe(1);
    const f = await feed('internal');
    expect(f.lastPull.outcome).toBe('FAILED');
    expect(f.lastPull.error).toMatch(/internal address.*INGEST_URL_ALLOW/);
    expect(f.snapshotCount).toBe(0);
  });

  it('runs the retention job on request and deletes a snapshot through GraphQL (admin only)', async () => {
    const r = await api.gql(`mutation { runRetention { id kind } }`, {}, admin);
    expect(r.data!.runRetention.kind).toBe('RETENTION');
    const job = await waitForJob(api, r.data!.runRetention.id, (j) => ['COMPLETED', 'FAILED'].includes(j.state), 60_000);
    expect(job.state).toBe('COMPLETED');
    const settings = await api.gql(`{ retention { maxAgeDays keepJobsPerSnapshot cron nextRunAt } }`);
    expect(settings.data!.retention).toMatchObject({ maxAgeDays: 90, keepJobsPerSnapshot: 5, cron: '30 3 * * *' });
    expect(settings.data!.retention.nextRunAt).not.toBeNull(); // the worker scheduled it
    const f = await feed('mirror');
    const denied = await api.gql(`mutation($id: Int!) { deleteSnapshot(id: $id) { id } }`, { id: f.lastPull.snapshotId });
    expect(denied.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const d = await api.gql(
      `mutation($id: Int!) { deleteSnapshot(id: $id) { id predictionsDeleted } }`,
      { id: f.lastPull.snapshotId },
      admin,
    );
    expect(d.data!.deleteSnapshot).toEqual({ id: f.lastPull.snapshotId, predictionsDeleted: 0 });
    const after = await feed('mirror');
    expect(after.snapshotCount).toBe(f.snapshotCount - 1);
    expect(after.lastPull.snapshotId).toBeNull();
  });

  it('exposes Prometheus metrics on the API and on the worker', async () => {
    const apiMetrics = await (await fetch(api.url.replace('/graphql', '/metrics'))).text();
    const api_ = (name: string, labels: Record<string, string>) => sample(apiMetrics, name, { ...labels, process: 'api' });
    expect(
      api_('dgascope_graphql_operation_duration_seconds_count', { operation: 'anonymous', type: 'mutation', outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(api_('dgascope_graphql_operation_duration_seconds_count', { type: 'mutation', outcome: 'error' })).toBeGreaterThan(0);
    expect(api_('dgascope_http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status: '200' })).toBeGreaterThan(0);
    expect(api_('dgascope_queue_jobs', { queue: 'feed-pull', state: 'waiting' })).toBeGreaterThanOrEqual(0);
    expect(api_('dgascope_promoted_model_id', {})).toBe(0);
    const workerMetrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const worker_ = (name: string, labels: Record<string, string>) => sample(workerMetrics, name, { ...labels, process: 'worker' });
    expect(worker_('dgascope_jobs_total', { kind: 'FEED_PULL', outcome: 'completed' })).toBeGreaterThan(0);
    expect(worker_('dgascope_jobs_total', { kind: 'FEED_PULL', outcome: 'retrying' })).toBeGreaterThan(0);
    expect(worker_('dgascope_jobs_total', { kind: 'FEED_PULL', outcome: 'failed' })).toBeGreaterThan(0);
    expect(worker_('dgascope_feed_pulls_total', { outcome: 'NOT_MODIFIED' })).toBeGreaterThan(0);
    expect(worker_('dgascope_ingested_rows_total', { feed_kind: 'LABELLED' })).toBeGreaterThan(0);
    expect(worker_('dgascope_job_duration_seconds_count', { kind: 'FEED_PULL', outcome: 'completed' })).toBeGreaterThan(0);
  });
});
