import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One ingested file of a feed. A snapshot that exists is complete.' })
export class Snapshot {
  @Field(() => Int)
  id!: number;

  feedId!: number;

  @Field(() => Date, { description: 'When the feed produced this file (its header date, or given at ingestion).' })
  takenAt!: Date;

  @Field(() => String)
  fileName!: string;

  @Field(() => String, { nullable: true })
  sourceUrl!: string | null;

  @Field(() => String, { description: 'bambenek | rank-csv | plain-list | labelled-csv | netlab-tsv' })
  format!: string;

  @Field(() => String)
  sha256!: string;

  @Field(() => Float, { description: 'Size of the file as received (compressed if it was).' })
  byteSize!: number;

  @Field(() => Int, { description: 'Data rows read (comments, blank lines and a header excluded).' })
  rowsRead!: number;

  @Field(() => Int, { description: 'Distinct domain/family rows stored.' })
  rowsAccepted!: number;

  @Field(() => Int, { description: 'Rows refused, each stored with its line number and reason.' })
  rowsRejected!: number;

  @Field(() => Int, { description: 'Valid rows that repeated a domain/family already in this file.' })
  rowsDuplicate!: number;

  @Field(() => Date)
  ingestedAt!: Date;
}

@ObjectType({ description: 'A row of a snapshot file that was not accepted.' })
export class Rejection {
  @Field(() => Int)
  id!: number;

  @Field(() => Int, { description: '1-based line number in the (decompressed) file.' })
  line!: number;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { description: 'The line as read (first 500 characters).' })
  raw!: string;
}

@ObjectType({ description: 'A domain as listed in a snapshot.' })
export class SnapshotDomain {
  snapshotId!: number;
  familyId!: number;
  domainId!: number;

  @Field(() => String)
  domain!: string;

  @Field(() => String)
  family!: string;

  @Field(() => Int)
  line!: number;

  @Field(() => Int, { nullable: true })
  rank!: number | null;

  @Field(() => String, { nullable: true, description: "The feed's own description (Bambenek)." })
  description!: string | null;

  @Field(() => String, { nullable: true, description: "The feed's own date for the row, YYYY-MM-DD." })
  listedOn!: string | null;

  @Field(() => String, { nullable: true })
  manualUrl!: string | null;
}
