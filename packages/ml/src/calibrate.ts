/**
 * Calibration at training time: the thresholds of the verdict (decision.ts) are chosen on the
 * validation samples, which the weights never trained on, and stored with the model.
 */
import {
  DEFAULT_DECISION_OPTIONS,
  chooseDgaThresholdBy,
  dgaScoreOf,
  fitFeatureGaussian,
  needsFeatures,
  needsLogits,
  noveltyScores,
  rejectThreshold,
  uniformFamilyWeights,
  type Decision,
  type DecisionOptions,
  type FeatureGaussian,
  type NoveltyMethod,
} from './decision';
import { predictOutputs } from './model';
import type { DgaModel } from './predictor';

export interface EncodedSet {
  xs: readonly Int32Array[];
  ys: ArrayLike<number>;
}

/** Training samples used for the class means and covariance (a stride over the set beyond this). */
const GAUSSIAN_SAMPLES = 40_000;

/**
 * `samplingPower`: how the training epochs drew the families (sampling.ts; 1 = each name once),
 * which sets their shares of what the network saw, and so the weights of a uniform family prior.
 */
export function calibrateDecision(
  model: DgaModel,
  trainSet: EncodedSet,
  validation: EncodedSet,
  options: DecisionOptions,
  batchSize = 1024,
  samplingPower = 1,
): Decision {
  const targetBenignFpr = options.targetBenignFpr ?? DEFAULT_DECISION_OPTIONS.targetBenignFpr;
  const thresholdMethod = options.dgaThresholdMethod ?? DEFAULT_DECISION_OPTIONS.dgaThresholdMethod;
  const dgaScorePrior = options.dgaScorePrior ?? DEFAULT_DECISION_OPTIONS.dgaScorePrior;
  const method: NoveltyMethod | false = options.novelty ?? DEFAULT_DECISION_OPTIONS.novelty;
  const targetRejectRate = options.targetRejectRate ?? DEFAULT_DECISION_OPTIONS.targetRejectRate;
  // without validation samples the thresholds can only come from the training samples (optimistic)
  const calib = validation.xs.length > 0 ? validation : trainSet;
  const C = model.labels.length;
  const benign = model.labels.indexOf(model.meta.benignLabel);
  const out = predictOutputs(model.net, calib.xs, {
    batchSize,
    logits: method !== false && needsLogits(method),
    features: method !== false && needsFeatures(method),
  });

  const dgaWeights =
    dgaScorePrior === 'uniform-families' && benign >= 0 ? uniformFamilyWeights(trainSet.ys, C, benign, samplingPower) : null;
  const benignScores: number[] = [];
  for (let i = 0; i < calib.ys.length; i++)
    if (calib.ys[i] === benign) benignScores.push(dgaScoreOf(out.probs.subarray(i * C, (i + 1) * C), benign, dgaWeights));
  const chosen =
    benign >= 0 ? chooseDgaThresholdBy(thresholdMethod, benignScores, targetBenignFpr) : { threshold: 0.5, method: 'quantile' as const };
  const threshold = {
    dgaThreshold: chosen.threshold,
    targetBenignFpr,
    dgaThresholdMethod: chosen.method,
    calibrationBenign: benignScores.length,
    dgaScorePrior,
    dgaWeights,
  };

  if (method === false) return { ...threshold, novelty: null };
  let gaussian: FeatureGaussian | null = null;
  if (method === 'mahalanobis') {
    const stride = Math.max(1, Math.ceil(trainSet.xs.length / GAUSSIAN_SAMPLES));
    const idx: number[] = [];
    for (let i = 0; i < trainSet.xs.length; i += stride) idx.push(i);
    const f = predictOutputs(
      model.net,
      idx.map((i) => trainSet.xs[i] as Int32Array),
      { batchSize, features: true },
    ).features as Float32Array;
    gaussian = fitFeatureGaussian(
      f,
      idx.map((i) => trainSet.ys[i] as number),
      model.net.featureDim,
      benign,
    );
  }
  const scores = noveltyScores(method, out, C, benign, gaussian);
  const dgaScores: number[] = [];
  for (let i = 0; i < calib.ys.length; i++) if (calib.ys[i] !== benign) dgaScores.push(scores[i] as number);
  return {
    ...threshold,
    novelty: { method, threshold: rejectThreshold(dgaScores, targetRejectRate), targetRejectRate, gaussian },
  };
}
