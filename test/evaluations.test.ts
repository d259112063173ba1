import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { ensureBackend, type ClassifyResult } from '@dgascope/ml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { startTraining, waitForJob } from './support/job-polling';
import { ADMIN_KEY, SHARED_DATA } from './support/test-env';
import { until } from './support/until';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';
import { startWorker, type WorkerProcess } from './support/worker-process';

// Evaluation jobs (issue 14): a model evaluated on a later labelled snapshot, automatically after
// ingestion for the promoted model and on demand for any pair; every number checked against the
// model's own classify() answers counted here, independently of the job's code.

let api: ApiHarness;
let worker: WorkerProcess;
let receiver: WebhookReceiver;
let modelId: number;
let laterSnapshot: number;
let afterIngest: Array<{ hook: string; ok: boolean; message: string }>;
const admin = { key: ADMIN_KEY };

const baderj = gunzipSync(readFileSync(path.join(SHARED_DATA, 'dga/baderj-examples.csv.gz')))
  .toString('utf8')
  .split('\n')
  .slice(1);
const domainsOf = (family: string, from: number, to: number) =>
  baderj
    .filter((r) => r.startsWith(`${family},`))
    .slice(from, to)
    .map((r) => r.split(',')[2]!);
const benignNames = gunzipSync(readFileSync(path.join(SHARED_DATA, 'benign/alexa-top100k-2015.csv.gz')))
  .toString('utf8')
  .split('\n')
  .map((l) => l.split(',')[1]!)
  .filter(Boolean);

const KNOWN = ['banjori', 'pykspa', 'necurs'];
/** The later snapshot: 40 trained-on and 40 fresh domains of each known family, 30 of a family the model never saw, benign names. */
const later: Array<{ family: string; domain: string; trainedOn: boolean }> = [
  ...KNOWN.flatMap((f) => [
    ...domainsOf(f, 0, 40).map((domain) => ({ family: f, domain, trainedOn: true })),
    ...domainsOf(f, 150, 190).map((domain) => ({ family: f, domain, trainedOn: false })),
  ]),
  ...domainsOf('simda', 0, 30).map((domain) => ({ family: 'simda', domain, trainedOn: false })),
  ...benignNames.slice(0, 20).map((domain) => ({ family: 'benign', domain, trainedOn: true })),
  ...benignNames.slice(600, 630).map((domain) => ({ family: 'benign', domain, trainedOn: false })),
];

const ingest = (rows: string[], feed: string, fileName: string) =>
  api.deps.ingestion.ingest({ feed, source: { kind: 'stream', stream: Readable.from([Buffer.from(rows.join('\n'))]), fileName } });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  api = await startApi();
  // The worker runs the evaluation and sends the alert it raises to the loopback receiver.
  worker = await startWorker(api.db.url, api.queuePrefix, { INGEST_URL_ALLOW: '127.0.0.1', METRICS_PORT: '0' });
  const training = [
    'family,domain',
    ...KNOWN.flatMap((f) => domainsOf(f, 0, 150).map((d) => `${f},${d}`)),
    ...benignNames.slice(0, 450).map((d) => `benign,${d}`),
  ];
  const trainSnapshot = (await ingest(training, 'labelled', 'train.csv')).snapshotId;
  const job = await startTraining(api, [trainSnapshot], { epochs: 3 });
  const done = await waitForJob(api, job.data!.startTraining.id, (j) => ['COMPLETED', 'FAILED'].includes(j.state), 180_000, worker.output);
  expect(done.state).toBe('COMPLETED');
  modelId = done.modelId!;
  expect((await api.gql(`mutation($id: Int!) { promoteModel(id: $id) { id } }`, { id: modelId }, admin)).errors).toBeUndefined();
  // MODEL_QUALITY at 1 fires on any imperfect model, at 0 never: both are checked below.
  const created = await api.gql(
    `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { secret webhook { id } } }`,
    { i: { name: 'quality', url: receiver.url, format: 'JSON' } },
    admin,
  );
  receiver.secret = created.data!.createWebhook.secret;
  for (const threshold of [1, 0]) {
    const rule = await api.gql(
      `mutation($i: AddAlertRuleInput!) { addAlertRule(input: $i) { id } }`,
      { i: { webhookId: created.data!.createWebhook.webhook.id, kind: 'MODEL_QUALITY', threshold } },
      admin,
    );
    expect(rule.errors).toBeUndefined();
  }
  const outcome = await ingest(['family,domain', ...later.map((r) => `${r.family},${r.domain}`)], 'labelled', 'later.csv');
  laterSnapshot = outcome.snapshotId;
  afterIngest = outcome.afterIngest;
}, 240_000);
afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await receiver?.close();
});

