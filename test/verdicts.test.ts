import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { startTraining, waitForJob } from './support/job-polling';
import { ADMIN_KEY } from './support/test-env';
import { tinyData } from './support/tiny-data';
import { startWorker, type WorkerProcess } from './support/worker-process';

// One verdict per domain (issue 12): a model trained through the job records its preset, loss and
// verdict rule, and every answer — classify, bulk predictions, summary, domain() — follows that rule.

let api: ApiHarness;
let worker: WorkerProcess;
let dgaSnapshot: number;
let benignSnapshot: number;
let modelId: number;
let decision: { dgaThreshold: number; noveltyThreshold: number | null; noveltyMethod: string | null };
let labels: string[];
let names: string[];

const admin = { key: ADMIN_KEY };
const ANSWER = 'domain error verdict family probability nearestFamily dgaScore novelty unknownFamily modelId';

interface Answer {
  domain: string;
  error: string | null;
  verdict: 'BENIGN' | 'DGA' | null;
  family: string | null;
  probability: number | null;
  nearestFamily: string | null;
  dgaScore: number | null;
  novelty: number | null;
  unknownFamily: boolean | null;
}

/** The rules every answer must keep, given the thresholds it was decided with. */
function expectConsistent(a: Answer, dgaThreshold: number, noveltyThreshold: number | null) {
  const where = JSON.stringify(a);
  expect(a.error, where).toBeNull();
  expect(a.verdict === 'BENIGN', where).toBe(a.family === 'benign');
  expect(a.verdict === 'BENIGN', where).toBe(a.dgaScore! < dgaThreshold);
  expect(a.unknownFamily, where).toBe(a.family === 'unknownFamily');
  expect(a.probability, where).toBeGreaterThanOrEqual(0);
  expect(a.probability, where).toBeLessThanOrEqual(1 + 1e-6);
  expect(
    labels.filter((l) => l !== 'benign'),
    where,
  ).toContain(a.nearestFamily);
  if (a.verdict === 'BENIGN') {
    expect(a.unknownFamily, where).toBe(false);
    expect(a.probability!, where).toBeCloseTo(1 - a.dgaScore!, 5);
  } else if (a.unknownFamily) {
    expect(noveltyThreshold, where).not.toBeNull();
    // Stored predictions hold the novelty as float4 (`real`), which reads back as its shortest decimal
    // (0.66205746 for 0.6620574593…): compared as the float32 it is.
    expect(Math.fround(a.novelty!), where).toBeGreaterThan(noveltyThreshold!);
  } else {
    expect(a.family, where).toBe(a.nearestFamily);
    if (noveltyThreshold !== null) expect(Math.fround(a.novelty!), where).toBeLessThanOrEqual(noveltyThreshold);
  }
}

async function classify(domains: string[], args = ''): Promise<Answer[]> {
  const r = await api.gql<{ classify: Answer[] }>(`query($d: [String!]!) { classify(domains: $d${args}) { ${ANSWER} } }`, { d: domains });
  expect(r.errors).toBeUndefined();
  return r.data!.classify;
}

