import { describe, expect, it } from 'vitest';
import { CharTokenizer, OOV_INDEX, PAD_INDEX } from './tokenizer';

describe('CharTokenizer', () => {
  const tok = CharTokenizer.fit(['abc.com', 'xn--bcher-kva.de', 'b-1.net']);

  it('round-trips known text and reserves 0 for padding, 1 for unknown', () => {
    for (const d of ['abc.com', 'b-1.net', 'xn--bcher-kva.de']) expect(tok.decode(tok.encode(d))).toBe(d);
    expect([...tok.encode('a')][0]).toBeGreaterThan(OOV_INDEX);
    expect([...tok.encode('a!')][1]).toBe(OOV_INDEX);
    expect(tok.decode([PAD_INDEX, PAD_INDEX, ...tok.encode('ab')])).toBe('ab');
    expect(tok.vocabSize).toBe(tok.chars.length + 2);
  });

  it('encodes by code point: a character outside the BMP is one unknown id', () => {
    const a = [...tok.encode('a')][0];
    expect([...tok.encode('a\u{1F600}a')]).toEqual([a, OOV_INDEX, a]);
    expect([...tok.encode('')]).toEqual([]);
  });

  it('is deterministic whatever the input order', () => {
    expect(CharTokenizer.fit(['b-1.net', 'abc.com', 'xn--bcher-kva.de']).toJSON()).toEqual(tok.toJSON());
  });

  it('serialises and restores', () => {
    const back = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
    expect([...back.encode('abc.com')]).toEqual([...tok.encode('abc.com')]);
    expect(() => CharTokenizer.fromJSON({ kind: 'char', chars: ['a', 'a'] })).toThrow(/invalid character/);
    expect(() => CharTokenizer.fromJSON({ kind: 'word' } as never)).toThrow(/not a char tokenizer/);
  });

  it('extends without disturbing known characters', () => {
    const ext = tok.extend(['zz_q.io']);
    for (const c of tok.chars) expect(ext.indexOf(c)).toBe(tok.indexOf(c));
    expect(ext.indexOf('z')).toBeGreaterThanOrEqual(tok.vocabSize);
    expect(ext.indexOf('_')).not.toBe(OOV_INDEX);
    expect(tok.extend(['abc'])).toBe(tok);
  });
});
