import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { launchBrowser, openPage, SCREENSHOTS, startDashboard, type Dashboard, adminOutcome } from './support/dashboard-harness';
import { ADMIN_KEY } from './support/test-env';
import { tinyData } from './support/tiny-data';
import { startWorker, type WorkerProcess } from './support/worker-process';

const DEMO = path.resolve(__dirname, '..', 'data', 'demo');

let api: ApiHarness;
let dashboard: Dashboard;
let browser: Browser;
let high: number;
let full: number;
let tinyDga: number;
let tinyBenign: number;
let worker: WorkerProcess;

beforeAll(async () => {
  api = await startApi();
  const ingest = (file: string, feed: string) => api.deps.ingestion.ingest({ feed, source: { kind: 'path', path: path.join(DEMO, file) } });
  high = (await ingest('dga-feed-high-2018-10-14.csv.gz', 'bambenek-high')).snapshotId;
  full = (await ingest('dga-feed-2018-12-31.csv.gz', 'bambenek')).snapshotId;
  await ingest('umbrella-top30k-2026-07-06.csv.zip', 'umbrella');
  const stream = (text: string) => Readable.from([Buffer.from(text)]);
  await api.deps.ingestion.ingest({
    feed: 'small',
    format: 'rank-csv',
    source: { kind: 'stream', fileName: 'top-3.csv', stream: stream('1,google.com\n2,bad_name!\n3,example.org\n') },
  });
  const tiny = tinyData();
  tinyDga = (
    await api.deps.ingestion.ingest({ feed: 'tiny-dga', source: { kind: 'stream', fileName: 'tiny.csv', stream: stream(tiny.dga) } })
  ).snapshotId;
  tinyBenign = (
    await api.deps.ingestion.ingest({ feed: 'tiny-benign', source: { kind: 'stream', fileName: 'alexa.csv', stream: stream(tiny.benign) } })
  ).snapshotId;
  worker = await startWorker(api.db.url, api.queuePrefix);
  dashboard = await startDashboard(api.url);
  browser = await launchBrowser();
});
afterAll(async () => {
  await worker?.stop();
  await browser?.close();
  await dashboard?.stop();
  await api?.close();
});

async function tableCounts(page: import('playwright-core').Page, testId: string): Promise<Map<string, number>> {
  const rows = await page
    .locator(`[data-testid="${testId}"] tbody tr`)
    .evaluateAll((trs) =>
      trs.map(
        (tr) =>
          [tr.getAttribute('data-family') ?? '', Number(tr.querySelector('[data-count]')?.getAttribute('data-count'))] as [string, number],
      ),
    );
  return new Map(rows);
}

