import { describe, expect, it } from 'vitest';
import { epochBatches } from './batches';
import { lengthBatches } from './model';

describe('epochBatches', () => {
  const lengths = Array.from({ length: 1000 }, (_, i) => 5 + ((i * 7919) % 30));

  it('covers every sample exactly once, groups by length, and is seeded', () => {
    const b = epochBatches(lengths, 128, 75, 'bucket', 1);
    expect(b.flat().sort((x, y) => x - y)).toEqual(lengths.map((_, i) => i));
    expect(b).toHaveLength(8);
    const spread = b.map(
      (batch) => Math.max(...batch.map((i) => lengths[i] as number)) - Math.min(...batch.map((i) => lengths[i] as number)),
    );
    expect(Math.max(...spread)).toBeLessThanOrEqual(5);
    expect(epochBatches(lengths, 128, 75, 'bucket', 1)).toEqual(b);
    expect(epochBatches(lengths, 128, 75, 'bucket', 2)).not.toEqual(b);
  });

  it('max mode makes random (unsorted) batches', () => {
    const b = epochBatches(lengths, 100, 75, 'max', 1);
    expect(b.flat()).toHaveLength(1000);
    const spread =
      Math.max(...(b[0] as number[]).map((i) => lengths[i] as number)) - Math.min(...(b[0] as number[]).map((i) => lengths[i] as number));
    expect(spread).toBeGreaterThan(20);
  });
});

describe('lengthBatches (inference)', () => {
  const seqs = [3, 3, 3, 3, 3, 4, 4, 4, 4, 9, 5, 5].map((n) => new Int32Array(n));
  const order = seqs.map((_, i) => i).sort((a, b) => (seqs[a] as Int32Array).length - (seqs[b] as Int32Array).length);

  it('cuts by size alone when padding costs nothing', () => {
    expect(lengthBatches(order, seqs, 75, 4, false)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 10, 11, 9],
    ]);
  });

  it('also cuts where the length changes, merging groups below a quarter of the batch size', () => {
    const b = lengthBatches(order, seqs, 75, 4, true);
    expect(b.flat().sort((x, y) => x - y)).toEqual(seqs.map((_, i) => i));
    expect(b).toEqual([[0, 1, 2, 3], [4], [5, 6, 7, 8], [10, 11], [9]]);
    // a quarter of 12 is 3: the two 5-long names are too few to run alone and take the 9-long one along
    expect(lengthBatches(order, seqs, 75, 12, true)).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8],
      [10, 11, 9],
    ]);
    // lengths are clipped to maxLen before they are compared
    expect(lengthBatches(order, seqs, 3, 8, true)).toEqual([order.slice(0, 8), order.slice(8)]);
  });
});
