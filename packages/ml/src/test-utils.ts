import { describe, inject } from 'vitest';
import { BENIGN_LABEL } from '@dgascope/core';
import type { Sample } from './dataset';
import { createRng } from './rng';

/** A toy problem a tiny LSTM separates in a few epochs: each class has its own alphabet and TLD. */
export const TOY_CLASSES: Record<string, { chars: string; tld: string }> = {
  [BENIGN_LABEL]: { chars: 'aeiou', tld: 'com' },
  alpha: { chars: 'qwxz', tld: 'net' },
  beta: { chars: '0123456789', tld: 'org' },
  gamma: { chars: 'bcdfg', tld: 'info' },
};

export function toySamples(perClass: number, seed = 1, classes: string[] = Object.keys(TOY_CLASSES)): Sample[] {
  const rng = createRng(seed);
  const out: Sample[] = [];
  for (const label of classes) {
    const spec = TOY_CLASSES[label];
    if (!spec) throw new Error(`no toy class ${label}`);
    const seen = new Set<string>();
    while (seen.size < perClass) {
      const len = 5 + Math.floor(rng() * 8);
      let s = '';
      for (let i = 0; i < len; i++) s += spec.chars[Math.floor(rng() * spec.chars.length)];
      const d = `${s}.${spec.tld}`;
      if (seen.has(d)) continue;
      seen.add(d);
      out.push({ domain: d, input: d, label });
    }
  }
  return out;
}

export const TINY = { embeddingDim: 8, lstmUnits: 12, dropout: 0.1 } as const;

// ---- The backend the suite runs on ----------------------------------------------------------
// vitest.config.mts runs these files twice: project `ml` on WASM, project `ml-native` on
// tfjs-node (`provide: { mlBackend: 'tfjs-node' }`). Where tfjs-node does not load, the native
// project's suites are skipped and their names say why.
export type TestBackend = 'wasm' | 'tfjs-node';

declare module 'vitest' {
  export interface ProvidedContext {
    mlBackend: TestBackend;
  }
}

/** Why @tensorflow/tfjs-node cannot run here, or null when it loads (docs/native-tf.md installs it). */
export function nativeUnavailable(): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- probing an optional native package
    require('@tensorflow/tfjs-node');
    return null;
  } catch (err) {
    return `tfjs-node does not load: ${(err as Error).message.split('\n')[0]!}; see docs/native-tf.md`;
  }
}

/** The backend this project runs the suite on ('wasm' unless the vitest project provides another). */
export const TEST_BACKEND: TestBackend = inject('mlBackend') ?? 'wasm';
/** Non-null when TEST_BACKEND cannot be used here: the reason the suites are skipped. */
export const TEST_BACKEND_SKIP: string | null = TEST_BACKEND === 'tfjs-node' ? nativeUnavailable() : null;

/** `describe` for a suite that runs on TEST_BACKEND: skipped, with the reason in its name, where that backend does not load. */
export function describeOnBackend(name: string, fn: () => void): void {
  const title = TEST_BACKEND === 'wasm' ? name : `${name} [${TEST_BACKEND}]`;
  describe.skipIf(TEST_BACKEND_SKIP !== null)(TEST_BACKEND_SKIP ? `${title} (skipped: ${TEST_BACKEND_SKIP})` : title, fn);
}
