import { JobKind, type Feed, type FeedKind, type Job, type PrismaClient, type PullOutcome } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import type { JobQueue } from '../../queue/queues';
import type { JobsService } from '../jobs/jobs.service';
import { isFeedFormat, type FeedFormat } from '../ingestion/feed-format';
import { checkSchedule, repeatOf, type FeedSchedule } from './feed-schedule';

export interface ScheduleInput extends Partial<FeedSchedule> {
  /** The feed, by name. Created when it does not exist yet (then `kind` is needed). */
  feed: string;
  /** The URL to pull; default: the feed's URL (from its first URL ingestion). */
  url?: string | null;
  format?: FeedFormat | null;
  kind?: FeedKind | null;
}

/** What a pull (one attempt) ended with, as the feed shows it. */
export interface PullRecord {
  outcome: PullOutcome;
  snapshotId?: number | null;
  error?: string | null;
  /** Validators of a complete response (kept as they were when absent). */
  etag?: string | null;
  lastModified?: string | null;
}

const schedulerId = (feedId: number) => `feed-${feedId}`;

/**
 * Scheduled pulls of feeds. The schedule lives on the feed row (PostgreSQL is the source of
 * truth); a BullMQ job scheduler per feed makes the pull jobs, so they run on whichever worker
 * is up, never on a timer in the API. Workers put the schedulers back at start (`syncAll`)
 * when Redis lost them.
 */
