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
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  progress!: unknown;
}
