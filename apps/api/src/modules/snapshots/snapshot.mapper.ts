import type { Snapshot as SnapshotRow } from '@prisma/client';
import type { Snapshot } from './snapshot.type';

export function toSnapshot(row: SnapshotRow): Snapshot {
  return { ...row, byteSize: Number(row.byteSize) };
}
