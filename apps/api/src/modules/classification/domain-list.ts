import type { FileUpload } from 'graphql-upload-minimal';
import { AppError } from '../../errors/app-error';
import { readLines } from '../ingestion/line-reader';
import { MAX_LIST_DOMAINS } from './bulk-classification.service';

/**
 * The names of an uploaded list: one a line, or the last column of a CSV line (so Umbrella's
 * rank,domain and family,domain both work). Invalid names are kept: the job reports them.
 */
export async function readDomainList(upload: FileUpload): Promise<string[]> {
  const names: string[] = [];
  for await (const line of readLines(upload.createReadStream())) {
    const text = line.text.trim();
    if (text === '' || text.startsWith('#')) continue;
    const name = text.includes(',') ? text.slice(text.lastIndexOf(',') + 1).trim() : text;
    if (line.number === 1 && /^(domain|name|host)$/i.test(name)) continue;
    names.push(name);
    if (names.length > MAX_LIST_DOMAINS) {
      throw new AppError(
        'BAD_USER_INPUT',
        'TOO_MANY_DOMAINS',
        `${upload.filename}: more than ${MAX_LIST_DOMAINS} names; ingest it as a snapshot and classify the snapshot`,
      );
    }
  }
  if (names.length === 0) throw new AppError('BAD_USER_INPUT', 'NO_DOMAINS', `${upload.filename}: no names in the file`);
  return names;
}
