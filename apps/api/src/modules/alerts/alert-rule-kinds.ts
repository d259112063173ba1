import { newFamilyRule } from './rules/new-family.rule';
import { shareChangeRule } from './rules/share-change.rule';
import { modelQualityRule } from './rules/model-quality.rule';

/** A DGA snapshot just stored, with the one before it of the same feed. */
export interface SnapshotFacts {
  snapshot: { id: number; takenAt: Date; feedId: number; feedName: string; total: number };
  /** The previous snapshot of the same feed (by date taken); null for a feed's first snapshot. */
  previous: { id: number; takenAt: Date; total: number } | null;
  /** Names per family, this snapshot and the previous one. */
  counts: ReadonlyMap<string, number>;
  previousCounts: ReadonlyMap<string, number>;
  /**
   * The promoted model's evaluation on this snapshot, once the job the post-ingest hook queued has
   * finished (that job raises the rules again with it); absent when the snapshot was just stored.
   */
  evaluation?: { modelId: number; evaluationId: number; macroF1: number | null; flaggedRate: number | null };
}

/** What a rule found: one alert per rule and snapshot. */
export interface Alert {
  /** Event name of the payload: new-family, share-change… */
  event: string;
  title: string;
  /** One line per finding, for people (the Slack text). */
  lines: string[];
  /** The findings, for programs (the JSON payload's "details"). */
  details: unknown;
}

/**
 * One kind of alert rule. A new kind is a file in rules/ and one entry in ALERT_RULE_KINDS;
 * a kind that needs other facts extends SnapshotFacts and has them passed to `raiseFor` by
 * whatever learns them (MODEL_QUALITY: the evaluation job).
 */
export interface AlertRuleKind {
  readonly kind: string;
  readonly description: string;
  /** What the rule's threshold means; null when the rule has none. */
  readonly threshold: { meaning: string; min: number; max: number } | null;
  evaluate(threshold: number | null, facts: SnapshotFacts): Alert | null;
}

export const ALERT_RULE_KINDS: Record<string, AlertRuleKind> = {
  [newFamilyRule.kind]: newFamilyRule,
  [shareChangeRule.kind]: shareChangeRule,
  [modelQualityRule.kind]: modelQualityRule,
};
