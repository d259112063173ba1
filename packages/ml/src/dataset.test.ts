import { BENIGN_LABEL, MERGED_LABEL } from '@dgascope/core';
import { describe, expect, it } from 'vitest';
import { fingerprint, prepareData } from './dataset';
import { toModelInput, resolveInputForm } from './input-form';

describe('input form', () => {
  it('reduces host names to registered domains by default and keeps them with reduction "full"', () => {
    const reg = resolveInputForm();
    expect(toModelInput('E116841.b.AkamaiEdge.net.', reg)).toEqual({
      ok: true,
      normalized: 'e116841.b.akamaiedge.net',
      input: 'b.akamaiedge.net',
    }); // b.akamaiedge.net is a private suffix entry
    expect(toModelInput('e116841.b.akamaiedge.net', resolveInputForm({ allowPrivateDomains: false }))).toMatchObject({
      input: 'akamaiedge.net',
    });
    expect(toModelInput('udns2.salesforce.com', reg)).toMatchObject({ input: 'salesforce.com' });
    expect(toModelInput('qwhfkjs.dyndns.org', reg)).toMatchObject({ input: 'qwhfkjs.dyndns.org' }); // private suffix kept
    expect(toModelInput('qwhfkjs.dyndns.org', resolveInputForm({ allowPrivateDomains: false }))).toMatchObject({ input: 'dyndns.org' });
    expect(toModelInput('bücher.de', reg)).toMatchObject({ input: 'xn--bcher-kva.de' });
    expect(toModelInput('a.b.example.co.uk', resolveInputForm({ reduction: 'full' }))).toMatchObject({ input: 'a.b.example.co.uk' });
    expect(toModelInput('bad..name', reg).ok).toBe(false);
  });
});

describe('prepareData', () => {
  const raw = [
    { domain: 'www.google.com', label: BENIGN_LABEL },
    { domain: 'mail.google.com', label: BENIGN_LABEL },
    { domain: 'abcxyz.com', label: 'fam' },
    { domain: 'ABCXYZ.com.', label: 'fam' },
    { domain: 'a..b', label: 'fam' },
    ...Array.from({ length: 3 }, (_, i) => ({ domain: `small${i}.net`, label: 'tiny' })),
  ];

  it('normalises, reduces, dedupes after reduction and applies the label policy', () => {
    const p = prepareData(raw, { labelPolicy: { mergeBelow: 1 } });
    expect(p.samples.map((s) => s.input)).toEqual(['google.com', 'abcxyz.com', 'small0.net', 'small1.net', 'small2.net']);
    expect(p.samples[0]?.domain).toBe('www.google.com');
    expect(p.stats).toMatchObject({ given: 8, invalid: 1, duplicates: 2, conflicts: 0 });
    expect(p.labels).toEqual([BENIGN_LABEL, 'fam', 'tiny'].sort());
    const merged = prepareData(raw, { labelPolicy: { mergeBelow: 5 } });
    expect(merged.labels).toEqual([BENIGN_LABEL, MERGED_LABEL]);
    const full = prepareData(raw, { inputForm: { reduction: 'full' }, labelPolicy: null });
    expect(full.samples).toHaveLength(6);
  });

  it('fingerprints the training set independently of order', () => {
    const p = prepareData(raw).samples;
    expect(fingerprint(p)).toBe(fingerprint([...p].reverse()));
    expect(fingerprint(p)).not.toBe(fingerprint(p.slice(1)));
  });
});
