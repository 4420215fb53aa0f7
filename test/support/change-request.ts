/**
 * A ClusterChange made as the API makes it (functions/api/change-cluster.ts): the request applied
 * to the cluster's spec, the whole result normalised, the change taken from it. An added item so
 * carries every default, as update-cluster receives it.
 */
import { specRulesOnly } from '../../functions/domain/guardrails';
import { applyChange, type ChangeRequest } from '../../functions/domain/spec-change';
import { normaliseSpec, type Spec } from '../../functions/domain/spec';
import type { ClusterChange } from '../../functions/generated/types';

export function apiChange(spec: Spec, request: ChangeRequest): { change: ClusterChange; spec: Spec } {
  const applied = applyChange(spec, request);
  const desired = normaliseSpec(applied.spec, specRulesOnly(spec));
  return { change: applied.change(desired), spec: desired };
}
