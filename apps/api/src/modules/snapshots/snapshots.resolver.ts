import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { Connection, PageArgs } from '../../graphql/pagination';
import { Feed } from '../feeds/feed.type';
import { Rejection, Snapshot, SnapshotDomain } from './snapshot.type';
import { SnapshotsService } from './snapshots.service';

const SnapshotConnection = Connection(Snapshot, 'Snapshot');
const RejectionConnection = Connection(Rejection, 'Rejection');
const SnapshotDomainConnection = Connection(SnapshotDomain, 'SnapshotDomain');

@ArgsType()
class SnapshotsArgs extends PageArgs {
  @Field(() => Int, { nullable: true, description: 'Only snapshots of this feed.' })
  feedId?: number | null;
}

@ArgsType()
class SnapshotDomainsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only domains of this family (canonical name).' })
  family?: string | null;
}

@Resolver(() => Snapshot)
export class SnapshotsResolver {
  constructor(private readonly service: SnapshotsService) {}

  @Query(() => SnapshotConnection, { description: 'Snapshots, newest first.' })
  snapshots(@Args(() => SnapshotsArgs) { feedId, first, after }: SnapshotsArgs) {
    return this.service.list(feedId, first, after);
  }

  @Query(() => Snapshot)
  snapshot(@Arg('id', () => Int) id: number) {
    return this.service.get(id);
  }

  @Query(() => SnapshotDomainConnection, { description: 'Domains of a snapshot, optionally of one family.' })
  snapshotDomains(
    @Arg('snapshotId', () => Int) snapshotId: number,
    @Args(() => SnapshotDomainsArgs) { family, first, after }: SnapshotDomainsArgs,
  ) {
    return this.service.domains(snapshotId, family, first, after);
  }

  @FieldResolver(() => Feed)
  feed(@Root() snapshot: Snapshot, @Ctx() ctx: Context) {
    return ctx.loaders.feedById.load(snapshot.feedId);
  }

  @FieldResolver(() => Int, { description: 'Number of distinct families in the snapshot.' })
  familyCount(@Root() snapshot: Snapshot, @Ctx() ctx: Context) {
    return ctx.loaders.familyCountBySnapshot.load(snapshot.id);
  }

  @FieldResolver(() => RejectionConnection, { description: 'Rejected rows in line order.' })
  rejections(@Root() snapshot: Snapshot, @Args(() => PageArgs) { first, after }: PageArgs) {
    return this.service.rejections(snapshot.id, first, after);
  }

  @FieldResolver(() => SnapshotDomainConnection)
  domains(@Root() snapshot: Snapshot, @Args(() => SnapshotDomainsArgs) { family, first, after }: SnapshotDomainsArgs) {
    return this.service.domains(snapshot.id, family, first, after);
  }
}
