import { toMetrics } from '../models/model.mapper';
import type { ModelEvaluation } from './evaluation.type';
import type { StoredEvaluation } from './evaluations.service';

export function toEvaluation(e: StoredEvaluation): ModelEvaluation {
  const { report, ...row } = e;
  return {
    ...row,
    detection: report.detection,
    overall: toMetrics(report.overall),
    trainedOn: toMetrics(report.trainedOn),
    fresh: toMetrics(report.fresh),
    unknownFamilies: report.unknownFamilies.map((f) => ({
      family: f.family,
      domains: f.n,
      flaggedRate: f.dgaRecall,
      unknownFamilyRate: f.unknownFamilyRate,
      wrongFamilyRate: f.wrongFamilyRate,
      assignedTo: f.assignedTo.map((a) => ({ family: a.family, share: a.share, examples: a.examples ?? [] })),
    })),
  };
}
