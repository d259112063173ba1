import { BENIGN_LABEL } from '@dgascope/core';
import { describe, expect, it } from 'vitest';
import { benignSuffixPool, registrableSuffix, resolveBenignSuffixes, resuffixedBenign } from './benign-suffixes';
import { createRng } from './rng';
import { describeOnBackend, TINY } from './test-utils';
import { train } from './train';
import type { Sample } from './dataset';

const poolOf = (...a: Parameters<typeof benignSuffixPool>): NonNullable<ReturnType<typeof benignSuffixPool>> => {
  const pool = benignSuffixPool(...a);
  if (!pool) throw new Error('no pool');
  return pool;
};
const names = (suffix: string, n: number, prefix = 'site'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}.${suffix}`);

describe('benign names on other suffixes', () => {
  it("takes part only with names under a public suffix, not under a provider's own or in .arpa", () => {
    expect(registrableSuffix('bbc.co.uk')).toBe('co.uk');
    expect(registrableSuffix('yandex.ru')).toBe('ru');
    expect(registrableSuffix('d2x7k9qz.cloudfront.net')).toBeNull();
    expect(registrableSuffix('myblog.blogspot.com')).toBeNull();
    expect(registrableSuffix('10.in-addr.arpa')).toBeNull();
    expect(registrableSuffix('localhost')).toBeNull();
  });

  it('draws suffixes of the benign names in proportion to a power of their counts, dropping rare ones', () => {
    const inputs = [
      ...names('com', 900),
      ...names('ru', 100),
      ...names('co.uk', 4),
      ...names('de', 2),
      ...names('cloudfront.net', 50),
      ...names('in-addr.arpa', 50),
    ];
    const pool = poolOf(inputs, resolveBenignSuffixes({ share: 1 }));
    expect(pool.suffixes).toEqual(['com', 'ru', 'co.uk']);
    // √900 : √100 : √4
    expect(Array.from(pool.cumulative)).toEqual([30 / 42, 40 / 42, 1].map((c) => expect.closeTo(c, 12)));
    expect(Array.from(poolOf(inputs, resolveBenignSuffixes({ share: 1, power: 0 })).cumulative)).toEqual(
      [1 / 3, 2 / 3, 1].map((c) => expect.closeTo(c, 12)),
    );
    // nothing to move names to
    expect(benignSuffixPool(names('com', 50), resolveBenignSuffixes({ share: 1 }))).toBeNull();
  });

  it('re-suffixes about the share of the names each epoch, keeps their labels, never returns a name as it was', () => {
    const inputs = [...names('com', 1500), ...names('ru', 300), ...names('de', 200)];
    const positions = inputs.map((_, i) => i);
    const pool = poolOf(inputs, resolveBenignSuffixes({ share: 0.3, power: 0 }));
    const a = resuffixedBenign(inputs, positions, pool, 0.3, 5, 1);
    expect(resuffixedBenign(inputs, positions, pool, 0.3, 5, 1)).toEqual(a);
    const b = resuffixedBenign(inputs, positions, pool, 0.3, 5, 2);
    expect([...a.keys()].filter((i) => b.has(i)).length).toBeLessThan(a.size * 0.45);
    // share 0.3, minus the draws that landed twice on the name's own suffix
    expect(a.size).toBeGreaterThan(0.24 * inputs.length);
    expect(a.size).toBeLessThan(0.32 * inputs.length);
    for (const [i, name] of a) {
      const original = inputs[i] as string;
      expect(name).not.toBe(original);
      expect(name.split('.')[0]).toBe(original.split('.')[0]);
      expect(['com', 'ru', 'de']).toContain(name.split('.').slice(1).join('.'));
    }
    // a provider's generated name never moves
    const cdn = [...names('com', 10), ...names('ru', 10), ...names('cloudfront.net', 10, 'd2x7k9')];
    const moved = resuffixedBenign(
      cdn,
      cdn.map((_, i) => i),
      poolOf(cdn, resolveBenignSuffixes({ share: 1 })),
      1,
      1,
      1,
    );
    expect([...moved.keys()].every((i) => i < 20)).toBe(true);
    expect(moved.size).toBeGreaterThan(10);
    // multi-label suffixes are replaced whole
    const uk = resuffixedBenign(
      ['bbc.co.uk'],
      [0],
      poolOf([...names('com', 5), ...names('co.uk', 5)], resolveBenignSuffixes({ share: 1 })),
      1,
      1,
      1,
    );
    expect(uk.get(0)).toBe('bbc.com');
  });

  it('validates its options', () => {
    expect(resolveBenignSuffixes({ share: 0.2 })).toEqual({ share: 0.2, power: 0.5, minCount: 3 });
    expect(() => resolveBenignSuffixes({ share: 0 })).toThrow(/share must be in \(0, 1\]/);
    expect(() => resolveBenignSuffixes({ share: 0.2, power: 2 })).toThrow(/power/);
    expect(() => resolveBenignSuffixes({ share: 0.2, minCount: 0 })).toThrow(/minCount/);
  });
});

describeOnBackend('benign names on other suffixes in training', () => {
  // Benign names are vowel labels, nearly all on .com; the DGA class mixes vowels with q/w/x on
  // .net. A vowel label on .net is benign by its label and DGA-like by its suffix.
  function samples(): Sample[] {
    const rng = createRng(3);
    const label = (chars: string): string =>
      Array.from({ length: 6 + Math.floor(rng() * 6) }, () => chars[Math.floor(rng() * chars.length)]).join('');
    const out: Sample[] = [];
    for (let i = 0; i < 300; i++) {
      const d = `${label('aeiou')}.${i % 25 === 0 ? 'net' : 'com'}`;
      out.push({ domain: d, input: d, label: BENIGN_LABEL });
      const g = `${label('aeiouqwx')}.net`;
      out.push({ domain: g, input: g, label: 'alpha' });
    }
    return out;
  }

  it('moves a benign label on a DGA class’s suffix towards benign, and records itself', async () => {
    const opts = {
      architecture: TINY,
      epochs: 6,
      batchSize: 32,
      learningRate: 0.02,
      seed: 7,
      earlyStopping: false as const,
      decision: false as const,
    };
    const data = { train: samples() };
    const plain = await train(data, opts);
    const shown = await train(data, { ...opts, benignSuffixes: { share: 0.5, power: 1 } });
    const rng = createRng(11);
    const probes = Array.from({ length: 100 }, () => `${Array.from({ length: 9 }, () => 'aeiou'[Math.floor(rng() * 5)]).join('')}.net`);
    const benignMean = (r: typeof plain): number => {
      const p = r.model.predictProba(probes);
      const C = r.model.labels.length;
      const b = r.model.labels.indexOf(BENIGN_LABEL);
      let sum = 0;
      for (let i = 0; i < probes.length; i++) sum += p[i * C + b] as number;
      return sum / probes.length;
    };
    expect(benignMean(shown)).toBeGreaterThan(benignMean(plain) + 0.3);
    expect(shown.model.meta.trainingRuns.at(-1)).toMatchObject({ benignSuffixes: { share: 0.5, power: 1, minCount: 3, suffixes: 2 } });
    expect(plain.model.meta.trainingRuns.at(-1)).not.toHaveProperty('benignSuffixes');
    await expect(train(data, { ...opts, benignSuffixes: { share: 0.5 }, inputForm: { reduction: 'full' } })).rejects.toThrow(
      /registered-domain inputs/,
    );
    plain.model.dispose();
    shown.model.dispose();
  });

  it('moves nothing where the benign names sit on one suffix, and says so', async () => {
    const opts = {
      architecture: TINY,
      epochs: 2,
      batchSize: 32,
      learningRate: 0.02,
      seed: 7,
      earlyStopping: false as const,
      decision: false as const,
    };
    const comOnly = samples().map((s) =>
      s.label === BENIGN_LABEL ? { ...s, domain: s.domain.replace(/\.net$/, '.com'), input: s.input.replace(/\.net$/, '.com') } : s,
    );
    const plain = await train({ train: comOnly }, opts);
    const asked = await train({ train: comOnly }, { ...opts, benignSuffixes: { share: 0.5 } });
    expect(asked.model.meta.trainingRuns.at(-1)).toMatchObject({ benignSuffixes: { share: 0.5, suffixes: 0 } });
    const probes = ['aeiouaeiou.com', 'qwxqwxaeu.net'];
    expect(Array.from(asked.model.predictProba(probes))).toEqual(Array.from(plain.model.predictProba(probes)));
    plain.model.dispose();
    asked.model.dispose();
  });
});
