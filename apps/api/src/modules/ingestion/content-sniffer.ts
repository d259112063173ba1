import type { FeedFormat } from './feed-format';

export const SNIFF_BYTES = 64 * 1024;

export type Compression = 'gzip' | 'zip' | 'none';

export function compressionOf(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  return 'none';
}

export type SniffResult = { ok: true; format: FeedFormat } | { ok: false; reason: string };

/**
 * Refuses content that is not a feed at all (empty, binary, an HTML page) and detects
 * the format from the first data lines. `forced` skips detection but not the refusals.
 */
export function sniffContent(head: Buffer, complete: boolean, forced?: FeedFormat): SniffResult {
  if (head.length === 0) return { ok: false, reason: 'the file is empty' };
  if (controlShare(head) > 0.1) return { ok: false, reason: 'the file is binary (control bytes throughout), not a text feed' };
  const text = head.toString('utf8');
  const replacement = text.split('\uFFFD').length - 1;
  if (replacement > Math.max(8, text.length / 100)) return { ok: false, reason: 'the file is not UTF-8 text' };
  let lines = text.replace(/^\uFEFF/, '').split('\n');
  if (!complete && lines.length > 1) lines = lines.slice(0, -1); // the last one may be cut
  lines = lines.map((l) => l.replace(/\r$/, '').trim());
  const firstText = lines.find((l) => l !== '') ?? '';
  if (/^<(!doctype|html|head|body|\?xml)/i.test(firstText) || /<html[\s>]/i.test(text.slice(0, 4096))) {
    return { ok: false, reason: 'the file is an HTML/XML page, not a feed (an error page saved in its place?)' };
  }
  const data = lines.filter((l) => l !== '' && !l.startsWith('#'));
  if (data.length === 0) {
    return lines.some((l) => l.startsWith('#'))
      ? { ok: false, reason: 'the feed has a header but no data rows' }
      : { ok: false, reason: 'the file has no data rows' };
  }
  if (forced) return { ok: true, format: forced };
  const format = detectFormat(lines, data.slice(0, 50));
  if (!format) return { ok: false, reason: `unrecognised format; first data line: "${data[0]!.slice(0, 120)}" (use an explicit format)` };
  return { ok: true, format };
}

function detectFormat(lines: string[], sample: string[]): FeedFormat | null {
  const share = (test: (line: string) => boolean) => sample.filter(test).length / sample.length;
  const bambenekHeader = lines.some((l) => l.startsWith('#') && /bambenek|dga feed|domain feed/i.test(l));
  if (bambenekHeader || share((l) => /^[^,]+,\s*Domain used by /i.test(l)) >= 0.5) return 'bambenek';
  if (share((l) => l.split('\t').length >= 2) >= 0.8) return 'netlab-tsv';
  if (share((l) => /^\d+\s*,\s*[^,\s]+$/.test(l)) >= 0.8) return 'rank-csv';
  if (share((l) => /^"?[^,]+"?\s*,\s*"?[^,\s]+"?$/.test(l)) >= 0.8) return 'labelled-csv';
  if (share((l) => /^[^\s,;]+$/.test(l)) >= 0.8) return 'plain-list';
  return null;
}

/**
 * Share of bytes that no text feed contains (C0 controls other than tab, line feed, form feed
 * and carriage return, and DEL). A stray NUL in a text feed only rejects its line; a binary
 * file is made of them.
 */
function controlShare(head: Buffer): number {
  let control = 0;
  for (const byte of head)
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) || byte === 0x7f) control += 1;
  return control / head.length;
}
