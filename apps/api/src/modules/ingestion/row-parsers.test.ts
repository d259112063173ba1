import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../../../../test/support/test-env';
import { parseLine } from './row-parsers';

const lines = (file: string) => {
  const bytes = readFileSync(path.join(SHARED_DATA, file));
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter(Boolean);
};

describe('parseLine on real samples', () => {
  it('parses the real Bambenek feed sample', () => {
    const text = lines('feeds/bambenek-dga-feed-sample.txt');
    const parsed = text.map((l, i) => parseLine('bambenek', l, i + 1));
    expect(parsed.filter((p) => p.ok === 'skip')).toHaveLength(14);
    const row = parsed.find((p) => p.ok === true);
    expect(row).toEqual({
      ok: true,
      row: {
        domain: 'xqmclnusaswvof.com',
        family: 'Cryptolocker - Flashback',
        description: 'Domain used by Cryptolocker - Flashback DGA for 10 Nov 2016',
        listedOn: '2016-11-10',
        manualUrl: 'http://osint.bambenekconsulting.com/manual/cl.txt',
        rank: null,
      },
    });
  });

  it('parses the Alexa rank,domain layout and skips a header', () => {
    const text = lines('benign/alexa-top100k-2015.csv.gz').slice(0, 1000);
    const parsed = text.map((l, i) => parseLine('rank-csv', l, i + 1));
    // The real 2015 list has one URL with a path in its first thousand rows (rank 742).
    const rejected = parsed.flatMap((p, i) => (p.ok === false ? [[i + 1, p.reason]] : []));
    expect(rejected).toEqual([[742, 'domain: invalid character in "wenku.baidu.com/user/reg"']]);
    expect(parsed[0]).toMatchObject({ ok: true, row: { domain: 'google.com', family: 'benign', rank: 1 } });
    expect(parseLine('rank-csv', 'Rank,Domain', 1)).toEqual({ ok: 'skip' });
    expect(parseLine('rank-csv', 'Rank,Domain', 2)).toMatchObject({ ok: false });
  });

  it('parses Umbrella host names (with subdomains) as plain lists', () => {
    const text = lines('benign/umbrella-top100k-2026-07-06.txt.gz').slice(0, 5000);
    const parsed = text.map((l, i) => parseLine('plain-list', l, i + 1));
    const rejected = parsed.filter((p) => p.ok === false);
    expect(rejected.length).toBeLessThan(5);
    expect(parsed.some((p) => p.ok === true && p.row.domain.split('.').length > 3)).toBe(true);
  });

  it('parses the 360 Netlab TSV with its validity date', () => {
    const text = lines('dga/netlab360-2017-07-04.tsv');
    const parsed = text.map((l, i) => parseLine('netlab-tsv', l, i + 1));
    expect(parsed.every((p) => p.ok === true)).toBe(true);
    expect(parsed[0]).toMatchObject({ ok: true, row: { domain: 'vfperbkzbon.biz', family: 'nymaim', listedOn: '2017-07-04' } });
  });

  it('parses family,domain CSV with an optional header and quoted fields', () => {
    expect(parseLine('labelled-csv', 'family,domain', 1)).toEqual({ ok: 'skip' });
    expect(parseLine('labelled-csv', 'banjori,earnestnessbiophysicalohax.com', 2)).toMatchObject({
      ok: true,
      row: { family: 'banjori', domain: 'earnestnessbiophysicalohax.com' },
    });
    expect(parseLine('labelled-csv', '"shiotob/urlzone/bebloh","ABC.example.COM."', 3)).toMatchObject({
      ok: true,
      row: { family: 'shiotob/urlzone/bebloh', domain: 'abc.example.com' },
    });
  });
});

describe('parseLine rejections name the field and the reason', () => {
  it.each([
    ['bambenek', 'bad_domain!.com,Domain used by x DGA,2016-11-10,http://x', /^domain: invalid character/],
    ['bambenek', 'ok.com,Domain used by x DGA,10/11/2016,http://x', /^date: /],
    ['bambenek', 'ok.com', /expected domain,description/],
    ['rank-csv', 'x,google.com', /^rank: /],
    ['rank-csv', '1,google.com,extra', /expected rank,domain/],
    ['labelled-csv', `${'f'.repeat(300)},a.com`, /^family: label longer than 100/],
    ['labelled-csv', '"unterminated,a.com', /malformed CSV quoting/],
    ['plain-list', `${'a'.repeat(64)}.com`, /^domain: label longer than 63/],
    ['plain-list', `${'abcdefgh.'.repeat(30)}com`, /^domain: domain longer than 253/],
    ['netlab-tsv', 'nymaim\tx.com\tyesterday\ttomorrow', /^valid_from: /],
  ] as const)('%s: %s', (format, line, reason) => {
    const parsed = parseLine(format, line, 5);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok === false && parsed.reason).toMatch(reason);
  });

  it('normalises case, trailing dots and IDNs', () => {
    expect(parseLine('plain-list', 'WWW.Example.COM.', 1)).toMatchObject({ ok: true, row: { domain: 'www.example.com' } });
    expect(parseLine('plain-list', 'bücher.de', 1)).toMatchObject({ ok: true, row: { domain: 'xn--bcher-kva.de' } });
  });
});
