import 'reflect-metadata';
import type { ClassifyResult } from '@dgascope/ml';
import { describe, expect, it } from 'vitest';
import { classifyAndStore, type Batch } from './classify-pipeline';

const batchesOf = (n: number): Batch[] =>
  Array.from({ length: n }, (_, b) => ({ names: [`n${b}a`, `n${b}b`], lines: [2 * b + 1, 2 * b + 2] }));
async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
const ok = (names: string[]): ClassifyResult[] => names.map((domain) => ({ ok: false, domain, error: 'stand-in result' }));
const tick = () => new Promise<void>((r) => setTimeout(r, 5));

describe('classifyAndStore', () => {
  it('writes every batch once and in order, one write at a time, with classifications running ahead', async () => {
    const events: string[] = [];
    let writing = 0;
    let classifying = 0;
    let mostClassifying = 0;
    const processed = await classifyAndStore({
      batches: iterate(batchesOf(7)),
      classify: async (names) => {
        classifying++;
        mostClassifying = Math.max(mostClassifying, classifying);
        await tick();
        classifying--;
        return ok(names);
      },
      write: async (batch, results) => {
        expect(writing).toBe(0);
        writing++;
        expect(results.map((r) => r.domain)).toEqual(batch.names);
        events.push(batch.names[0]!);
        await tick();
        await tick(); // writes slower than classifying: the classifier must not wait for them
        writing--;
      },
      signal: new AbortController().signal,
    });
    expect(processed).toBe(14);
    expect(events).toEqual(['n0a', 'n1a', 'n2a', 'n3a', 'n4a', 'n5a', 'n6a']);
    expect(mostClassifying).toBeGreaterThan(1);
    expect(mostClassifying).toBeLessThanOrEqual(3);
  });

  it('fails with the failed batch once every started write has ended', async () => {
    let writesEnded = 0;
    let writesStarted = 0;
    await expect(
      classifyAndStore({
        batches: iterate(batchesOf(6)),
        classify: async (names) => {
          await tick();
          if (names[0] === 'n3a') throw new Error('batch 3 failed');
          return ok(names);
        },
        write: async () => {
          writesStarted++;
          await tick();
          writesEnded++;
        },
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow('batch 3 failed');
    expect(writesStarted).toBe(3);
    expect(writesEnded).toBe(3);
  });
});