export class FeedPullsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly queue: JobQueue,
    private readonly jobs: JobsService,
    private readonly minIntervalSeconds: number,
    private readonly observe: (outcome: PullOutcome) => void = () => undefined,
  ) {}

  async setSchedule(input: ScheduleInput): Promise<Feed> {
    const schedule = checkSchedule({ cron: input.cron ?? null, everySeconds: input.everySeconds ?? null }, this.minIntervalSeconds);
    if (input.format != null && !isFeedFormat(input.format))
      throw new AppError('BAD_USER_INPUT', 'FORMAT_INVALID', `format: "${String(input.format).slice(0, 40)}" is not a feed format`);
    const name = input.feed.trim();
    const existing = await this.prisma.feed.findUnique({ where: { name } });
    const url = input.url?.trim() || existing?.url;
    if (!url) throw new AppError('BAD_USER_INPUT', 'FEED_URL_MISSING', `feed "${name}" has no URL: give url`);
    checkUrl(url);
    if (!existing && !input.kind)
      throw new AppError('NOT_FOUND', 'FEED_NOT_FOUND', `feed "${name}" does not exist: give kind to create it with its schedule`);
    const data = {
      url,
      pullCron: schedule.cron,
      pullEverySeconds: schedule.everySeconds,
      pullPaused: false,
      pullFormat: input.format ?? null,
      // Another URL is another resource: its validators start afresh.
      ...(existing && existing.url !== url ? { pullEtag: null, pullLastModified: null } : {}),
    };
    const feed = existing
      ? await this.prisma.feed.update({ where: { id: existing.id }, data })
      : await this.prisma.feed.create({ data: { name, kind: input.kind!, ...data } });
    await this.sync(feed);
    return feed;
  }

  async pause(feedName: string): Promise<Feed> {
    const feed = await this.scheduled(feedName);
    const paused = await this.prisma.feed.update({ where: { id: feed.id }, data: { pullPaused: true } });
    await this.sync(paused);
    return paused;
  }

  async resume(feedName: string): Promise<Feed> {
    const feed = await this.scheduled(feedName);
    const resumed = await this.prisma.feed.update({ where: { id: feed.id }, data: { pullPaused: false } });
    await this.sync(resumed);
    return resumed;
  }

  /** The feed keeps its URL and pull history; only the schedule goes. */
  async removeSchedule(feedName: string): Promise<Feed> {
    const feed = await this.feed(feedName);
    const cleared = await this.prisma.feed.update({
      where: { id: feed.id },
      data: { pullCron: null, pullEverySeconds: null, pullPaused: false },
    });
    await this.sync(cleared);
    return cleared;
  }

  /** A pull now, besides the schedule (a feed with a URL needs no schedule for this). */
  async pullNow(feedName: string): Promise<Job> {
    const feed = await this.feed(feedName);
    if (!feed.url) throw new AppError('BAD_USER_INPUT', 'FEED_URL_MISSING', `feed "${feed.name}" has no URL to pull`);
    return this.jobs.create(JobKind.FEED_PULL, { feedId: feed.id, trigger: 'manual' });
  }

  /** When the next scheduled pull is due; null when none is (no schedule, or paused). */
  async nextPullAt(feed: Pick<Feed, 'id' | 'pullCron' | 'pullEverySeconds' | 'pullPaused'>): Promise<Date | null> {
    if (feed.pullPaused || (feed.pullCron == null && feed.pullEverySeconds == null)) return null;
    return this.queue.nextRun('feed-pull', schedulerId(feed.id));
  }

  /** Makes Redis's scheduler of the feed match its row: there while scheduled and not paused. */
  async sync(feed: Feed): Promise<void> {
    const active = !feed.pullPaused && feed.url != null && (feed.pullCron != null || feed.pullEverySeconds != null);
    try {
      if (active) {
        const repeat = repeatOf({ cron: feed.pullCron, everySeconds: feed.pullEverySeconds });
        await this.queue.schedule('feed-pull', schedulerId(feed.id), repeat, { scheduled: { feedId: feed.id, trigger: 'schedule' } });
      } else await this.queue.unschedule('feed-pull', schedulerId(feed.id));
    } catch (err) {
      throw new AppError(
        'CONFLICT',
        'QUEUE_UNAVAILABLE',
        `feed "${feed.name}": the schedule is saved but could not reach the queue (is Redis up?); workers apply it when they start: ${(err as Error).message}`,
      );
    }
  }

  /** Every feed's scheduler as its row says (workers at start: Redis may have lost them). */
  async syncAll(): Promise<number> {
    const feeds = await this.prisma.feed.findMany({ where: { OR: [{ pullCron: { not: null } }, { pullEverySeconds: { not: null } }] } });
    for (const feed of feeds) await this.sync(feed);
    return feeds.length;
  }

  async record(feedId: number, pull: PullRecord): Promise<void> {
    this.observe(pull.outcome);
    await this.prisma.feed.update({
      where: { id: feedId },
      data: {
        lastPullAt: new Date(),
        lastPullOutcome: pull.outcome,
        lastPullError: pull.error ?? null,
        ...(pull.outcome !== 'FAILED' ? { lastPullSnapshotId: pull.snapshotId ?? null } : {}),
        ...(pull.etag !== undefined ? { pullEtag: pull.etag } : {}),
        ...(pull.lastModified !== undefined ? { pullLastModified: pull.lastModified } : {}),
      },
    });
  }

  private async feed(name: string): Promise<Feed> {
    const feed = await this.prisma.feed.findUnique({ where: { name: name.trim() } });
    if (!feed) throw new AppError('NOT_FOUND', 'FEED_NOT_FOUND', `feed "${name}" not found`);
    return feed;
  }

  private async scheduled(name: string): Promise<Feed> {
    const feed = await this.feed(name);
    if (feed.pullCron == null && feed.pullEverySeconds == null)
      throw new AppError('CONFLICT', 'FEED_NOT_SCHEDULED', `feed "${feed.name}" has no schedule: set one first`);
    return feed;
  }
}

/** The URL's form only: where it leads is checked at each pull, after DNS (INGEST_URL_ALLOW). */
function checkUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('BAD_USER_INPUT', 'SOURCE_URL_INVALID', `url: "${value.slice(0, 200)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError('BAD_USER_INPUT', 'SOURCE_URL_INVALID', `url: ${url.href.slice(0, 200)}: only http(s) URLs are supported`);
}
