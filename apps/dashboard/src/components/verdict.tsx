/** One verdict per domain: benign, DGA of a known family, or DGA of an unknown family. */
export function VerdictBadge({ verdict, unknownFamily }: { verdict: 'BENIGN' | 'DGA' | null; unknownFamily: boolean | null }) {
  if (!verdict) return null;
  const label = verdict === 'BENIGN' ? 'benign' : unknownFamily ? 'DGA, unknown family' : 'DGA';
  return <span className={`verdict verdict-${verdict === 'BENIGN' ? 'benign' : unknownFamily ? 'unknown' : 'dga'}`}>{label}</span>;
}

/** The family as the verdict has it; an unknown family names the nearest known one. */
export function familyText(r: { family: string | null; unknownFamily: boolean | null; nearestFamily: string | null }): string {
  if (r.unknownFamily) return `unknown (nearest: ${r.nearestFamily ?? '-'})`;
  return r.family ?? '';
}
