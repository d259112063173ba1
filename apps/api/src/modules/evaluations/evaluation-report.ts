import { MERGED_LABEL } from '@dgascope/core';
import {
  evaluateVerdicts,
  heldOutFromVerdicts,
  pickVerdicts,
  type DgaModel,
  type Evaluation,
  type HeldOutFamily,
  type Sample,
  type Verdicts,
} from '@dgascope/ml';

/** One listing of the evaluated snapshot, in the model's input form. */
export interface EvaluatedListing {
  domain: string;
  input: string;
  family: string;
  /** Listed in one of the model's training snapshots. */
  trainedOn: boolean;
}

/** Detection counts over all the snapshot's listings, families known to the model or not. */
export interface Detection {
  dgaDomains: number;
  flagged: number;
  flaggedRate: number | null;
  benignDomains: number;
  benignFlagged: number;
  benignFlaggedRate: number | null;
}

/** What an evaluation stores (evaluations.report). */
export interface EvaluationReport {
  /** Listings of families the model knows: all, then split by whether the model trained on them. */
  overall: Evaluation | null;
  trainedOn: Evaluation | null;
  fresh: Evaluation | null;
  detection: Detection;
  /** Families the model does not know: how it answered their domains. */
  unknownFamilies: HeldOutFamily[];
  counts: { domains: number; trainedOn: number; fresh: number; unknownToModel: number };
}

const MISCLASSIFIED_KEPT = 100;
const ASSIGNED_FAMILIES = 5;
const EXAMPLES = 5;

/**
 * The class a model gives each family of its training data: the label policy's map when the model
 * recorded it; otherwise its own labels, and families of its training snapshots that are not labels
 * count as merged (dropped families, which such models cannot tell apart, are counted as merged too).
 */
export function classOfFamily(
  labels: readonly string[],
  familyLabels: Record<string, string | null> | null,
  trainingFamilies: readonly string[],
): (family: string) => string | null {
  const known = new Set(labels);
  if (familyLabels) return (family) => (family in familyLabels && known.has(familyLabels[family] ?? '') ? familyLabels[family]! : null);
  const trained = new Set(trainingFamilies);
  const merged = known.has(MERGED_LABEL);
  return (family) => (known.has(family) ? family : merged && trained.has(family) ? MERGED_LABEL : null);
}

/** A model's verdicts on a snapshot's listings, counted every way the evaluation reports them. */
export function evaluationReport(
  model: DgaModel,
  listings: readonly EvaluatedListing[],
  v: Verdicts,
  classOf: (family: string) => string | null,
): EvaluationReport {
  const classes = model.labels.length;
  const benign = model.meta.benignLabel;
  const known: number[] = [];
  const trainedOn: number[] = [];
  const fresh: number[] = [];
  const unknown: number[] = [];
  const detection: Detection = {
    dgaDomains: 0,
    flagged: 0,
    flaggedRate: null,
    benignDomains: 0,
    benignFlagged: 0,
    benignFlaggedRate: null,
  };
  listings.forEach((l, i) => {
    if (l.family === benign) {
      detection.benignDomains++;
      detection.benignFlagged += v.dga[i] as number;
    } else {
      detection.dgaDomains++;
      detection.flagged += v.dga[i] as number;
    }
    if (classOf(l.family) === null) unknown.push(i);
    else {
      known.push(i);
      (l.trainedOn ? trainedOn : fresh).push(i);
    }
  });
  detection.flaggedRate = detection.dgaDomains ? detection.flagged / detection.dgaDomains : null;
  detection.benignFlaggedRate = detection.benignDomains ? detection.benignFlagged / detection.benignDomains : null;

  const sample = (i: number, label: string): Sample => ({ domain: listings[i]!.domain, input: listings[i]!.input, label });
  const evaluateOn = (indices: number[]): Evaluation | null => {
    if (indices.length === 0) return null;
    const e = evaluateVerdicts(
      model,
      indices.map((i) => sample(i, classOf(listings[i]!.family)!)),
      pickVerdicts(v, indices, classes),
      { misclassifiedCap: MISCLASSIFIED_KEPT },
    );
    // A snapshot of one kind (a DGA feed) has no ROC: its AUC would be NaN.
    return e.binary && (e.binary.positives === 0 || e.binary.negatives === 0) ? { ...e, binary: null } : e;
  };
  const unknownFamilies =
    unknown.length === 0
      ? []
      : heldOutFromVerdicts(
          model,
          unknown.map((i) => sample(i, listings[i]!.family)),
          pickVerdicts(v, unknown, classes),
          { top: ASSIGNED_FAMILIES, examples: EXAMPLES },
        ).families.sort((a, b) => b.n - a.n || (a.family < b.family ? -1 : 1));
  return {
    overall: evaluateOn(known),
    trainedOn: evaluateOn(trainedOn),
    fresh: evaluateOn(fresh),
    detection,
    unknownFamilies,
    counts: { domains: listings.length, trainedOn: trainedOn.length, fresh: fresh.length, unknownToModel: unknown.length },
  };
}
