import { parse as parseCsvLine } from 'csv-parse/sync';
import { BENIGN_LABEL, normalizeDomain } from '@dgascope/core';
import { familyFromDescription } from './family-rule';
import type { FeedFormat } from './feed-format';

export const MAX_FAMILY_CHARS = 100;

/** One accepted row, ready for the staging table. */
export interface FeedRow {
  domain: string;
  family: string;
  description: string | null;
  listedOn: string | null; // YYYY-MM-DD
  manualUrl: string | null;
  rank: number | null;
}

export type ParsedLine = { ok: true; row: FeedRow } | { ok: false; reason: string } | { ok: 'skip' };

export interface ParseOptions {
  familySuffixes?: readonly string[];
}

const SKIP: ParsedLine = { ok: 'skip' };
const reject = (reason: string): ParsedLine => ({ ok: false, reason });

/** Parses one line of a feed in the given format. `lineNumber` lets a header on line 1 be skipped. */
export function parseLine(format: FeedFormat, text: string, lineNumber: number, options: ParseOptions = {}): ParsedLine {
  const line = text.trim();
  if (line === '' || line.startsWith('#')) return SKIP;
  switch (format) {
    case 'bambenek':
      return parseBambenek(line, options);
    case 'rank-csv':
      return parseRankCsv(line, lineNumber);
    case 'plain-list':
      return accept(line, BENIGN_LABEL);
    case 'labelled-csv':
      return parseLabelledCsv(line, lineNumber);
    case 'netlab-tsv':
      return parseNetlabTsv(line);
  }
}

function accept(rawDomain: string, family: string, extra: Partial<FeedRow> = {}): ParsedLine {
  const normalized = normalizeDomain(rawDomain);
  if (!normalized.ok) return reject(`domain: ${normalized.reason}`);
  if (family.length === 0) return reject('family: empty family label');
  if (family.length > MAX_FAMILY_CHARS) return reject(`family: label longer than ${MAX_FAMILY_CHARS} characters (${family.length})`);
  if (/[\u0000-\u001f\u007f]/.test(family)) return reject('family: control character in label');
  const row: FeedRow = {
    domain: normalized.domain,
    family,
    description: extra.description ?? null,
    listedOn: extra.listedOn ?? null,
    manualUrl: extra.manualUrl ?? null,
    rank: extra.rank ?? null,
  };
  return { ok: true, row };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

function isoDate(value: string): string | null | undefined {
  if (value === '') return null;
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const date = new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== match[0] ? undefined : match[0];
}

// domain,description,date,manual-url. Descriptions have no quoting; a description that
// itself contains commas shows up as extra fields, which are joined back.
function parseBambenek(line: string, options: ParseOptions): ParsedLine {
  const fields = line.split(',').map((f) => f.trim());
  if (fields.length < 2) return reject('expected domain,description,date,manual-url');
  const domain = fields[0]!;
  let rest = fields.slice(1);
  let manualUrl: string | null = null;
  let listedOn: string | null = null;
  if (rest.length >= 2 && /^https?:\/\//i.test(rest[rest.length - 1]!)) manualUrl = rest.pop()!;
  if (rest.length >= 2) {
    const date = isoDate(rest[rest.length - 1]!);
    if (date === undefined) return reject(`date: "${rest[rest.length - 1]!.slice(0, 40)}" is not a YYYY-MM-DD date`);
    listedOn = date;
    rest = rest.slice(0, -1);
  }
  const description = rest.join(',').trim();
  const family = familyFromDescription(description, options.familySuffixes);
  if (family === '') return reject(`description: no family in "${description.slice(0, 80)}"`);
  return accept(domain, family, { description, listedOn, manualUrl });
}

function parseRankCsv(line: string, lineNumber: number): ParsedLine {
  // Two fields: found with indexOf instead of split+map, once per row of a million-row list.
  const comma = line.indexOf(',');
  if (comma < 0 || line.includes(',', comma + 1)) return reject(`expected rank,domain (got ${line.split(',').length} fields)`);
  const rankText = line.slice(0, comma).trim();
  const domain = line.slice(comma + 1).trim();
  if (!/^\d+$/.test(rankText)) {
    return lineNumber === 1 && /rank/i.test(rankText) ? SKIP : reject(`rank: "${rankText.slice(0, 40)}" is not a number`);
  }
  const rank = Number(rankText);
  if (!Number.isSafeInteger(rank) || rank > 2_147_483_647) return reject(`rank: ${rankText.slice(0, 40)} is out of range`);
  return accept(domain, BENIGN_LABEL, { rank });
}

function splitCsv(line: string): string[] | null {
  if (!line.includes('"')) return line.split(',').map((f) => f.trim());
  try {
    const [record] = parseCsvLine(line, { relax_column_count: true, trim: true }) as string[][];
    return record ?? null;
  } catch {
    return null;
  }
}

function parseLabelledCsv(line: string, lineNumber: number): ParsedLine {
  const fields = splitCsv(line);
  if (fields === null) return reject('malformed CSV quoting');
  if (fields.length !== 2) return reject(`expected family,domain (got ${fields.length} fields)`);
  const [family, domain] = fields as [string, string];
  if (lineNumber === 1 && family.toLowerCase() === 'family' && domain.toLowerCase() === 'domain') return SKIP;
  return accept(domain, family);
}

function parseNetlabTsv(line: string): ParsedLine {
  const fields = line.split('\t').map((f) => f.trim());
  if (fields.length < 2) return reject('expected family<TAB>domain<TAB>valid_from<TAB>valid_to');
  const [family, domain, validFrom = ''] = fields as [string, string, string?];
  const listedOn = isoDate(validFrom);
  if (listedOn === undefined) return reject(`valid_from: "${validFrom.slice(0, 40)}" is not a date`);
  return accept(domain, family, { listedOn });
}