describe('dashboard in a real browser', () => {
  it('an admin with a wrong key gets a clear error; with the right key, trains a model from the UI, watches it finish and promotes it', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/admin`);
    await page.getByLabel(/Admin API key/).fill('wrong-key-wrong-key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await expect(page.getByTestId('admin-error').textContent()).resolves.toMatch(/Not allowed: invalid API key/);
    await page.getByLabel(/Admin API key/).fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByText('API key accepted.').waitFor();
    await page.locator(`input[name="snapshot"][value="${tinyDga}"]`).check();
    await page.locator(`input[name="snapshot"][value="${tinyBenign}"]`).check();
    // The preset list comes from the API; the overrides below replace single options of it.
    await expect.poll(() => page.getByTestId('preset-select').locator('option').allTextContents()).toContain('resnet-cnn-sqrt (default)');
    await page.getByTestId('preset-select').selectOption('endgame-2016-balanced');
    await page.getByLabel('Novelty detector').selectOption('max-softmax');
    await page.locator('input[name="targetBenignFpr"]').fill('0.01');
    await page.locator('select[name="dgaScorePrior"]').selectOption('training');
    await page.locator('input[name="epochs"]').fill('2');
    await page.locator('input[name="embeddingDim"]').fill('16');
    await page.locator('input[name="lstmUnits"]').fill('16');
    await page.locator('input[name="batchSize"]').fill('64');
    await page.locator('select[name="learningRateSchedule"]').selectOption('cosine');
    await page.locator('input[name="outlierShare"]').fill('0.25');
    await page.locator('input[name="benignShare"]').fill('0.4');
    await page.getByRole('button', { name: 'Start training' }).click();
    await adminOutcome(page, 'Training job queued.', errors);
    const job = page.locator('[data-testid="jobs"] li').first();
    await expect(job.getAttribute('data-state')).resolves.toMatch(/QUEUED|ACTIVE|COMPLETED/);
    // The progress bar climbs to 100 % as the worker trains.
    await page.locator('[data-testid="jobs"] li[data-state="COMPLETED"]').first().waitFor({ timeout: 120_000 });
    await expect(job.locator('progress').getAttribute('data-fraction')).resolves.toBe('1');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-trained-1280.png'), fullPage: true });
    await page.getByRole('button', { name: 'Promote v1' }).click();
    await expect.poll(() => page.getByTestId('model-status-1').textContent(), { timeout: 10_000 }).toBe('promoted');
    // Both admin actions are in the audit log the page shows, with who did them.
    const promoted = page.locator('[data-testid="audit-log"] tr[data-action="promoteModel"][data-outcome="ok"]');
    await promoted.waitFor({ timeout: 10_000 });
    await expect(promoted.textContent()).resolves.toMatch(/bootstrap \(ADMIN_API_KEY\)/);
    await expect(page.locator('[data-testid="audit-log"] tr[data-action="startTraining"]').count()).resolves.toBe(1);
    // The browser itself logs the refused request of the wrong key (HTTP 401); nothing else may appear.
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await page.close();
  });

  it('the model page shows the preset, loss, thresholds and the verdict rates of the test split', async () => {
    const r = await api.gql(
      `{ model(id: 1) { preset loss decision { dgaThreshold targetBenignFpr calibrationBenign dgaScorePrior noveltyMethod noveltyThreshold targetRejectRate } metrics { benignFlaggedRate unknownFamilyRate } } }`,
    );
    const m = r.data!.model;
    expect(m).toMatchObject({
      preset: 'endgame-2016-balanced',
      loss: 'logit-adjusted',
      decision: { targetBenignFpr: 0.01, dgaScorePrior: 'training', noveltyMethod: 'max-softmax' },
    });
    const config = (await api.gql(`{ model(id: 1) { config } }`)).data!.model.config;
    expect(config).toMatchObject({
      outlierShare: 0.25,
      benignShare: 0.4,
      options: { outlierExposure: { share: 0.25 }, sampling: { benignShare: 0.4 }, learningRateSchedule: 'cosine' },
    });
    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/models/1`);
    await expect(page.getByTestId('preset').textContent()).resolves.toBe('endgame-2016-balanced');
    await expect(page.getByTestId('loss').textContent()).resolves.toBe('logit-adjusted');
    const num = (x: number) => Number(x.toPrecision(4)).toString();
    await expect(page.getByTestId('dga-threshold').textContent()).resolves.toBe(
      `DGA when the DGA score ≥ ${num(m.decision.dgaThreshold)} (chosen for a benign false-positive rate of 0.01 on ${m.decision.calibrationBenign} benign validation domains)`,
    );
    await expect(page.getByTestId('dga-score-prior').textContent()).resolves.toBe(
      '1 − P(benign) (families as frequent as the training epochs showed them)',
    );
    await expect(page.getByTestId('novelty').textContent()).resolves.toBe(
      m.decision.noveltyThreshold === null
        ? `max-softmax: never "unknown family" (too few known-family validation DGA domains to reject ${num(m.decision.targetRejectRate)} of them)`
        : `max-softmax: unknown family when novelty > ${num(m.decision.noveltyThreshold)} (chosen to reject ${num(m.decision.targetRejectRate)} of known-family validation DGA domains)`,
    );
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    await expect(page.getByTestId('verdict-rates').textContent()).resolves.toContain(
      `${pct(m.metrics.benignFlaggedRate)} of benign domains flagged as DGA; ${pct(m.metrics.unknownFamilyRate)} of DGA`,
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'model-verdict-rule-1280.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the predictions page shows each stored verdict and filters by it, as the API has them', async () => {
    const started = await api.gql(
      `mutation($s: Int!) { startClassification(input: { snapshotId: $s }) { id } }`,
      { s: tinyDga },
      { key: ADMIN_KEY },
    );
    const id = started.data!.startClassification.id as string;
    await expect
      .poll(async () => (await api.gql(`query($id: String!) { job(id: $id) { state } }`, { id })).data!.job.state, { timeout: 120_000 })
      .toBe('COMPLETED');
    const { page, errors } = await openPage(browser);
    for (const [param, verdict] of [
      ['benign', 'BENIGN'],
      ['dga', 'DGA'],
    ] as const) {
      const r = await api.gql(
        `query($v: Verdict!, $j: String!) { predictions(first: 100, filter: { verdict: $v, jobId: $j }) { nodes { domain family unknownFamily nearestFamily } } }`,
        { v: verdict, j: id },
      );
      const expected = r.data!.predictions.nodes.map(
        (n: { domain: string; family: string; unknownFamily: boolean; nearestFamily: string }) => [
          n.domain,
          verdict === 'BENIGN' ? 'benign' : n.unknownFamily ? 'DGA, unknown family' : 'DGA',
          n.unknownFamily ? `unknown (nearest: ${n.nearestFamily})` : n.family,
        ],
      );
      await page.goto(`${dashboard.url}/predictions?verdict=${param}&job=${id}`);
      const rows = await page
        .locator('[data-testid="predictions"] tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)));
      expect(rows, param).toEqual(expected);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'predictions-verdicts-1280.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('classifies now from the predictions page and shows a model with its confusion heat map', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/predictions`);
    await page.getByLabel('Domains, one a line').fill('google.com\nearnestnessbiophysicalohax.com\nbad name');
    await page.getByRole('button', { name: 'Classify now' }).click();
    await page.locator('[data-testid="classify-results"], .error-text').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'classify-now-1280.png'), fullPage: true });
    await expect(page.locator('[data-testid="classify-results"] tbody tr').count()).resolves.toBe(3);
    await expect(page.locator('[data-testid="classify-results"] tbody tr').nth(2).textContent()).resolves.toMatch(/invalid character/);
    // the verdict column says what the API says
    const api3 = await api.gql(`{ classify(domains: ["google.com", "earnestnessbiophysicalohax.com"]) { verdict unknownFamily } }`);
    const verdicts = await page.locator('[data-testid="classify-results"] tbody tr td:nth-child(2)').allTextContents();
    expect(verdicts.slice(0, 2)).toEqual(
      api3.data!.classify.map((c: { verdict: string; unknownFamily: boolean }) =>
        c.verdict === 'BENIGN' ? 'benign' : c.unknownFamily ? 'DGA, unknown family' : 'DGA',
      ),
    );
    await page.goto(`${dashboard.url}/models/1`);
    await expect(page.locator('[data-testid="confusion"] td[data-count]').count()).resolves.toBe(16);
    await expect(page.locator('[data-testid="family-metrics"] tbody tr').count()).resolves.toBe(4);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the overview shows the promoted model and its headline metrics', async () => {
    const { page } = await openPage(browser);
    await page.goto(dashboard.url);
    await expect(page.getByTestId('promoted-model').textContent()).resolves.toMatch(
      /^v1 · 4 classes · wasm · accuracy \d\.\d{3} · macro-F1/,
    );
    await page.close();
  });

  it('every page loads without console errors, wide and narrow', async () => {
    const pages = [
      '/',
      `/snapshots/${full}`,
      `/unseen?a=${high}&b=${full}`,
      `/snapshots/${full}/domains?family=banjori`,
      '/snapshots/4',
      '/models',
      '/models/1',
      '/models/compare?a=1&b=1',
      '/predictions',
      '/admin',
    ];
    for (const width of [1280, 390]) {
      for (const url of pages) {
        const { page, errors } = await openPage(browser, width);
        const response = await page.goto(dashboard.url + url);
        expect(response?.status(), url).toBe(200);
        await page.locator('main').waitFor();
        const name = `${url.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'overview'}-${width}.png`;
        await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
        expect(errors, url).toEqual([]);
        // Nothing pushes the page sideways (wide tables scroll inside their section).
        expect(await page.evaluate(() => document.documentElement.scrollWidth), url).toBeLessThanOrEqual(width);
        await page.close();
      }
    }
  });

  it('the skew table shows the same numbers as the GraphQL API', async () => {
    const skew = await api.gql(`query($id: Int!) { skew(snapshotIds: [$id]) { families { family count } } }`, { id: full });
    const expected = new Map<string, number>(skew.data!.skew.families.map((f: { family: string; count: number }) => [f.family, f.count]));
    const { page } = await openPage(browser);
    await page.goto(`${dashboard.url}/snapshots/${full}`);
    expect(await tableCounts(page, 'family-table')).toEqual(expected);
    // Sorting by family name keeps the same rows.
    await page.getByRole('button', { name: 'Family' }).click();
    const first = await page.locator('[data-testid="family-table"] tbody tr').first().getAttribute('data-family');
    expect(first).toBe([...expected.keys()].sort((a, b) => a.localeCompare(b))[0]);
    await page.close();
  });

  it('the unseen-family report shows the same numbers as the GraphQL API, both ways', async () => {
    const r = await api.gql(
      `query($a: Int!, $b: Int!) { unseenFamilies(a: $a, b: $b) { appeared { family count } disappeared { family count } } }`,
      { a: high, b: full },
    );
    const { page } = await openPage(browser);
    await page.goto(`${dashboard.url}/unseen`);
    await page.getByLabel(/Snapshot A/).selectOption(String(high));
    await page.getByLabel(/Snapshot B/).selectOption(String(full));
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL(/a=\d+&b=\d+/);
    const appeared = new Map<string, number>(
      r.data!.unseenFamilies.appeared.map((f: { family: string; count: number }) => [f.family, f.count]),
    );
    expect(appeared.size).toBeGreaterThan(0);
    expect(await tableCounts(page, 'appeared')).toEqual(appeared);
    // The reverse direction, by swapping A and B.
    await page.goto(`${dashboard.url}/unseen?a=${full}&b=${high}`);
    expect(await tableCounts(page, 'disappeared')).toEqual(appeared);
    // Drill into one family's domains.
    await page.getByRole('link', { name: 'banjori' }).click();
    await page.waitForURL(/domains\?family=banjori/);
    await expect(page.locator('[data-testid="domains"] tbody tr').count()).resolves.toBe(100);
    await page.close();
  });

  it('shows rejected rows with their line numbers', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${dashboard.url}/snapshots/4`);
    const row = page.locator('[data-testid="rejections"] tbody tr').first();
    await expect(row.textContent()).resolves.toContain('domain: invalid character in "bad_name!"');
    await expect(row.locator('td').first().textContent()).resolves.toBe('2');
    await page.close();
  });

  it('shows the API error instead of failing when a snapshot does not exist', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${dashboard.url}/snapshots/99999`);
    // (Next.js adds a route announcer with role=alert too, hence the section selector.)
    await expect(page.locator('section[role="alert"]').textContent()).resolves.toMatch(/snapshot 99999 not found/);
    await page.close();
  });

  it('its /api/graphql proxy refuses cross-site requests (the API CSRF rule, and Origin)', async () => {
    const proxy = `${dashboard.url}/api/graphql`;
    const query = JSON.stringify({ query: '{ health { database } }' });
    // What a hostile page's <form> or no-cors fetch can send: text/plain, from another origin.
    const simple = await fetch(proxy, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: query,
    });
    expect(simple.status).toBe(403);
    expect(((await simple.json()) as any).errors[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'CROSS_SITE_REQUEST' });
    const plainSameOrigin = await fetch(proxy, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: query });
    expect(plainSameOrigin.status).toBe(403);
    const foreign = await fetch(proxy, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: query,
    });
    expect(foreign.status).toBe(403);
    const crossSite = await fetch(proxy, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      body: query,
    });
    expect(crossSite.status).toBe(403);
    const own = await fetch(proxy, { method: 'POST', headers: { 'content-type': 'application/json', origin: dashboard.url }, body: query });
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({ data: { health: { database: true } } });
  });
});

