import type { ChunkPayload } from '../../../queue/queues';
import type { SnapshotDomains } from '../../snapshots/snapshot-domains';

/**
 * How a bulk job is split: into chunks of `chunkSize` names (key ranges of the snapshot, or
 * slices of the list); null when it fits in one chunk (one job does it all, as before).
 */
export async function planChunks(
  snapshotDomains: SnapshotDomains,
  request: { snapshotId: number | null; domains: string[] | null },
  chunkSize: number,
): Promise<Array<Omit<ChunkPayload, 'jobId'>> | null> {
  if (request.domains) {
    if (request.domains.length <= chunkSize) return null;
    const chunks: Array<Omit<ChunkPayload, 'jobId'>> = [];
    for (let start = 0; start < request.domains.length; start += chunkSize)
      chunks.push({ index: chunks.length, range: null, slice: { start, end: Math.min(start + chunkSize, request.domains.length) } });
    return chunks;
  }
  if (request.snapshotId == null) return null;
  if ((await snapshotDomains.count([request.snapshotId])) <= chunkSize) return null;
  const ranges = await snapshotDomains.chunkBounds(request.snapshotId, chunkSize);
  return ranges.map((range, index) => ({ index, range, slice: null }));
}
