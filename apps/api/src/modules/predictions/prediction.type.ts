import { Verdict } from '@prisma/client';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

registerEnumType(Verdict, {
  name: 'Verdict',
  description: 'One answer per domain: BENIGN, or DGA (then `family` is a known family or "unknownFamily").',
});

// simpleResolvers: these types are plain values (no @Authorized, no middleware on their fields;
// the access policy wraps only root fields, auth-checker.ts), so graphql-js's default resolver
// reads each field instead of type-graphql's per-field wrapper: a page of 100 predictions reads
// ~800 fields. Field resolvers (`Prediction.feedListing`) keep type-graphql's resolver.
@ObjectType({ simpleResolvers: true })
export class TopFamily {
  @Field(() => String) family!: string;
  @Field(() => Float) probability!: number;
}

const FAMILY = '"benign" when BENIGN; the family when DGA; "unknownFamily" when DGA of no family the model knows.';
const PROBABILITY = 'P(benign) when BENIGN; P(family | DGA) when DGA (of the nearest family when unknown).';
const NEAREST = 'The most probable DGA family, also when the verdict is BENIGN or the family unknown.';
const NOVELTY = "The model's novelty score (higher = less like any known family); null when it has no detector.";

@ObjectType({ description: 'A stored prediction of a bulk-classification job.', simpleResolvers: true })
export class Prediction {
  @Field(() => String) id!: string;
  @Field(() => String) jobId!: string;
  @Field(() => Int) modelId!: number;
  @Field(() => String) domain!: string;
  @Field(() => Verdict) verdict!: Verdict;
  @Field(() => String, { description: FAMILY }) family!: string;
  @Field(() => Float, { description: PROBABILITY }) probability!: number;
  @Field(() => String, { nullable: true, description: NEAREST }) nearestFamily!: string | null;
  @Field(() => Float, {
    description:
      "The DGA score the threshold applies to: P(DGA) under the model's prior over families (decision.dgaScorePrior; 1 − P(benign) for older models).",
  })
  dgaScore!: number;
  @Field(() => Float, { nullable: true, description: NOVELTY }) novelty!: number | null;
  @Field(() => Boolean, { description: 'DGA, but like none of the families the model knows.' }) unknownFamily!: boolean;
  @Field(() => [TopFamily]) top3!: TopFamily[];
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({
  description:
    'One domain classified now by the promoted model (fields other than domain, error and modelId are null for an invalid name).',
  simpleResolvers: true,
})
export class Classification {
  @Field(() => String, { description: 'As given.' }) domain!: string;
  @Field(() => String, { nullable: true, description: 'Why the name could not be classified.' }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'Normalised (lower case, no trailing dot, punycode).' }) normalized!: string | null;
  @Field(() => String, { nullable: true, description: 'What the model read (the registered domain by default).' }) input!: string | null;
  @Field(() => Verdict, { nullable: true }) verdict!: Verdict | null;
  @Field(() => String, { nullable: true, description: FAMILY }) family!: string | null;
  @Field(() => Float, { nullable: true, description: PROBABILITY }) probability!: number | null;
  @Field(() => String, { nullable: true, description: NEAREST }) nearestFamily!: string | null;
  @Field(() => [TopFamily]) top3!: TopFamily[];
  @Field(() => Float, {
    nullable: true,
    description:
      "The DGA score the threshold applies to: P(DGA) under the model's prior over families (decision.dgaScorePrior; 1 − P(benign) for older models).",
  })
  dgaScore!: number | null;
  @Field(() => Float, { nullable: true, description: NOVELTY }) novelty!: number | null;
  @Field(() => Boolean, { nullable: true }) unknownFamily!: boolean | null;
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
  @Field(() => Verdict, { nullable: true, description: 'The verdict of its newest prediction; null when never classified.' })
  verdict!: Verdict | null;
  @Field(() => [Prediction], { description: 'Every stored prediction for it, newest first.' }) predictions!: Prediction[];
}
