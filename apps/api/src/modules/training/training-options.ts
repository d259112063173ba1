import { presetTrainOptions, type DecisionOptions, type TrainOptions } from '@dgascope/ml';
import { hasFilters, hasLstm, hasPooling, type TrainingRequest } from './training.types';

/** The options of `o` that are set (not null or undefined). */
function given<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]?: Exclude<T[K], null> };
}

/** The preset's epoch sampling with the request's power and benign share over it (benign share 0: the natural share). */
function samplingFor(presetSampling: TrainOptions['sampling'], request: TrainingRequest): Pick<TrainOptions, 'sampling'> {
  if (request.samplingPower === null && request.benignShare === null) return {};
  const { benignShare: presetBenignShare, ...presetRest } = presetSampling ?? {};
  const benignShare = request.benignShare === null ? presetBenignShare : request.benignShare > 0 ? request.benignShare : undefined;
  return {
    sampling: {
      ...presetRest,
      ...(request.samplingPower !== null ? { power: request.samplingPower } : {}),
      ...(benignShare !== undefined ? { benignShare } : {}),
    },
  };
}

/**
 * The library's training options for a request: the preset's, overridden by every option the
 * request gives. Training-run options that no preset sets (seed, early stopping) come from the request.
 */
export function trainOptionsFor(request: TrainingRequest): TrainOptions {
  const preset = presetTrainOptions(request.preset);
  const presetDecision: DecisionOptions = preset.decision === false ? {} : (preset.decision ?? {});
  const { classWeights, ...rest } = given({
    epochs: request.epochs,
    batchSize: request.batchSize,
    learningRate: request.learningRate,
    learningRateSchedule: request.learningRateSchedule,
    classWeights: request.classWeights,
    loss: request.loss,
  });
  return {
    ...preset,
    ...rest,
    ...(classWeights
      ? { classWeights: classWeights === 'effective-number' ? { kind: 'effective-number', beta: 0.999 } : classWeights }
      : {}),
    architecture: {
      ...preset.architecture,
      ...given({
        embeddingDim: request.embeddingDim,
        dropout: request.dropout,
        maxLen: request.maxLength,
        // sizes the architecture has (TrainingRequest refuses the others)
        ...(hasFilters(request.preset) ? { filters: request.filters } : {}),
        ...(hasPooling(request.preset) ? { pooling: request.pooling } : {}),
        ...(hasLstm(request.preset) ? { lstmUnits: request.lstmUnits } : {}),
      }),
    } as TrainOptions['architecture'],
    decision: {
      ...presetDecision,
      ...given({
        targetBenignFpr: request.targetBenignFpr,
        dgaThresholdMethod: request.dgaThresholdMethod,
        dgaScorePrior: request.dgaScorePrior,
        targetRejectRate: request.targetRejectRate,
      }),
      ...(request.noveltyMethod ? { novelty: request.noveltyMethod === 'none' ? (false as const) : request.noveltyMethod } : {}),
    },
    ...samplingFor(preset.sampling, request),
    ...(request.outlierShare !== null
      ? { outlierExposure: request.outlierShare > 0 ? { ...preset.outlierExposure, share: request.outlierShare } : null }
      : {}),
    seed: request.seed,
    earlyStopping: request.earlyStoppingPatience > 0 ? { patience: request.earlyStoppingPatience } : false,
  };
}

/** The options as stored with the model (JSON: no functions, signals or models). */
export function describeOptions(o: TrainOptions): Record<string, unknown> {
  const { onProgress: _p, signal: _s, warmStart: _w, ...rest } = o;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}
