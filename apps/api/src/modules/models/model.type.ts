import { ModelStatus } from '@prisma/client';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

registerEnumType(ModelStatus, { name: 'ModelStatus', description: 'training → ready → promoted (one at a time) → retired; or failed.' });

@ObjectType()
export class Averages {
  @Field(() => Float) precision!: number;
  @Field(() => Float) recall!: number;
  @Field(() => Float) f1!: number;
}

@ObjectType()
export class FamilyMetrics {
  @Field(() => String) family!: string;
  @Field(() => Float) precision!: number;
  @Field(() => Float) recall!: number;
  @Field(() => Float) f1!: number;
  @Field(() => Int) support!: number;
}

@ObjectType({ description: 'Counts: counts[i][j] = samples of labels[i] predicted as labels[j].' })
export class ConfusionMatrix {
  @Field(() => [String]) labels!: string[];
  @Field(() => [[Int]]) counts!: number[][];
}

@ObjectType()
export class RocPoint {
  @Field(() => Float) fpr!: number;
  @Field(() => Float) tpr!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'DGA score at or above which a domain counts as DGA; null at the start of the curve (above every score).',
  })
  threshold!: number | null;
}

@ObjectType({ description: 'DGA vs benign, scored by the DGA score the verdict uses (decision.dgaScorePrior).' })
export class BinaryMetrics {
  @Field(() => Float) auc!: number;
  @Field(() => Float, { description: 'Best true-positive rate at a false-positive rate ≤ 0.001.' }) tprAtFpr1e3!: number;
  @Field(() => Float, { description: 'Best true-positive rate at a false-positive rate ≤ 0.0001.' }) tprAtFpr1e4!: number;
  @Field(() => Int) positives!: number;
  @Field(() => Int) negatives!: number;
  @Field(() => [RocPoint]) roc!: RocPoint[];
}

@ObjectType()
export class MisclassifiedSample {
  @Field(() => String) domain!: string;
  @Field(() => String) trueFamily!: string;
  @Field(() => String) predictedFamily!: string;
  @Field(() => Float) probability!: number;
}

@ObjectType({ description: "A model's evaluation on its held-out test split." })
export class ModelMetrics {
  @Field(() => Int) n!: number;
  @Field(() => Float) accuracy!: number;
  @Field(() => Averages) micro!: Averages;
  @Field(() => Averages) macro!: Averages;
  @Field(() => Averages) weighted!: Averages;
  @Field(() => [FamilyMetrics]) perFamily!: FamilyMetrics[];
  @Field(() => Int, { description: 'Families with F1 = 0 (the seed had 11).' }) zeroF1Families!: number;
  @Field(() => ConfusionMatrix) confusion!: ConfusionMatrix;
  @Field(() => BinaryMetrics, { nullable: true }) binary!: BinaryMetrics | null;
  @Field(() => [MisclassifiedSample], { description: 'Most confident errors first.' }) misclassified!: MisclassifiedSample[];
  @Field(() => Int) misclassifiedTotal!: number;
  @Field(() => Int, { description: 'Test samples answered DGA of an unknown family.' }) unknownFamily!: number;
  @Field(() => Float, { nullable: true, description: 'Share of benign test samples answered DGA (false alarms at the DGA threshold).' })
  benignFlaggedRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of DGA test samples of known families answered "unknown family".' })
  unknownFamilyRate!: number | null;
}