/** The text of every cell of a table's body, row by row. */
const cellTexts = (page: Page, testId: string) =>
  page
    .locator(`[data-testid="${testId}"] tbody tr`)
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));

describe('jobs, bulk results, predictions pages and charts in a real browser', () => {
  it('the job list says when each job started, how long it took, who started it, and links to its output', async () => {
    const r = await api.gql(
      `{ jobs(first: 20) { nodes { id kind state startedAt durationSeconds requestedBy modelId classification { classified dga invalid } } } }`,
    );
    const jobs = r.data!.jobs.nodes as Array<{
      id: string;
      kind: string;
      state: string;
      startedAt: string;
      durationSeconds: number;
      modelId: number;
    }>;
    expect(jobs.map((j) => j.kind).sort()).toEqual(['CLASSIFICATION', 'TRAINING']);
    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/admin`);
    for (const j of jobs) {
      const facts = await page.getByTestId(`facts-${j.id}`).textContent();
      expect(facts).toMatch(
        /^started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · took (< 1 s|\d+ s|\d+ min \d\d s) · by bootstrap \(ADMIN_API_KEY\)( — \d+ classified \(\d+ DGA\), 0 invalid)?$/,
      );
      expect(facts).toContain(`started ${j.startedAt.slice(0, 10)} ${j.startedAt.slice(11, 19)} UTC`);
      const c = (j as any).classification;
      if (c) expect(facts).toContain(`— ${c.classified} classified (${c.dga} DGA), ${c.invalid} invalid`);
      const links = await page
        .getByTestId(`job-links-${j.id}`)
        .locator('a')
        .evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
      expect(links).toEqual(
        j.kind === 'TRAINING'
          ? [
              ['details', `/jobs/${j.id}`],
              [`model v${j.modelId}`, `/models/${j.modelId}`],
            ]
          : [
              ['details', `/jobs/${j.id}`],
              [`used model v${j.modelId}`, `/models/${j.modelId}`],
              ['predictions', `/predictions?job=${j.id}`],
            ],
      );
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a list classified from the admin page: the job's page shows its counts per verdict and family, and each invalid name with its line", async () => {
    const invalid = Array.from({ length: 104 }, (_, i) => `bad name ${i}!`);
    // Line 1 google.com, line 2 blank, lines 3..106 invalid, line 107 a DGA name.
    const text = ['google.com', '', ...invalid, 'earnestnessbiophysicalohax.com'].join('\n');
    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/admin`);
    await page.getByLabel(/Admin API key/).fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await adminOutcome(page, 'API key accepted.', errors);
    await page.getByLabel(/or domains, one a line/).fill(text);
    await page.getByRole('button', { name: 'Start classification' }).click();
    await adminOutcome(page, 'Classification job queued.', errors);
    const id = (await api.gql(`{ jobs(first: 1) { nodes { id } } }`)).data!.jobs.nodes[0].id as string;
    const row = page.locator(`[data-testid="jobs"] li[data-job="${id}"]`);
    await page.locator(`[data-testid="jobs"] li[data-job="${id}"][data-state="COMPLETED"]`).waitFor({ timeout: 60_000 });
    await row.getByRole('link', { name: 'details' }).click();
    await page.waitForURL(`**/jobs/${id}`);
    const r = await api.gql(
      `query($id: String!) { job(id: $id) { requestedBy classification { classified benign dgaKnownFamily unknownFamily invalid perFamily { family count } } } }`,
      { id },
    );
    const c = r.data!.job.classification;
    expect(c).toMatchObject({ classified: 2, invalid: 104 });
    await expect(page.getByTestId('requested-by').textContent()).resolves.toBe('bootstrap (ADMIN_API_KEY)');
    const verdicts = await cellTexts(page, 'verdict-counts');
    expect(verdicts.map((cells) => [cells[0], Number(cells[1])])).toEqual([
      ['benign', c.benign],
      ['DGA, known family', c.dgaKnownFamily],
      ['DGA, unknown family', c.unknownFamily],
      ['invalid (not classified)', 104],
    ]);
    const families = await cellTexts(page, 'family-counts');
    expect(families.map((cells) => [cells[0], Number(cells[1])])).toEqual(
      c.perFamily.map((f: { family: string; count: number }) => [f.family, f.count]),
    );
    // Every invalid name with its line in the text area, a hundred a page.
    await expect(page.getByTestId('invalid-range').textContent()).resolves.toBe('Showing the first 100 of 104.');
    const first = await cellTexts(page, 'invalid-names');
    expect(first.map((cells) => [Number(cells[0]), cells[1]])).toEqual(invalid.slice(0, 100).map((name, i) => [i + 3, name]));
    expect(first.every((cells) => /invalid character/.test(cells[2] ?? ''))).toBe(true);
    await page.getByRole('link', { name: 'Next 100 →' }).click();
    await page.waitForURL(/after=/);
    await expect(page.getByTestId('invalid-range').textContent()).resolves.toBe('Showing 4 more of 104, from line 103.');
    const rest = await cellTexts(page, 'invalid-names');
    expect(rest.map((cells) => [Number(cells[0]), cells[1]])).toEqual(invalid.slice(100).map((name, i) => [i + 103, name]));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'job-bulk-result-1280.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('predictions: the listed family, previous and next pages, and a CSV export of the filtered view with formula cells quoted', async () => {
    const jobs = await api.gql(`{ jobs(kind: CLASSIFICATION, state: COMPLETED) { nodes { id classification { classified } } } }`);
    const job = jobs.data!.jobs.nodes.find((j: any) => j.classification.classified === 450).id as string;
    const Q = `query($j: String!, $after: String, $v: Verdict) { predictions(first: 100, after: $after, filter: { jobId: $j, verdict: $v }) {
      pageInfo { endCursor } nodes { id domain feedListing { family } } } }`;
    // A DGA feed that lists one of the job's domains under a name a spreadsheet would run as a formula.
    const one = (await api.gql(Q, { j: job })).data!.predictions.nodes[0].domain as string;
    await api.deps.ingestion.ingest({
      feed: 'formula-feed',
      feedKind: 'DGA',
      source: { kind: 'stream', fileName: 'formula.csv', stream: Readable.from([Buffer.from(`family,domain\n=1+2,${one}\n`)]) },
    });
    const page1 = (await api.gql(Q, { j: job })).data!.predictions;
    const page2 = (await api.gql(Q, { j: job, after: page1.pageInfo.endCursor })).data!.predictions;
    expect(page1.nodes[0].feedListing).toEqual({ family: '=1+2' });
    const expected = (nodes: any[]) => nodes.map((n) => [n.domain, n.feedListing?.family ?? 'not in a DGA or labelled feed']);
    const shown = async () => (await cellTexts(page, 'predictions')).map((cells) => [cells[0], (cells[5] ?? '').trim()]);

    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/predictions?job=${job}`);
    expect(await shown()).toEqual(expected(page1.nodes));
    await expect(page.getByRole('link', { name: /Previous/ }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Next 100 →' }).click();
    await page.waitForURL(/after=/);
    expect(await shown()).toEqual(expected(page2.nodes));
    await page.getByRole('link', { name: '← Previous 100' }).click();
    await page.waitForURL(/before=/);
    expect(await shown()).toEqual(expected(page1.nodes));
    await expect(page.getByRole('link', { name: /Previous/ }).count()).resolves.toBe(0);

    // The export: every prediction the filter keeps (all 450 here), not only this page.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-export').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(download.suggestedFilename()).toBe('predictions.csv');
    expect(rows).toHaveLength(450);
    expect(rows.slice(0, 200).map((r) => r.id)).toEqual([...page1.nodes, ...page2.nodes].map((n: any) => n.id));
    expect(rows[0]).toMatchObject({ domain: one, listed_family: "'=1+2" });
    expect(csv.split('\n')[1]).toContain(",'=1+2,");

    // A filtered view exports the same filter.
    await page.goto(`${dashboard.url}/predictions?job=${job}&verdict=dga`);
    const [filtered] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-export').click()]);
    const dgaRows = parse(readFileSync((await filtered.path())!, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    const dga: string[] = [];
    for (let after: string | null = null; ;) {
      const p: any = (await api.gql(Q, { j: job, after, v: 'DGA' })).data!.predictions;
      dga.push(...p.nodes.map((n: any) => n.id));
      if (p.nodes.length < 100) break;
      after = p.pageInfo.endCursor;
    }
    expect(dgaRows.map((r) => r.id)).toEqual(dga);
    expect(dgaRows.every((r) => r.verdict === 'DGA')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the ROC has one tick per decade and the operating threshold; the confusion matrix prints counts or row shares; the misclassified list states its size', async () => {
    const r = await api.gql(
      `{ model(id: 1) { decision { dgaThreshold } metrics { confusion { labels counts } binary { roc { fpr tpr threshold } } misclassified { domain } misclassifiedTotal } } }`,
    );
    const m = r.data!.model;
    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/models/1`);
    // The chart is drawn in the browser once its container is measured.
    const tickLabels = page.locator('[data-testid="roc-chart"] .recharts-cartesian-axis-tick-value');
    await tickLabels.first().waitFor();
    // Recharts draws both axes' labels in one layer; the TPR axis reads 0.0 … 1.0.
    const ticks = (await tickLabels.allTextContents()).filter((t) => !/^\d\.\d$/.test(t));
    const smallest = Math.min(...m.metrics.binary.roc.map((p: { fpr: number }) => p.fpr).filter((f: number) => f > 0));
    const low = Math.min(-1, Math.floor(Math.log10(smallest)));
    expect(ticks).toEqual([...Array.from({ length: -low }, (_, i) => `1e${low + i}`), '1']);
    expect(new Set(ticks).size).toBe(ticks.length);
    await expect(page.locator('[data-testid="roc-chart"] .recharts-reference-dot').count()).resolves.toBe(1);
    await expect(page.getByTestId('roc-operating-point').textContent()).resolves.toMatch(
      new RegExp(`^Red: the operating threshold, DGA score ≥ ${m.decision.dgaThreshold.toFixed(4)}: FPR `),
    );

    const { labels, counts } = m.metrics.confusion as { labels: string[]; counts: number[][] };
    const matrix = page.getByTestId('confusion');
    const printed = await cellTexts(page, 'confusion');
    // Each row: its cells, then its total.
    expect(printed).toEqual(counts.map((row) => [...row.map((n) => (n === 0 ? '' : String(n))), String(row.reduce((a, b) => a + b, 0))]));
    const box = await matrix.locator('td[data-count]').first().boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(30);
    expect(labels).toHaveLength(4);
    await page.getByLabel(/share of the true family/).check();
    await expect(matrix.getAttribute('data-view')).resolves.toBe('row-normalised');
    const shares = await cellTexts(page, 'confusion');
    shares.forEach((row, i) => {
      const total = counts[i]!.reduce((a, b) => a + b, 0);
      expect(row.slice(0, -1)).toEqual(counts[i]!.map((n) => (n === 0 ? '' : `${Math.round((100 * n) / total)}%`)));
    });

    const stored = m.metrics.misclassified.length as number;
    const range = await page.getByTestId('misclassified-range').textContent();
    expect(range).toMatch(new RegExp(`^1–${Math.min(stored, 50)} of ${stored}`));
    if (stored < m.metrics.misclassifiedTotal) expect(range).toContain(`of ${m.metrics.misclassifiedTotal} errors`);
    await expect(page.locator('[data-testid="misclassified"] tbody tr').count()).resolves.toBe(Math.min(stored, 50));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'model-charts-1280.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
