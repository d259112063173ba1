import { describe, expect, it } from 'vitest';
import { classWeights } from './class-weights';

describe('classWeights', () => {
  const counts = [100, 10, 0];
  const meanOne = (w: Float32Array): number => (100 * (w[0] as number) + 10 * (w[1] as number)) / 110;

  it('none is all ones', () => {
    expect([...classWeights(counts, 'none')]).toEqual([1, 1, 0]);
  });
  it('inverse frequency, scaled to mean 1 per sample', () => {
    const w = classWeights(counts, 'inverse');
    // raw 1/100, 1/10; scale = 110 / (100/100 + 10/10) = 55
    expect(w[0]).toBeCloseTo(0.55, 6);
    expect(w[1]).toBeCloseTo(5.5, 6);
    expect(w[2]).toBe(0);
    expect(meanOne(w)).toBeCloseTo(1, 6);
  });
  it('square root', () => {
    const w = classWeights(counts, 'sqrt');
    expect((w[1] as number) / (w[0] as number)).toBeCloseTo(Math.sqrt(10), 5);
    expect(meanOne(w)).toBeCloseTo(1, 6);
  });
  it('effective number of samples', () => {
    const beta = 0.99;
    const w = classWeights(counts, { kind: 'effective-number', beta });
    const raw = [(1 - beta) / (1 - beta ** 100), (1 - beta) / (1 - beta ** 10)];
    expect((w[1] as number) / (w[0] as number)).toBeCloseTo((raw[1] as number) / (raw[0] as number), 5);
    expect(meanOne(w)).toBeCloseTo(1, 6);
    expect(() => classWeights(counts, { kind: 'effective-number', beta: 1 })).toThrow(RangeError);
  });
});
