import { stringify } from 'csv-stringify';
import type { RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../../errors/app-error';
import { actorFromHeader } from '../../graphql/context';
import type { ApiKeysService } from '../access/api-keys.service';
import type { SnapshotDomains } from '../snapshots/snapshot-domains';
import type { PredictionFilter, PredictionsService } from './predictions.service';

/** The filter of the predictions page, as query parameters (the same names as PredictionFilterInput). */
const CsvQuery = z
  .object({
    domain: z.string().min(1).max(253),
    family: z.string().min(1).max(200),
    minProbability: z.coerce.number().min(0).max(1),
    maxProbability: z.coerce.number().min(0).max(1),
    verdict: z.enum(['BENIGN', 'DGA']),
    unknownFamily: z.enum(['true', 'false']).transform((v) => v === 'true'),
    jobId: z.string().min(1).max(100),
    modelId: z.coerce.number().int().positive(),
  })
  .partial()
  .strict();

export const CSV_COLUMNS = [
  'id',
  'created_at',
  'domain',
  'verdict',
  'family',
  'probability',
  'dga_score',
  'nearest_family',
  'novelty',
  'unknown_family',
  'listed_family',
  'listed_snapshot_id',
  'job_id',
  'model_id',
] as const;

function parseFilter(query: unknown): PredictionFilter {
  const parsed = CsvQuery.safeParse(query);
  if (!parsed.success)
    throw new AppError(
      'BAD_USER_INPUT',
      'INVALID_CSV_FILTER',
      parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '),
    );
  return parsed.data;
}

const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

/**
 * GET /predictions.csv?<filter>: every prediction the predictions page's filter keeps, newest
 * first, streamed page by page (keyset pages of the same query, so memory stays flat whatever the
 * size). Cells that a spreadsheet would run as a formula (starting with = + - @ tab CR) get a
 * leading apostrophe (csv-stringify's escape_formulas). The same access rule as GraphQL queries:
 * with REQUIRE_AUTH any valid key.
 */
export function predictionsCsv(deps: {
  predictions: PredictionsService;
  snapshotDomains: SnapshotDomains;
  apiKeys: ApiKeysService;
  requireAuth: boolean;
}): RequestHandler {
  return async (req, res) => {
    let filter: PredictionFilter;
    try {
      const actor = await actorFromHeader(req.headers.authorization, deps.apiKeys);
      if (deps.requireAuth && !actor)
        throw new AppError('UNAUTHENTICATED', 'API_KEY_REQUIRED', 'this server requires an API key (Authorization: Bearer <key>)');
      filter = parseFilter(req.query);
    } catch (err) {
      const code =
        err instanceof AppError ? err.category : err instanceof GraphQLError ? String(err.extensions.code) : 'INTERNAL_SERVER_ERROR';
      const reason = err instanceof AppError ? err.reason : err instanceof GraphQLError ? err.extensions.reason : 'INTERNAL';
      const status =
        err instanceof GraphQLError ? Number((err.extensions.http as { status?: number })?.status ?? 500) : (STATUS[code] ?? 500);
      res.status(status).json({ errors: [{ message: (err as Error).message, extensions: { code, reason } }] });
      return;
    }
    const abandoned = new AbortController();
    res.once('close', () => abandoned.abort());
    const { predictions, snapshotDomains } = deps;
    async function* records() {
      for await (const page of predictions.all(filter, 2000, abandoned.signal)) {
        const listed = await snapshotDomains.newestFeedListings(page.map((p) => p.domain));
        for (const p of page) {
          const listing = listed.get(p.domain);
          yield [
            p.id,
            p.createdAt.toISOString(),
            p.domain,
            p.verdict,
            p.family,
            p.probability,
            p.dgaScore,
            p.nearestFamily,
            p.novelty,
            p.unknownFamily,
            listing?.family ?? null,
            listing?.snapshotId ?? null,
            p.jobId,
            p.modelId,
          ];
        }
      }
    }
    res.status(200);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="predictions.csv"');
    res.setHeader('cache-control', 'no-store');
    try {
      await pipeline(
        Readable.from(records()),
        stringify({ header: true, columns: [...CSV_COLUMNS], escape_formulas: true, cast: { boolean: (b) => String(b) } }),
        res,
      );
    } catch (err) {
      // Headers are gone: a failure half-way can only cut the download short (the client sees an
      // incomplete transfer, not a file that looks whole).
      if (!abandoned.signal.aborted) console.error('predictions.csv failed:', (err as Error).message);
      res.destroy();
    }
  };
}
