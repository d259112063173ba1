import type { AlertRuleKind } from '../alert-rule-kinds';

/** Families listed in the new snapshot that the previous snapshot of the feed did not list. */
export const newFamilyRule: AlertRuleKind = {
  kind: 'NEW_FAMILY',
  description: 'A family appeared: listed in the new snapshot, absent from the previous snapshot of the same feed.',
  threshold: null,
  evaluate(_threshold, facts) {
    // A feed's first snapshot has nothing to compare with: every family would be "new".
    if (!facts.previous) return null;
    const appeared = [...facts.counts.entries()]
      .filter(([family, n]) => n > 0 && !facts.previousCounts.has(family))
      .sort((a, b) => b[1] - a[1]);
    if (appeared.length === 0) return null;
    return {
      event: 'new-family',
      title: `${appeared.length} new famil${appeared.length === 1 ? 'y' : 'ies'} in ${facts.snapshot.feedName}`,
      lines: appeared.map(([family, n]) => `${family}: ${n} names`),
      details: { families: appeared.map(([family, count]) => ({ family, count })) },
    };
  },
};
