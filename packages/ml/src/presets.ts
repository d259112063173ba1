/**
 * Named training recipes. A preset fixes what changes the model's answers (architecture, loss,
 * class weighting, epochs, how the verdict is calibrated); callers may still override single
 * options. Measured against each other by bench:quality (docs/quality.md). The novelty detector
 * is the one that ranked held-out families best for the architecture: Mahalanobis distance on the
 * LSTM's last state, the top DGA probability for the CNN (whose max-pooled ReLU features are far
 * from the Gaussian the distance assumes).
 */
import type { DecisionOptions } from './decision';
import type { TrainOptions } from './train';

export interface Preset {
  name: string;
  description: string;
  options: Pick<
    TrainOptions,
    | 'architecture'
    | 'epochs'
    | 'classWeights'
    | 'loss'
    | 'logitAdjustmentTau'
    | 'focalGamma'
    | 'sampling'
    | 'outlierExposure'
    | 'batchSize'
    | 'learningRate'
    | 'learningRateSchedule'
    | 'padding'
  > & {
    decision?: DecisionOptions;
  };
}

export const PRESETS: Readonly<Record<string, Preset>> = Object.freeze({
  'endgame-2016': {
    name: 'endgame-2016',
    description: 'The LSTM of Woodbridge et al. 2016 as the seed notebook trained it: plain cross-entropy, no class weights.',
    options: { epochs: 10, classWeights: 'none', loss: 'cross-entropy', decision: { novelty: 'mahalanobis' } },
  },
  'endgame-2016-balanced': {
    name: 'endgame-2016-balanced',
    description: 'The same LSTM trained with a logit-adjusted loss, so rare families are not out-voted by frequent ones.',
    options: { epochs: 10, classWeights: 'none', loss: 'logit-adjusted', logitAdjustmentTau: 1, decision: { novelty: 'mahalanobis' } },
  },
  bilstm: {
    name: 'bilstm',
    description: 'The paper’s LSTM with a second LSTM reading each name backwards (twice the recurrent work).',
    options: {
      architecture: { arch: 'lstm', bidirectional: true },
      epochs: 10,
      classWeights: 'none',
      loss: 'cross-entropy',
      decision: { novelty: 'mahalanobis' },
    },
  },
  'cnn-lstm': {
    name: 'cnn-lstm',
    description: 'A convolution over characters feeding the LSTM (CNN-LSTM): the LSTM reads 3-gram features instead of single characters.',
    options: {
      architecture: { arch: 'cnn-lstm' },
      epochs: 10,
      classWeights: 'none',
      loss: 'cross-entropy',
      decision: { novelty: 'mahalanobis' },
    },
  },
  'resnet-cnn': {
    name: 'resnet-cnn',
    description:
      'A residual 1-D CNN over characters (Drichel et al. 2020 style: convolutions see n-grams in parallel, so it trains in large ops on every core), each name once per epoch: a family is seen in proportion to its names.',
    options: {
      architecture: { arch: 'cnn' },
      epochs: 10,
      classWeights: 'none',
      loss: 'cross-entropy',
      decision: { novelty: 'max-softmax' },
    },
  },
  'resnet-cnn-sqrt': {
    name: 'resnet-cnn-sqrt',
    description:
      'The residual CNN trained on square-root family sampling (each epoch shows a family ∝ √ of its names), so the largest families of a whole feed do not crowd out the rest, with a cosine learning-rate decay over the epochs, pooling both the max and the mean of its features over each name: names families better and flags more DGA names at the same benign budget than resnet-cnn.',
    options: {
      architecture: { arch: 'cnn', pooling: 'max-mean' },
      epochs: 10,
      classWeights: 'none',
      loss: 'cross-entropy',
      sampling: { power: 0.5 },
      learningRateSchedule: 'cosine',
      decision: { novelty: 'max-softmax' },
    },
  },
});

export const DEFAULT_PRESET = 'resnet-cnn-sqrt';

export class UnknownPresetError extends RangeError {
  constructor(name: string) {
    super(`unknown preset ${JSON.stringify(name)} (known: ${Object.keys(PRESETS).join(', ')})`);
    this.name = 'UnknownPresetError';
  }
}

/** The training options of a preset, with the preset's name recorded. */
export function presetTrainOptions(name: string = DEFAULT_PRESET): TrainOptions {
  const p = PRESETS[name];
  if (!p) throw new UnknownPresetError(name);
  return { ...p.options, preset: p.name };
}
