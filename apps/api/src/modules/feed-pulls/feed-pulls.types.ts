import { FeedKind, PullOutcome } from '@prisma/client';
import { IsIn, IsOptional, Length } from 'class-validator';
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FEED_FORMATS, type FeedFormat } from '../ingestion/feed-format';

registerEnumType(PullOutcome, {
  name: 'PullOutcome',
  description:
    'NEW_SNAPSHOT: new content, stored; UNCHANGED: content already stored (same sha256); NOT_MODIFIED: the server answered 304; FAILED.',
});

@ObjectType({ description: 'When a feed is pulled from its URL (a BullMQ job scheduler runs it on the workers).' })
export class FeedSchedule {
  @Field(() => String, { nullable: true, description: 'Cron pattern, UTC.' }) cron!: string | null;
  @Field(() => Int, { nullable: true }) everySeconds!: number | null;
  @Field(() => Boolean) paused!: boolean;
  @Field(() => String, { nullable: true, description: 'Format forced on pulls; null: detected.' }) format!: string | null;
  @Field(() => Date, { nullable: true, description: 'When the next pull is due; null while paused.' }) nextPullAt!: Date | null;
}

@ObjectType({ description: 'How the last pull attempt of a feed ended.' })
export class FeedPull {
  @Field(() => Date) at!: Date;
  @Field(() => PullOutcome) outcome!: PullOutcome;
  @Field(() => Int, { nullable: true, description: 'The snapshot made or found again.' }) snapshotId!: number | null;
  @Field(() => String, { nullable: true, description: 'The error of the last failed attempt.' }) error!: string | null;
}

@InputType({ description: 'A schedule for a feed: exactly one of cron or everySeconds.' })
export class SetFeedScheduleInput {
  @Field(() => String, { description: 'Feed name; created with its schedule when new (give kind).' })
  @Length(1, 100)
  feed!: string;

  @Field(() => String, { nullable: true, description: 'The http(s) URL to pull. Default: the feed’s URL.' })
  @IsOptional()
  @Length(1, 4096)
  url?: string | null;

  @Field(() => String, { nullable: true, description: 'Cron pattern, UTC (e.g. "15 * * * *": hourly at :15).' })
  @IsOptional()
  @Length(1, 200)
  cron?: string | null;

  @Field(() => Int, { nullable: true, description: 'Pull every N seconds (at least FEED_PULL_MIN_INTERVAL_S).' })
  everySeconds?: number | null;

  @Field(() => String, { nullable: true, description: `Force a format: ${FEED_FORMATS.join(' | ')}. Default: detected.` })
  @IsOptional()
  @IsIn(FEED_FORMATS as unknown as string[])
  format?: FeedFormat | null;

  @Field(() => FeedKind, { nullable: true, description: 'Kind of a feed created here.' })
  kind?: FeedKind | null;
}
