/**
 * Named training recipes. A preset fixes what changes the model's answers (architecture, loss,
 * class weighting, epochs, how the verdict is calibrated); callers may still override single
 * options. Measured against each other by bench:quality (bench/ml/README.md).
 */
import type { DecisionOptions } from './decision';
import type { TrainOptions } from './train';

export interface Preset {
  name: string;
  description: string;
  options: Pick<TrainOptions, 'architecture' | 'epochs' | 'classWeights' | 'loss' | 'logitAdjustmentTau' | 'batchSize' | 'learningRate'> & {
    decision?: DecisionOptions;
  };
}

export const PRESETS: Readonly<Record<string, Preset>> = Object.freeze({
  'endgame-2016': {
    name: 'endgame-2016',
    description: 'The LSTM of Woodbridge et al. 2016 as the seed notebook trained it: plain cross-entropy, no class weights.',
    options: { epochs: 10, classWeights: 'none', loss: 'cross-entropy' },
  },
  'endgame-2016-balanced': {
    name: 'endgame-2016-balanced',
    description: 'The same LSTM trained with a logit-adjusted loss, so rare families are not out-voted by frequent ones.',
    options: { epochs: 10, classWeights: 'none', loss: 'logit-adjusted', logitAdjustmentTau: 1 },
  },
  bilstm: {
    name: 'bilstm',
    description: 'The paper’s LSTM with a second LSTM reading each name backwards (twice the recurrent work).',
    options: { architecture: { arch: 'lstm', bidirectional: true }, epochs: 10, classWeights: 'none', loss: 'cross-entropy' },
  },
  'resnet-cnn': {
    name: 'resnet-cnn',
    description:
      'A residual 1-D CNN over characters (Drichel et al. 2020 style): convolutions see n-grams in parallel, so it trains in large ops on every core.',
    options: { architecture: { arch: 'cnn' }, epochs: 10, classWeights: 'none', loss: 'cross-entropy' },
  },
});

export const DEFAULT_PRESET = 'resnet-cnn';

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
