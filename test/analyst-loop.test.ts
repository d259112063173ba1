import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { launchBrowser, openPage, SCREENSHOTS, startDashboard, type Dashboard, adminOutcome } from './support/dashboard-harness';
import { startTraining, waitForJob } from './support/job-polling';
import { ADMIN_KEY, SHARED_DATA } from './support/test-env';
import { startWorker, type WorkerProcess } from './support/worker-process';

// The analyst's loop in a real browser (issue 14): the unseen-family review with the promoted
// model's view, "train with these families", the evaluation chart of a model, promotion with judgement.

let api: ApiHarness;
let worker: WorkerProcess;
let dashboard: Dashboard;
let browser: Browser;
let earlier: number;
let later: number;
let benign: number;
let first: number;
let second: number;
const admin = { key: ADMIN_KEY };

const baderj = gunzipSync(readFileSync(path.join(SHARED_DATA, 'dga/baderj-examples.csv.gz')))
  .toString('utf8')
  .split('\n')
  .slice(1);
const rowsOf = (family: string, from: number, to: number) =>
  baderj
    .filter((r) => r.startsWith(`${family},`))
    .slice(from, to)
    .map((r) => `${family},${r.split(',')[2]}`);
const ingest = (rows: string[], feed: string, fileName: string) =>
  api.deps.ingestion.ingest({ feed, source: { kind: 'stream', stream: Readable.from([Buffer.from(rows.join('\n'))]), fileName } });
const finished = (id: string) => waitForJob(api, id, (j) => ['COMPLETED', 'FAILED'].includes(j.state), 180_000, worker.output);

async function train(snapshotIds: number[], extra: Record<string, unknown>): Promise<number> {
  const job = await finished((await startTraining(api, snapshotIds, extra)).data!.startTraining.id);
  expect(job.state).toBe('COMPLETED');
  return job.modelId!;
}

beforeAll(async () => {
  api = await startApi();
  worker = await startWorker(api.db.url, api.queuePrefix);
  const alexa = gunzipSync(readFileSync(path.join(SHARED_DATA, 'benign/alexa-top100k-2015.csv.gz')))
    .toString('utf8')
    .split('\n')
    .slice(0, 450);
  earlier = (
    await ingest(
      ['family,domain', ...rowsOf('banjori', 0, 150), ...rowsOf('pykspa', 0, 150), ...rowsOf('necurs', 0, 150)],
      'feed-x',
      'x-1.csv',
    )
  ).snapshotId;
  benign = (await ingest(alexa, 'alexa', 'top.csv')).snapshotId;
  // Another feed without necurs: a model trained on it loses a family the first one knows (a worse candidate, surely).
  const withoutNecurs = (await ingest(['family,domain', ...rowsOf('banjori', 0, 150), ...rowsOf('pykspa', 0, 150)], 'feed-y', 'y.csv'))
    .snapshotId;
  // 10 epochs, not 3: with today's training (after issue 17) a 3-epoch model scored F1 = 0 on every
  // DGA family of its test split, so there was no family for the candidate to lose.
  first = await train([earlier, benign], { epochs: 10 });
  expect((await api.gql(`mutation($id: Int!) { promoteModel(id: $id) { id } }`, { id: first }, admin)).errors).toBeUndefined();
  // The later feed of the same feed: necurs gone, simda and suppobox new. Its ingestion evaluates the promoted model.
  const outcome = await ingest(
    [
      'family,domain',
      ...rowsOf('banjori', 100, 200),
      ...rowsOf('pykspa', 100, 200),
      ...rowsOf('simda', 0, 60),
      ...rowsOf('suppobox', 0, 40),
    ],
    'feed-x',
    'x-2.csv',
  );
  later = outcome.snapshotId;
  const evaluationJob = /\(job (.+)\)$/.exec(outcome.afterIngest[0]!.message)![1]!;
  expect((await finished(evaluationJob)).state).toBe('COMPLETED');
  // and one epoch instead of three: worse on the test split too, whatever the tiny runs learn
  second = await train([withoutNecurs, benign], { epochs: 1 });
  // the second model on the later feed (the promotion review compares there); the first also on
  // its own earlier feed (a second point of its chart)
  for (const [s, m] of [
    [later, second],
    [earlier, first],
  ]) {
    const evaluated = await api.gql(`mutation($s: Int!, $m: Int) { startEvaluation(snapshotId: $s, modelId: $m) { id } }`, { s, m }, admin);
    expect((await finished(evaluated.data!.startEvaluation.id)).state).toBe('COMPLETED');
  }
  dashboard = await startDashboard(api.url);
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  await worker?.stop();
  await api?.close();
});

