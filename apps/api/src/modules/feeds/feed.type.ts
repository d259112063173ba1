import { FeedKind } from '@prisma/client';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

registerEnumType(FeedKind, { name: 'FeedKind', description: 'DGA threat feed, benign top list, or labelled list.' });

@ObjectType({ description: 'A source of domains: a threat feed, a top list, a labelled list.' })
export class Feed {
  @Field(() => Int)
  id!: number;

  @Field(() => String)
  name!: string;

  @Field(() => FeedKind)
  kind!: FeedKind;

  @Field(() => String, { nullable: true })
  url!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}
