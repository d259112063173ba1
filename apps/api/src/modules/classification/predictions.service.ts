import { normalizeDomain } from '@dgascope/core';
import type { Prediction as PredictionRow, PrismaClient, Verdict } from '@prisma/client';
import type { Pool } from 'pg';
import { AppError } from '../../errors/app-error';
import { decodeCursor, toConnection, type ConnectionValue } from '../../graphql/pagination';
import type { DomainReport, Prediction } from './prediction.type';

export interface PredictionFilter {
  domain?: string | null;
  family?: string | null;
  minProbability?: number | null;
  maxProbability?: number | null;
  verdict?: Verdict | null;
  unknownFamily?: boolean | null;
  jobId?: string | null;
  modelId?: number | null;
}

function toPrediction(row: Omit<PredictionRow, 'id'> & { id: bigint | string }): Prediction {
  return { ...row, id: row.id.toString(), top3: row.top3 as unknown as Prediction['top3'] };
}

function normalized(name: string): string {
  const n = normalizeDomain(name);
  if (!n.ok) throw new AppError('BAD_USER_INPUT', 'INVALID_DOMAIN', `"${name.slice(0, 80)}": ${n.reason}`);
  return n.domain;
}

export class PredictionsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool: Pool,
  ) {}

  /**
   * Newest first. Without a jobId only predictions of completed jobs are listed: a running,
   * failed or cancelled job's partial output is never shown as results.
   */
  async list(filter: PredictionFilter, first: number, after?: string | null): Promise<ConnectionValue<Prediction>> {
    const cursor = decodeCursor<[string]>(after, ['string']);
    // The completed jobs go in as an array computed once per query rather than as a join:
    // PostgreSQL misjudges how many predictions such a join keeps and then sorts a whole family
    // instead of reading its index newest first (130 ms instead of 1 ms for a page over 1M
    // predictions). In the same statement, so that a page costs one round trip.
    const params: unknown[] = [];
    const where = [
      filter.jobId
        ? `job_id = $${params.push(filter.jobId)}`
        : `job_id = ANY(ARRAY(SELECT id FROM jobs WHERE state = 'COMPLETED' AND kind = 'CLASSIFICATION'))`,
    ];
    const add = (sql: string, value: unknown) => where.push(sql.replace('?', `$${params.push(value)}`));
    if (filter.domain) add('domain = ?', normalized(filter.domain));
    if (filter.family) add('family = ?', filter.family);
    if (filter.minProbability != null) add('probability >= ?', filter.minProbability);
    if (filter.maxProbability != null) add('probability <= ?', filter.maxProbability);
    if (filter.verdict != null) add('verdict = ?::"Verdict"', filter.verdict);
    if (filter.unknownFamily != null) add('unknown_family = ?', filter.unknownFamily);
    if (filter.modelId != null) add('model_id = ?', filter.modelId);
    if (cursor) add('id < ?::bigint', cursor[0]);
    // The hottest read of the API: plain pg (no ORM) is about a millisecond cheaper per page.
    const { rows } = await this.pool.query<Omit<PredictionRow, 'id'> & { id: string }>(
      `SELECT id::text AS id, job_id AS "jobId", model_id AS "modelId", domain, verdict, family, probability,
              nearest_family AS "nearestFamily", dga_score AS "dgaScore", novelty, unknown_family AS "unknownFamily",
              top3, created_at AS "createdAt"
       FROM predictions WHERE ${where.join(' AND ')} ORDER BY predictions.id DESC LIMIT $${params.push(first + 1)}`,
      params,
    );
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
      verdict: predictions[0]?.verdict ?? null,
      predictions: predictions.map(toPrediction),
    };
  }
}
