import type { ApiHarness } from './api-harness';
import { ADMIN_KEY } from './test-env';

const JOB = `query($id: String!) { job(id: $id) { id kind state error attempts modelId progress { stage epoch epochs } } }`;

export interface JobView {
  id: string;
  kind: string;
  state: string;
  error: string | null;
  attempts: number;
  modelId: number | null;
  progress: { stage: string | null; epoch: number | null; epochs: number | null } | null;
}

export async function jobState(api: Pick<ApiHarness, 'gql'>, id: string): Promise<JobView> {
  const r = await api.gql<{ job: JobView }>(JOB, { id });
  if (!r.data?.job) throw new Error(`job ${id}: ${JSON.stringify(r.errors)}`);
  return r.data.job;
}

/** Polls the API until the job satisfies `done`; the error names the job's last state. */
export async function waitForJob(
  api: Pick<ApiHarness, 'gql'>,
  id: string,
  done: (job: JobView) => boolean,
  timeoutMs = 120_000,
  context: () => string = () => '',
): Promise<JobView> {
  const started = Date.now();
  for (;;) {
    const job = await jobState(api, id);
    if (done(job)) return job;
    if (Date.now() - started > timeoutMs) throw new Error(`job ${id} still ${JSON.stringify(job)} after ${timeoutMs} ms\n${context()}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The paper's LSTM, tiny (the default preset, a CNN, is trained tiny in verdicts.test.ts). */
export const TINY_TRAINING = {
  preset: 'endgame-2016',
  epochs: 2,
  embeddingDim: 16,
  lstmUnits: 16,
  batchSize: 64,
  earlyStoppingPatience: 0,
};

export async function startTraining(api: Pick<ApiHarness, 'gql'>, snapshotIds: number[], extra: Record<string, unknown> = {}) {
  return api.gql<{ startTraining: { id: string; state: string } }>(
    `mutation($input: StartTrainingInput!) { startTraining(input: $input) { id state } }`,
    { input: { snapshotIds, ...TINY_TRAINING, ...extra } },
    { key: ADMIN_KEY },
  );
}
