import { domainToASCII } from 'node:url';

export type NormalizeResult = { ok: true; domain: string } | { ok: false; reason: string };

const MAX_NAME = 253;
const MAX_LABEL = 63;
// Host names plus the underscore, which real feeds and top lists carry (_dmarc, _domainkey).
const LABEL_CHARS = /^[a-z0-9_-]+$/;

/**
 * The single definition of "the same domain" across ingestion, training and
 * classification: lower case, no trailing dot, IDN as punycode, and RFC 1035 sizes.
 */
export function normalizeDomain(raw: string): NormalizeResult {
  // Nearly every name in a feed is already normal; one pass over its characters says so
  // without the trim, lower-casing and split below (ingestion normalises millions per list).
  if (isAlreadyNormal(raw)) return { ok: true, domain: raw };
  let name = raw.trim();
  if (name.length === 0) return { ok: false, reason: 'empty domain' };
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0) return { ok: false, reason: 'empty domain' };
  // Punycode conversion is only needed (and only safe to trust) for non-ASCII input;
  // domainToASCII also rejects names such as "a..b", which we report ourselves below.
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name);
    if (ascii === '') return { ok: false, reason: `invalid internationalised domain name "${truncate(raw)}"` };
    name = ascii;
  }
  name = name.toLowerCase();
  if (name.length > MAX_NAME) return { ok: false, reason: `domain longer than ${MAX_NAME} characters (${name.length})` };
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) return { ok: false, reason: `empty label in "${truncate(name)}"` };
    if (label.length > MAX_LABEL) {
      return { ok: false, reason: `label longer than ${MAX_LABEL} characters (${label.length}) in "${truncate(name)}"` };
    }
    if (!LABEL_CHARS.test(label)) {
      return { ok: false, reason: `invalid character in "${truncate(name)}"` };
    }
  }
  return { ok: true, domain: name };
}

/**
 * True when `name` is exactly what normalizeDomain would return for it: lower-case ASCII
 * letters, digits, '_' and '-' in labels of 1 to MAX_LABEL characters separated by single
 * dots, at most MAX_NAME characters, no leading or trailing dot. Anything else (upper case,
 * spaces, IDN, errors) takes the full path.
 */
function isAlreadyNormal(name: string): boolean {
  const length = name.length;
  if (length === 0 || length > MAX_NAME) return false;
  let labelLength = 0;
  for (let i = 0; i < length; i++) {
    const c = name.charCodeAt(i);
    if (c === 46 /* . */) {
      if (labelLength === 0) return false;
      labelLength = 0;
    } else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95) {
      if (++labelLength > MAX_LABEL) return false;
    } else {
      return false;
    }
  }
  return labelLength > 0;
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
