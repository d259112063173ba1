import type { FileUpload } from 'graphql-upload-minimal';
import { AppError } from '../../errors/app-error';
import { readLineBatches } from '../ingestion/line-reader';
import { MAX_LIST_DOMAINS } from './bulk-classification.service';

/** The names of a list with where each was: `lines[i]` is the 1-based line of `names[i]`. */
export interface NumberedNames {
  names: string[];
  lines: number[];
}

/**
 * The names of a `domains` list, numbered by their position in it (1-based). Blank entries are
 * skipped but counted, so a pasted text area sent line by line keeps its line numbers. Invalid
 * names are kept: the job reports each with its line.
 */
export function numberList(domains: readonly string[]): NumberedNames {
  const out: NumberedNames = { names: [], lines: [] };
  domains.forEach((d, i) => {
    const name = d.trim();
    if (name === '') return;
    out.names.push(name);
    out.lines.push(i + 1);
  });
  return out;
}

/**
 * The names of an uploaded list: one a line, or the last column of a CSV line (so Umbrella's
 * rank,domain and family,domain both work), numbered by their line in the file. Invalid names
 * are kept: the job reports each with its line.
 */
export async function readDomainList(upload: FileUpload): Promise<NumberedNames> {
  const out: NumberedNames = { names: [], lines: [] };
  for await (const batch of readLineBatches(upload.createReadStream())) {
    for (const line of batch) {
      const text = line.text.trim();
      if (text === '' || text.startsWith('#')) continue;
      const name = text.includes(',') ? text.slice(text.lastIndexOf(',') + 1).trim() : text;
      if (line.number === 1 && /^(domain|name|host)$/i.test(name)) continue;
      out.names.push(name);
      out.lines.push(line.number);
      if (out.names.length > MAX_LIST_DOMAINS) {
        throw new AppError(
          'BAD_USER_INPUT',
          'TOO_MANY_DOMAINS',
          `${upload.filename}: more than ${MAX_LIST_DOMAINS} names; ingest it as a snapshot and classify the snapshot`,
        );
      }
    }
  }
  if (out.names.length === 0) throw new AppError('BAD_USER_INPUT', 'NO_DOMAINS', `${upload.filename}: no names in the file`);
  return out;
}
