import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REDIS_URL } from './test-env';

const WORKER = path.resolve(__dirname, '..', '..', 'apps', 'api', 'dist', 'workers', 'main.js');

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGKILL: the worker dies mid-job, as a crashed host would. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** A real worker process (`npm run worker`) on the test database and the test's queues. */
export async function startWorker(databaseUrl: string, queuePrefix: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      PATH: process.env.PATH ?? '',
      DGASCOPE_ENV_FILE: 'none',
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      ML_BACKEND: 'wasm',
      WORKER_LOCK_MS: '4000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 200 && !/queues model-training/.test(output); i++) {
    if (child.exitCode !== null) throw new Error(`worker exited: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!/queues model-training/.test(output)) throw new Error(`worker did not start: ${output}`);
  return {
    child,
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
