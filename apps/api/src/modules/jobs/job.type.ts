import { JobKind, JobState } from '@prisma/client';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

registerEnumType(JobKind, { name: 'JobKind' });
registerEnumType(JobState, {
  name: 'JobState',
  description: 'queued → active → completed | failed | cancelled (a failed attempt that will be retried goes back to queued).',
});

@ObjectType({ description: 'Latest progress of a job (fields that do not apply to its kind are null).' })
export class JobProgress {
  @Field(() => String, { nullable: true, description: 'reading | training | classifying' }) stage!: string | null;
  @Field(() => Float, { nullable: true, description: '0..1' }) fraction!: number | null;
  @Field(() => Int, { nullable: true }) epoch!: number | null;
  @Field(() => Int, { nullable: true }) epochs!: number | null;
  @Field(() => Int, { nullable: true }) batch!: number | null;
  @Field(() => Int, { nullable: true }) batches!: number | null;
  @Field(() => Float, { nullable: true }) loss!: number | null;
  @Field(() => Float, { nullable: true }) samplesPerSec!: number | null;
  @Field(() => Float, { nullable: true }) etaSeconds!: number | null;
  @Field(() => Float, { nullable: true }) validationLoss!: number | null;
  @Field(() => Float, { nullable: true }) validationAccuracy!: number | null;
  @Field(() => Float, { nullable: true }) validationMacroF1!: number | null;
  @Field(() => Int, { nullable: true }) processed!: number | null;
  @Field(() => Int, { nullable: true }) total!: number | null;
  @Field(() => Float, { nullable: true }) domainsPerSec!: number | null;
}

@ObjectType({ description: 'A training or bulk-classification job.' })
export class Job {
  @Field(() => String) id!: string;
  @Field(() => JobKind) kind!: JobKind;
  @Field(() => JobState) state!: JobState;
  @Field(() => GraphQLJSON, { description: 'What was asked for.' }) input!: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Summary of a completed job.' }) result!: unknown;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Int) attempts!: number;
  @Field(() => Boolean) cancelRequested!: boolean;
  @Field(() => String, { nullable: true, description: 'ML backend the worker used.' }) backend!: string | null;
  @Field(() => Int, { nullable: true, description: 'Training: the model produced. Classification: the model used.' }) modelId!:
    number | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Who asked for it, as the audit log names callers: the API key\'s name, "bootstrap (ADMIN_API_KEY)" or "cli:<os user>" (keys carry no user identity). Null: started by dgascope itself, or queued before this was recorded.',
  })
  requestedBy!: string | null;
  @Field(() => Date, { description: 'When it was queued.' }) createdAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When its latest attempt started.' }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  progress!: unknown;
}

@ObjectType()
export class FamilyCount {
  @Field(() => String) family!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'What a completed bulk-classification job found.' })
export class BulkClassificationResult {
  @Field(() => Int, { description: 'Names classified (benign + dga).' }) classified!: number;
  @Field(() => Int) benign!: number;
  @Field(() => Int, { description: 'dgaKnownFamily + unknownFamily.' }) dga!: number;
  @Field(() => Int) dgaKnownFamily!: number;
  @Field(() => Int) unknownFamily!: number;
  @Field(() => Int, { description: 'Names that could not be classified (listed with their lines in Job.invalidNames).' })
  invalid!: number;
  @Field(() => [FamilyCount], { description: 'Most frequent first; "benign" and "unknownFamily" count as families here.' })
  perFamily!: FamilyCount[];
  @Field(() => Float, { description: 'Time spent classifying.' }) seconds!: number;
}

@ObjectType({ description: 'A name a bulk-classification job could not classify.' })
export class InvalidName {
  @Field(() => Int, {
    description: "Its line in the uploaded file, its position in a `domains` list (1-based), or its line in the snapshot's file.",
  })
  line!: number;
  @Field(() => String, { description: 'As given.' }) name!: string;
  @Field(() => String) reason!: string;
}
