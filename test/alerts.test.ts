import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { ADMIN_KEY } from './support/test-env';
import { until } from './support/until';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';
import { startWorker, type WorkerProcess } from './support/worker-process';

const admin = { key: ADMIN_KEY };
let api: ApiHarness;
let worker: WorkerProcess;
let hook: WebhookReceiver;
let slack: WebhookReceiver;
let hookId: number;

const rows = (counts: Record<string, number>) =>
  [
    'family,domain',
    ...Object.entries(counts).flatMap(([family, n]) => Array.from({ length: n }, (_, i) => `${family},${family}${i}abcdefgh.com`)),
  ].join('\n');
const ingest = (feed: string, text: string, feedKind: 'DGA' | 'BENIGN' = 'DGA', takenAt?: string) =>
  api.deps.ingestion.ingest({
    feed,
    feedKind,
    format: feedKind === 'DGA' ? 'labelled-csv' : 'plain-list',
    ...(takenAt ? { takenAt: new Date(takenAt) } : {}),
    source: { kind: 'stream', stream: Readable.from([Buffer.from(text)]), fileName: 'feed.csv' },
  });
const DELIVERIES = `query { webhooks { id name rules { id kind threshold } deliveries(first: 50) { totalCount nodes { id event snapshotId state attempts responseStatus error payload } } } }`;
const deliveries = async (name: string) =>
  ((await api.gql(DELIVERIES, {}, admin)).data!.webhooks as any[]).find((w) => w.name === name).deliveries.nodes as any[];

async function createWebhook(name: string, url: string, format: 'JSON' | 'SLACK') {
  const r = await api.gql(
    `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { secret webhook { id name format enabled } } }`,
    { i: { name, url, format } },
    admin,
  );
  expect(r.errors).toBeUndefined();
  return r.data!.createWebhook as { secret: string; webhook: { id: number } };
}
const addRule = (webhookId: number, kind: string, threshold?: number, feed?: string) =>
  api.gql(
    `mutation($i: AddAlertRuleInput!) { addAlertRule(input: $i) { id kind threshold feedId } }`,
    { i: { webhookId, kind, threshold, feed } },
    admin,
  );

beforeAll(async () => {
  [hook, slack] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
  // Retries are set where a delivery is queued: here, the API that stores the snapshots.
  api = await startApi({ env: { WEBHOOK_BACKOFF_MS: 100, WEBHOOK_ATTEMPTS: 3 } });
  worker = await startWorker(api.db.url, api.queuePrefix, {
    INGEST_URL_ALLOW: '127.0.0.1',
    METRICS_PORT: '0',
  });
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await hook?.close();
  await slack?.close();
});

