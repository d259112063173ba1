import type { ClassifyResult } from '@dgascope/ml';
import { Verdict } from '@prisma/client';
import type { Classification } from '../predictions/prediction.type';

/** The ML library's verdict ('benign' | 'dga') as stored and served (the Verdict enum). */
export function toVerdict(v: 'benign' | 'dga'): Verdict {
  return v === 'dga' ? Verdict.DGA : Verdict.BENIGN;
}

/** One answer of the classify query (and the CLI's classify). */
export function toClassification(r: ClassifyResult, modelId: number): Classification {
  return r.ok
    ? {
        domain: r.domain,
        error: null,
        normalized: r.normalized,
        input: r.input,
        verdict: toVerdict(r.verdict),
        family: r.family,
        probability: r.probability,
        nearestFamily: r.nearestFamily,
        top3: r.top3,
        dgaScore: r.dgaScore,
        novelty: r.novelty,
        unknownFamily: r.unknownFamily,
        modelId,
      }
    : {
        domain: r.domain,
        error: r.error,
        normalized: null,
        input: null,
        verdict: null,
        family: null,
        probability: null,
        nearestFamily: null,
        top3: [],
        dgaScore: null,
        novelty: null,
        unknownFamily: null,
        modelId,
      };
}
