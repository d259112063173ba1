import { createHash } from 'node:crypto';
import { planLabels, SEED_LABEL_POLICY, type LabelPlan, type LabelPolicy } from '@dgascope/core';
import { resolveInputForm, toModelInput, type InputFormOptions, type ResolvedInputForm } from './input-form';

/** A raw labelled name, as the caller has it (family name or BENIGN_LABEL). */
export interface LabeledDomain {
  domain: string;
  label: string;
}

/** A sample ready for the model: `input` is what the network reads, `domain` is kept for display. */
export interface Sample {
  domain: string;
  input: string;
  label: string;
}

export interface PrepareOptions {
  inputForm?: InputFormOptions;
  /** Family merge/drop policy (core.planLabels). Default: the seed's { mergeBelow: 50 }. Pass null to keep labels as they are. */
  labelPolicy?: LabelPolicy | null;
}

export interface PreparedData {
  samples: Sample[];
  /** Sorted class names present in `samples`. */
  labels: string[];
  plan: LabelPlan | null;
  inputForm: ResolvedInputForm;
  stats: {
    given: number;
    invalid: number;
    /** Same (input, label) seen again after reduction. */
    duplicates: number;
    /** Same input seen with a different label: the first occurrence is kept. */
    conflicts: number;
    dropped: number;
    invalidExamples: { domain: string; reason: string }[];
  };
}

/** Normalise, reduce to the input form, deduplicate after reduction, apply the label policy. */
export function prepareData(data: Iterable<LabeledDomain>, options: PrepareOptions = {}): PreparedData {
  const inputForm = resolveInputForm(options.inputForm);
  const stats: PreparedData['stats'] = { given: 0, invalid: 0, duplicates: 0, conflicts: 0, dropped: 0, invalidExamples: [] };
  const byInput = new Map<string, Sample>();
  for (const { domain, label } of data) {
    stats.given++;
    const m = toModelInput(domain, inputForm);
    if (!m.ok) {
      stats.invalid++;
      if (stats.invalidExamples.length < 20) stats.invalidExamples.push({ domain, reason: m.reason });
      continue;
    }
    const prev = byInput.get(m.input);
    if (prev) {
      if (prev.label === label) stats.duplicates++;
      else stats.conflicts++;
      continue;
    }
    byInput.set(m.input, { domain, input: m.input, label });
  }
  let samples = [...byInput.values()];
  let plan: LabelPlan | null = null;
  if (options.labelPolicy !== null) {
    const counts = new Map<string, number>();
    for (const s of samples) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
    plan = planLabels(counts, options.labelPolicy ?? SEED_LABEL_POLICY);
    const kept: Sample[] = [];
    for (const s of samples) {
      const label = plan.labelOf(s.label);
      if (label === null) stats.dropped++;
      else kept.push(label === s.label ? s : { ...s, label });
    }
    samples = kept;
  }
  return { samples, labels: sortedLabels(samples), plan, inputForm, stats };
}

export function sortedLabels(samples: Iterable<{ label: string }>): string[] {
  const set = new Set<string>();
  for (const s of samples) set.add(s.label);
  return [...set].sort();
}

export function countLabels(samples: Iterable<{ label: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
  return counts;
}

/** Order-independent fingerprint of a training set (sha256 over the sorted "label\tinput" lines). */
export function fingerprint(samples: Iterable<{ input: string; label: string }>): string {
  const lines = [...samples].map((s) => `${s.label}\t${s.input}`).sort();
  const h = createHash('sha256');
  for (const l of lines) h.update(l + '\n');
  return `sha256:${h.digest('hex')}`;
}
