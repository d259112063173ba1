import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'artifacts', 'screenshots');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface Dashboard {
  url: string;
  stop(): Promise<void>;
}

/** `next start` of the built dashboard, pointed at the given GraphQL API. */
export async function startDashboard(apiUrl: string): Promise<Dashboard> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      require.resolve('next/dist/bin/next', { paths: [path.join(ROOT, 'apps', 'dashboard')] }),
      'start',
      '-p',
      String(port),
      '-H',
      '127.0.0.1',
    ],
    {
      cwd: path.join(ROOT, 'apps', 'dashboard'),
      env: { ...process.env, DGASCOPE_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}): ${output}`);
    const ok = await fetch(url).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens a page that records console errors and uncaught page errors. */
export async function openPage(browser: Browser, width = 1280): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/**
 * Waits for an admin action's outcome: its notice, or the admin error the page shows instead.
 * A refused or failed action then fails the test with the page's own words (and its console
 * errors), not with a timeout on a notice that was never coming.
 */
export async function adminOutcome(page: Page, notice: string, errors: string[] = [], timeout = 30_000): Promise<void> {
  const shown = page.getByRole('status').filter({ hasText: notice });
  const failed = page.getByTestId('admin-error');
  await shown
    .or(failed)
    .first()
    .waitFor({ timeout })
    .catch((err: Error) => {
      throw new Error(
        `neither "${notice}" nor an admin error within ${timeout} ms; console errors: ${JSON.stringify(errors)}\n${err.message}`,
      );
    });
  if (await failed.isVisible()) {
    throw new Error(
      `the admin page answered "${await failed.textContent()}" instead of "${notice}"; console errors: ${JSON.stringify(errors)}`,
    );
  }
}
