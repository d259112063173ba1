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
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS } from '@dgascope/api/src/modules/predictions/predictions-csv';
import { startApi, type ApiHarness } from './support/api-harness';
import { ADMIN_KEY, SHARED_DATA } from './support/test-env';
import { tinyData } from './support/tiny-data';
import { startWorker, type WorkerProcess } from './support/worker-process';

let api: ApiHarness;
let worker: WorkerProcess;
let dgaSnapshot: number;
let benignSnapshot: number;
let bigSnapshot: number;
/** The bulk job of a pasted list (google.com, earnestnessbiophysicalohax.com and 25 invalid names). */
let listJob: string;

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
    expect(job.result).toMatchObject({ classified: 2, invalid: 1, invalidExamples: [{ line: 4, domain: 'bad name!' }] });
    // Its line in the file: the comment line counts.
    const invalid = await api.gql(`query($id: String!) { job(id: $id) { invalidNames { totalCount nodes { line name reason } } } }`, {
      id: job.id,
    });
    expect(invalid.data!.job.invalidNames).toEqual({
      totalCount: 1,
      nodes: [{ line: 4, name: 'bad name!', reason: expect.stringMatching(/invalid character/) }],
    });
  });

  it('records every invalid name of a list with its position and reason, counts it, and says who started the job and when', async () => {
    const invalid = Array.from({ length: 25 }, (_, i) => `bad name ${i}!`);
    // Blank entries are skipped but keep their place: a pasted text area's line numbers stay true.
    const domains = ['google.com', '', ...invalid, '  ', 'earnestnessbiophysicalohax.com'];
    const r = await api.gql(
      `mutation($d: [String!]) { startClassification(input: { domains: $d }) { id requestedBy } }`,
      { d: domains },
      admin,
    );
    expect(r.data!.startClassification.requestedBy).toBe('bootstrap (ADMIN_API_KEY)');
    const { id } = r.data!.startClassification;
    listJob = id;
    const done = await waitFor(id, ['COMPLETED', 'FAILED']);
    expect(done.result).toMatchObject({ classified: 2, invalid: 25 });
    const seen: Array<{ line: number; name: string; reason: string }> = [];
    let after: string | null = null;
    let job: any;
    do {
      const page: any = await api.gql(
        `query($id: String!, $after: String) { job(id: $id) {
           requestedBy createdAt startedAt finishedAt durationSeconds
           classification { classified benign dga dgaKnownFamily unknownFamily invalid seconds perFamily { family count } }
           invalidNames(first: 10, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { line name reason } } } }`,
        { id, after },
      );
      job = page.data!.job;
      expect(job.invalidNames.totalCount).toBe(25);
      seen.push(...job.invalidNames.nodes);
      after = job.invalidNames.pageInfo.hasNextPage ? job.invalidNames.pageInfo.endCursor : null;
    } while (after);
    expect(seen.map((n) => [n.line, n.name])).toEqual(invalid.map((name, i) => [i + 3, name]));
    expect(seen.every((n) => /invalid character/.test(n.reason))).toBe(true);
    expect(job.requestedBy).toBe('bootstrap (ADMIN_API_KEY)');
    expect(job.durationSeconds).toBeCloseTo((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000, 3);
    expect(Date.parse(job.startedAt)).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
    const c = job.classification;
    expect(c).toMatchObject({ classified: 2, invalid: 25 });
    expect(c.benign + c.dga).toBe(2);
    expect(c.dgaKnownFamily + c.unknownFamily).toBe(c.dga);
    expect(c.perFamily.reduce((s: number, f: { count: number }) => s + f.count, 0)).toBe(2);
  });

  it('pages predictions backwards as well as forwards: the same rows, in the same order', async () => {
    const jobs = await api.gql(
      `{ jobs(kind: CLASSIFICATION, state: COMPLETED, first: 50) { nodes { id classification { classified } } } }`,
    );
    const big = jobs.data!.jobs.nodes.find((j: any) => j.classification.classified === 450).id as string;
    const Q = `query($j: String!, $after: String, $before: String) { predictions(first: 100, after: $after, before: $before, filter: { jobId: $j }) {
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor } nodes { id } } }`;
    const forward: any[] = [];
    let after: string | null = null;
    for (;;) {
      const p: any = (await api.gql(Q, { j: big, after })).data!.predictions;
      forward.push(p);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(forward.map((p) => p.nodes.length)).toEqual([100, 100, 100, 100, 50]);
    expect(forward[0].pageInfo.hasPreviousPage).toBe(false);
    // From the last page back to the first, with `before`.
    let before = forward.at(-1).pageInfo.startCursor;
    for (let i = forward.length - 2; i >= 0; i--) {
      const p: any = (await api.gql(Q, { j: big, before })).data!.predictions;
      expect(p.nodes, `page ${i}`).toEqual(forward[i].nodes);
      expect(p.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: i > 0 });
      before = p.pageInfo.startCursor;
    }
    const both = await api.gql(Q, { j: big, after: forward[0].pageInfo.endCursor, before: forward[1].pageInfo.endCursor });
    expect(both.errors?.[0]?.extensions?.reason).toBe('CURSOR_CONFLICT');
  });

  it('gives the true family of a prediction from a DGA feed, and exports the filtered view as CSV with formula cells quoted', async () => {
    // A DGA feed that lists the list job's two domains under names a spreadsheet would run as formulas.
    await api.deps.ingestion.ingest({
      feed: 'formula-feed',
      feedKind: 'DGA',
      source: {
        kind: 'stream',
        fileName: 'formula.csv',
        stream: Readable.from([Buffer.from('family,domain\n=1+2,google.com\n@SUM(1),earnestnessbiophysicalohax.com\n')]),
      },
    });
    const r = await api.gql(
      `query($j: String!) { predictions(first: 10, filter: { jobId: $j }) { nodes { id domain verdict family probability feedListing { family feed } } } }`,
      { j: listJob },
    );
    const nodes = r.data!.predictions.nodes;
    expect(Object.fromEntries(nodes.map((n: any) => [n.domain, n.feedListing]))).toEqual({
      'google.com': { family: '=1+2', feed: 'formula-feed' },
      'earnestnessbiophysicalohax.com': { family: '@SUM(1)', feed: 'formula-feed' },
    });
    const csvUrl = new URL('predictions.csv', api.url);
    csvUrl.searchParams.set('jobId', listJob);
    const res = await fetch(csvUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="predictions.csv"/);
    const text = await res.text();
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows.map((row) => [row.id, row.domain, row.verdict, row.family, Number(row.probability), row.listed_family])).toEqual(
      nodes.map((n: any) => [n.id, n.domain, n.verdict, n.family, n.probability, `'${n.feedListing.family}`]),
    );
    // The filter applies: only the DGA ones, as the API lists them.
    const dga = nodes.filter((n: any) => n.verdict === 'DGA').map((n: any) => n.id);
    csvUrl.searchParams.set('verdict', 'DGA');
    const filtered = parse(await (await fetch(csvUrl)).text(), { columns: true }) as Array<Record<string, string>>;
    expect(filtered.map((row) => row.id)).toEqual(dga);
    // A filter it cannot read is refused with the field named.
    csvUrl.searchParams.set('verdict', 'MAYBE');
    const bad = await fetch(csvUrl);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).errors[0]).toMatchObject({
      message: expect.stringMatching(/^verdict: /),
      extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_CSV_FILTER' },
    });
    // With REQUIRE_AUTH, a key is needed, as for GraphQL queries.
    const locked = await api.variant({ REQUIRE_AUTH: true });
    try {
      const url = new URL('predictions.csv', locked.url);
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(200);
    } finally {
      await locked.close();
    }
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
