import { effectiveDecision, type DgaModel } from '@dgascope/ml';

/** The model row's columns of its preset, loss and verdict rule (the artifact holds the same). */
export function decisionColumns(model: DgaModel) {
  const d = effectiveDecision(model.meta);
  const finite = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return {
    preset: model.meta.preset ?? null,
    loss: model.meta.loss,
    dgaThreshold: d.dgaThreshold,
    targetBenignFpr: finite(d.targetBenignFpr),
    calibrationBenign: model.meta.decision ? d.calibrationBenign : null,
    dgaThresholdMethod: model.meta.decision ? (d.dgaThresholdMethod ?? 'quantile') : null,
    dgaScorePrior: model.meta.decision ? (d.dgaScorePrior ?? 'training') : null,
    noveltyMethod: d.novelty?.method ?? null,
    noveltyThreshold: finite(d.novelty?.threshold),
    targetRejectRate: finite(d.novelty?.targetRejectRate),
  };
}
