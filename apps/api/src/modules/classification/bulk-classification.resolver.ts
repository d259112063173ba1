import { ArrayMaxSize } from 'class-validator';
import { GraphQLUpload, type FileUpload } from 'graphql-upload-minimal';
import { AppError } from '../../errors/app-error';
import { numberList, readDomainList } from './domain-list';
import { Arg, Ctx, Field, InputType, Int, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { Job } from '../jobs/job.type';
import { BulkClassificationService, MAX_LIST_DOMAINS } from './bulk-classification.service';

@InputType({ description: 'Exactly one of snapshotId, domains or file.' })
class StartClassificationInput {
  @Field(() => Int, { nullable: true }) snapshotId?: number | null;
  @Field(() => GraphQLUpload, {
    nullable: true,
    description: `An uploaded list: one name a line, or CSV whose last column is the name (rank,domain or family,domain); # comments skipped. At most ${MAX_LIST_DOMAINS} names.`,
  })
  file?: Promise<FileUpload> | null;
  @Field(() => [String], {
    nullable: true,
    description: `At most ${MAX_LIST_DOMAINS}. Blank entries are skipped; an invalid name is reported with its position (1-based, blanks counted).`,
  })
  @ArrayMaxSize(MAX_LIST_DOMAINS)
  domains?: string[] | null;
  @Field(() => Int, { nullable: true, description: 'Default: the promoted model.' }) modelId?: number | null;
}

@Resolver()
export class BulkClassificationResolver {
  constructor(private readonly classification: BulkClassificationService) {}

  @Mutation(() => Job, { description: 'Queue a bulk classification of a snapshot or a list.' })
  async startClassification(@Arg('input', () => StartClassificationInput) input: StartClassificationInput, @Ctx() ctx: Context) {
    const { file, domains, ...rest } = input;
    if (file && domains) throw new AppError('BAD_USER_INPUT', 'SOURCE_REQUIRED', 'give exactly one of snapshotId, domains or file');
    const list = file ? await readDomainList(await file) : domains ? numberList(domains) : null;
    return this.classification.start({ ...rest, list }, ctx.actor?.name ?? null);
  }
}
