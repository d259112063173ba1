import { describe, expect, it } from 'vitest';
import { isNaturalSampling, sampledEpoch } from './sampling';

describe('sampledEpoch', () => {
  // class 0 benign (300), class 1 (600), class 2 (90), class 3 (10)
  const ys = Int32Array.from([...Array(300).fill(0), ...Array(600).fill(1), ...Array(90).fill(2), ...Array(10).fill(3)]);
  const countBy = (idx: Int32Array): number[] => {
    const c = [0, 0, 0, 0];
    idx.forEach((i) => (c[ys[i] as number] as number)++);
    return c;
  };

  it('keeps the epoch size, gives benign its share and the families n^power shares', () => {
    const idx = sampledEpoch(ys, 4, 0, { power: 0.5, benignShare: 0.5 }, 1);
    expect(idx).toHaveLength(1000);
    const c = countBy(idx);
    expect(c[0]).toBe(500);
    const mass = Math.sqrt(600) + Math.sqrt(90) + Math.sqrt(10);
    expect(c[1]).toBeCloseTo((500 * Math.sqrt(600)) / mass, -1);
    expect(c[3]).toBeCloseTo((500 * Math.sqrt(10)) / mass, -1);
  });

  it('draws a class in shuffled cycles: no repeat before every member was drawn', () => {
    const idx = sampledEpoch(ys, 4, 0, { power: 0 }, 2);
    const rare = [...idx].filter((i) => ys[i] === 3);
    expect(rare.length).toBeGreaterThan(20); // 700 DGA draws over 3 families
    expect(new Set(rare.slice(0, 10)).size).toBe(10);
    expect(new Set(rare.slice(10, 20)).size).toBe(10);
    expect(countBy(idx)[0]).toBe(300); // benign keeps its natural share
  });

  it('is seeded, and power 1 without a benign share is the natural epoch', () => {
    expect(sampledEpoch(ys, 4, 0, { power: 0.5 }, 3)).toEqual(sampledEpoch(ys, 4, 0, { power: 0.5 }, 3));
    expect(isNaturalSampling({ power: 1 })).toBe(true);
    expect(isNaturalSampling({ benignShare: 0.5 })).toBe(false);
    expect(() => sampledEpoch(ys, 4, 0, { benignShare: 1 }, 1)).toThrow(/benignShare must be in \(0, 1\)/);
    expect(() => sampledEpoch(ys, 4, 0, { power: 2 }, 1)).toThrow(/power must be in \[0, 1\]/);
  });
});
