import { normalizeDomain } from '@dgascope/core';
import { Prisma, type Prediction as PredictionRow, type PrismaClient } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import { decodeCursor, toConnection, type ConnectionValue } from '../../graphql/pagination';
import type { DomainReport, Prediction } from './prediction.type';

export interface PredictionFilter {
  domain?: string | null;
  family?: string | null;
  minProbability?: number | null;
  maxProbability?: number | null;
  uncertain?: boolean | null;
  jobId?: string | null;
  modelId?: number | null;
}

function toPrediction(row: PredictionRow): Prediction {
  return { ...row, id: row.id.toString(), top3: row.top3 as unknown as Prediction['top3'] };
}

function normalized(name: string): string {
  const n = normalizeDomain(name);
  if (!n.ok) throw new AppError('BAD_USER_INPUT', 'INVALID_DOMAIN', `"${name.slice(0, 80)}": ${n.reason}`);
  return n.domain;
}

export class PredictionsService {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Newest first. Without a jobId only predictions of completed jobs are listed: a running,
   * failed or cancelled job's partial output is never shown as results.
   */
  async list(filter: PredictionFilter, first: number, after?: string | null): Promise<ConnectionValue<Prediction>> {
    const cursor = decodeCursor<[string]>(after, ['string']);
    const where: Prisma.Sql[] = [
      filter.jobId
        ? Prisma.sql`p.job_id = ${filter.jobId}`
        : Prisma.sql`EXISTS (SELECT 1 FROM jobs j WHERE j.id = p.job_id AND j.state = 'COMPLETED' AND j.kind = 'CLASSIFICATION')`,
    ];
    if (filter.domain) where.push(Prisma.sql`p.domain = ${normalized(filter.domain)}`);
    if (filter.family) where.push(Prisma.sql`p.family = ${filter.family}`);
    if (filter.minProbability != null) where.push(Prisma.sql`p.probability >= ${filter.minProbability}`);
    if (filter.maxProbability != null) where.push(Prisma.sql`p.probability <= ${filter.maxProbability}`);
    if (filter.uncertain != null) where.push(Prisma.sql`p.uncertain = ${filter.uncertain}`);
    if (filter.modelId != null) where.push(Prisma.sql`p.model_id = ${filter.modelId}`);
    if (cursor) where.push(Prisma.sql`p.id < ${BigInt(cursor[0])}`);
    // Raw SQL for the completed-job condition: predictions have no Prisma relation to jobs (no
    // per-row foreign key on the bulk-written table), and a join beats listing every job id.
    const rows = await this.prisma.$queryRaw<PredictionRow[]>`
      SELECT p.id, p.job_id AS "jobId", p.model_id AS "modelId", p.domain, p.family, p.probability,
             p.dga_score AS "dgaScore", p.uncertain, p.top3, p.created_at AS "createdAt"
      FROM predictions p
      WHERE ${Prisma.join(where, ' AND ')}
      ORDER BY p.id DESC
      LIMIT ${first + 1}`;
    return toConnection(rows.map(toPrediction), first, (p) => [p.id]);
  }

  async domain(name: string): Promise<DomainReport> {
    const domain = normalized(name);
    const known = await this.prisma.domain.findUnique({ where: { name: domain } });
    const listings = known
      ? await this.prisma.$queryRaw<
          Array<{
            snapshot_id: number;
            feed: string;
            taken_at: Date;
            family: string;
            line: number;
            listed_on: Date | null;
            description: string | null;
          }>
        >`
          SELECT m.snapshot_id, fe.name AS feed, s.taken_at, f.name AS family, m.line, m.listed_on, m.description
          FROM memberships m
          JOIN snapshots s ON s.id = m.snapshot_id JOIN feeds fe ON fe.id = s.feed_id JOIN families f ON f.id = m.family_id
          WHERE m.domain_id = ${known.id}
          ORDER BY s.taken_at DESC, m.snapshot_id DESC`
      : [];
    const predictions = await this.prisma.prediction.findMany({ where: { domain }, orderBy: { id: 'desc' }, take: 500 });
    return {
      name: domain,
      listings: listings.map((l) => ({
        snapshotId: l.snapshot_id,
        feed: l.feed,
        takenAt: l.taken_at,
        family: l.family,
        line: l.line,
        listedOn: l.listed_on ? l.listed_on.toISOString().slice(0, 10) : null,
        description: l.description,
      })),
      predictions: predictions.map(toPrediction),
    };
  }
}
