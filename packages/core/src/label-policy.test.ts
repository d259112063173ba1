import { describe, expect, it } from 'vitest';
import { BENIGN_LABEL, MERGED_LABEL } from './labels';
import { LabelPolicyError, planLabels } from './label-policy';

const counts: Array<[string, number]> = [
  [BENIGN_LABEL, 10_000],
  ['tinba', 5000],
  ['ramnit', 3000],
  ['pykspa', 900],
  ['symmi', 49],
  ['madmax', 1],
];

describe('planLabels', () => {
  it('applies the seed policy: families below 50 become mergedDGA; labels sorted', () => {
    const plan = planLabels(counts);
    expect(plan.labels).toEqual([BENIGN_LABEL, MERGED_LABEL, 'pykspa', 'ramnit', 'tinba']);
    expect(plan.labelOf('symmi')).toBe(MERGED_LABEL);
    expect(plan.labelOf('madmax')).toBe(MERGED_LABEL);
    expect(plan.labelOf('tinba')).toBe('tinba');
    expect(plan.labelOf('unknown')).toBeNull();
    expect(plan.decisions.map((d) => [d.family, d.action])).toEqual([
      [BENIGN_LABEL, 'keep'],
      ['tinba', 'keep'],
      ['ramnit', 'keep'],
      ['pykspa', 'keep'],
      ['symmi', 'merge'],
      ['madmax', 'merge'],
    ]);
  });

  it('drops families below dropBelow before merging', () => {
    const plan = planLabels(counts, { mergeBelow: 1000, dropBelow: 10 });
    expect(plan.labelOf('madmax')).toBeNull();
    expect(plan.labelOf('symmi')).toBe(MERGED_LABEL);
    expect(plan.labelOf('pykspa')).toBe(MERGED_LABEL);
    expect(plan.labels).toEqual([BENIGN_LABEL, MERGED_LABEL, 'ramnit', 'tinba']);
  });

  it('caps the number of classes, mergedDGA and benign included, keeping the largest families', () => {
    const plan = planLabels(counts, { mergeBelow: 0, maxClasses: 4 });
    expect(plan.labels).toEqual([BENIGN_LABEL, MERGED_LABEL, 'ramnit', 'tinba']);
    expect(plan.labelOf('pykspa')).toBe(MERGED_LABEL);
    // No cap needed when the classes already fit.
    expect(planLabels(counts, { mergeBelow: 0, maxClasses: 6 }).labels).toHaveLength(6);
  });

  it('never merges or drops the benign class', () => {
    const plan = planLabels(
      [
        [BENIGN_LABEL, 3],
        ['tinba', 100],
      ],
      { mergeBelow: 50, dropBelow: 10 },
    );
    expect(plan.labelOf(BENIGN_LABEL)).toBe(BENIGN_LABEL);
  });

  it('adds up repeated families and rejects invalid policies', () => {
    const plan = planLabels(
      [
        ['a', 30],
        ['a', 30],
      ],
      { mergeBelow: 50 },
    );
    expect(plan.decisions).toEqual([{ family: 'a', count: 60, action: 'keep', label: 'a' }]);
    expect(() => planLabels(counts, { maxClasses: 1 })).toThrow(LabelPolicyError);
    expect(() => planLabels(counts, { mergeBelow: -1 })).toThrow(/mergeBelow/);
  });
});