@ObjectType({ description: 'How the model turns probabilities into a verdict, chosen on validation data at training time.' })
export class ModelDecision {
  @Field(() => Float, { description: 'dgaScore ≥ this → DGA.' }) dgaThreshold!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Benign false-positive rate the DGA threshold was chosen for (null: models from before verdicts).',
  })
  targetBenignFpr!: number | null;
  @Field(() => Int, { nullable: true, description: 'Benign validation names it was chosen on (the FPR resolves to 1 / this).' })
  calibrationBenign!: number | null;
  @Field(() => String, {
    nullable: true,
    description:
      'How the DGA threshold was read from the benign validation scores: quantile (the empirical quantile) | tail (the upper tail fitted and extrapolated to the target); null: models from before verdicts.',
  })
  dgaThresholdMethod!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'The prior over DGA families the DGA score assumes: training (1 − P(benign), the families as frequent as the training epochs showed them) | uniform-families (P(DGA) with every known family equally likely, so a rare family counts as much as a frequent one); null: models from before verdicts.',
  })
  dgaScorePrior!: string | null;
  @Field(() => String, { nullable: true, description: 'max-softmax | max-logit | energy | mahalanobis; null: never "unknown family".' })
  noveltyMethod!: string | null;
  @Field(() => Float, { nullable: true, description: 'Novelty above this → "unknown family".' }) noveltyThreshold!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of known-family validation DGA names the novelty threshold rejects.' })
  targetRejectRate!: number | null;
}

@ObjectType({ description: 'A trained classifier in the registry.' })
export class Model {
  @Field(() => Int) id!: number;
  @Field(() => Int, { description: 'Registry version (increasing).' }) version!: number;
  @Field(() => ModelStatus) status!: ModelStatus;
  @Field(() => String) trainingJobId!: string;
  @Field(() => Int, { nullable: true, description: 'The model it was warm-started from.' }) parentId!: number | null;
  @Field(() => GraphQLJSON) architecture!: unknown;
  @Field(() => GraphQLJSON, { description: 'Label policy, hyper-parameters, class weighting, input form.' }) config!: unknown;
  @Field(() => [String]) labels!: string[];
  @Field(() => [Int]) snapshotIds!: number[];
  @Field(() => String, { nullable: true }) dataFingerprint!: string | null;
  @Field(() => Int, { nullable: true }) trainingSamples!: number | null;
  @Field(() => String, { nullable: true, description: 'ML backend that trained it.' }) backend!: string | null;
  @Field(() => String, { nullable: true, description: 'Training preset (see presets); null when trained from raw options.' }) preset!:
    string | null;
  @Field(() => String, { description: 'cross-entropy | logit-adjusted' }) loss!: string;
  @Field(() => ModelDecision, { nullable: true, description: 'The verdict rule; null until the model is trained.' })
  decision!: ModelDecision | null;
  @Field(() => Int, { nullable: true }) artifactBytes!: number | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) readyAt!: Date | null;
  @Field(() => Date, { nullable: true }) promotedAt!: Date | null;
  @Field(() => Date, { nullable: true }) retiredAt!: Date | null;
  /** Raw evaluation JSON; exposed through `metrics`. */
  metricsJson!: unknown;
}

@ObjectType()
export class FamilyDelta {
  @Field(() => String) family!: string;
  @Field(() => Float, { nullable: true, description: 'null when the family is not a class of that model.' }) f1A!: number | null;
  @Field(() => Float, { nullable: true }) f1B!: number | null;
  @Field(() => Float, { nullable: true, description: 'f1B − f1A' }) f1Delta!: number | null;
  @Field(() => Float, { nullable: true }) precisionDelta!: number | null;
  @Field(() => Float, { nullable: true }) recallDelta!: number | null;
  @Field(() => Int, { nullable: true }) supportA!: number | null;
  @Field(() => Int, { nullable: true }) supportB!: number | null;
}

@ObjectType({ description: 'Model B against model A, family by family (B − A).' })
export class ModelComparison {
  @Field(() => Model) a!: Model;
  @Field(() => Model) b!: Model;
  @Field(() => Float, { nullable: true }) macroF1Delta!: number | null;
  @Field(() => Float, { nullable: true }) microF1Delta!: number | null;
  @Field(() => Float, { nullable: true }) accuracyDelta!: number | null;
  @Field(() => Float, { nullable: true }) aucDelta!: number | null;
  @Field(() => [FamilyDelta]) families!: FamilyDelta[];
}
