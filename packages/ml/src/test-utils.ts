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
