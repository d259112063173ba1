import {
  CNN_POOLINGS,
  DEFAULT_PRESET,
  DGA_SCORE_PRIORS,
  DGA_THRESHOLD_METHODS,
  LEARNING_RATE_SCHEDULES,
  NOVELTY_METHODS,
  PRESETS,
} from '@dgascope/ml';
import { ArrayMaxSize, ArrayMinSize, IsIn, Max, Min } from 'class-validator';
import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { z } from 'zod';
import { INPUT_FORMS, LabelPolicyFields, MAX_CLASSES } from './label-policy.input';

export { INPUT_FORMS };

export const CLASS_WEIGHTINGS = ['none', 'inverse', 'sqrt', 'effective-number'] as const;
export const LOSSES = ['cross-entropy', 'logit-adjusted'] as const;
/** The novelty detectors of @dgascope/ml, and 'none' (never answer "unknown family"). */
export const NOVELTY_CHOICES = [...NOVELTY_METHODS, 'none'] as const;
export const PRESET_NAMES = Object.keys(PRESETS);

/**
 * What a training job is asked to do; stored as the job's input and parsed back with this
 * schema by the worker. The preset gives defaults; every option that is not null overrides it.
 */
export const TrainingRequest = z
  .object({
    snapshotIds: z.array(z.number().int()).min(1),
    labelPolicy: z.object({
      mergeBelow: z.number().int().optional(),
      maxClasses: z.number().int().max(MAX_CLASSES).optional(),
      dropBelow: z.number().int().optional(),
    }),
    // Jobs queued before presets existed carry none: they ran on the library's defaults, which are the default preset's.
    preset: z
      .string()
      .refine((p) => PRESET_NAMES.includes(p), { message: `unknown preset (known: ${PRESET_NAMES.join(', ')})` })
      // job inputs queued before presets existed trained the paper's LSTM
      .default('endgame-2016'),
    seed: z.number().int(),
    inputForm: z.enum(INPUT_FORMS),
    earlyStoppingPatience: z.number().int().min(0),
    warmStartModelId: z.number().int().nullable(),
    epochs: z.number().int().min(1).nullable(),
    batchSize: z.number().int().min(1).nullable(),
    learningRate: z.number().positive().nullable(),
    learningRateSchedule: z.enum(LEARNING_RATE_SCHEDULES).nullable().default(null),
    classWeights: z.enum(CLASS_WEIGHTINGS).nullable(),
    loss: z.enum(LOSSES).nullable().default(null),
    embeddingDim: z.number().int().min(2).nullable(),
    lstmUnits: z.number().int().min(2).nullable(),
    filters: z.number().int().min(2).nullable().default(null),
    pooling: z.enum(CNN_POOLINGS).nullable().default(null),
    dropout: z.number().min(0).max(0.95).nullable(),
    maxLength: z.number().int().min(8).nullable(),
    targetBenignFpr: z.number().min(0).lt(1).nullable().default(null),
    dgaThresholdMethod: z.enum(DGA_THRESHOLD_METHODS).nullable().default(null),
    dgaScorePrior: z.enum(DGA_SCORE_PRIORS).nullable().default(null),
    noveltyMethod: z.enum(NOVELTY_CHOICES).nullable().default(null),
    targetRejectRate: z.number().min(0).lt(1).nullable().default(null),
    samplingPower: z.number().min(0).max(1).nullable().default(null),
    benignShare: z.number().min(0).max(0.99).nullable().default(null),
    outlierShare: z.number().min(0).max(1).nullable().default(null),
  })
  .superRefine((r, ctx) => {
    // a size that the preset's architecture does not have would be silently ignored: refuse it
    const arch = archOf(r.preset);
    if (r.warmStartModelId === null && !hasLstm(r.preset) && r.lstmUnits !== null)
      ctx.addIssue({ code: 'custom', path: ['lstmUnits'], message: `preset ${r.preset} is a ${arch}, not an LSTM: give filters instead` });
    if (r.warmStartModelId === null && !hasFilters(r.preset) && r.filters !== null)
      ctx.addIssue({
        code: 'custom',
        path: ['filters'],
        message: `preset ${r.preset} is an LSTM: filters applies to presets with a convolution`,
      });
    if (r.warmStartModelId === null && !hasPooling(r.preset) && r.pooling !== null)
      ctx.addIssue({ code: 'custom', path: ['pooling'], message: `preset ${r.preset} is a ${arch}: pooling applies to the CNN presets` });
  });
