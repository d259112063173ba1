const MAX_STRING = 200;
const MAX_ITEMS = 10;
const MAX_DEPTH = 4;

/**
 * A bounded, JSON-safe summary of a mutation's arguments for the audit log: long strings are
 * cut, long lists keep their first items and say how many there were, uploads are named
 * but never read, and nothing that looks like a secret is kept.
 */
export function summarizeArguments(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string')
    return withoutNul(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof (value as { then?: unknown }).then === 'function') return '(uploaded file)';
  if (depth >= MAX_DEPTH) return '(nested)';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => summarizeArguments(v, depth + 1));
    return value.length > MAX_ITEMS ? { first: items, count: value.length } : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = /key|secret|password|token/i.test(k) ? '(redacted)' : summarizeArguments(v, depth + 1);
    }
    return out;
  }
  return String(value);
}

/** PostgreSQL text and jsonb cannot hold NUL characters: they are written as the two characters \\0. */
export function withoutNul(text: string): string {
  return text.replaceAll('\u0000', '\\0');
}
