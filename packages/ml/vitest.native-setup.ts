// Global setup of the vitest project `ml-native` (vitest.config.mts): says once, at the top of the
// run, when the native suite cannot run here and why (the suites then skip themselves; see
// src/test-utils.ts). Probes in a child process, so the runner itself never loads TensorFlow.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const r = spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], {
    cwd: __dirname,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  if (r.status === 0) return;
  const why = (r.stderr || r.error?.message || `exit ${r.status}`).split('\n').find((l) => /Error|error/.test(l)) ?? 'does not load';
  console.log(`[ml-native] native TensorFlow suite skipped: @tensorflow/tfjs-node does not load (${why.trim()}); see docs/native-tf.md`);
}