export type TrainingRequest = z.infer<typeof TrainingRequest>;

const archOf = (preset: string) => PRESETS[preset]?.options.architecture?.arch ?? 'lstm';
/** The preset's network has LSTM units (the LSTMs and the CNN-LSTM). */
export const hasLstm = (preset: string) => archOf(preset) !== 'cnn';
/** The preset's network has convolution filters (the CNN and the CNN-LSTM). */
export const hasFilters = (preset: string) => archOf(preset) !== 'lstm';
/** The preset's network pools convolution features over the characters (the CNN). */
export const hasPooling = (preset: string) => archOf(preset) === 'cnn';

const presetDefault = (what: string, fallback: string) => `Default: the preset's ${what}, else ${fallback}.`;

@InputType({ description: "A preset gives the recipe (defaults to the Endgame paper's); each option given overrides it." })
export class StartTrainingInput extends LabelPolicyFields {
  @Field(() => [Int], { description: 'Snapshots to learn from, e.g. a DGA feed and a benign top list.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  snapshotIds!: number[];

  @Field(() => String, {
    defaultValue: DEFAULT_PRESET,
    description: `Named training recipe (see the presets query): ${PRESET_NAMES.join(' | ')}.`,
  })
  @IsIn(PRESET_NAMES)
  preset!: string;

  @Field(() => Int, { nullable: true, description: presetDefault('epochs', '10') })
  @Min(1)
  @Max(200)
  epochs?: number | null;

  @Field(() => Int, { nullable: true, description: presetDefault('batch size', '128') })
  @Min(1)
  @Max(4096)
  batchSize?: number | null;

  @Field(() => Float, { nullable: true, description: `RMSprop learning rate. ${presetDefault('rate', '0.001')}` })
  @Min(1e-6)
  @Max(1)
  learningRate?: number | null;

  @Field(() => String, {
    nullable: true,
    description: `How the learning rate moves over the epochs: ${LEARNING_RATE_SCHEDULES.join(' | ')} (cosine: decays to 0 by the last planned batch, so the last epochs settle). ${presetDefault('schedule', 'constant')}`,
  })
  @IsIn(LEARNING_RATE_SCHEDULES as unknown as string[])
  learningRateSchedule?: (typeof LEARNING_RATE_SCHEDULES)[number] | null;

  @Field(() => Int, { defaultValue: 23, description: 'Split, initialisation and shuffling seed (the seed used 23).' })
  @Min(0)
  seed!: number;

  @Field(() => String, { nullable: true, description: `${CLASS_WEIGHTINGS.join(' | ')}. ${presetDefault('weighting', 'none')}` })
  @IsIn(CLASS_WEIGHTINGS as unknown as string[])
  classWeights?: (typeof CLASS_WEIGHTINGS)[number] | null;

  @Field(() => String, { nullable: true, description: `${LOSSES.join(' | ')}. ${presetDefault('loss', 'cross-entropy')}` })
  @IsIn(LOSSES as unknown as string[])
  loss?: (typeof LOSSES)[number] | null;

  @Field(() => Int, { nullable: true, description: presetDefault('embedding size', '128') })
  @Min(2)
  @Max(1024)
  embeddingDim?: number | null;

  @Field(() => Int, { nullable: true, description: `LSTM and CNN-LSTM presets only. ${presetDefault('LSTM size', '128')}` })
  @Min(2)
  @Max(1024)
  lstmUnits?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Channels of every convolution (CNN and CNN-LSTM presets only). ${presetDefault('filters', '128')}`,
  })
  @Min(2)
  @Max(1024)
  filters?: number | null;

  @Field(() => String, {
    nullable: true,
    description: `How the CNN pools its features over a name's characters (CNN presets only): ${CNN_POOLINGS.join(' | ')} (max-mean: the max and the mean side by side, also how much of the name has a feature). ${presetDefault('pooling', 'max')}`,
  })
  @IsIn(CNN_POOLINGS as unknown as string[])
  pooling?: (typeof CNN_POOLINGS)[number] | null;

