import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, readLineBatches, type Line } from './line-reader';

async function collect(chunks: string[]): Promise<Line[]> {
  async function* source() {
    for (const c of chunks) yield Buffer.from(c);
  }
  const out: Line[] = [];
  for await (const batch of readLineBatches(source())) out.push(...batch);
  return out;
}

describe('readLineBatches', () => {
  it('numbers lines across chunk boundaries, strips CRLF and a BOM', async () => {
    const lines = await collect(['\uFEFFa.com\r\nb.c', 'om\r\n\r\nc.com']);
    expect(lines).toEqual([
      { number: 1, text: 'a.com' },
      { number: 2, text: 'b.com' },
      { number: 3, text: '' },
      { number: 4, text: 'c.com' },
    ]);
  });

  it('keeps multi-byte characters split between chunks', async () => {
    const bytes = Buffer.from('bücher.de\n');
    async function* source() {
      yield bytes.subarray(0, 2);
      yield bytes.subarray(2);
    }
    const out: Line[] = [];
    for await (const batch of readLineBatches(source())) out.push(...batch);
    expect(out).toEqual([{ number: 1, text: 'bücher.de' }]);
  });

  it('cuts off an endless line and carries on with the next', async () => {
    const lines = await collect(['a.com\n', 'x'.repeat(MAX_LINE_CHARS + 10), 'y'.repeat(100), '\nb.com\n']);
    expect(lines.map((l) => [l.number, l.tooLong ?? false])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
    expect(lines[2]!.text).toBe('b.com');
  });
});
