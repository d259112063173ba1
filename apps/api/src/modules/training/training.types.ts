import { ArrayMaxSize, ArrayMinSize, IsIn, Max, Min } from 'class-validator';
import { Field, Float, InputType, Int } from 'type-graphql';

export const CLASS_WEIGHTINGS = ['none', 'inverse', 'sqrt', 'effective-number'] as const;
export const INPUT_FORMS = ['registered-domain', 'full'] as const;

/** What a training job is asked to do; stored as the job's input. */
export interface TrainingRequest {
  snapshotIds: number[];
  labelPolicy: { mergeBelow?: number; maxClasses?: number; dropBelow?: number };
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  classWeights: (typeof CLASS_WEIGHTINGS)[number];
  inputForm: (typeof INPUT_FORMS)[number];
  embeddingDim: number;
  lstmUnits: number;
  dropout: number;
  maxLength: number;
  earlyStoppingPatience: number;
  warmStartModelId: number | null;
}

@InputType({ description: 'Defaults are the seed notebook / Endgame paper settings.' })
export class StartTrainingInput {
  @Field(() => [Int], { description: 'Snapshots to learn from, e.g. a DGA feed and a benign top list.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  snapshotIds!: number[];

  @Field(() => Int, { nullable: true, defaultValue: 50, description: 'Families below this count become mergedDGA.' })
  @Min(0)
  mergeBelow?: number | null;

  @Field(() => Int, { nullable: true, description: 'At most this many classes.' })
  @Min(2)
  @Max(1000)
  maxClasses?: number | null;

  @Field(() => Int, { nullable: true, description: 'Families below this count are dropped.' })
  @Min(0)
  dropBelow?: number | null;

  @Field(() => Int, { defaultValue: 10 })
  @Min(1)
  @Max(200)
  epochs!: number;

  @Field(() => Int, { defaultValue: 128 })
  @Min(1)
  @Max(4096)
  batchSize!: number;

  @Field(() => Float, { defaultValue: 0.001, description: 'RMSprop learning rate.' })
  @Min(1e-6)
  @Max(1)
  learningRate!: number;

  @Field(() => Int, { defaultValue: 23, description: 'Split, initialisation and shuffling seed (the seed used 23).' })
  @Min(0)
  seed!: number;

  @Field(() => String, { defaultValue: 'none', description: CLASS_WEIGHTINGS.join(' | ') })
  @IsIn(CLASS_WEIGHTINGS as unknown as string[])
  classWeights!: (typeof CLASS_WEIGHTINGS)[number];

  @Field(() => String, { defaultValue: 'registered-domain', description: 'registered-domain (public-suffix reduction) | full' })
  @IsIn(INPUT_FORMS as unknown as string[])
  inputForm!: (typeof INPUT_FORMS)[number];

  @Field(() => Int, { defaultValue: 128 })
  @Min(2)
  @Max(1024)
  embeddingDim!: number;

  @Field(() => Int, { defaultValue: 128 })
  @Min(2)
  @Max(1024)
  lstmUnits!: number;

  @Field(() => Float, { defaultValue: 0.5 })
  @Min(0)
  @Max(0.95)
  dropout!: number;

  @Field(() => Int, { defaultValue: 75 })
  @Min(8)
  @Max(253)
  maxLength!: number;

  @Field(() => Int, { defaultValue: 2, description: 'Epochs without validation-loss improvement before stopping (0 = never stop early).' })
  @Min(0)
  earlyStoppingPatience!: number;

  @Field(() => Int, { nullable: true, description: 'Continue training this model on the new data.' })
  warmStartModelId?: number | null;
}
