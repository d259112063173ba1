import { parseExpression } from 'cron-parser';
import { AppError } from '../../errors/app-error';
import type { Repeat } from '../../queue/queues';

/** When a feed is pulled: a cron pattern (UTC, as BullMQ reads it) or an interval, never both. */
export interface FeedSchedule {
  cron: string | null;
  everySeconds: number | null;
}

/**
 * Checks a schedule as given: exactly one of cron and everySeconds, a cron pattern that parses,
 * an interval no shorter than the server's minimum (FEED_PULL_MIN_INTERVAL_S: feed servers
 * rate-limit, and a pull may take minutes).
 */
export function checkSchedule(schedule: FeedSchedule, minIntervalSeconds: number): FeedSchedule {
  const cron = schedule.cron?.trim() || null;
  const every = schedule.everySeconds ?? null;
  if ((cron == null) === (every == null))
    throw new AppError('BAD_USER_INPUT', 'SCHEDULE_REQUIRED', 'give exactly one of cron (a cron pattern, UTC) or everySeconds');
  if (cron != null) {
    try {
      parseExpression(cron, { utc: true });
    } catch (err) {
      throw new AppError(
        'BAD_USER_INPUT',
        'SCHEDULE_INVALID',
        `cron: "${cron.slice(0, 100)}" is not a cron pattern (${(err as Error).message})`,
      );
    }
    if (cron.split(/\s+/).length > 5 && minIntervalSeconds >= 60)
      throw new AppError('BAD_USER_INPUT', 'SCHEDULE_INVALID', `cron: "${cron}" has a seconds field; pulls run at most once a minute`);
  }
  if (every != null && (!Number.isInteger(every) || every < minIntervalSeconds))
    throw new AppError(
      'BAD_USER_INPUT',
      'SCHEDULE_INVALID',
      `everySeconds: ${every} is shorter than the shortest interval, ${minIntervalSeconds} s (FEED_PULL_MIN_INTERVAL_S)`,
    );
  return { cron, everySeconds: every };
}

export function repeatOf(schedule: FeedSchedule): Repeat {
  return schedule.cron != null ? { pattern: schedule.cron } : { every: schedule.everySeconds! * 1000 };
}
