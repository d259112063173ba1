import type { PrismaClient } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import type { JobInput } from '../../jobs/job-kinds';
import type { JobContext, JobDefinition, JobOutcome } from '../../jobs/job-runner';
import { isFeedFormat } from '../ingestion/feed-format';
import type { IngestionService } from '../ingestion/ingestion.service';
import type { FeedPullsService } from './feed-pulls.service';

/** Failures a later attempt may not meet: the server was down, slow or answered an error. */
const TRANSIENT = new Set(['SOURCE_FETCH_FAILED', 'SOURCE_STALLED']);

/**
 * One pull of a feed's URL: a conditional GET with the validators of the last complete
 * response (304: nothing to do), then ingestion, which recognises content it already has by
 * its sha256 (no snapshot). Every attempt's outcome is written on the feed; a transient
 * failure is retried with backoff by the queue, anything else (a blocked address, content
 * that is no feed) fails the job at once.
 */
export class FeedPullJob implements JobDefinition<'FEED_PULL'> {
  readonly kind = 'FEED_PULL';

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ingestion: IngestionService,
    private readonly pulls: FeedPullsService,
  ) {}

  async backend(): Promise<string | null> {
    return null;
  }

  async run(input: JobInput<'FEED_PULL'>, ctx: JobContext<'FEED_PULL'>): Promise<JobOutcome<'FEED_PULL'>> {
    const feed = await this.prisma.feed.findUnique({ where: { id: input.feedId } });
    if (!feed) throw new AppError('NOT_FOUND', 'FEED_NOT_FOUND', `feed ${input.feedId} no longer exists`);
    if (!feed.url) throw new AppError('BAD_USER_INPUT', 'FEED_URL_MISSING', `feed "${feed.name}" has no URL to pull`);
    const url = feed.url;
    try {
      await ctx.report({ stage: 'fetching', rows: 0, bytes: 0 });
      const fetched = await this.ingestion.fetchUrl(url, { etag: feed.pullEtag, lastModified: feed.pullLastModified });
      if (fetched.notModified) {
        await this.pulls.record(feed.id, { outcome: 'NOT_MODIFIED', snapshotId: feed.lastPullSnapshotId });
        return { result: { outcome: 'NOT_MODIFIED', url, snapshotId: null, rowsAccepted: null } };
      }
      let reported = 0;
      const outcome = await this.ingestion.ingest(
        {
          feed: feed.name,
          source: { kind: 'fetched', fetched },
          ...(feed.pullFormat && isFeedFormat(feed.pullFormat) ? { format: feed.pullFormat } : {}),
        },
        (p) => {
          if (Date.now() - reported < 1000) return;
          reported = Date.now();
          ctx.report({ stage: 'ingesting', rows: p.rows, bytes: p.bytes }).catch(() => undefined);
        },
      );
      const result = {
        outcome: outcome.created ? ('NEW_SNAPSHOT' as const) : ('UNCHANGED' as const),
        url,
        snapshotId: outcome.snapshotId,
        rowsAccepted: outcome.created ? outcome.rowsAccepted : null,
      };
      await this.pulls.record(feed.id, {
        outcome: result.outcome,
        snapshotId: outcome.snapshotId,
        etag: fetched.etag,
        lastModified: fetched.lastModified,
      });
      return { result };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const left = ctx.final ? 'no retry left' : `attempt ${ctx.attempt}, will retry`;
      await this.pulls.record(feed.id, { outcome: 'FAILED', error: `${message} (${left})` }).catch(() => undefined);
      // The runner fails an AppError for good: a transient one goes back as a plain error, to be retried.
      if (err instanceof AppError && TRANSIENT.has(err.reason)) throw new Error(message);
      throw err;
    }
  }
}
