import { describe, expect, it } from 'vitest';
import { DEFAULT_FAMILY_SUFFIXES, familyFromDescription } from './family-rule';

describe('familyFromDescription (the seed rule)', () => {
  // Every description shape of ../shared/data/README.md, plus real family names with spaces and slashes.
  it.each([
    ['Domain used by Cryptolocker - Flashback DGA for 10 Nov 2016', 'Cryptolocker - Flashback'],
    ['Domain used by banjori - not date seeded', 'banjori'],
    ['Domain used by pykspa (varying date seeds)', 'pykspa'],
    ['Domain used by ranbyus (uses previous 31 days as seed)', 'ranbyus'],
    ['Domain used by Post Tovar GOZ DGA for 2016-11-10', 'Post Tovar GOZ'],
    ['Domain used by P2P Gameover Zeus DGA for 10 Nov 2016', 'P2P Gameover Zeus'],
    ['Domain used by shiotob/urlzone/bebloh DGA for 10 Nov 2016', 'shiotob/urlzone/bebloh'],
    ['Domain used by Volatile Cedar / Explosive DGA for 10 Nov 2016', 'Volatile Cedar / Explosive'],
    ['Domain used by tinba DGA for 10 Nov 2016', 'tinba'],
    ['Domain used by matsnu', 'matsnu'],
  ])('%s → %s', (description, family) => {
    expect(familyFromDescription(description)).toBe(family);
  });

  it('tries the suffixes in order, not by position', () => {
    // " DGA" is tried before " -", so the dash inside the family name survives.
    expect(familyFromDescription('Domain used by A - B DGA for today')).toBe('A - B');
    // Without " DGA", " (" comes before " -".
    expect(familyFromDescription('Domain used by A - B (seeded)')).toBe('A - B');
  });

  it('takes a configurable suffix list', () => {
    expect(DEFAULT_FAMILY_SUFFIXES).toEqual([' DGA', ' (', ' -']);
    expect(familyFromDescription('Domain used by Cryptolocker - Flashback DGA for 10 Nov', [' -'])).toBe('Cryptolocker');
    expect(familyFromDescription('Domain used by foo DGA', [])).toBe('foo DGA');
  });
});
