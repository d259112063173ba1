import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../../../../test/support/test-env';
import { sniffContent } from './content-sniffer';

const head = (file: string) => {
  const bytes = readFileSync(path.join(SHARED_DATA, file));
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).subarray(0, 64 * 1024);
};

describe('sniffContent', () => {
  it.each([
    ['feeds/bambenek-dga-feed-sample.txt', 'bambenek'],
    ['benign/alexa-top100k-2015.csv.gz', 'rank-csv'],
    ['benign/umbrella-top100k-2026-07-06.txt.gz', 'plain-list'],
    ['benign/opendns-top10k.txt.gz', 'plain-list'],
    ['dga/netlab360-2017-07-04.tsv', 'netlab-tsv'],
  ])('detects %s as %s', (file, format) => {
    expect(sniffContent(head(file), false)).toEqual({ ok: true, format });
  });

  it('detects family,domain CSV', () => {
    expect(sniffContent(Buffer.from('family,domain\nbanjori,abc.com\ntinba,xyz.net\n'), true)).toEqual({
      ok: true,
      format: 'labelled-csv',
    });
  });

  it.each([
    [Buffer.alloc(0), /empty/],
    [Buffer.from([0x50, 0x00, 0x01, 0xff, 0x10]), /binary/],
    [Buffer.from('<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n'), /HTML/],
    [Buffer.from('## Feed generated at: x\n## header only\n'), /header but no data rows/],
    [Buffer.from('\n\n   \n'), /no data rows/],
    [Buffer.from('a b c d\ne f g h\n'), /unrecognised format/],
  ])('refuses non-feeds (%#)', (content, reason) => {
    const result = sniffContent(content, true);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('honours an explicit format but still refuses binary content', () => {
    expect(sniffContent(Buffer.from('a b c d\n'), true, 'plain-list')).toEqual({ ok: true, format: 'plain-list' });
    expect(sniffContent(Buffer.from([0, 1, 2]), true, 'plain-list').ok).toBe(false);
  });
});
