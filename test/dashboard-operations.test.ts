import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { launchBrowser, openPage, SCREENSHOTS, startDashboard, type Dashboard, adminOutcome } from './support/dashboard-harness';
import { ADMIN_KEY } from './support/test-env';

let api: ApiHarness;
let dashboard: Dashboard;
let browser: Browser;

beforeAll(async () => {
  api = await startApi();
  dashboard = await startDashboard(api.url);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  await api?.close();
});

describe('admin page: feed schedules and webhooks', () => {
  it('sets, pauses and resumes a schedule; creates a webhook (secret once), adds a rule and sends a test delivery', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${dashboard.url}/admin`);
    await page.getByLabel(/Admin API key/).fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await adminOutcome(page, 'API key accepted.', errors);

    const schedule = page.getByRole('form', { name: 'set a feed schedule' });
    await schedule.getByLabel('Feed', { exact: true }).fill('bambenek');
    await schedule.getByLabel(/^URL/).fill('https://osint.example.org/dga-feed.txt');
    await schedule.getByLabel('Cron (UTC)').fill('15 * * * *');
    await schedule.getByLabel('Kind (new feed)').selectOption('DGA');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await adminOutcome(page, 'Schedule of "bambenek" saved.', errors);
    await expect.poll(() => page.getByTestId('schedule-bambenek').textContent()).toBe('cron 15 * * * * (UTC)');
    await page.locator('tr[data-feed="bambenek"]').getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('schedule-bambenek').textContent()).toMatch(/paused/);
    await page.locator('tr[data-feed="bambenek"]').getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('schedule-bambenek').textContent()).not.toMatch(/paused/);
    // A bad schedule is refused with the API's reason.
    await schedule.getByLabel('Feed', { exact: true }).fill('bambenek');
    await schedule.getByLabel('Cron (UTC)').fill('every hour');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await expect.poll(() => page.getByTestId('admin-error').textContent()).toMatch(/is not a cron pattern/);

    const create = page.getByRole('form', { name: 'create a webhook' });
    await create.getByLabel('Name').fill('soc');
    await create.getByLabel('URL').fill('https://hooks.example.org/dgascope');
    await create.getByLabel('Body').selectOption('SLACK');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await expect.poll(() => page.getByTestId('webhook-secret').textContent()).toMatch(/Signing secret of “soc”, shown only now: \S{32,}/);
    const hook = page.locator('article[data-webhook="soc"]');
    await hook.locator('select[name="kind"]').selectOption('SHARE_CHANGE');
    await hook.locator('input[name="threshold"]').fill('5');
    await hook.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => hook.locator('li').first().textContent()).toMatch(/SHARE_CHANGE > 5 \(every DGA feed\)/);
    await hook.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => hook.locator('[data-testid="deliveries-soc"] tr').count()).toBe(1);
    await expect(hook.locator('[data-testid="deliveries-soc"] tr').first().textContent()).resolves.toMatch(/test/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-operations-1280.png'), fullPage: true });
    // The refused schedule's request is logged by the browser as an error response; nothing else.
    expect(errors.filter((e) => !/status of 400|Bad Request/.test(e))).toEqual([]);
  });
});
