import { describe, expect, it } from 'vitest';
import { normalizeDomain } from './normalize-domain';

describe('normalizeDomain', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['  www.example.com  ', 'www.example.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['ПРИМЕР.рф', 'xn--e1afmkfd.xn--p1ai'],
    ['_dmarc.example.com', '_dmarc.example.com'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
  ])('%s → %s', (raw, domain) => {
    expect(normalizeDomain(raw)).toEqual({ ok: true, domain });
  });

  it.each([
    ['', /empty domain/],
    ['.', /empty domain/],
    ['a..b', /empty label/],
    ['exa mple.com', /invalid character/],
    ['example.com/path', /invalid character/],
    ['http://example.com', /invalid character/],
    [`${'a'.repeat(64)}.com`, /label longer than 63 characters \(64\)/],
    [`${'abcdefghi.'.repeat(26)}com`, /domain longer than 253 characters \(263\)/],
  ])('rejects %j', (raw, reason) => {
    const result = normalizeDomain(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('normalizeDomain on names that are already normal', () => {
  // These return on the one-pass check; the same name in upper case or with a trailing dot
  // takes the full path, which must agree.
  it.each([
    'a',
    'example.com',
    'a-b_c.9.x',
    '_dmarc.example.com',
    'xn--bcher-kva.de',
    `${'a'.repeat(63)}.com`,
    `${'abcdefgh.'.repeat(28)}a`, // 253 characters
  ])('%s', (name) => {
    expect(normalizeDomain(name)).toEqual({ ok: true, domain: name });
    expect(normalizeDomain(`${name.toUpperCase()}.`)).toEqual({ ok: true, domain: name });
  });

  it.each([
    ['.example.com', /empty label/],
    ['example..com', /empty label/],
    [`${'a'.repeat(64)}`, /label longer than 63/],
    [`${'abcdefgh.'.repeat(28)}ab`, /domain longer than 253 characters \(254\)/],
    ['exa$mple.com', /invalid character/],
  ])('rejects %j all the same', (raw, reason) => {
    const result = normalizeDomain(raw);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});
