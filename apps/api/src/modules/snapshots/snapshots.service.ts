import type { PrismaClient } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import { decodeCursor, toConnection, type ConnectionValue } from '../../pagination/keyset-page';
import { toSnapshot } from './snapshot.mapper';
import type { Rejection, Snapshot, SnapshotDomain } from './snapshot.type';

export class SnapshotsService {
  constructor(private readonly prisma: PrismaClient) {}

  /** Newest first (taken-at, then id). */
  async list(feedId: number | null | undefined, first: number, after?: string | null): Promise<ConnectionValue<Snapshot>> {
    const cursor = decodeCursor<[string, number]>(after, ['string', 'number']);
    const rows = await this.prisma.snapshot.findMany({
      where: {
        ...(feedId != null ? { feedId } : {}),
        ...(cursor ? { OR: [{ takenAt: { lt: new Date(cursor[0]) } }, { takenAt: new Date(cursor[0]), id: { lt: cursor[1] } }] } : {}),
      },
      orderBy: [{ takenAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
    });
    const total = await this.prisma.snapshot.count({ where: feedId != null ? { feedId } : {} });
    return toConnection(rows.map(toSnapshot), first, (s) => [s.takenAt.toISOString(), s.id], total);
  }

  async get(id: number): Promise<Snapshot> {
    const row = await this.prisma.snapshot.findUnique({ where: { id } });
    if (!row) throw new AppError('NOT_FOUND', 'SNAPSHOT_NOT_FOUND', `snapshot ${id} not found`);
    return toSnapshot(row);
  }

  async requireAll(ids: readonly number[]): Promise<void> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) throw new AppError('BAD_USER_INPUT', 'NO_SNAPSHOTS', 'give at least one snapshot id');
    const found = await this.prisma.snapshot.findMany({ where: { id: { in: unique } }, select: { id: true } });
    const missing = unique.filter((id) => !found.some((s) => s.id === id));
    if (missing.length)
      throw new AppError('NOT_FOUND', 'SNAPSHOT_NOT_FOUND', `snapshot${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found`);
  }

  async rejections(snapshotId: number, first: number, after?: string | null): Promise<ConnectionValue<Rejection>> {
    const cursor = decodeCursor<[number, number]>(after, ['number', 'number']);
    const rows = await this.prisma.rejection.findMany({
      where: {
        snapshotId,
        ...(cursor ? { OR: [{ line: { gt: cursor[0] } }, { line: cursor[0], id: { gt: cursor[1] } }] } : {}),
      },
      orderBy: [{ line: 'asc' }, { id: 'asc' }],
      take: first + 1,
    });
    return toConnection(rows, first, (r) => [r.line, r.id]);
  }

  /**
   * Domains of a snapshot, optionally of one family, in the primary key's order
   * (family, domain id) so that every page is an index range scan.
   */
  async domains(
    snapshotId: number,
    family: string | null | undefined,
    first: number,
    after?: string | null,
  ): Promise<ConnectionValue<SnapshotDomain>> {
    await this.get(snapshotId);
    const cursor = decodeCursor<[number, number]>(after, ['number', 'number']);
    let familyId: number | undefined;
    let total: number;
    if (family != null) {
      const found = await this.prisma.family.findUnique({ where: { name: family } });
      if (!found) throw new AppError('NOT_FOUND', 'FAMILY_NOT_FOUND', `family "${family}" not found`);
      familyId = found.id;
      const count = await this.prisma.snapshotFamilyCount.findUnique({ where: { snapshotId_familyId: { snapshotId, familyId } } });
      total = count?.count ?? 0;
    } else {
      total = (await this.prisma.snapshotFamilyCount.aggregate({ where: { snapshotId }, _sum: { count: true } }))._sum.count ?? 0;
    }
    const rows = await this.prisma.membership.findMany({
      where: {
        snapshotId,
        ...(familyId !== undefined ? { familyId } : {}),
        ...(cursor ? { OR: [{ familyId: { gt: cursor[0] } }, { familyId: cursor[0], domainId: { gt: cursor[1] } }] } : {}),
      },
      orderBy: [{ familyId: 'asc' }, { domainId: 'asc' }],
      take: first + 1,
    });
    const [domains, families] = await Promise.all([
      this.prisma.domain.findMany({ where: { id: { in: rows.map((m) => m.domainId) } } }),
      this.prisma.family.findMany({ where: { id: { in: [...new Set(rows.map((m) => m.familyId))] } } }),
    ]);
    const domainName = new Map(domains.map((d) => [d.id, d.name]));
    const familyName = new Map(families.map((f) => [f.id, f.name]));
    const nodes: SnapshotDomain[] = rows.map((m) => ({
      snapshotId: m.snapshotId,
      familyId: m.familyId,
      domainId: m.domainId,
      domain: domainName.get(m.domainId)!,
      family: familyName.get(m.familyId)!,
      line: m.line,
      rank: m.rank,
      description: m.description,
      listedOn: m.listedOn ? m.listedOn.toISOString().slice(0, 10) : null,
      manualUrl: m.manualUrl,
    }));
    return toConnection(nodes, first, (d) => [d.familyId, d.domainId], total);
  }
}