const EVALUATION = `query($m: Int, $s: Int) { evaluations(modelId: $m, snapshotId: $s) {
  id modelId snapshotId jobId domains trainedOnDomains freshDomains unknownToModelDomains invalidDomains
  macroF1 flaggedRate benignFlaggedRate unknownFamilyRate
  detection { dgaDomains flagged flaggedRate benignDomains benignFlagged benignFlaggedRate }
  overall { n macro { f1 } perFamily { family precision recall f1 support } confusion { labels counts } unknownFamily }
  trainedOn { n macro { f1 } perFamily { family f1 support } }
  fresh { n macro { f1 } perFamily { family f1 support } }
  unknownFamilies { family domains flaggedRate unknownFamilyRate wrongFamilyRate assignedTo { family share examples } }
  snapshot { id } model { id }
} }`;

/** Per-family precision/recall/F1 and their macro average over the families present, from (true, answered) pairs. */
function f1s(pairs: Array<{ truth: string; answer: string }>) {
  const families = [...new Set(pairs.map((p) => p.truth))].sort();
  const per = families.map((family) => {
    const tp = pairs.filter((p) => p.truth === family && p.answer === family).length;
    const predicted = pairs.filter((p) => p.answer === family).length;
    const support = pairs.filter((p) => p.truth === family).length;
    const precision = predicted ? tp / predicted : 0;
    const recall = tp / support;
    return { family, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  return { per, macro: per.reduce((a, f) => a + f.f1, 0) / per.length };
}

describe('evaluation jobs (real worker, real Redis, numbers counted independently)', () => {
  let evaluation: any;
  let answers: Map<string, Extract<ClassifyResult, { ok: true }>>;

  it('the post-ingest hook queues an evaluation of the promoted model on a new labelled snapshot', async () => {
    expect(afterIngest).toEqual([
      {
        hook: 'evaluate-promoted-model',
        ok: true,
        message: expect.stringMatching(new RegExp(`^evaluation of model ${modelId} on snapshot ${laterSnapshot} queued \\(job .+\\)$`)),
      },
      // MODEL_QUALITY needs the evaluation: nothing yet.
      { hook: 'alerts', ok: true, message: '0 alert(s) queued' },
      { hook: 'metrics', ok: true, message: `counted ${later.length} rows` },
    ]);
    const jobId = /job (.+)\)$/.exec(afterIngest[0]!.message)![1]!;
    const job = await waitForJob(api, jobId, (j) => ['COMPLETED', 'FAILED'].includes(j.state), 120_000, worker.output);
    expect(job).toMatchObject({ state: 'COMPLETED', kind: 'EVALUATION', modelId });
    const r = await api.gql(EVALUATION, { m: modelId, s: laterSnapshot });
    expect(r.errors).toBeUndefined();
    expect(r.data!.evaluations).toHaveLength(1);
    evaluation = r.data!.evaluations[0];
    expect(evaluation).toMatchObject({
      modelId,
      snapshotId: laterSnapshot,
      jobId,
      snapshot: { id: laterSnapshot },
      model: { id: modelId },
    });

    await ensureBackend({ backend: 'wasm' });
    const model = await api.deps.models.load(modelId);
    try {
      answers = new Map(model.classify(later.map((r) => r.domain)).map((a) => [a.domain, a as Extract<ClassifyResult, { ok: true }>]));
    } finally {
      model.dispose();
    }
  });

  it('the finished evaluation raises MODEL_QUALITY: one signed alert with its numbers, only from the rule it falls under', async () => {
    await until('a model-quality alert', async () => receiver.received.length >= 1);
    const alert = receiver.received[0]!;
    expect(alert.signatureValid).toBe(true);
    expect(alert.headers['x-dgascope-event']).toBe('model-quality');
    expect(alert.body).toMatchObject({
      event: 'model-quality',
      snapshot: { id: laterSnapshot },
      rule: { kind: 'MODEL_QUALITY', threshold: 1 },
      details: { modelId, evaluationId: evaluation.id, macroF1: evaluation.macroF1, flaggedRate: evaluation.flaggedRate },
    });
    expect(evaluation.macroF1).toBeLessThan(1);
    expect(alert.body.details.below).toContain('macro-F1');
    // Raised again (as the hook would be), it is not sent twice; the 0 rule never fires.
    expect(
      await api.deps.alerts.raiseFor(laterSnapshot, { evaluation: { modelId, evaluationId: evaluation.id, macroF1: 0, flaggedRate: 0 } }),
    ).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(1);
  });

  it('counts the listings: trained on, fresh, of families the model does not know', () => {
    const known = later.filter((r) => r.family !== 'simda');
    expect(evaluation).toMatchObject({
      domains: later.length,
      trainedOnDomains: known.filter((r) => r.trainedOn).length,
      freshDomains: known.filter((r) => !r.trainedOn).length,
      unknownToModelDomains: 30,
      invalidDomains: 0,
    });
  });

  it('per-family metrics, macro-F1 and the confusion matrix match the model answers counted here', () => {
    const answer = (d: string) => {
      const a = answers.get(d)!;
      return a.verdict === 'benign' ? 'benign' : a.unknownFamily ? 'unknownFamily' : a.family;
    };
    const known = later.filter((r) => r.family !== 'simda');
    const pairs = (rows: typeof later) => rows.map((r) => ({ truth: r.family, answer: answer(r.domain) }));
    for (const [metrics, rows] of [
      [evaluation.overall, known],
      [evaluation.trainedOn, known.filter((r) => r.trainedOn)],
      [evaluation.fresh, known.filter((r) => !r.trainedOn)],
    ] as const) {
      const expected = f1s(pairs(rows));
      expect(metrics.n).toBe(rows.length);
      expect(metrics.macro.f1).toBeCloseTo(expected.macro, 10);
      const got = new Map(metrics.perFamily.filter((f: any) => f.support > 0).map((f: any) => [f.family, f]));
      for (const f of expected.per) expect(got.get(f.family)).toMatchObject({ f1: expect.closeTo(f.f1, 10), support: f.support });
    }
    expect(evaluation.macroF1).toBeCloseTo(f1s(pairs(known)).macro, 10);
    // confusion[true][answered] over the answers that name a class
    const { labels, counts } = evaluation.overall.confusion;
    for (const [i, t] of labels.entries())
      for (const [j, p] of labels.entries())
        expect(counts[i][j], `${t} → ${p}`).toBe(pairs(known).filter((x) => x.truth === t && x.answer === p).length);
    const unknownAnswers = pairs(known).filter((x) => x.answer === 'unknownFamily');
    expect(evaluation.overall.unknownFamily).toBe(unknownAnswers.length);
    expect(evaluation.unknownFamilyRate).toBeCloseTo(unknownAnswers.length / known.filter((r) => r.family !== 'benign').length, 10);
  });

  it('binary view: the share of DGA listings flagged (every family) and of benign listings flagged', () => {
    const dga = later.filter((r) => r.family !== 'benign');
    const benign = later.filter((r) => r.family === 'benign');
    const flagged = (rows: typeof later) => rows.filter((r) => answers.get(r.domain)!.verdict === 'dga').length;
    expect(evaluation.detection).toEqual({
      dgaDomains: dga.length,
      flagged: flagged(dga),
      flaggedRate: flagged(dga) / dga.length,
      benignDomains: benign.length,
      benignFlagged: flagged(benign),
      benignFlaggedRate: flagged(benign) / benign.length,
    });
    expect(evaluation.flaggedRate).toBe(evaluation.detection.flaggedRate);
    expect(evaluation.benignFlaggedRate).toBe(evaluation.detection.benignFlaggedRate);
  });

  it("the model's view of a family it does not know: flagged, unknown family, what it was taken for, with samples", () => {
    const simda = later.filter((r) => r.family === 'simda').map((r) => answers.get(r.domain)!);
    const taken = new Map<string, string[]>();
    for (const a of simda) {
      const as = a.verdict === 'benign' ? 'benign' : a.unknownFamily ? 'unknownFamily' : a.family;
      taken.set(as, [...(taken.get(as) ?? []), a.domain]);
    }
    const [view] = evaluation.unknownFamilies;
    expect(evaluation.unknownFamilies).toHaveLength(1);
    expect(view).toMatchObject({
      family: 'simda',
      domains: 30,
      flaggedRate: expect.closeTo(simda.filter((a) => a.verdict === 'dga').length / 30, 10),
      unknownFamilyRate: expect.closeTo(simda.filter((a) => a.unknownFamily).length / 30, 10),
      wrongFamilyRate: expect.closeTo(simda.filter((a) => a.verdict === 'dga' && !a.unknownFamily).length / 30, 10),
    });
    const top = [...taken].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
    expect(view.assignedTo.map((x: any) => [x.family, x.share])).toEqual(top.slice(0, 5).map(([f, ds]) => [f, ds.length / 30]));
    for (const x of view.assignedTo) {
      expect(x.examples.length).toBe(Math.min(5, taken.get(x.family)!.length));
      for (const d of x.examples) expect(taken.get(x.family)).toContain(d);
    }
  });

  it('startEvaluation runs any model/snapshot pair on demand, replaces the earlier result, and refuses what cannot run', async () => {
    const started = await api.gql(
      `mutation($s: Int!, $m: Int) { startEvaluation(snapshotId: $s, modelId: $m) { id kind state } }`,
      { s: laterSnapshot, m: modelId },
      admin,
    );
    expect(started.errors).toBeUndefined();
    expect(started.data!.startEvaluation).toMatchObject({ kind: 'EVALUATION', state: 'QUEUED' });
    const again = await api.gql(`mutation($s: Int!) { startEvaluation(snapshotId: $s) { id } }`, { s: laterSnapshot }, admin);
    // the same pair already queued: the same job, not a second one
    expect(again.data!.startEvaluation.id).toBe(started.data!.startEvaluation.id);
    await waitForJob(api, started.data!.startEvaluation.id, (j) => j.state === 'COMPLETED', 120_000, worker.output);
    const r = await api.gql(EVALUATION, { m: modelId });
    expect(r.data!.evaluations).toHaveLength(1);
    expect(r.data!.evaluations[0]).toMatchObject({ ...evaluation, jobId: started.data!.startEvaluation.id, id: evaluation.id });
    // the job links to what it stored
    const job = await api.gql<{ job: { evaluationId: number | null } }>(`query($id: String!) { job(id: $id) { evaluationId } }`, {
      id: started.data!.startEvaluation.id,
    });
    expect(job.data!.job.evaluationId).toBe(evaluation.id);

    const missing = await api.gql(`mutation { startEvaluation(snapshotId: 424242) { id } }`, {}, admin);
    expect(missing.errors![0]!.extensions).toMatchObject({ reason: 'SNAPSHOT_NOT_FOUND' });
    const noModel = await api.gql(
      `mutation($s: Int!) { startEvaluation(snapshotId: $s, modelId: 424242) { id } }`,
      { s: laterSnapshot },
      admin,
    );
    expect(noModel.errors![0]!.extensions).toMatchObject({ reason: 'MODEL_NOT_FOUND' });
  });

  it('a benign snapshot is not evaluated by the hook, and says why', async () => {
    const outcome = await ingest(benignNames.slice(2000, 2050), 'top', 'top.txt');
    expect(outcome.afterIngest).toEqual([
      { hook: 'evaluate-promoted-model', ok: true, message: 'skipped: benign snapshot' },
      { hook: 'alerts', ok: true, message: 'skipped: benign snapshot' },
      { hook: 'metrics', ok: true, message: 'counted 50 rows' },
    ]);
  });
});
