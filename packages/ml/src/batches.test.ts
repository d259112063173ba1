import { describe, expect, it } from 'vitest';
import { epochBatches } from './batches';

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
