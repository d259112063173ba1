import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ModelMetrics } from '../models/model.type';

@ObjectType()
export class FamilyAssignment {
  @Field(() => String, { description: 'A family of the model, "benign", or "unknownFamily".' }) family!: string;
  @Field(() => Float) share!: number;
  @Field(() => [String], { description: 'A few domains answered so.' }) examples!: string[];
}

@ObjectType({ description: "How the model answered the domains of a family it does not know (the model's view of an unseen family)." })
export class UnknownFamilyView {
  @Field(() => String) family!: string;
  @Field(() => Int) domains!: number;
  @Field(() => Float, { description: 'Share answered DGA (any family, or unknown family).' }) flaggedRate!: number;
  @Field(() => Float, { description: 'Share answered DGA of an unknown family (the right answer for a family the model never saw).' })
  unknownFamilyRate!: number;
  @Field(() => Float, { description: 'Share answered DGA of a known family (a confident wrong family).' }) wrongFamilyRate!: number;
  @Field(() => [FamilyAssignment], { description: 'What its domains were answered most often, most first.' })
  assignedTo!: FamilyAssignment[];
}

@ObjectType({ description: "Verdicts over all the snapshot's listings, families known to the model or not." })
export class EvaluationDetection {
  @Field(() => Int) dgaDomains!: number;
  @Field(() => Int) flagged!: number;
  @Field(() => Float, { nullable: true }) flaggedRate!: number | null;
  @Field(() => Int) benignDomains!: number;
  @Field(() => Int) benignFlagged!: number;
  @Field(() => Float, { nullable: true }) benignFlaggedRate!: number | null;
}

@ObjectType('Evaluation', {
  description:
    'A model evaluated on a labelled snapshot by its verdicts: listings of families it knows (all, those listed in its training snapshots, fresh ones) and families it does not know.',
})
export class ModelEvaluation {
  @Field(() => Int) id!: number;
  @Field(() => Int) modelId!: number;
  @Field(() => Int) snapshotId!: number;
  @Field(() => Date, { description: "The snapshot's date (the x axis of a drift chart)." }) snapshotTakenAt!: Date;
  @Field(() => String, { description: 'The evaluation job that wrote it.' }) jobId!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Float) seconds!: number;
  @Field(() => Int, { description: 'Listings evaluated (valid names).' }) domains!: number;
  @Field(() => Int, { description: "Listings of known families whose domain is also listed in one of the model's training snapshots." })
  trainedOnDomains!: number;
  @Field(() => Int, { description: 'Listings of known families the model never saw.' }) freshDomains!: number;
  @Field(() => Int, { description: 'Listings of families the model does not know.' }) unknownToModelDomains!: number;
  @Field(() => Int, { description: 'Names the model cannot read.' }) invalidDomains!: number;
  @Field(() => Float, { nullable: true, description: 'Macro-F1 over the listings of known families.' }) macroF1!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of the DGA listings (every family) answered DGA.' }) flaggedRate!:
    number | null;
  @Field(() => Float, { nullable: true, description: 'Share of benign listings answered DGA.' }) benignFlaggedRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of known-family DGA listings answered "unknown family".' })
  unknownFamilyRate!: number | null;
  @Field(() => EvaluationDetection) detection!: EvaluationDetection;
  @Field(() => ModelMetrics, { nullable: true, description: 'Listings of known families.' }) overall!: ModelMetrics | null;
  @Field(() => ModelMetrics, { nullable: true, description: "Of those, the ones listed in the model's training snapshots." })
  trainedOn!: ModelMetrics | null;
  @Field(() => ModelMetrics, { nullable: true, description: 'Of those, the fresh ones.' }) fresh!: ModelMetrics | null;
  @Field(() => [UnknownFamilyView], { description: 'Families the model does not know, largest first.' })
  unknownFamilies!: UnknownFamilyView[];
}
