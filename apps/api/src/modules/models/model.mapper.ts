import type { Evaluation } from '@dgascope/ml';
import type { MlModel } from '@prisma/client';
import type { Model, ModelMetrics } from './model.type';

/** The registry row without its artifact (the artifact is only ever read by ModelsService.load). */
export function toModel(row: Omit<MlModel, 'artifact'>): Model {
  return {
    id: row.id,
    version: row.id,
    status: row.status,
    trainingJobId: row.trainingJobId,
    parentId: row.parentId,
    architecture: row.architecture,
    config: row.config,
    labels: row.labels,
    snapshotIds: row.snapshotIds,
    dataFingerprint: row.dataFingerprint,
    trainingSamples: row.trainingSamples,
    backend: row.backend,
    preset: row.preset,
    loss: row.loss,
    decision:
      row.dgaThreshold === null
        ? null
        : {
            dgaThreshold: row.dgaThreshold,
            targetBenignFpr: row.targetBenignFpr,
            calibrationBenign: row.calibrationBenign,
            dgaThresholdMethod: row.dgaThresholdMethod,
            dgaScorePrior: row.dgaScorePrior,
            noveltyMethod: row.noveltyMethod,
            noveltyThreshold: row.noveltyThreshold,
            targetRejectRate: row.targetRejectRate,
          },
    artifactBytes: row.artifactBytes,
    createdAt: row.createdAt,
    readyAt: row.readyAt,
    promotedAt: row.promotedAt,
    retiredAt: row.retiredAt,
    metricsJson: row.metrics,
  };
}

/** The ML library's evaluation in the API's shape. */
export function toMetrics(evaluation: Evaluation | null | undefined): ModelMetrics | null {
  if (!evaluation) return null;
  const perFamily = evaluation.perClass.map((c) => ({
    family: c.label,
    precision: c.precision,
    recall: c.recall,
    f1: c.f1,
    support: c.support,
  }));
  return {
    n: evaluation.n,
    accuracy: evaluation.accuracy,
    micro: evaluation.micro,
    macro: evaluation.macro,
    weighted: evaluation.weighted,
    perFamily,
    zeroF1Families: perFamily.filter((f) => f.support > 0 && f.f1 === 0).length,
    confusion: { labels: evaluation.labels, counts: evaluation.confusion },
    binary: evaluation.binary
      ? {
          auc: evaluation.binary.auc,
          tprAtFpr1e3: evaluation.binary.tprAtFpr['1e-3'],
          tprAtFpr1e4: evaluation.binary.tprAtFpr['1e-4'],
          positives: evaluation.binary.positives,
          negatives: evaluation.binary.negatives,
          // The first point's threshold is +Infinity, stored in JSON as null.
          roc: evaluation.binary.roc.map((p) => ({ ...p, threshold: Number.isFinite(p.threshold) ? p.threshold : null })),
        }
      : null,
    misclassified: evaluation.misclassified.map((m) => ({
      domain: m.domain,
      trueFamily: m.trueLabel,
      predictedFamily: m.predicted,
      probability: m.probability,
    })),
    misclassifiedTotal: evaluation.misclassifiedTotal,
    // Evaluations stored before verdicts lack these (their "uncertain" rate counted something else).
    unknownFamily: evaluation.unknownFamily ?? 0,
    benignFlaggedRate: evaluation.benignFlaggedRate ?? null,
    unknownFamilyRate: evaluation.unknownFamilyRate ?? null,
  };
}
