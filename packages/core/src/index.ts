export { BENIGN_LABEL, MERGED_LABEL, UNKNOWN_FAMILY_LABEL } from './labels';
export { normalizeDomain, type NormalizeResult } from './normalize-domain';
export {
  planLabels,
  SEED_LABEL_POLICY,
  LabelPolicyError,
  type LabelPolicy,
  type LabelPlan,
  type FamilyDecision,
  type FamilyAction,
} from './label-policy';
