/**
 * Character tokenizer: index 0 is padding, index 1 is "out of vocabulary", known characters
 * start at 2 in the order they were first added. Pure (no tf import) and serialisable.
 */
export const PAD_INDEX = 0;
export const OOV_INDEX = 1;

export interface TokenizerJSON {
  kind: 'char';
  chars: string[];
}

export class CharTokenizer {
  private readonly index = new Map<string, number>();

  private constructor(private readonly charList: readonly string[]) {
    charList.forEach((c, i) => this.index.set(c, i + 2));
  }

  /** Characters seen in `texts`, sorted by code point (deterministic). */
  static fit(texts: Iterable<string>): CharTokenizer {
    return new CharTokenizer([...collectChars(texts)].sort());
  }

  static fromJSON(json: TokenizerJSON): CharTokenizer {
    if (!json || json.kind !== 'char' || !Array.isArray(json.chars)) throw new Error('tokenizer: not a char tokenizer description');
    const seen = new Set<string>();
    for (const c of json.chars) {
      if (typeof c !== 'string' || [...c].length !== 1 || seen.has(c))
        throw new Error(`tokenizer: invalid character entry ${JSON.stringify(c)}`);
      seen.add(c);
    }
    return new CharTokenizer([...json.chars]);
  }

  /** A new tokenizer that keeps every known index and appends the unseen characters of `texts`. */
  extend(texts: Iterable<string>): CharTokenizer {
    const added = [...collectChars(texts)].filter((c) => !this.index.has(c)).sort();
    return added.length === 0 ? this : new CharTokenizer([...this.charList, ...added]);
  }

  /** Number of embedding rows needed: padding + OOV + known characters. */
  get vocabSize(): number {
    return this.charList.length + 2;
  }

  get chars(): readonly string[] {
    return this.charList;
  }

  indexOf(char: string): number {
    return this.index.get(char) ?? OOV_INDEX;
  }

  /** Encode every character (no padding, no truncation). */
  encode(text: string): Int32Array {
    // By code point, without an array of them first (a bulk job encodes every name it classifies).
    const out = new Int32Array(text.length);
    let n = 0;
    for (const c of text) out[n++] = this.indexOf(c);
    return n === text.length ? out : out.slice(0, n);
  }

  /** Inverse of encode; OOV becomes `oovChar`, padding is skipped. */
  decode(ids: ArrayLike<number>, oovChar = '\uFFFD'): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id === PAD_INDEX) continue;
      s += id === OOV_INDEX ? oovChar : (this.charList[id - 2] ?? oovChar);
    }
    return s;
  }

  toJSON(): TokenizerJSON {
    return { kind: 'char', chars: [...this.charList] };
  }
}

function collectChars(texts: Iterable<string>): Set<string> {
  const set = new Set<string>();
  for (const t of texts) for (const c of t) set.add(c);
  return set;
}
