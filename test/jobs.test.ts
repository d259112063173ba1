import path from 'node:path';
import { Readable } from 'node:stream';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isNonNullType,
  isObjectType,
  type GraphQLNamedType,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { ADMIN_KEY, SHARED_DATA } from './support/test-env';
import { tinyData } from './support/tiny-data';
import { startWorker, type WorkerProcess } from './support/worker-process';

let api: ApiHarness;
let worker: WorkerProcess;
let dgaSnapshot: number;
let benignSnapshot: number;
let bigSnapshot: number;

const admin = { key: ADMIN_KEY };
const JOB = `query($id: String!) { job(id: $id) { id kind state error attempts backend modelId result progress { stage fraction epoch epochs loss samplesPerSec etaSeconds processed total } } }`;
// the paper's LSTM, tiny: the default preset (a CNN) is trained tiny in verdicts.test.ts
const TINY_TRAINING = { preset: 'endgame-2016', epochs: 3, embeddingDim: 16, lstmUnits: 16, batchSize: 64, earlyStoppingPatience: 0 };

async function waitFor(id: string, states: string[], timeoutMs = 120_000, onPoll?: (job: any) => void): Promise<any> {
  const started = Date.now();
  for (;;) {
    const r = await api.gql(JOB, { id });
    const job = r.data!.job;
    onPoll?.(job);
    if (states.includes(job.state)) return job;
    if (Date.now() - started > timeoutMs)
      throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms: ${JSON.stringify(job)}\n${worker?.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function train(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await api.gql(
    `mutation($input: StartTrainingInput!) { startTraining(input: $input) { id state kind } }`,
    { input: { snapshotIds: [dgaSnapshot, benignSnapshot], ...TINY_TRAINING, ...extra } },
    admin,
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.startTraining).toMatchObject({ state: 'QUEUED', kind: 'TRAINING' });
  return r.data!.startTraining.id;
}

beforeAll(async () => {
  api = await startApi({ classifyMax: 50 });
  const data = tinyData();
  const ingest = (text: string, feed: string, fileName: string) =>
    api.deps.ingestion.ingest({ feed, source: { kind: 'stream', stream: Readable.from([Buffer.from(text)]), fileName } });
  dgaSnapshot = (await ingest(data.dga, 'labelled', 'dga.csv')).snapshotId;
  benignSnapshot = (await ingest(data.benign, 'alexa', 'top.csv')).snapshotId;
  bigSnapshot = (
    await api.deps.ingestion.ingest({
      feed: 'umbrella',
      source: { kind: 'path', path: path.join(SHARED_DATA, 'benign/umbrella-top100k-2026-07-06.txt.gz') },
    })
  ).snapshotId;
  worker = await startWorker(api.db.url, api.queuePrefix);
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

describe('training and classification jobs (real Redis, real worker process)', () => {
  let firstModel: number;

  it('trains a tiny model end to end: queued → progress → a ready model with its evaluation', async () => {
    const id = await train();
    let sawProgress = false;
    const job = await waitFor(id, ['COMPLETED', 'FAILED'], 120_000, (j) => {
      if (j.state === 'ACTIVE' && j.progress?.stage === 'training') sawProgress = true;
    });
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ state: 'COMPLETED', backend: 'wasm', attempts: 1 });
    expect(job.progress).toMatchObject({ stage: 'training', epochs: 3 });
    expect(sawProgress || job.progress.epoch === 3).toBe(true);
    firstModel = job.modelId;
    const m = await api.gql(
      `query($id: Int!) { model(id: $id) { status labels snapshotIds backend trainingSamples dataFingerprint preset loss
        decision { dgaThreshold targetBenignFpr calibrationBenign noveltyMethod noveltyThreshold targetRejectRate }
        metrics { accuracy macro { f1 } micro { f1 } perFamily { family f1 support } confusion { labels counts } binary { auc tprAtFpr1e3 roc { fpr tpr } } misclassified { domain trueFamily predictedFamily probability }
          benignFlaggedRate unknownFamilyRate unknownFamily } } }`,
      { id: firstModel },
    );
    const model = m.data!.model;
    expect(model).toMatchObject({
      status: 'READY',
      labels: ['banjori', 'benign', 'necurs', 'pykspa'],
      snapshotIds: [dgaSnapshot, benignSnapshot],
      backend: 'wasm',
      preset: 'endgame-2016',
      loss: 'cross-entropy',
      decision: { targetBenignFpr: 0.001, noveltyMethod: 'mahalanobis', targetRejectRate: 0.01 },
    });
    expect(model.decision.dgaThreshold).toBeGreaterThanOrEqual(0.5);
    expect(model.decision.calibrationBenign).toBeGreaterThan(0);
    // the tiny data has fewer than 99 validation DGA names: a 1 % rejection rate cannot be promised,
    // so the model never answers "unknown family" (decision.ts rejectThreshold)
    expect(model.decision.noveltyThreshold).toBeNull();
    expect(model.metrics.unknownFamilyRate).toBe(0);
    expect(model.metrics.benignFlaggedRate).toBeGreaterThanOrEqual(0);
    expect(model.metrics.unknownFamilyRate).toBeGreaterThanOrEqual(0);
    expect(model.metrics.perFamily).toHaveLength(4);
    expect(model.metrics.confusion.counts).toHaveLength(4);
    const testSize = model.metrics.perFamily.reduce((s: number, f: { support: number }) => s + f.support, 0);
    // answers of "unknown family" have no column in the confusion matrix
    expect(model.metrics.confusion.counts.flat().reduce((s: number, n: number) => s + n, 0)).toBe(testSize - model.metrics.unknownFamily);
    expect(model.metrics.binary.auc).toBeGreaterThan(0.5);
    expect(model.dataFingerprint).toMatch(/\w+/);
  });

  it('answers every field of model for a trained model: each stored metric fits the schema', async () => {
    const { data } = await api.gql(getIntrospectionQuery());
    const schema = buildClientSchema(data as unknown as IntrospectionQuery);
    // Every field reachable from Model, each type once per path; fields that need arguments are skipped.
    const selection = (type: GraphQLNamedType, path: string[]): string => {
      if (!isObjectType(type)) return '';
      const fields = Object.values(type.getFields())
        .filter((f) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined))
        .map((f) => {
          const inner = getNamedType(f.type);
          if (!isObjectType(inner)) return f.name;
          if (path.includes(inner.name) || path.length >= 6) return '';
          const sub = selection(inner, [...path, inner.name]);
          return sub ? `${f.name} ${sub}` : '';
        })
        .filter(Boolean);
      return `{ ${fields.join(' ')} }`;
    };
    const query = `query($id: Int!) { model(id: $id) ${selection(schema.getType('Model')!, ['Model'])} }`;
    expect(query).toMatch(/roc \{ fpr tpr threshold \}/);
    const r = await api.gql(query, { id: firstModel });
    expect(r.errors).toBeUndefined();
    const roc = r.data!.model.metrics.binary.roc as Array<{ threshold: number | null }>;
    expect(roc.length).toBeGreaterThan(1);
    expect(roc[0]!.threshold).toBeNull(); // the curve's start: above every score
    expect(roc.slice(1).every((p) => typeof p.threshold === 'number')).toBe(true);
  });

  it('classify needs a promoted model; promotion makes the API use it', async () => {
    const before = await api.gql(`{ classify(domains: ["google.com"]) { family } }`);
    expect(before.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'NO_PROMOTED_MODEL' });
    const promoted = await api.gql(`mutation($id: Int!) { promoteModel(id: $id) { id status promotedAt } }`, { id: firstModel }, admin);
    expect(promoted.data!.promoteModel.status).toBe('PROMOTED');
    const r = await api.gql(
      `{ classify(domains: ["Google.COM.", "earnestnessbiophysicalohax.com", "not a domain"]) { domain error normalized verdict family probability nearestFamily dgaScore novelty unknownFamily top3 { family probability } modelId } }`,
    );
    const [google, banjori, bad] = r.data!.classify;
    expect(google).toMatchObject({ domain: 'Google.COM.', normalized: 'google.com', error: null, modelId: firstModel });
    expect(google.top3).toHaveLength(3);
    expect(google.probability).toBeGreaterThan(0);
    expect(banjori.dgaScore).toBeGreaterThanOrEqual(0);
    expect(['BENIGN', 'DGA']).toContain(banjori.verdict);
    expect(banjori.nearestFamily).toMatch(/banjori|necurs|pykspa/);
    expect(bad).toMatchObject({ error: expect.stringMatching(/invalid character/), verdict: null, family: null, modelId: firstModel });
  });

  it('refuses classify batches over the limit and mutations without the admin key', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `d${i}.com`);
    const r = await api.gql(`query($d: [String!]!) { classify(domains: $d) { family } }`, { d: many });
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_MANY_DOMAINS' });
    const noKey = await api.gql(`mutation { startClassification(input: { snapshotId: 1 }) { id } }`);
    expect(noKey.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('runs a bulk classification of a snapshot and stores one prediction per domain with a summary', async () => {
    const r = await api.gql(
      `mutation($s: Int!) { startClassification(input: { snapshotId: $s }) { id modelId } }`,
      { s: dgaSnapshot },
      admin,
    );
    expect(r.data!.startClassification.modelId).toBe(firstModel);
    const job = await waitFor(r.data!.startClassification.id, ['COMPLETED', 'FAILED']);
    expect(job.error).toBeNull();
    expect(job.result).toMatchObject({ classified: 450, invalid: 0 });
    expect(job.result.perFamily.reduce((s: number, f: { count: number }) => s + f.count, 0)).toBe(450);
    expect(job.result.benign + job.result.dga).toBe(450);
    expect(job.result.dgaKnownFamily + job.result.unknownFamily).toBe(job.result.dga);
    const page = await api.gql(
      `query($j: String!) { predictions(first: 500, filter: { jobId: $j }) { nodes { domain verdict family probability dgaScore unknownFamily } } }`,
      { j: job.id },
    );
    const nodes = page.data!.predictions.nodes as Array<{ verdict: string; family: string }>;
    expect(nodes).toHaveLength(450);
    expect(nodes.filter((p) => p.verdict === 'BENIGN')).toHaveLength(job.result.benign);
    const report = await api.gql(
      `{ domain(name: "EARNESTNESSBIOPHYSICALOHAX.com") { name verdict listings { family feed } predictions { verdict family jobId } } }`,
    );
    expect(report.data!.domain.name).toBe('earnestnessbiophysicalohax.com');
    expect(report.data!.domain.listings).toEqual([{ family: 'banjori', feed: 'labelled' }]);
    expect(report.data!.domain.predictions.map((p: { jobId: string }) => p.jobId)).toEqual([job.id]);
    expect(report.data!.domain.verdict).toBe(report.data!.domain.predictions[0].verdict);
  });

  it('classifies an uploaded list, reporting invalid names', async () => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query: `mutation($f: Upload!) { startClassification(input: { file: $f }) { id model { id status } } }`,
        variables: { f: null },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.f'] }));
    form.append('0', new Blob(['# my list\n1,google.com\n2,earnestnessbiophysicalohax.com\n3,bad name!\n']), 'list.csv');
    const res = await fetch(api.url, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'apollo-require-preflight': 'true' },
    });
    const body = (await res.json()) as { data: { startClassification: { id: string; model: { id: number; status: string } } } };
    expect(body.data.startClassification.model).toEqual({ id: firstModel, status: 'PROMOTED' });
    const job = await waitFor(body.data.startClassification.id, ['COMPLETED', 'FAILED']);
    expect(job.result).toMatchObject({ classified: 2, invalid: 1, invalidExamples: [{ domain: 'bad name!' }] });
  });

  it('marks a job that throws as failed with its error after its retries, and shows no partial output', async () => {
    // A model whose stored artifact is corrupt: every attempt fails when loading it.
    const broken = await api.deps.db.prisma.mlModel.create({
      data: {
        trainingJobId: 'broken',
        status: 'READY',
        architecture: {},
        config: {},
        labels: ['benign'],
        snapshotIds: [],
        artifact: new Uint8Array([1, 2, 3]),
        artifactBytes: 3,
      },
    });
    const r = await api.gql(
      `mutation($m: Int!) { startClassification(input: { domains: ["a.com", "b.com"], modelId: $m }) { id } }`,
      { m: broken.id },
      admin,
    );
    const job = await waitFor(r.data!.startClassification.id, ['FAILED', 'COMPLETED'], 60_000);
    expect(job).toMatchObject({ state: 'FAILED', attempts: 3 });
    expect(job.error).toMatch(/model|artifact|format/i);
    const page = await api.gql(`{ predictions(first: 10, filter: { modelId: ${broken.id} }) { nodes { id } } }`);
    expect(page.data!.predictions.nodes).toEqual([]);
  });

  it('cancels a running training job: cancelled, no ready model', async () => {
    const id = await train({ epochs: 200 });
    await waitFor(id, ['ACTIVE']);
    const c = await api.gql(`mutation($id: String!) { cancelJob(id: $id) { id cancelRequested } }`, { id }, admin);
    expect(c.data!.cancelJob.cancelRequested).toBe(true);
    const job = await waitFor(id, ['CANCELLED', 'COMPLETED', 'FAILED'], 60_000);
    expect(job.state).toBe('CANCELLED');
    const m = await api.gql(`query($id: Int!) { model(id: $id) { status } }`, { id: job.modelId });
    expect(m.data!.model.status).toBe('FAILED');
    const again = await api.gql(`mutation($id: String!) { cancelJob(id: $id) { id } }`, { id }, admin);
    expect(again.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'JOB_FINISHED' });
  });

  it('survives a worker killed mid bulk job: the retry finishes with no duplicate and no missing prediction', async () => {
    const r = await api.gql(`mutation($s: Int!) { startClassification(input: { snapshotId: $s }) { id } }`, { s: bigSnapshot }, admin);
    const id = r.data!.startClassification.id;
    await waitFor(id, ['ACTIVE', 'COMPLETED'], 60_000, () => undefined);
    // Let it write some predictions, then kill the worker without warning.
    const writtenSoFar = async () =>
      Number((await api.deps.db.pool.query('SELECT count(*) AS n FROM predictions WHERE job_id = $1', [id])).rows[0].n);
    for (let i = 0; i < 300 && (await writtenSoFar()) === 0; i++) await new Promise((res) => setTimeout(res, 100));
    await worker.kill();
    const written = Number((await api.deps.db.pool.query('SELECT count(*) AS n FROM predictions WHERE job_id = $1', [id])).rows[0].n);
    worker = await startWorker(api.db.url, api.queuePrefix);
    const job = await waitFor(id, ['COMPLETED', 'FAILED'], 240_000);
    expect(job.error).toBeNull();
    const counts = await api.deps.db.pool.query('SELECT count(*) AS n, count(DISTINCT domain) AS d FROM predictions WHERE job_id = $1', [
      id,
    ]);
    const expected = await api.deps.db.pool.query('SELECT count(DISTINCT domain_id) AS n FROM memberships WHERE snapshot_id = $1', [
      bigSnapshot,
    ]);
    expect(Number(counts.rows[0].n)).toBe(Number(expected.rows[0].n));
    expect(Number(counts.rows[0].d)).toBe(Number(counts.rows[0].n));
    expect(job.result.classified).toBe(Number(expected.rows[0].n));
    // The worker really died mid-job: some, not all, predictions were written by then.
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(Number(expected.rows[0].n));
  });

  it('cancels a bulk job while a batch write is in flight: no prediction remains', async () => {
    // Every batch write takes 2 s (a trigger on the real table): a cancellation always finds one in flight.
    await api.deps.db.pool.query(`CREATE OR REPLACE FUNCTION test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$`);
    await api.deps.db.pool.query(
      'CREATE TRIGGER test_slow_predictions BEFORE INSERT ON predictions FOR EACH STATEMENT EXECUTE FUNCTION test_slow_insert()',
    );
    try {
      const r = await api.gql(`mutation($s: Int!) { startClassification(input: { snapshotId: $s }) { id } }`, { s: bigSnapshot }, admin);
      const id = r.data!.startClassification.id;
      const written = async () =>
        Number((await api.deps.db.pool.query('SELECT count(*) AS n FROM predictions WHERE job_id = $1', [id])).rows[0].n);
      for (let i = 0; i < 600 && (await written()) === 0; i++) await new Promise((res) => setTimeout(res, 100));
      expect(await written()).toBeGreaterThan(0);
      const c = await api.gql(`mutation($id: String!) { cancelJob(id: $id) { id cancelRequested } }`, { id }, admin);
      expect(c.data!.cancelJob.cancelRequested).toBe(true);
      const job = await waitFor(id, ['CANCELLED', 'COMPLETED', 'FAILED'], 120_000);
      expect(job.state).toBe('CANCELLED');
      expect(await written()).toBe(0);
      // A write still in flight would commit after the clean-up: give it the time to.
      await new Promise((res) => setTimeout(res, 3000));
      expect(await written()).toBe(0);
    } finally {
      await api.deps.db.pool.query('DROP TRIGGER IF EXISTS test_slow_predictions ON predictions');
    }
  });

  it('swaps the API to a newly promoted model without a restart, and compares models', async () => {
    const id = await train({ seed: 7, classWeights: 'inverse', preset: 'endgame-2016-balanced' });
    const job = await waitFor(id, ['COMPLETED', 'FAILED']);
    expect(job.state).toBe('COMPLETED');
    await api.gql(`mutation($id: Int!) { promoteModel(id: $id) { id } }`, { id: job.modelId }, admin);
    const r = await api.gql(`{ classify(domains: ["google.com"]) { modelId } }`);
    expect(r.data!.classify[0].modelId).toBe(job.modelId);
    const models = await api.gql(`{ models(first: 10) { nodes { id status } } }`);
    const statuses = new Map(models.data!.models.nodes.map((m: { id: number; status: string }) => [m.id, m.status]));
    expect(statuses.get(job.modelId)).toBe('PROMOTED');
    expect(statuses.get(firstModel)).toBe('READY');
    expect([...statuses.values()].filter((s) => s === 'PROMOTED')).toHaveLength(1);
    const cmp = await api.gql(
      `query($a: Int!, $b: Int!) { compareModels(a: $a, b: $b) { a { preset loss decision { dgaThreshold } } b { preset loss decision { dgaThreshold } } macroF1Delta families { family f1A f1B f1Delta } } }`,
      { a: firstModel, b: job.modelId },
    );
    expect(cmp.data!.compareModels.a).toMatchObject({ preset: 'endgame-2016', loss: 'cross-entropy' });
    expect(cmp.data!.compareModels.b).toMatchObject({ preset: 'endgame-2016-balanced', loss: 'logit-adjusted' });
    expect(cmp.data!.compareModels.b.decision.dgaThreshold).toBeGreaterThanOrEqual(0.5);
    expect(cmp.data!.compareModels.families.map((f: { family: string }) => f.family)).toEqual(['banjori', 'benign', 'necurs', 'pykspa']);
    // Rollback: promote the first model again.
    await api.gql(`mutation($id: Int!) { promoteModel(id: $id) { id } }`, { id: firstModel }, admin);
    expect((await api.gql(`{ classify(domains: ["google.com"]) { modelId } }`)).data!.classify[0].modelId).toBe(firstModel);
    const retire = await api.gql(`mutation($id: Int!) { retireModel(id: $id) { status } }`, { id: firstModel }, admin);
    expect(retire.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'MODEL_PROMOTED' });
  });
});
