export interface Decision {
  dgaThreshold: number;
  targetBenignFpr: number | null;
  calibrationBenign: number | null;
  dgaThresholdMethod: string | null;
  dgaScorePrior: string | null;
  noveltyMethod: string | null;
  noveltyThreshold: number | null;
  targetRejectRate: number | null;
}

const num = (x: number | null, digits = 4) => (x == null ? 'n/a' : Number(x.toPrecision(digits)).toString());

/** How a model decides: the DGA threshold (with what it was chosen for) and the novelty detector. */
export function DecisionFacts({ decision }: { decision: Decision | null }) {
  if (!decision) return <p className="muted">Not trained yet: no verdict rule.</p>;
  const d = decision;
  return (
    <dl className="facts" data-testid="decision">
      <dt>DGA threshold</dt>
      <dd data-testid="dga-threshold">
        DGA when the DGA score ≥ {num(d.dgaThreshold)}
        {d.targetBenignFpr != null
          ? ` (chosen for a benign false-positive rate of ${num(d.targetBenignFpr)} on ${d.calibrationBenign ?? 0} benign validation domains${
              d.dgaThresholdMethod === 'tail' ? ', by extrapolating the tail of their scores' : ''
            })`
          : ' (fixed: trained before calibrated thresholds)'}
      </dd>
      <dt>DGA score</dt>
      <dd data-testid="dga-score-prior">
        {d.dgaScorePrior === 'uniform-families'
          ? 'P(DGA) with every known family equally likely (a rare family counts as much as a frequent one)'
          : '1 − P(benign) (families as frequent as the training epochs showed them)'}
      </dd>
      <dt>Novelty detector</dt>
      <dd data-testid="novelty">
        {!d.noveltyMethod
          ? 'none (never "unknown family")'
          : d.noveltyThreshold == null
            ? `${d.noveltyMethod}: never "unknown family" (too few known-family validation DGA domains to reject ${num(d.targetRejectRate)} of them)`
            : `${d.noveltyMethod}: unknown family when novelty > ${num(d.noveltyThreshold)}${
                d.targetRejectRate != null ? ` (chosen to reject ${num(d.targetRejectRate)} of known-family validation DGA domains)` : ''
              }`}
      </dd>
    </dl>
  );
}

/** One line for tables: "≥ 0.73 · mahalanobis > 412". */
export function decisionSummary(d: Decision | null): string {
  if (!d) return 'n/a';
  return `DGA ≥ ${num(d.dgaThreshold, 3)}${d.targetBenignFpr != null ? ` (FPR ${num(d.targetBenignFpr, 2)})` : ''}${
    d.dgaScorePrior === 'uniform-families' ? ', families uniform' : ''
  } · ${
    d.noveltyMethod
      ? d.noveltyThreshold == null
        ? `${d.noveltyMethod}, never`
        : `${d.noveltyMethod} > ${num(d.noveltyThreshold, 3)}`
      : 'no novelty'
  }`;
}
