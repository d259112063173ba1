import type { PrismaClient } from '@prisma/client';
import DataLoader from 'dataloader';
import type { Feed } from '../modules/feeds/feed.type';
import { toSnapshot } from '../modules/snapshots/snapshot.mapper';
import type { Snapshot } from '../modules/snapshots/snapshot.type';
import { toModel } from '../modules/models/model.mapper';
import type { Model } from '../modules/models/model.type';
import type { DomainListingValue, SnapshotDomains } from '../modules/snapshots/snapshot-domains';

export interface Loaders {
  feedById: DataLoader<number, Feed>;
  snapshotCountByFeed: DataLoader<number, number>;
  latestSnapshotByFeed: DataLoader<number, Snapshot | null>;
  familyCountBySnapshot: DataLoader<number, number>;
  modelById: DataLoader<number, Model>;
  /** By normalised name: its newest listing in a DGA or labelled feed's snapshot, if any. */
  feedListingByDomain: DataLoader<string, DomainListingValue | null>;
}

/** Per-request batching: nested fields cost one query per field, not one per row. */
export function createLoaders(prisma: PrismaClient, snapshotDomains: SnapshotDomains): Loaders {
  return {
    feedListingByDomain: new DataLoader(async (names) => {
      const byName = await snapshotDomains.newestFeedListings(names);
      return names.map((n) => byName.get(n) ?? null);
    }),
    feedById: new DataLoader(async (ids) => {
      const rows = await prisma.feed.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((f) => [f.id, f]));
      return ids.map((id) => byId.get(id) ?? new Error(`feed ${id} not found`));
    }),
    snapshotCountByFeed: new DataLoader(async (ids) => {
      const rows = await prisma.snapshot.groupBy({ by: ['feedId'], where: { feedId: { in: [...ids] } }, _count: { _all: true } });
      const byId = new Map(rows.map((r) => [r.feedId, r._count._all]));
      return ids.map((id) => byId.get(id) ?? 0);
    }),
    latestSnapshotByFeed: new DataLoader(async (ids) => {
      const rows = await prisma.snapshot.findMany({
        where: { feedId: { in: [...ids] } },
        orderBy: [{ takenAt: 'desc' }, { id: 'desc' }],
        distinct: ['feedId'],
      });
      const byId = new Map(rows.map((s) => [s.feedId, toSnapshot(s)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    modelById: new DataLoader(async (ids) => {
      const rows = await prisma.mlModel.findMany({ where: { id: { in: [...ids] } }, omit: { artifact: true } });
      const byId = new Map(rows.map((m) => [m.id, toModel(m)]));
      return ids.map((id) => byId.get(id) ?? new Error(`model ${id} not found`));
    }),
    familyCountBySnapshot: new DataLoader(async (ids) => {
      const rows = await prisma.snapshotFamilyCount.groupBy({
        by: ['snapshotId'],
        where: { snapshotId: { in: [...ids] } },
        _count: { _all: true },
      });
      const byId = new Map(rows.map((r) => [r.snapshotId, r._count._all]));
      return ids.map((id) => byId.get(id) ?? 0);
    }),
  };
}
