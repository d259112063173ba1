import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class TopFamily {
  @Field(() => String) family!: string;
  @Field(() => Float) probability!: number;
}

@ObjectType({ description: 'A stored prediction of a bulk-classification job.' })
export class Prediction {
  @Field(() => String) id!: string;
  @Field(() => String) jobId!: string;
  @Field(() => Int) modelId!: number;
  @Field(() => String) domain!: string;
  @Field(() => String, { description: 'Top family, or "uncertain".' }) family!: string;
  @Field(() => Float) probability!: number;
  @Field(() => Float, { description: '1 − P(benign).' }) dgaScore!: number;
  @Field(() => Boolean) uncertain!: boolean;
  @Field(() => [TopFamily]) top3!: TopFamily[];
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: 'One domain classified now by the promoted model.' })
export class Classification {
  @Field(() => String, { description: 'As given.' }) domain!: string;
  @Field(() => String, { nullable: true, description: 'Why the name could not be classified.' }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'Normalised (lower case, no trailing dot, punycode).' }) normalized!: string | null;
  @Field(() => String, { nullable: true, description: 'What the model read (the registered domain by default).' }) input!: string | null;
  @Field(() => String, { nullable: true }) family!: string | null;
  @Field(() => Float, { nullable: true }) probability!: number | null;
  @Field(() => [TopFamily]) top3!: TopFamily[];
  @Field(() => Float, { nullable: true }) dgaScore!: number | null;
  @Field(() => Boolean, { nullable: true }) uncertain!: boolean | null;
  @Field(() => Int) modelId!: number;
}

@ObjectType()
export class DomainListing {
  @Field(() => Int) snapshotId!: number;
  @Field(() => String) feed!: string;
  @Field(() => Date) takenAt!: Date;
  @Field(() => String) family!: string;
  @Field(() => Int) line!: number;
  @Field(() => String, { nullable: true }) listedOn!: string | null;
  @Field(() => String, { nullable: true }) description!: string | null;
}

@ObjectType({ description: 'Everything dgascope knows about one domain.' })
export class DomainReport {
  @Field(() => String) name!: string;
  @Field(() => [DomainListing], { description: 'Snapshots that list it, newest first.' }) listings!: DomainListing[];
  @Field(() => [Prediction], { description: 'Every stored prediction for it, newest first.' }) predictions!: Prediction[];
}