describe('alerts after a new DGA snapshot: rules, signed webhooks, retries, delivery log', () => {
  it('creates webhooks (secret shown once) and checks rules', async () => {
    const created = await createWebhook('soc', hook.url, 'JSON');
    hook.secret = created.secret;
    hookId = created.webhook.id;
    expect(created.secret.length).toBeGreaterThanOrEqual(32);
    const s = await createWebhook('slack', slack.url, 'SLACK');
    slack.secret = s.secret;
    expect((await addRule(hookId, 'NEW_FAMILY')).errors).toBeUndefined();
    expect((await addRule(hookId, 'SHARE_CHANGE', 10)).data!.addAlertRule).toMatchObject({ kind: 'SHARE_CHANGE', threshold: 10 });
    expect((await addRule(s.webhook.id, 'NEW_FAMILY')).errors).toBeUndefined();
    expect((await addRule(hookId, 'SHARE_CHANGE')).errors![0]!.extensions!.reason).toBe('ALERT_RULE_THRESHOLD');
    expect((await addRule(hookId, 'NEW_FAMILY', 3)).errors![0]!.extensions!.reason).toBe('ALERT_RULE_THRESHOLD');
    expect((await addRule(hookId, 'NOPE')).errors![0]!.extensions!.reason).toBe('ALERT_RULE_KIND');
    expect((await addRule(hookId, 'NEW_FAMILY', undefined, 'no-such-feed')).errors![0]!.extensions!.reason).toBe('FEED_NOT_FOUND');
    const viewer = await api.gql(`{ webhooks { id } }`);
    expect(viewer.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const kinds = await api.gql(`{ alertRuleKinds { kind threshold } }`);
    expect(kinds.data!.alertRuleKinds.map((k: { kind: string }) => k.kind)).toEqual(['NEW_FAMILY', 'SHARE_CHANGE', 'MODEL_QUALITY']);
  });

  it('says nothing about a feed’s first snapshot, then alerts on a new family and a share change, signed', async () => {
    await ingest('bambenek', rows({ banjori: 50, necurs: 50 }), 'DGA', '2026-11-01');
    expect(await deliveries('soc')).toEqual([]);
    // banjori 50 % → 30 %, necurs 50 % → 40 %, pykspa new at 30 %
    const second = await ingest('bambenek', rows({ banjori: 30, necurs: 40, pykspa: 30 }), 'DGA', '2026-11-02');
    await until('two deliveries to soc and one to slack', async () => hook.received.length >= 2 && slack.received.length >= 1);
    expect(hook.received.every((r) => r.signatureValid)).toBe(true);
    expect(slack.received.every((r) => r.signatureValid)).toBe(true);
    const newFamily = hook.received.find((r) => r.body.event === 'new-family')!;
    expect(newFamily.headers['x-dgascope-event']).toBe('new-family');
    expect(newFamily.body).toMatchObject({
      feed: { name: 'bambenek' },
      snapshot: { id: second.snapshotId },
      rule: { kind: 'NEW_FAMILY' },
      details: { families: [{ family: 'pykspa', count: 30 }] },
    });
    const share = hook.received.find((r) => r.body.event === 'share-change')!;
    expect(share.body.details.families.map((f: { family: string }) => f.family).sort()).toEqual(['banjori', 'pykspa']);
    expect(share.body.lines.join('\n')).toMatch(/banjori: 50\.00 % → 30\.00 %/);
    expect(slack.received[0]!.body).toMatchObject({
      text: expect.stringMatching(/1 new family in bambenek/),
      blocks: [{ type: 'section' }],
    });
    const log = await deliveries('soc');
    expect(log).toHaveLength(2);
    expect(log.every((d) => d.state === 'DELIVERED' && d.attempts === 1 && d.responseStatus === 204)).toBe(true);
    // The same snapshot's alerts are raised once, however often the pipeline runs.
    expect(await api.deps.alerts.raiseFor(second.snapshotId)).toBe(0);
  });

  it('retries a failing receiver with backoff and logs each attempt; benign snapshots raise nothing', async () => {
    await ingest('top', 'google.com\nexample.org\n', 'BENIGN');
    hook.failNext = 2;
    const before = hook.received.length;
    await ingest('bambenek', rows({ banjori: 30, necurs: 40, pykspa: 20, matsnu: 10 }), 'DGA', '2026-11-03');
    await until('the retried delivery', async () => (await deliveries('soc')).some((d) => d.state === 'DELIVERED' && d.attempts === 3));
    const retried = (await deliveries('soc')).find((d) => d.attempts === 3)!;
    expect(retried).toMatchObject({ event: 'new-family', responseStatus: 204, error: null });
    expect(hook.received.length).toBe(before + 1);
    expect(hook.received.at(-1)!.signatureValid).toBe(true);
  });

  it('marks a delivery failed after its last attempt; internal addresses follow INGEST_URL_ALLOW', async () => {
    const internal = await createWebhook('internal', hook.url.replace('127.0.0.1', '127.0.0.2'), 'JSON');
    const r = await api.gql(`mutation($id: Int!) { testWebhook(id: $id) { id event state } }`, { id: internal.webhook.id }, admin);
    expect(r.data!.testWebhook).toMatchObject({ event: 'test', state: 'PENDING' });
    await until('the failed delivery', async () => (await deliveries('internal')).some((d) => d.state === 'FAILED'));
    const failed = (await deliveries('internal'))[0];
    expect(failed.attempts).toBe(3);
    expect(failed.error).toMatch(/internal address.*no retry left/);

    const ok = await api.gql(`mutation($id: Int!) { testWebhook(id: $id) { id } }`, { id: hookId }, admin);
    await until('the test delivery', async () => hook.received.some((x) => x.body.event === 'test'));
    expect(ok.errors).toBeUndefined();
  });

  it('a disabled webhook gets nothing; deleting a webhook removes its rules and log', async () => {
    await api.gql(`mutation($id: Int!) { updateWebhook(id: $id, input: { enabled: false }) { enabled } }`, { id: hookId }, admin);
    const count = (await deliveries('soc')).length;
    const slackBefore = (await deliveries('slack')).length;
    const s = await ingest('bambenek', rows({ banjori: 10, necurs: 10, suppobox: 80 }), 'DGA', '2026-11-04');
    expect((await deliveries('slack')).length).toBe(slackBefore + 1);
    expect((await deliveries('soc')).length).toBe(count);
    expect((await deliveries('slack'))[0].snapshotId).toBe(s.snapshotId);
    const del = await api.gql(`mutation($id: Int!) { deleteWebhook(id: $id) { id } }`, { id: hookId }, admin);
    expect(del.errors).toBeUndefined();
    expect(((await api.gql(DELIVERIES, {}, admin)).data!.webhooks as any[]).map((w) => w.name)).not.toContain('soc');
    expect(count).toBeGreaterThan(0);
  });
});
