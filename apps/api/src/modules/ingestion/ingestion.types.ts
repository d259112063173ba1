import { FeedKind } from '@prisma/client';
import { ArrayMaxSize, IsIn, IsOptional, IsUrl, Length } from 'class-validator';
import { GraphQLUpload, type FileUpload } from 'graphql-upload-minimal';
import { Field, InputType, ObjectType } from 'type-graphql';
import { Snapshot } from '../snapshots/snapshot.type';
import { FEED_FORMATS, type FeedFormat } from './feed-format';

@InputType({ description: 'Exactly one of file, path or url is the source.' })
export class IngestSnapshotInput {
  @Field(() => String, { description: 'Feed name; created on first use.' })
  @Length(1, 100)
  feed!: string;

  @Field(() => GraphQLUpload, { nullable: true, description: 'An uploaded file (multipart request).' })
  file?: Promise<FileUpload> | null;

  @Field(() => String, { nullable: true, description: 'A path on the API server, inside INGEST_ALLOWED_DIRS.' })
  @IsOptional()
  @Length(1, 4096)
  path?: string | null;

  @Field(() => String, { nullable: true, description: 'An http(s) URL, streamed.' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  url?: string | null;

  @Field(() => String, { nullable: true, description: `Explicit format: ${FEED_FORMATS.join(' | ')}. Default: detected.` })
  @IsOptional()
  @IsIn(FEED_FORMATS as unknown as string[])
  format?: FeedFormat | null;

  @Field(() => Date, { nullable: true, description: 'When the snapshot was taken. Default: the feed header date, else now.' })
  takenAt?: Date | null;

  @Field(() => FeedKind, { nullable: true, description: 'Kind of a new feed. Default: implied by the format.' })
  feedKind?: FeedKind | null;

  @Field(() => [String], { nullable: true, description: 'Bambenek family suffixes, tried in order. Default: [" DGA", " (", " -"].' })
  @IsOptional()
  @ArrayMaxSize(20)
  familySuffixes?: string[] | null;
}

@ObjectType({ description: 'One post-ingest hook: what it did, or why it did nothing or failed (the snapshot is stored either way).' })
export class HookOutcome {
  @Field(() => String) hook!: string;
  @Field(() => Boolean) ok!: boolean;
  @Field(() => String) message!: string;
}

@ObjectType()
export class IngestResult {
  @Field(() => Snapshot)
  snapshot!: Snapshot;

  @Field(() => Boolean, { description: 'False when this file had already been ingested for the feed (nothing was added).' })
  created!: boolean;

  @Field(() => String)
  message!: string;

  @Field(() => [HookOutcome], { description: 'What the post-ingest hooks did (e.g. the promoted model evaluated on a new DGA snapshot).' })
  afterIngest!: HookOutcome[];
}
