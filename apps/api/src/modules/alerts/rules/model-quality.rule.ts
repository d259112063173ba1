import type { AlertRuleKind } from '../alert-rule-kinds';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/**
 * The promoted model did worse than the threshold on a new feed: its macro-F1 or the share of the
 * feed's DGA names it flagged. Known only once the evaluation the snapshot's post-ingest hook
 * queued has finished, so the rule is silent until then (the evaluation job raises it again).
 */
export const modelQualityRule: AlertRuleKind = {
  kind: 'MODEL_QUALITY',
  description: 'The promoted model’s macro-F1 or DGA flagged rate on the new snapshot (its automatic evaluation) fell below the threshold.',
  threshold: { meaning: 'a fraction from 0 to 1 (0.8 = alert when macro-F1 or flagged rate is under 80 %)', min: 0, max: 1 },
  evaluate(threshold, facts) {
    const e = facts.evaluation;
    if (!e || threshold == null) return null;
    const below = [
      { measure: 'macro-F1', value: e.macroF1 },
      { measure: 'DGA flagged rate', value: e.flaggedRate },
    ].filter((m): m is { measure: string; value: number } => m.value != null && m.value < threshold);
    if (below.length === 0) return null;
    return {
      event: 'model-quality',
      title: `Model ${e.modelId} on ${facts.snapshot.feedName}: ${below.map((m) => m.measure).join(' and ')} below ${pct(threshold)}`,
      lines: below.map((m) => `${m.measure}: ${pct(m.value)} (threshold ${pct(threshold)})`),
      details: {
        threshold,
        modelId: e.modelId,
        evaluationId: e.evaluationId,
        macroF1: e.macroF1,
        flaggedRate: e.flaggedRate,
        below: below.map((m) => m.measure),
      },
    };
  },
};
