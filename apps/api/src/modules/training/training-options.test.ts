import 'reflect-metadata';
import { DEFAULT_PRESET, PRESETS } from '@dgascope/ml';
import { describe, expect, it } from 'vitest';
import { trainOptionsFor } from './training-options';
import { TrainingRequest } from './training.types';

const base = {
  snapshotIds: [1],
  labelPolicy: {},
  seed: 23,
  inputForm: 'registered-domain',
  earlyStoppingPatience: 2,
  warmStartModelId: null,
  epochs: null,
  batchSize: null,
  learningRate: null,
  classWeights: null,
  embeddingDim: null,
  lstmUnits: null,
  dropout: null,
  maxLength: null,
};

describe('trainOptionsFor', () => {
  it('takes the preset as it is when nothing is overridden', () => {
    const o = trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'endgame-2016-balanced' }));
    const p = PRESETS['endgame-2016-balanced']!.options;
    expect(o).toMatchObject({ preset: 'endgame-2016-balanced', loss: 'logit-adjusted', epochs: p.epochs, classWeights: 'none', seed: 23 });
    expect(o.decision).toEqual({ novelty: 'mahalanobis' });
    expect(o.earlyStopping).toEqual({ patience: 2 });
  });

  it('lets every given option override the preset, and turns novelty "none" into no detector', () => {
    const o = trainOptionsFor(
      TrainingRequest.parse({
        ...base,
        preset: 'endgame-2016-balanced',
        epochs: 3,
        loss: 'cross-entropy',
        classWeights: 'effective-number',
        lstmUnits: 16,
        targetBenignFpr: 0.01,
        dgaThresholdMethod: 'tail',
        noveltyMethod: 'none',
        targetRejectRate: 0.05,
        earlyStoppingPatience: 0,
      }),
    );
    expect(o).toMatchObject({ preset: 'endgame-2016-balanced', loss: 'cross-entropy', epochs: 3, earlyStopping: false });
    expect(o.classWeights).toEqual({ kind: 'effective-number', beta: 0.999 });
    expect(o.architecture).toEqual({ lstmUnits: 16 });
    expect(o.decision).toEqual({ targetBenignFpr: 0.01, dgaThresholdMethod: 'tail', novelty: false, targetRejectRate: 0.05 });
  });

  it('reads job inputs from before presets as the LSTM they trained, and refuses unknown presets', () => {
    const old = TrainingRequest.parse({ ...base, epochs: 10, batchSize: 128, learningRate: 0.001, classWeights: 'sqrt', lstmUnits: 128 });
    expect(old.preset).toBe('endgame-2016');
    expect(trainOptionsFor(old)).toMatchObject({
      preset: 'endgame-2016',
      classWeights: 'sqrt',
      epochs: 10,
      architecture: { lstmUnits: 128 },
    });
    expect(TrainingRequest.safeParse({ ...base, preset: 'nope' }).success).toBe(false);
  });

  it('gives CNN presets filters and LSTM presets units, and refuses a size the architecture does not have', () => {
    expect(DEFAULT_PRESET).toBe('resnet-cnn-sqrt');
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'resnet-cnn-sqrt' })).sampling).toEqual({ power: 0.5 });
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'resnet-cnn-sqrt' })).learningRateSchedule).toBe('cosine');
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'resnet-cnn' })).learningRateSchedule).toBeUndefined();
    expect(
      trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'resnet-cnn-sqrt', learningRateSchedule: 'constant' })).learningRateSchedule,
    ).toBe('constant');
    expect(
      trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'endgame-2016', learningRateSchedule: 'cosine' })).learningRateSchedule,
    ).toBe('cosine');
    expect(TrainingRequest.safeParse({ ...base, learningRateSchedule: 'step' }).success).toBe(false);
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'resnet-cnn-sqrt', samplingPower: 1 })).sampling).toEqual({ power: 1 });
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'endgame-2016', samplingPower: 0.5 })).sampling).toEqual({
      power: 0.5,
    });
    expect(TrainingRequest.safeParse({ ...base, samplingPower: 1.5 }).success).toBe(false);
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'resnet-cnn-sqrt', benignShare: 0.4 })).sampling).toEqual({
      power: 0.5,
      benignShare: 0.4,
    });
    expect(
      trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'endgame-2016', benignShare: 0.4, samplingPower: 0.5 })).sampling,
    ).toEqual({
      power: 0.5,
      benignShare: 0.4,
    });
    // 0 gives back the natural share even where a preset fixes one
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'endgame-2016', benignShare: 0 })).sampling).toEqual({});
    expect(TrainingRequest.safeParse({ ...base, benignShare: 1 }).success).toBe(false);
    expect(TrainingRequest.safeParse({ ...base, benignShare: 0.995 }).success).toBe(false);
    expect(TrainingRequest.safeParse({ ...base, benignShare: -0.1 }).success).toBe(false);
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'endgame-2016', outlierShare: 0.3 })).outlierExposure).toEqual({
      share: 0.3,
    });
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'endgame-2016', outlierShare: 0 })).outlierExposure).toBeNull();
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'endgame-2016' })).outlierExposure).toBeUndefined();
    expect(TrainingRequest.safeParse({ ...base, outlierShare: 1.5 }).success).toBe(false);
    const cnn = trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'resnet-cnn', filters: 16, embeddingDim: 8 }));
    expect(cnn.architecture).toEqual({ arch: 'cnn', filters: 16, embeddingDim: 8 });
    const wrong = TrainingRequest.safeParse({ ...base, preset: 'resnet-cnn', lstmUnits: 16 });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]).toMatchObject({ path: ['lstmUnits'], message: expect.stringMatching(/give filters instead/) });
    expect(TrainingRequest.safeParse({ ...base, preset: 'endgame-2016', filters: 16 }).error?.issues[0]?.path).toEqual(['filters']);
    // the default CNN pools max and mean; resnet-cnn keeps the max; either can be asked for, by the CNN presets only
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'resnet-cnn-sqrt' })).architecture).toEqual({
      arch: 'cnn',
      pooling: 'max-mean',
    });
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'resnet-cnn-sqrt', pooling: 'max' })).architecture).toEqual({
      arch: 'cnn',
      pooling: 'max',
    });
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'resnet-cnn', pooling: 'max-mean' })).architecture).toEqual({
      arch: 'cnn',
      pooling: 'max-mean',
    });
    expect(TrainingRequest.safeParse({ ...base, preset: 'resnet-cnn', pooling: 'average' }).success).toBe(false);
    for (const preset of ['endgame-2016', 'cnn-lstm'])
      expect(TrainingRequest.safeParse({ ...base, preset, pooling: 'max-mean' }).error?.issues[0]).toMatchObject({
        path: ['pooling'],
        message: expect.stringMatching(/pooling applies to the CNN presets/),
      });
    // the CNN-LSTM has both
    expect(trainOptionsFor(TrainingRequest.parse({ ...base, preset: 'cnn-lstm', filters: 16, lstmUnits: 32 })).architecture).toEqual({
      arch: 'cnn-lstm',
      filters: 16,
      lstmUnits: 32,
    });
  });
});
