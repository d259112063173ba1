import { BENIGN_LABEL, MERGED_LABEL } from './labels';

/**
 * How raw family labels become classes. Applied in this order:
 *  1. `dropBelow`: families with fewer samples are removed from the data entirely;
 *  2. `mergeBelow`: families with fewer samples are folded into `mergedDGA`;
 *  3. `maxClasses`: if more classes remain (benign and mergedDGA included), only the
 *     largest families are kept and the rest are folded into `mergedDGA`.
 * The benign class is never dropped or merged.
 */
export interface LabelPolicy {
  mergeBelow?: number;
  maxClasses?: number;
  dropBelow?: number;
}

/** The seed notebook: families with fewer than 50 domains become `mergedDGA`. */
export const SEED_LABEL_POLICY: Readonly<LabelPolicy> = Object.freeze({ mergeBelow: 50 });

export type FamilyAction = 'keep' | 'merge' | 'drop';

export interface FamilyDecision {
  family: string;
  count: number;
  action: FamilyAction;
  /** The class the family's domains are trained as; null when dropped. */
  label: string | null;
}

export interface LabelPlan {
  /** One decision per input family, largest first (ties by name). */
  decisions: FamilyDecision[];
  /** The resulting class names, sorted (the model's label order). */
  labels: string[];
  /** The class of a family; null when dropped or unknown to the plan. */
  labelOf(family: string): string | null;
}

export class LabelPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelPolicyError';
  }
}

function checkPolicy(policy: LabelPolicy): void {
  for (const key of ['mergeBelow', 'dropBelow'] as const) {
    const value = policy[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new LabelPolicyError(`${key} must be a non-negative integer, got ${value}`);
    }
  }
  const cap = policy.maxClasses;
  if (cap !== undefined && (!Number.isInteger(cap) || cap < 2)) {
    throw new LabelPolicyError(`maxClasses must be an integer of at least 2, got ${cap}`);
  }
}

export function planLabels(counts: Iterable<readonly [string, number]>, policy: LabelPolicy = SEED_LABEL_POLICY): LabelPlan {
  checkPolicy(policy);
  const totals = new Map<string, number>();
  for (const [family, count] of counts) totals.set(family, (totals.get(family) ?? 0) + count);

  const decisions: FamilyDecision[] = [...totals]
    .map(([family, count]) => ({ family, count, action: 'keep' as FamilyAction, label: family as string | null }))
    .sort((a, b) => b.count - a.count || (a.family < b.family ? -1 : a.family > b.family ? 1 : 0));

  const dga = decisions.filter((d) => d.family !== BENIGN_LABEL);
  for (const d of dga) {
    if (policy.dropBelow !== undefined && d.count < policy.dropBelow) {
      d.action = 'drop';
      d.label = null;
    } else if (d.family === MERGED_LABEL || (policy.mergeBelow !== undefined && d.count < policy.mergeBelow)) {
      // A family already called mergedDGA in the data is, by definition, part of that class.
      d.action = d.family === MERGED_LABEL ? 'keep' : 'merge';
      d.label = MERGED_LABEL;
    }
  }

  if (policy.maxClasses !== undefined) {
    const kept = dga.filter((d) => d.action === 'keep' && d.family !== MERGED_LABEL);
    const hasBenign = totals.has(BENIGN_LABEL);
    const hasMerged = dga.some((d) => d.label === MERGED_LABEL);
    const classCount = kept.length + (hasBenign ? 1 : 0) + (hasMerged ? 1 : 0);
    if (classCount > policy.maxClasses) {
      // Capping always creates (or reuses) the mergedDGA class, which takes one slot.
      const room = policy.maxClasses - (hasBenign ? 1 : 0) - 1;
      for (const d of kept.slice(Math.max(room, 0))) {
        d.action = 'merge';
        d.label = MERGED_LABEL;
      }
    }
  }

  const labelByFamily = new Map(decisions.map((d) => [d.family, d.label]));
  const labels = [...new Set(decisions.flatMap((d) => (d.label === null ? [] : [d.label])))].sort();
  return { decisions, labels, labelOf: (family) => labelByFamily.get(family) ?? null };
}