async function saveKey(page: Page) {
  await page.getByLabel(/Admin API key/).fill(ADMIN_KEY);
  await page.getByRole('button', { name: 'Use this key' }).click();
  await adminOutcome(page, 'API key accepted.');
}

describe('the analyst loop in a real browser', () => {
  it("the unseen review opens on the feed's latest two snapshots with the promoted model's view, and trains from there", async () => {
    const r = await api.gql(
      `query($a: Int!, $b: Int!, $m: Int!) {
        unseenFamilies(a: $a, b: $b) { appeared { family count } disappeared { family count } }
        evaluations(modelId: $m, snapshotId: $b) { unknownFamilies { family flaggedRate unknownFamilyRate assignedTo { family share } } }
      }`,
      { a: earlier, b: later, m: first },
    );
    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/unseen`);
    // the default pair: the same feed's two snapshots, never the DGA feed against the benign list
    await expect(page.getByTestId('default-pair').textContent()).resolves.toBe(
      `Showing the two most recent snapshots of feed feed-x: #${earlier} and #${later}.`,
    );
    const rows = page.locator('[data-testid="appeared"] tbody tr');
    await expect(rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-family')))).resolves.toEqual(
      r.data!.unseenFamilies.appeared.map((f: { family: string }) => f.family),
    );
    expect(r.data!.unseenFamilies.appeared.map((f: { family: string }) => f.family).sort()).toEqual(['simda', 'suppobox']);
    await expect(page.locator('[data-testid="disappeared"] tbody tr').getAttribute('data-family')).resolves.toBe('necurs');
    // each appeared family: the model's flagged and unknown-family shares and what it took them for, as the API has them
    for (const view of r.data!.evaluations[0].unknownFamilies) {
      const row = page.locator(`[data-testid="appeared"] tr[data-family="${view.family}"]`);
      await expect(row.locator('[data-flagged]').getAttribute('data-flagged')).resolves.toBe(String(view.flaggedRate));
      await expect(row.locator('[data-unknown]').getAttribute('data-unknown')).resolves.toBe(String(view.unknownFamilyRate));
      await expect(row.locator('[data-assigned]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-assigned')))).resolves.toEqual(
        view.assignedTo.map((a: { family: string }) => a.family),
      );
    }
    await expect(page.getByTestId('model-view').textContent()).resolves.toMatch(
      new RegExp(`^The promoted model v${first}’s view, from its evaluation on #${later}`),
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'unseen-review.png'), fullPage: true });

    // "Train with these families": the training form with the promoted model's snapshots, the new one and a warm start
    await page.getByTestId('train-with-these').click();
    await page.waitForURL(/\/admin\?train=/);
    await saveKey(page);
    await expect(page.getByTestId('training-prefill').textContent()).resolves.toMatch(new RegExp(`warm start from v${first}`));
    for (const id of [earlier, benign, later])
      await expect(page.locator(`input[name="snapshot"][value="${id}"]`).isChecked()).resolves.toBe(true);
    await expect.poll(() => page.getByLabel('Warm start from').inputValue()).toBe(String(first));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the model page charts its evaluations by snapshot date beside the test split, with the numbers of the API', async () => {
    const r = await api.gql(
      `query($m: Int!) { model(id: $m) { metrics { macro { f1 } } } evaluations(modelId: $m) { id snapshotId macroF1 flaggedRate } }`,
      {
        m: first,
      },
    );
    // oldest snapshot first: the earlier feed (trained on), then the later one
    expect(r.data!.evaluations.map((e: { snapshotId: number }) => e.snapshotId)).toEqual([earlier, later]);
    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/models/${first}`);
    const chart = page.getByTestId('evaluations-chart');
    await expect(chart.getAttribute('data-points')).resolves.toBe('2');
    // two series (macro-F1, DGA flagged) and the test split's reference line, drawn by the chart library
    await expect.poll(() => chart.locator('path.recharts-line-curve').count()).toBe(2);
    await expect.poll(() => chart.textContent()).toContain(`test split macro-F1 ${r.data!.model.metrics.macro.f1.toFixed(3)}`);
    await expect(chart.locator('.recharts-reference-line').count()).resolves.toBe(1);
    const e = r.data!.evaluations[1];
    const row = page.locator(`[data-testid="model-evaluations"] tr[data-snapshot="${later}"]`);
    await expect(row.locator('[data-macro-f1]').getAttribute('data-macro-f1')).resolves.toBe(String(e.macroF1));
    await expect(row.locator('[data-flagged]').getAttribute('data-flagged')).resolves.toBe(String(e.flaggedRate));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'model-evaluations.png'), fullPage: true });
    // its page: trained on vs fresh, and the unknown families
    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`/evaluations/${e.id}$`));
    await expect(page.locator('[data-testid="unknown-families"] tbody tr').count()).resolves.toBe(2);
    await expect(page.locator('[data-split="all"] [data-macro-f1]').getAttribute('data-macro-f1')).resolves.toBe(String(e.macroF1));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('promotion asks for confirmation when the candidate is worse on any measure; rollback is one step', async () => {
    const r = await api.gql(`query($id: Int!) { promotionReview(id: $id) { worse familiesLost measures { key worse } } }`, { id: second });
    const review = r.data!.promotionReview;
    expect(review.measures.map((m: { key: string }) => m.key)).toEqual([
      'macroF1',
      'benignFalsePositiveRate',
      'familiesLost',
      'laterFeedMacroF1',
      'laterFeedFlaggedRate',
    ]);
    // Families lost: known (F1 > 0) on the promoted model's test split, at F1 = 0 or unknown to the candidate. Which ones
    // depends on what 2–3 tiny epochs learnt, so the expectation comes from the two models' own metrics.
    const perFamily = async (id: number) =>
      new Map<string, number>(
        (await api.gql(`query($id: Int!) { model(id: $id) { metrics { perFamily { family f1 support } } } }`, { id }))
          .data!.model.metrics.perFamily.filter((c: { support: number }) => c.support > 0)
          .map((c: { family: string; f1: number }) => [c.family, c.f1]),
      );
    const [was, now] = [await perFamily(first), await perFamily(second)];
    const lost = [...was].filter(([family, f1]) => family !== 'benign' && f1 > 0 && (now.get(family) ?? 0) === 0).map(([f]) => f);
    expect(review.familiesLost).toEqual(lost.sort());
    expect(review.worse).toBe(true);
    const promotedNow = async () => (await api.gql(`{ models(first: 1, status: PROMOTED) { nodes { id } } }`)).data!.models.nodes[0].id;

    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/admin`);
    await saveKey(page);
    await page.getByRole('button', { name: `Promote v${second}` }).click();
    const dialog = page.getByTestId('promotion-review');
    await dialog.waitFor();
    // every measure on which the candidate is worse is marked, and only those
    const shownWorse = await dialog.locator('tr[data-worse="true"]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-measure')));
    expect(shownWorse).toEqual(review.measures.filter((m: { worse: boolean }) => m.worse).map((m: { key: string }) => m.key));
    for (const family of review.familiesLost)
      await expect(dialog.locator('tr[data-measure="familiesLost"]').textContent()).resolves.toContain(family);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'promotion-warning.png'), fullPage: true });
    // "Keep" changes nothing
    await page.getByRole('button', { name: `Keep v${first}` }).click();
    await expect(dialog.count()).resolves.toBe(0);
    expect(await promotedNow()).toBe(first);
    // "Promote anyway" promotes
    await page.getByRole('button', { name: `Promote v${second}` }).click();
    await page.getByRole('button', { name: `Promote v${second} anyway` }).click();
    await expect.poll(() => page.getByTestId(`model-status-${second}`).textContent(), { timeout: 10_000 }).toBe('promoted');
    // rollback: one click, no questions, although v1 would not be "worse" either way
    await page.getByRole('button', { name: `Roll back to v${first}` }).click();
    await expect.poll(() => page.getByTestId(`model-status-${first}`).textContent(), { timeout: 10_000 }).toBe('promoted');
    await expect(page.getByRole('alertdialog').count()).resolves.toBe(0);
    expect(await promotedNow()).toBe(first);
    expect(errors).toEqual([]);
    await page.close();
  });
});
