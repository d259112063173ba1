import { AppError } from '../../errors/app-error';

/** What the local header of a zip entry declares. Sizes are null when a data descriptor follows instead. */
export interface ZipEntryHeader {
  name: string;
  method: 'stored' | 'deflate';
  compressedSize: number | null;
  uncompressedSize: number | null;
}

const LOCAL_HEADER = 0x04034b50;
const corrupt = (name: string, why: string) => new AppError('BAD_USER_INPUT', 'SOURCE_CORRUPT', `${name}: cannot unzip: ${why}`);

/** Reads exact byte counts from a stream of chunks. */
class ChunkReader {
  private buffered: Buffer[] = [];
  private size = 0;
  private done = false;
  constructor(private readonly iterator: AsyncIterator<Buffer>) {}
  /** Buffers at least `n` bytes; false when the stream ends first. */
  private async fill(n: number): Promise<boolean> {
    while (this.size < n && !this.done) {
      const next = await this.iterator.next();
      if (next.done) this.done = true;
      else {
        this.buffered.push(next.value);
        this.size += next.value.length;
      }
    }
    return this.size >= n;
  }
  async take(n: number): Promise<Buffer | null> {
    if (!(await this.fill(n))) return null;
    const all = Buffer.concat(this.buffered);
    this.buffered = [all.subarray(n)];
    this.size -= n;
    return all.subarray(0, n);
  }
  /** Up to `limit` bytes as they arrive (all of the rest when limit is null). */
  async *stream(limit: number | null): AsyncGenerator<Buffer> {
    let left = limit ?? Infinity;
    while (left > 0) {
      if (this.size === 0 && !(await this.fill(1))) return;
      const chunk = Buffer.concat(this.buffered);
      this.buffered = [];
      this.size = 0;
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      if (part.length < chunk.length) {
        this.buffered = [chunk.subarray(part.length)];
        this.size = chunk.length - part.length;
      }
      left -= part.length;
      yield part;
    }
  }
}

/**
 * The first file of a zip archive (as Umbrella's top-1m.csv.zip), read from its local header
 * onwards as the bytes arrive: its header and its compressed bytes, never the whole entry at
 * once, so that the decompression ratio can be measured as the entry is inflated.
 */
export async function firstZipEntry(
  name: string,
  chunks: AsyncIterable<Buffer>,
): Promise<{ header: ZipEntryHeader; compressed: AsyncIterable<Buffer> }> {
  const reader = new ChunkReader(chunks[Symbol.asyncIterator]());
  for (;;) {
    const fixed = await reader.take(30);
    if (!fixed || fixed.readUInt32LE(0) !== LOCAL_HEADER) throw corrupt(name, 'no file in the archive');
    const flags = fixed.readUInt16LE(6);
    const methodCode = fixed.readUInt16LE(8);
    let compressedSize: number | null = fixed.readUInt32LE(18);
    let uncompressedSize: number | null = fixed.readUInt32LE(22);
    const nameLength = fixed.readUInt16LE(26);
    const extraLength = fixed.readUInt16LE(28);
    const variable = await reader.take(nameLength + extraLength);
    if (!variable) throw corrupt(name, 'truncated local header');
    const entryName = variable.subarray(0, nameLength).toString('utf8');
    const extra = variable.subarray(nameLength);
    if (flags & 0x1) throw corrupt(name, `${entryName} is encrypted`);
    // ZIP64: the 32-bit fields say 0xFFFFFFFF and the real sizes are in extra field 0x0001.
    for (let at = 0; at + 4 <= extra.length;) {
      const id = extra.readUInt16LE(at);
      const size = extra.readUInt16LE(at + 2);
      if (id === 0x0001) {
        let field = at + 4;
        if (uncompressedSize === 0xffffffff && field + 8 <= at + 4 + size) {
          uncompressedSize = Number(extra.readBigUInt64LE(field));
          field += 8;
        }
        if (compressedSize === 0xffffffff && field + 8 <= at + 4 + size) compressedSize = Number(extra.readBigUInt64LE(field));
      }
      at += 4 + size;
    }
    if (flags & 0x8) {
      // Sizes follow the data in a descriptor: stream until the deflate stream ends by itself.
      compressedSize = null;
      uncompressedSize = null;
    }
    if (entryName.endsWith('/')) {
      // A directory entry: skip it, the file comes next.
      if (compressedSize === null) throw corrupt(name, `directory entry ${entryName} without sizes`);
      if (!(await reader.take(compressedSize))) throw corrupt(name, 'truncated archive');
      continue;
    }
    if (methodCode !== 0 && methodCode !== 8)
      throw corrupt(name, `${entryName} uses compression method ${methodCode} (only stored and deflate are supported)`);
    if (methodCode === 0 && compressedSize === null) throw corrupt(name, `${entryName} is stored without sizes`);
    return {
      header: { name: entryName, method: methodCode === 0 ? 'stored' : 'deflate', compressedSize, uncompressedSize },
      compressed: reader.stream(compressedSize),
    };
  }
}
