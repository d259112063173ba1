import { Readable } from 'node:stream';
import type { FileUpload } from 'graphql-upload-minimal';
import { AppError } from '../../errors/app-error';
import type { IngestSource } from './byte-source';

const tooLarge = (fileName: string) =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    'UPLOAD_TOO_LARGE',
    `${fileName}: the upload is larger than the largest upload (MAX_UPLOAD_BYTES); nothing was stored`,
  );

/**
 * The uploaded file as an ingestion source. The upload library ends a file stream at
 * MAX_UPLOAD_BYTES as if the file ended there (a chunked request announces no size); such a
 * stream fails here instead, so that the ingestion rolls back and nothing is stored.
 */
export async function uploadSource(file: Promise<FileUpload>): Promise<IngestSource> {
  const upload = await file;
  let stream: Readable;
  try {
    stream = upload.createReadStream();
  } catch (err) {
    // The limit was reached before the resolver asked for the stream.
    if ((err as { status?: number }).status === 413) throw tooLarge(upload.filename);
    throw err;
  }
  let truncated = false;
  stream.once('limit', () => (truncated = true));
  const isTruncated = () => truncated || (stream as Readable & { truncated?: boolean }).truncated === true;
  async function* checked(): AsyncGenerator<Buffer> {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (isTruncated()) throw tooLarge(upload.filename);
      yield chunk;
    }
    if (isTruncated()) throw tooLarge(upload.filename);
  }
  return { kind: 'stream', stream: Readable.from(checked(), { objectMode: false }), fileName: upload.filename };
}
