import { Arg, Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { Connection, PageArgs } from '../../graphql/pagination';
import { Snapshot } from '../snapshots/snapshot.type';
import { Feed } from './feed.type';
import { FeedsService } from './feeds.service';

const FeedConnection = Connection(Feed, 'Feed');

@Resolver(() => Feed)
export class FeedsResolver {
  constructor(private readonly service: FeedsService) {}

  @Query(() => FeedConnection, { description: 'Feeds by name.' })
  feeds(@Args(() => PageArgs) { first, after }: PageArgs) {
    return this.service.list(first, after);
  }

  @Query(() => Feed, { description: 'One feed, by id or by name.' })
  feed(@Arg('id', () => Int, { nullable: true }) id: number | null, @Arg('name', () => String, { nullable: true }) name: string | null) {
    return this.service.get({ id, name });
  }

  @FieldResolver(() => Int, { description: 'How many snapshots of this feed are stored.' })
  snapshotCount(@Root() feed: Feed, @Ctx() ctx: Context) {
    return ctx.loaders.snapshotCountByFeed.load(feed.id);
  }

  @FieldResolver(() => Snapshot, { nullable: true, description: 'The snapshot taken last.' })
  latestSnapshot(@Root() feed: Feed, @Ctx() ctx: Context) {
    return ctx.loaders.latestSnapshotByFeed.load(feed.id);
  }
}
