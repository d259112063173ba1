import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A family with its count and share of a total.' })
export class FamilyShare {
  @Field(() => String)
  family!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Float, { description: 'count / total of the snapshot(s) it is measured against.' })
  fraction!: number;

  @Field(() => Int, { description: '1 = most frequent.' })
  rank!: number;
}

@ObjectType({ description: 'Class skew of one snapshot or of several snapshots combined (their rows added up).' })
export class ClassSkew {
  @Field(() => [Int])
  snapshotIds!: number[];

  @Field(() => Int)
  total!: number;

  @Field(() => Int)
  familyCount!: number;

  @Field(() => Float, { nullable: true, description: 'Largest family count / smallest family count.' })
  imbalanceRatio!: number | null;

  @Field(() => [FamilyShare], { description: 'Every family, most frequent first.' })
  families!: FamilyShare[];

  @Field(() => [FamilyShare], { description: 'The `top` most frequent families.' })
  head!: FamilyShare[];

  @Field(() => [FamilyShare], { description: 'The `top` least frequent families, least frequent last.' })
  tail!: FamilyShare[];
}

@ObjectType({ description: 'Families present in one snapshot and absent from the other.' })
export class UnseenFamilies {
  @Field(() => Int)
  a!: number;

  @Field(() => Int)
  b!: number;

  @Field(() => Int)
  totalA!: number;

  @Field(() => Int)
  totalB!: number;

  @Field(() => [FamilyShare], { description: 'In B, absent from A; fraction of B. (The seed: unseen in training.)' })
  appeared!: FamilyShare[];

  @Field(() => Float, { description: 'Share of B made of families absent from A.' })
  appearedFraction!: number;

  @Field(() => [FamilyShare], { description: 'In A, absent from B; fraction of A.' })
  disappeared!: FamilyShare[];

  @Field(() => Float, { description: 'Share of A made of families absent from B.' })
  disappearedFraction!: number;
}

@ObjectType()
export class FamilyDecisionView {
  @Field(() => String)
  family!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => String, { description: 'keep | merge | drop' })
  action!: string;

  @Field(() => String, { nullable: true, description: 'The class it would be trained as; null when dropped.' })
  label!: string | null;
}

@ObjectType({ description: 'What a label policy would do to the families of some snapshots.' })
export class LabelPolicyPreview {
  @Field(() => [String], { description: 'The resulting classes, sorted (the model label order).' })
  labels!: string[];

  @Field(() => Int)
  classCount!: number;

  @Field(() => [FamilyDecisionView], { description: 'One decision per family, largest first.' })
  decisions!: FamilyDecisionView[];

  @Field(() => [String])
  kept!: string[];

  @Field(() => [String], { description: 'Families folded into mergedDGA.' })
  merged!: string[];

  @Field(() => [String], { description: 'Families removed from the data.' })
  dropped!: string[];

  @Field(() => Int, { description: 'Domains that would remain for training.' })
  remainingCount!: number;
}
