import { StringDecoder } from 'node:string_decoder';

export const MAX_LINE_CHARS = 64 * 1024;

export interface Line {
  /** 1-based line number in the (decompressed) file. */
  number: number;
  /** The line without its line ending (CRLF or LF) and without a leading UTF-8 BOM. */
  text: string;
  /** Set when the line was longer than MAX_LINE_CHARS; `text` is then its beginning. */
  tooLong?: true;
}

/**
 * Splits a byte stream into numbered lines, yielded as one array per chunk read (a consumer
 * awaiting each of a million lines one by one spent more time in the async iteration than in
 * parsing). Feeds are line-oriented (no field spans a line), so framing by newline here keeps
 * one bad line from swallowing the next ones, and an endless line is cut off instead of
 * filling memory.
 */
export async function* readLineBatches(chunks: AsyncIterable<Buffer>): AsyncGenerator<Line[]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let number = 0;
  let skippingLongLine = false;
  const emit = (raw: string, tooLong = false): Line => {
    number += 1;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (number === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return tooLong ? { number, text: text.slice(0, 200), tooLong: true } : { number, text };
  };
  for await (const chunk of chunks) {
    pending += decoder.write(chunk);
    const batch: Line[] = [];
    let start = 0;
    let newline = pending.indexOf('\n', start);
    while (newline >= 0) {
      if (skippingLongLine) skippingLongLine = false;
      else batch.push(emit(pending.slice(start, newline)));
      start = newline + 1;
      newline = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
    if (pending.length > MAX_LINE_CHARS) {
      if (!skippingLongLine) batch.push(emit(pending, true));
      skippingLongLine = true;
      pending = '';
    }
    if (batch.length > 0) yield batch;
  }
  pending += decoder.end();
  if (pending.length > 0 && !skippingLongLine) yield [emit(pending)];
}
