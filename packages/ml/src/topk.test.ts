import { describe, expect, it } from 'vitest';
import { topK } from './predictor';
import { createRng } from './rng';

describe('topK', () => {
  it('agrees with a full sort (largest first, lower index first among equal values)', () => {
    const rng = createRng(5);
    for (let n = 1; n < 60; n += 7)
      for (let trial = 0; trial < 20; trial++) {
        // few distinct values, so that ties are common
        const row = Float32Array.from({ length: n }, () => Math.floor(rng() * 6) / 6);
        const sorted = Array.from({ length: n }, (_, i) => i).sort((a, b) => (row[b] as number) - (row[a] as number) || a - b);
        for (const k of [1, 3, n + 2]) expect(topK(row, k)).toEqual(sorted.slice(0, k));
      }
  });
});