beforeAll(async () => {
  api = await startApi({ classifyMax: 1000 });
  const data = tinyData();
  const ingest = (text: string, feed: string, fileName: string) =>
    api.deps.ingestion.ingest({ feed, source: { kind: 'stream', stream: Readable.from([Buffer.from(text)]), fileName } });
  dgaSnapshot = (await ingest(data.dga, 'labelled', 'dga.csv')).snapshotId;
  benignSnapshot = (await ingest(data.benign, 'alexa', 'top.csv')).snapshotId;
  // The names to classify: every DGA name and 150 benign ones, as the job will see them.
  names = [
    ...new Set([
      ...data.dga
        .split('\n')
        .slice(1)
        .map((r) => r.split(',')[1]!),
      ...data.benign
        .split('\n')
        .slice(0, 150)
        .map((r) => r.split(',').at(-1)!),
    ]),
  ];
  worker = await startWorker(api.db.url, api.queuePrefix);
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

describe('verdicts: benign, or DGA of a known or an unknown family', () => {
  it('lists the training presets, and refuses an unknown one', async () => {
    const r = await api.gql(`{ presets { name description isDefault loss } }`);
    const presets = r.data!.presets as Array<{ name: string; isDefault: boolean; loss: string }>;
    expect(presets.map((p) => p.name)).toEqual(expect.arrayContaining(['endgame-2016', 'endgame-2016-balanced', 'cnn-lstm']));
    expect(presets.filter((p) => p.isDefault).map((p) => p.name)).toEqual(['resnet-cnn-sqrt']);
    // a size the preset's architecture does not have is refused, not ignored
    const wrongSize = await startTraining(api, [dgaSnapshot, benignSnapshot], { preset: 'resnet-cnn', lstmUnits: 16 });
    expect(wrongSize.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(wrongSize.errors![0]!.message).toMatch(/lstmUnits: preset resnet-cnn is a cnn, not an LSTM/);
    const bad = await startTraining(api, [dgaSnapshot, benignSnapshot], { preset: 'no-such-preset' });
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const badNovelty = await startTraining(api, [dgaSnapshot, benignSnapshot], { noveltyMethod: 'astrology' });
    expect(badNovelty.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const badMethod = await startTraining(api, [dgaSnapshot, benignSnapshot], { dgaThresholdMethod: 'median' });
    expect(badMethod.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const badPrior = await startTraining(api, [dgaSnapshot, benignSnapshot], { dgaScorePrior: 'flat' });
    expect(badPrior.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('trains through the job with a preset and overrides, and the model records its preset, loss and verdict rule', async () => {
    const r = await startTraining(api, [dgaSnapshot, benignSnapshot], {
      preset: 'endgame-2016-balanced',
      epochs: 3,
      targetBenignFpr: 0.01,
      dgaThresholdMethod: 'tail',
      dgaScorePrior: 'training',
      noveltyMethod: 'max-softmax',
      targetRejectRate: 0.05,
    });
    expect(r.errors).toBeUndefined();
    const job = await waitForJob(
      api,
      r.data!.startTraining.id,
      (j) => j.state === 'COMPLETED' || j.state === 'FAILED',
      180_000,
      () => worker.output(),
    );
    expect(job.error).toBeNull();
    modelId = job.modelId!;
    const m = await api.gql(
      `query($id: Int!) { model(id: $id) { labels preset loss config
        decision { dgaThreshold targetBenignFpr dgaThresholdMethod dgaScorePrior calibrationBenign noveltyMethod noveltyThreshold targetRejectRate }
        metrics { n benignFlaggedRate unknownFamilyRate unknownFamily } } }`,
      { id: modelId },
    );
    const model = m.data!.model;
    labels = model.labels;
    decision = model.decision;
    expect(model).toMatchObject({
      preset: 'endgame-2016-balanced',
      loss: 'logit-adjusted',
      // the tail is only extrapolated below a 1 % target: the model records that its quantile decided
      decision: {
        targetBenignFpr: 0.01,
        dgaThresholdMethod: 'quantile',
        dgaScorePrior: 'training',
        noveltyMethod: 'max-softmax',
        targetRejectRate: 0.05,
      },
    });
    expect(model.config.options.decision).toMatchObject({ dgaThresholdMethod: 'tail' });
    expect(model.config.options).toMatchObject({ preset: 'endgame-2016-balanced', loss: 'logit-adjusted', epochs: 3 });
    expect(model.decision.dgaThreshold).toBeGreaterThanOrEqual(0.5);
    expect(model.decision.dgaThreshold).toBeLessThanOrEqual(1);
    expect(model.decision.calibrationBenign).toBeGreaterThan(0);
    expect(typeof model.decision.noveltyThreshold).toBe('number');
    expect(model.metrics.benignFlaggedRate).toBeGreaterThanOrEqual(0);
    expect(model.metrics.benignFlaggedRate).toBeLessThanOrEqual(1);
    expect(model.metrics.unknownFamilyRate).toBeGreaterThanOrEqual(0);
    expect(model.metrics.unknownFamilyRate).toBeLessThanOrEqual(1);
    expect((await api.gql(`mutation($id: Int!) { promoteModel(id: $id) { status } }`, { id: modelId }, admin)).data!.promoteModel).toEqual({
      status: 'PROMOTED',
    });
  });

  it('trains the default preset (the residual CNN on square-root family sampling, cosine learning rate, max and mean pooling) through the job, small', async () => {
    // no preset given: the GraphQL input's default
    const r = await startTraining(api, [dgaSnapshot, benignSnapshot], {
      preset: undefined,
      lstmUnits: null,
      epochs: 2,
      filters: 16,
      embeddingDim: 8,
    });
    expect(r.errors).toBeUndefined();
    const job = await waitForJob(
      api,
      r.data!.startTraining.id,
      (j) => j.state === 'COMPLETED' || j.state === 'FAILED',
      180_000,
      () => worker.output(),
    );
    expect(job.error).toBeNull();
    const m = await api.gql(
      `query($id: Int!) { model(id: $id) { preset config decision { dgaThreshold dgaScorePrior noveltyMethod } metrics { n } } }`,
      {
        id: job.modelId,
      },
    );
    expect(m.data!.model).toMatchObject({
      preset: 'resnet-cnn-sqrt',
      decision: { dgaScorePrior: 'uniform-families', noveltyMethod: 'max-softmax' },
    });
    expect(m.data!.model.config.options.architecture).toEqual({ arch: 'cnn', pooling: 'max-mean', filters: 16, embeddingDim: 8 });
    expect(m.data!.model.config.options.sampling).toEqual({ power: 0.5 });
    expect(m.data!.model.config.options.learningRateSchedule).toBe('cosine');
    expect(m.data!.model.metrics.n).toBeGreaterThan(0);
  });

  it('answers classify with one consistent verdict per domain, by the model thresholds', async () => {
    const answers = await classify(names);
    expect(answers).toHaveLength(names.length);
    for (const a of answers) expectConsistent(a, decision.dgaThreshold, decision.noveltyThreshold);
    // the tiny model separates these well: both verdicts occur
    expect(answers.some((a) => a.verdict === 'BENIGN')).toBe(true);
    expect(answers.some((a) => a.verdict === 'DGA')).toBe(true);
  });

  it('changes the verdicts when a request overrides the thresholds', async () => {
    const sample = names.filter((_, i) => i % 10 === 0);
    const base = await classify(sample);
    const allDga = await classify(sample, ', dgaThreshold: 0');
    for (const a of allDga) expectConsistent(a, 0, decision.noveltyThreshold);
    expect(allDga.every((a) => a.verdict === 'DGA')).toBe(true);
    const allBenign = await classify(sample, ', dgaThreshold: 1');
    for (const a of allBenign) expectConsistent(a, 1, decision.noveltyThreshold);
    expect(allBenign.every((a) => a.verdict === 'BENIGN')).toBe(true);
    // a threshold between two of the answers' scores flips exactly the ones in between
    const scores = base.map((a) => a.dgaScore!).sort((x, y) => x - y);
    const mid = (scores[Math.floor(scores.length / 4)]! + scores[Math.floor((3 * scores.length) / 4)]!) / 2;
    const atMid = await classify(sample, `, dgaThreshold: ${mid}`);
    for (const a of atMid) expectConsistent(a, mid, decision.noveltyThreshold);
    // novelty: every DGA answer unknown below any score; none unknown when switched off
    const allUnknown = await classify(sample, ', dgaThreshold: 0, noveltyThreshold: -1e30');
    expect(allUnknown.every((a) => a.verdict === 'DGA' && a.unknownFamily && a.family === 'unknownFamily')).toBe(true);
    const noneUnknown = await classify(sample, ', dgaThreshold: 0, unknownFamily: false');
    for (const a of noneUnknown) expectConsistent(a, 0, null);
    expect(noneUnknown.every((a) => !a.unknownFamily && a.family === a.nearestFamily)).toBe(true);
    const refused = await api.gql(`{ classify(domains: ["a.com"], dgaThreshold: 1.5) { verdict } }`);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_THRESHOLD' });
  });

  it("counts a bulk job's summary from its predictions' verdicts, which agree with classify", async () => {
    const r = await api.gql(`mutation($d: [String!]!) { startClassification(input: { domains: $d }) { id } }`, { d: names }, admin);
    const id = r.data!.startClassification.id as string;
    const done = await waitForJob(
      api,
      id,
      (j) => j.state === 'COMPLETED' || j.state === 'FAILED',
      120_000,
      () => worker.output(),
    );
    expect(done.error).toBeNull();
    const result = (await api.gql(`query($id: String!) { job(id: $id) { result } }`, { id })).data!.job.result;
    // all of them, through the verdict filter (completed job: the default listing includes it)
    const all: Answer[] = [];
    for (const verdict of ['BENIGN', 'DGA']) {
      let after: string | null = null;
      for (;;) {
        const p: any = await api.gql(
          `query($v: Verdict!, $a: String) { predictions(first: 500, after: $a, filter: { verdict: $v }) { nodes { domain verdict family probability nearestFamily dgaScore novelty unknownFamily } pageInfo { hasNextPage endCursor } } }`,
          { v: verdict, a: after },
        );
        expect(p.data.predictions.nodes.every((n: Answer) => n.verdict === verdict)).toBe(true);
        all.push(...p.data.predictions.nodes.map((n: Answer) => ({ ...n, error: null })));
        if (!p.data.predictions.pageInfo.hasNextPage) break;
        after = p.data.predictions.pageInfo.endCursor;
      }
    }
    expect(all).toHaveLength(names.length);
    for (const p of all) expectConsistent(p, decision.dgaThreshold, decision.noveltyThreshold);
    const count = (keep: (p: Answer) => boolean) => all.filter(keep).length;
    expect(result).toMatchObject({
      classified: names.length,
      benign: count((p) => p.verdict === 'BENIGN'),
      dga: count((p) => p.verdict === 'DGA'),
      dgaKnownFamily: count((p) => p.verdict === 'DGA' && !p.unknownFamily),
      unknownFamily: count((p) => p.unknownFamily === true),
      invalid: 0,
    });
    const perFamily = new Map<string, number>();
    for (const p of all) perFamily.set(p.family!, (perFamily.get(p.family!) ?? 0) + 1);
    expect(new Map(result.perFamily.map((f: { family: string; count: number }) => [f.family, f.count]))).toEqual(perFamily);
    const unknown = await api.gql(
      `query($j: String!) { predictions(first: 500, filter: { jobId: $j, unknownFamily: true }) { totalCount nodes { family } } }`,
      {
        j: id,
      },
    );
    expect(unknown.data!.predictions.nodes.length).toBe(result.unknownFamily);
    // the same model and thresholds answer classify the same way (the API and the worker may run other
    // backends: a name whose score sits within rounding of a threshold may differ, no other)
    const now = await classify(names);
    const stored = new Map(all.map((p) => [p.domain, p]));
    const differ = now.filter((a) => {
      const p = stored.get(a.domain.toLowerCase())!;
      return p.verdict !== a.verdict || p.family !== a.family;
    });
    expect(differ.length).toBeLessThanOrEqual(Math.ceil(names.length / 100));
    // domain(name) shows the verdict of its newest prediction
    const some = all.find((p) => p.verdict === 'DGA') ?? all[0]!;
    const report = await api.gql(`query($n: String!) { domain(name: $n) { verdict predictions { verdict jobId } } }`, { n: some.domain });
    expect(report.data!.domain).toMatchObject({ verdict: some.verdict, predictions: [{ verdict: some.verdict, jobId: id }] });
  });
});
