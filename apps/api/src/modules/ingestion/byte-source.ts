import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, type Transform } from 'node:stream';
import { createGunzip, createInflateRaw } from 'node:zlib';
import { AppError } from '../../errors/app-error';
import { compressionOf, SNIFF_BYTES, type Compression } from './content-sniffer';
import { contentDecoder, DEFAULT_URL_POLICY, fetchFeedUrl, type FetchedUrl, type UrlPolicy } from './url-source';
import { firstZipEntry } from './zip-entry';

export type IngestSource =
  | { kind: 'path'; path: string }
  | { kind: 'url'; url: string }
  /** A response fetched already (a scheduled pull's conditional GET). */
  | { kind: 'fetched'; fetched: FetchedUrl }
  | { kind: 'stream'; stream: Readable; fileName: string };

export interface OpenedSource {
  fileName: string;
  sourceUrl: string | null;
  /** Size in bytes when known in advance (files, Content-Length), for progress. */
  sizeHint: number | null;
  raw: AsyncIterable<Buffer>;
}

export async function openSource(source: IngestSource, maxBytes: number, urlPolicy: UrlPolicy = DEFAULT_URL_POLICY): Promise<OpenedSource> {
  switch (source.kind) {
    case 'path': {
      const info = await stat(source.path).catch((err: NodeJS.ErrnoException) => {
        throw new AppError('BAD_USER_INPUT', 'SOURCE_NOT_FOUND', `${source.path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
      });
      if (!info.isFile()) throw new AppError('BAD_USER_INPUT', 'SOURCE_NOT_A_FILE', `${source.path}: not a regular file`);
      if (info.size > maxBytes) throw tooLarge(source.path, maxBytes);
      return { fileName: path.basename(source.path), sourceUrl: null, sizeHint: info.size, raw: createReadStream(source.path) };
    }
    case 'url':
      return openFetched(await fetchFeedUrl(source.url, urlPolicy), maxBytes);
    case 'fetched':
      return openFetched(source.fetched, maxBytes);
    case 'stream':
      return { fileName: source.fileName, sourceUrl: null, sizeHint: null, raw: source.stream };
  }
}

function openFetched(fetched: FetchedUrl, maxBytes: number): OpenedSource {
  if (fetched.length !== null && fetched.length > maxBytes) throw tooLarge(fetched.finalUrl.href, maxBytes);
  const fileName = path.posix.basename(fetched.finalUrl.pathname) || fetched.finalUrl.hostname;
  // Streamed straight into the parser: no temporary copy of the whole file. A Content-Encoding
  // is undone here, bounded like a compressed file: by size and by its ratio to the bytes received.
  return {
    fileName,
    sourceUrl: fetched.finalUrl.href,
    sizeHint: fetched.encoding ? null : fetched.length,
    raw: fetched.encoding
      ? boundedDecode(fileName, fetched.body, contentDecoder(fetched.encoding), `decode ${fetched.encoding}`, maxBytes)
      : fetched.body,
  };
}

function tooLarge(name: string, maxBytes: number): AppError {
  return new AppError('BAD_USER_INPUT', 'SOURCE_TOO_LARGE', `${name}: larger than the ${maxBytes}-byte ingestion limit (MAX_INGEST_BYTES)`);
}

/** Counts and hashes the bytes as they pass, and stops a source that exceeds the limit. */
export class ByteMeter {
  private readonly hash = createHash('sha256');
  bytes = 0;
  constructor(
    private readonly name: string,
    private readonly maxBytes: number,
  ) {}
  async *measure(chunks: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      this.bytes += buffer.length;
      if (this.bytes > this.maxBytes) throw tooLarge(this.name, this.maxBytes);
      this.hash.update(buffer);
      yield buffer;
    }
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Returns the first `bytes` bytes of a stream and the whole stream, replayed from the start. */
export async function peek(
  chunks: AsyncIterable<Buffer>,
  bytes = SNIFF_BYTES,
): Promise<{ head: Buffer; complete: boolean; all: AsyncIterable<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let size = 0;
  let complete = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      complete = true;
      break;
    }
    taken.push(next.value);
    size += next.value.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* taken;
    if (!complete) for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head: Buffer.concat(taken).subarray(0, bytes), complete, all: all() };
}

/**
 * Real feeds compress 3–20:1 (top lists, DGA CSVs); gzip tops out near 1,000:1 on repeated
 * bytes. Past this ratio, after enough output to judge, the input is a decompression bomb.
 */
export const MAX_COMPRESSION_RATIO = 200;
const RATIO_CHECK_AFTER_BYTES = 2 * 1024 * 1024;

/**
 * Undoes gzip or zip (the first file of the archive, as Umbrella's top-1m.csv.zip), with
 * the decompressed size bounded by the same limit as the input and its ratio to the
 * compressed bytes fed to the decoder so far bounded too: a bomb stops at whichever comes
 * first. Both formats are decoded as their bytes arrive, so the ratio is measured as it grows.
 */
export async function decompress(
  name: string,
  chunks: AsyncIterable<Buffer>,
  maxBytes: number,
): Promise<{ compression: Compression; content: AsyncIterable<Buffer> }> {
  const { head, all } = await peek(chunks, 4);
  const compression = compressionOf(head);
  if (compression === 'none') return { compression, content: all };
  if (compression === 'gzip') return { compression, content: boundedDecode(name, all, createGunzip(), 'gunzip', maxBytes) };
  const { header, compressed } = await firstZipEntry(name, all);
  if (header.uncompressedSize !== null && header.uncompressedSize > maxBytes) throw tooLarge(`${name} (${header.name})`, maxBytes);
  if (
    header.compressedSize !== null &&
    header.uncompressedSize !== null &&
    header.uncompressedSize > RATIO_CHECK_AFTER_BYTES &&
    header.uncompressedSize > MAX_COMPRESSION_RATIO * header.compressedSize
  ) {
    throw ratioError(name, header.compressedSize, header.uncompressedSize, 'declares');
  }
  const decoder = header.method === 'deflate' ? createInflateRaw() : new PassThrough();
  return { compression, content: boundedDecode(name, compressed, decoder, 'unzip', maxBytes) };
}

function ratioError(name: string, compressedBytes: number, bytes: number, verb: 'gave' | 'declares'): AppError {
  return new AppError(
    'BAD_USER_INPUT',
    'COMPRESSION_RATIO',
    `${name}: decompresses more than ${MAX_COMPRESSION_RATIO}:1 (${compressedBytes} bytes ${verb} ${bytes}${verb === 'gave' ? ' so far' : ''}); refused as a decompression bomb`,
  );
}

/**
 * Pipes compressed bytes through a decoder, bounding the output by `maxBytes` and by
 * MAX_COMPRESSION_RATIO times the compressed bytes the decoder has consumed so far.
 */
export async function* boundedDecode(
  name: string,
  compressed: AsyncIterable<Buffer>,
  decoder: Transform,
  verb: string,
  maxBytes: number,
): AsyncGenerator<Buffer> {
  let compressedBytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of compressed) {
      compressedBytes += chunk.length;
      yield chunk;
    }
  }
  const input = Readable.from(counted());
  // Errors of the compressed input and of the decoder must both reach the consumer.
  const output = new PassThrough();
  input.on('error', (err) => output.destroy(err));
  decoder.on('error', (err: Error) => output.destroy(err));
  input.pipe(decoder).pipe(output);
  const limited = new ByteMeter(`${name} (decompressed)`, maxBytes);
  try {
    for await (const chunk of limited.measure(output as AsyncIterable<Buffer>)) {
      // A zlib decoder counts the input it has actually consumed; bytes read ahead into its buffer do not count.
      const consumed = 'bytesWritten' in decoder ? Math.min(Number(decoder.bytesWritten), compressedBytes) : compressedBytes;
      if (limited.bytes > RATIO_CHECK_AFTER_BYTES && limited.bytes > MAX_COMPRESSION_RATIO * consumed) {
        throw ratioError(name, consumed, limited.bytes, 'gave');
      }
      yield chunk;
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('BAD_USER_INPUT', 'SOURCE_CORRUPT', `${name}: cannot ${verb}: ${(err as Error).message}`);
  } finally {
    input.destroy();
    decoder.destroy();
  }
}
