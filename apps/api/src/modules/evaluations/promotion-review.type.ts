import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Model } from '../models/model.type';

@ObjectType({ description: 'One measure of a promotion review: the candidate against the promoted model.' })
export class PromotionMeasure {
  @Field(() => String, { description: 'macroF1 | benignFalsePositiveRate | familiesLost | laterFeedMacroF1 | laterFeedFlaggedRate' })
  key!: string;
  @Field(() => String) label!: string;
  @Field(() => Float, { nullable: true }) candidate!: number | null;
  @Field(() => Float, { nullable: true }) promoted!: number | null;
  @Field(() => Boolean, { description: 'Higher is better (false: lower is better).' }) higherIsBetter!: boolean;
  @Field(() => Boolean, { description: 'The candidate is worse on it.' }) worse!: boolean;
  @Field(() => String, { nullable: true, description: 'Why it could not be compared, or on what it was measured.' }) note!: string | null;
}

@ObjectType({
  description: 'What promoting a model would change: asked before promotion, so that a worse model is promoted only on purpose.',
})
export class PromotionReview {
  @Field(() => Model) candidate!: Model;
  @Field(() => Model, { nullable: true, description: 'Null when no model is promoted (nothing to compare with).' })
  promoted!: Model | null;
  @Field(() => [PromotionMeasure]) measures!: PromotionMeasure[];
  @Field(() => [String], {
    description: 'Families the promoted model gets right at times (F1 > 0) that the candidate never does (F1 = 0 or not a class).',
  })
  familiesLost!: string[];
  @Field(() => Int, { nullable: true, description: 'The snapshot of the latest evaluation both models have (the "later feed").' })
  laterFeedSnapshotId!: number | null;
  @Field(() => Boolean, { description: 'Worse on any measure: promotion should be confirmed.' }) worse!: boolean;
  @Field(() => Boolean, {
    description: 'The candidate is the model promoted before the current one: promoting it is the one-step rollback.',
  })
  isRollback!: boolean;
}
