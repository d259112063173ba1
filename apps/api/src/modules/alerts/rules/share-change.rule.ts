import type { AlertRuleKind } from '../alert-rule-kinds';

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** Families whose share of the feed moved by more than the threshold (percentage points) since the previous snapshot. */
export const shareChangeRule: AlertRuleKind = {
  kind: 'SHARE_CHANGE',
  description: 'A family’s share of the feed changed by more than the threshold (percentage points) since the previous snapshot.',
  threshold: { meaning: 'percentage points of the feed (5 = a family went from 10 % to over 15 % or under 5 %)', min: 0, max: 100 },
  evaluate(threshold, facts) {
    if (!facts.previous || threshold == null || facts.snapshot.total === 0 || facts.previous.total === 0) return null;
    const families = new Set([...facts.counts.keys(), ...facts.previousCounts.keys()]);
    const changed = [...families]
      .map((family) => {
        const before = (facts.previousCounts.get(family) ?? 0) / facts.previous!.total;
        const after = (facts.counts.get(family) ?? 0) / facts.snapshot.total;
        return { family, before, after, change: after - before };
      })
      .filter((c) => Math.abs(c.change) * 100 > threshold)
      .sort((a, b) => Math.abs(b.change) - Math.abs(a.change));
    if (changed.length === 0) return null;
    return {
      event: 'share-change',
      title: `${changed.length} famil${changed.length === 1 ? 'y' : 'ies'} of ${facts.snapshot.feedName} changed share by more than ${threshold} points`,
      lines: changed.map((c) => `${c.family}: ${pct(c.before)} → ${pct(c.after)}`),
      details: { threshold, families: changed },
    };
  },
};
