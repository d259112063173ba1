import type { Feed as FeedRow } from '@prisma/client';
import { Arg, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Feed } from '../feeds/feed.type';
import { Job } from '../jobs/job.type';
import { FeedPullsService } from './feed-pulls.service';
import { FeedPull, FeedSchedule, SetFeedScheduleInput } from './feed-pulls.types';

/** Scheduled pulls: the feed's schedule and last pull, and the mutations that drive them. */
@Resolver(() => Feed)
export class FeedPullsResolver {
  constructor(private readonly service: FeedPullsService) {}

  @Mutation(() => Feed, { description: 'Set (or replace) the pull schedule of a feed; it runs on the workers.' })
  setFeedSchedule(@Arg('input', () => SetFeedScheduleInput) input: SetFeedScheduleInput) {
    return this.service.setSchedule(input);
  }

  @Mutation(() => Feed, { description: 'Stop scheduled pulls of a feed, keeping the schedule.' })
  pauseFeedSchedule(@Arg('feed', () => String) feed: string) {
    return this.service.pause(feed);
  }

  @Mutation(() => Feed)
  resumeFeedSchedule(@Arg('feed', () => String) feed: string) {
    return this.service.resume(feed);
  }

  @Mutation(() => Feed, { description: 'Remove the schedule; the feed, its URL and its pull history stay.' })
  removeFeedSchedule(@Arg('feed', () => String) feed: string) {
    return this.service.removeSchedule(feed);
  }

  @Mutation(() => Job, { description: 'Pull the feed’s URL now (a FEED_PULL job), besides its schedule.' })
  pullFeedNow(@Arg('feed', () => String) feed: string) {
    return this.service.pullNow(feed);
  }

  @FieldResolver(() => FeedSchedule, { nullable: true, description: 'Null when the feed is not pulled on a schedule.' })
  async schedule(@Root() root: Feed): Promise<FeedSchedule | null> {
    const feed = root as unknown as FeedRow;
    if (feed.pullCron == null && feed.pullEverySeconds == null) return null;
    return {
      cron: feed.pullCron,
      everySeconds: feed.pullEverySeconds,
      paused: feed.pullPaused,
      format: feed.pullFormat,
      nextPullAt: await this.service.nextPullAt(feed).catch(() => null),
    };
  }

  @FieldResolver(() => FeedPull, { nullable: true, description: 'The last pull attempt; null before the first.' })
  lastPull(@Root() root: Feed): FeedPull | null {
    const feed = root as unknown as FeedRow;
    if (!feed.lastPullAt || !feed.lastPullOutcome) return null;
    return { at: feed.lastPullAt, outcome: feed.lastPullOutcome, snapshotId: feed.lastPullSnapshotId, error: feed.lastPullError };
  }
}
