import { describe, expect, it } from 'vitest';
import { stratifiedSplit } from './split';

const data = [
  ...Array.from({ length: 1000 }, (_, i) => ({ id: `b${i}`, label: 'benign' })),
  ...Array.from({ length: 200 }, (_, i) => ({ id: `x${i}`, label: 'x' })),
  ...Array.from({ length: 3 }, (_, i) => ({ id: `r${i}`, label: 'rare' })),
];
const ids = (a: { id: string }[]): string[] => a.map((s) => s.id);

describe('stratifiedSplit', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = stratifiedSplit(data),
      b = stratifiedSplit(data);
    expect(ids(a.train)).toEqual(ids(b.train));
    expect(ids(a.test)).toEqual(ids(b.test));
    expect(ids(stratifiedSplit(data, { seed: 24 }).test)).not.toEqual(ids(a.test));
  });

  it('keeps the label proportions and covers every sample once', () => {
    const s = stratifiedSplit(data, { validation: 0.1, test: 0.2 });
    const count = (arr: { label: string }[], l: string): number => arr.filter((x) => x.label === l).length;
    expect(count(s.test, 'benign')).toBe(200);
    expect(count(s.validation, 'benign')).toBe(100);
    expect(count(s.test, 'x')).toBe(40);
    expect(count(s.validation, 'x')).toBe(20);
    expect(count(s.train, 'rare')).toBeGreaterThanOrEqual(1);
    expect(new Set([...ids(s.train), ...ids(s.validation), ...ids(s.test)]).size).toBe(data.length);
  });

  it('rejects impossible fractions', () => {
    expect(() => stratifiedSplit(data, { validation: 0.5, test: 0.5 })).toThrow(RangeError);
  });
});