  @Field(() => Float, { nullable: true, description: presetDefault('dropout', '0.5') })
  @Min(0)
  @Max(0.95)
  dropout?: number | null;

  @Field(() => Int, { nullable: true, description: presetDefault('input length', '75') })
  @Min(8)
  @Max(253)
  maxLength?: number | null;

  @Field(() => Int, { defaultValue: 2, description: 'Epochs without validation-loss improvement before stopping (0 = never stop early).' })
  @Min(0)
  earlyStoppingPatience!: number;

  @Field(() => Float, {
    nullable: true,
    description: `The DGA threshold is chosen on validation data so that at most this share of benign names is flagged. ${presetDefault('target', '0.001')}`,
  })
  @Min(0)
  @Max(0.5)
  targetBenignFpr?: number | null;

  @Field(() => String, {
    nullable: true,
    description: `How the DGA threshold is read from the benign validation scores: ${DGA_THRESHOLD_METHODS.join(' | ')} (tail: their upper tail fitted and extrapolated to targets below 1 %, robust to the few DGA names a real top list holds). ${presetDefault('method', 'tail')}`,
  })
  @IsIn(DGA_THRESHOLD_METHODS as unknown as string[])
  dgaThresholdMethod?: (typeof DGA_THRESHOLD_METHODS)[number] | null;

  @Field(() => String, {
    nullable: true,
    description: `The prior over DGA families the DGA score assumes: ${DGA_SCORE_PRIORS.join(' | ')} (uniform-families: every known family equally likely, so the threshold that keeps popular names out does not drop the rare families first; training: 1 − P(benign)). ${presetDefault('prior', 'uniform-families')}`,
  })
  @IsIn(DGA_SCORE_PRIORS as unknown as string[])
  dgaScorePrior?: (typeof DGA_SCORE_PRIORS)[number] | null;

  @Field(() => String, {
    nullable: true,
    description: `Novelty detector for "unknown family": ${NOVELTY_CHOICES.join(' | ')} (none: never). ${presetDefault('detector', 'max-softmax')}`,
  })
  @IsIn(NOVELTY_CHOICES as unknown as string[])
  noveltyMethod?: (typeof NOVELTY_CHOICES)[number] | null;

  @Field(() => Float, {
    nullable: true,
    description: `Share of known-family validation DGA names the novelty threshold answers "unknown family". ${presetDefault('rate', '0.01')}`,
  })
  @Min(0)
  @Max(0.5)
  targetRejectRate?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `Family sampling: each epoch shows a family ∝ (its names)^power; 1 = every name once, 0.5 = square root, 0 = every family alike. ${presetDefault('power', '1')}`,
  })
  @Min(0)
  @Max(1)
  samplingPower?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `Benign names' share of each epoch, whatever the volumes of the snapshots (0 = their natural share). ${presetDefault('benignShare', '0')}`,
  })
  @Min(0)
  @Max(0.99)
  benignShare?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `Outlier exposure: synthetic DGA-like names of no family shown each epoch, per real training name, with the target "DGA, no family" (0 = none). ${presetDefault('share', '0')}`,
  })
  @Min(0)
  @Max(1)
  outlierShare?: number | null;

  @Field(() => Int, { nullable: true, description: 'Continue training this model on the new data.' })
  warmStartModelId?: number | null;
}

@ObjectType({ description: 'A named training recipe.' })
export class TrainingPreset {
  @Field(() => String) name!: string;
  @Field(() => String) description!: string;
  @Field(() => Boolean, { description: 'Used when startTraining names no preset.' }) isDefault!: boolean;
  @Field(() => String, { nullable: true }) loss!: string | null;
  @Field(() => Int, { nullable: true }) epochs!: number | null;
  @Field(() => String, { nullable: true }) classWeights!: string | null;
}
