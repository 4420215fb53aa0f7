/**
 * What an UPDATE_NODEGROUP asks of EKS, diffed against the live nodegroup: one
 * UpdateNodegroupConfig with only what differs (sizes, labels, taints, updateConfig), then, for
 * another instance type, a new launch template version and UpdateNodegroupVersion with it
 * (cluster-change.ts), then, for another AMI release, UpdateNodegroupVersion. EKS refuses an update that changes nothing, so
 * each part is sent only when it differs, and nothing at all when the nodegroup is already as
 * asked. Labels and taints given are the whole new set: live ones absent from it are removed.
 */
import type { ClusterChange } from '../generated/types';
import type { NodegroupSpec } from './spec';

/** The change's payload: only the fields the request gave. */
export type NodegroupUpdate = Extract<ClusterChange, { action: 'UPDATE_NODEGROUP' }>['update'];

export interface Scaling {
  minSize?: number;
  maxSize?: number;
  desiredSize?: number;
}

/** A taint as the EKS API spells it (effects in upper snake case). */
export interface EksTaint {
  key: string;
  value?: string;
  effect: 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE';
}

export type UpdateConfig = NonNullable<NodegroupSpec['updateConfig']>;

/** The live nodegroup's settings an update may change, as DescribeNodegroup reports them. */
export interface LiveNodegroupSettings {
  scaling?: Scaling;
  labels?: Record<string, string>;
  taints?: EksTaint[];
  updateConfig?: { maxUnavailable?: number; maxUnavailablePercentage?: number };
  releaseVersion?: string;
  /** CreateNodegroup's instanceTypes; none when the type comes from the launch template. */
  instanceTypes?: string[];
  launchTemplate?: { id?: string; name?: string; version?: string };
}

/** UpdateNodegroupConfig's body, less the names: at least one member. */
export interface NodegroupConfigChange {
  scalingConfig?: Required<Scaling>;
  labels?: { addOrUpdateLabels?: Record<string, string>; removeLabels?: string[] };
  taints?: { addOrUpdateTaints?: EksTaint[]; removeTaints?: EksTaint[] };
  updateConfig?: UpdateConfig;
}

const EKS_EFFECTS: Record<NodegroupSpec['taints'][number]['effect'], EksTaint['effect']> = { NoSchedule: 'NO_SCHEDULE', NoExecute: 'NO_EXECUTE', PreferNoSchedule: 'PREFER_NO_SCHEDULE' };

/** The spec's taints as EKS takes them (CreateNodegroup and UpdateNodegroupConfig alike). */
export function eksTaints(taints: NodegroupSpec['taints']): EksTaint[] {
  return taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: EKS_EFFECTS[t.effect] }));
}

/**
 * Only the sizes asked for change; the others stay as they are live (the cluster autoscaler may
 * have moved desiredSize), except that an unasked desiredSize is kept within the new bounds.
 */
export function wantedScaling(live: Scaling, asked: Scaling): Required<Scaling> | { problem: string } {
  const minSize = asked.minSize ?? live.minSize ?? 0;
  const maxSize = asked.maxSize ?? live.maxSize ?? Math.max(minSize, 1);
  const current = live.desiredSize ?? minSize;
  const desiredSize = asked.desiredSize ?? Math.min(Math.max(current, minSize), maxSize);
  if (minSize > maxSize) return { problem: `minSize ${minSize} would exceed maxSize ${maxSize}` };
  if (desiredSize < minSize || desiredSize > maxSize) return { problem: `desiredSize ${desiredSize} would be outside minSize ${minSize} .. maxSize ${maxSize}` };
  return { minSize, maxSize, desiredSize };
}

/** The UpdateNodegroupConfig that makes `live` as `asked` says; undefined when it already is. */
export function nodegroupConfigChange(asked: NodegroupUpdate, live: LiveNodegroupSettings): NodegroupConfigChange | { problem: string } | undefined {
  const change: NodegroupConfigChange = {};
  if (asked.scaling) {
    const current = live.scaling ?? {};
    const wanted = wantedScaling(current, asked.scaling);
    if ('problem' in wanted) return { problem: `now min ${current.minSize}, desired ${current.desiredSize}, max ${current.maxSize}: ${wanted.problem}` };
    if (wanted.minSize !== current.minSize || wanted.maxSize !== current.maxSize || wanted.desiredSize !== current.desiredSize) change.scalingConfig = wanted;
  }
  if (asked.labels) {
    const current = live.labels ?? {};
    const addOrUpdateLabels = Object.fromEntries(Object.entries(asked.labels).filter(([key, value]) => current[key] !== value));
    const removeLabels = Object.keys(current).filter((key) => !Object.hasOwn(asked.labels!, key));
    if (Object.keys(addOrUpdateLabels).length || removeLabels.length) {
      change.labels = { ...(Object.keys(addOrUpdateLabels).length ? { addOrUpdateLabels } : {}), ...(removeLabels.length ? { removeLabels } : {}) };
    }
  }
  if (asked.taints) {
    // Kubernetes keys a node's taints by key and effect: a new value for the same pair is an update, not a removal.
    const identity = (t: EksTaint) => `${t.key}\u0000${t.effect}`;
    const wanted = eksTaints(asked.taints);
    const current = live.taints ?? [];
    const addOrUpdateTaints = wanted.filter((t) => !current.some((c) => identity(c) === identity(t) && (c.value ?? '') === (t.value ?? '')));
    const removeTaints = current.filter((c) => !wanted.some((t) => identity(t) === identity(c)));
    if (addOrUpdateTaints.length || removeTaints.length) {
      change.taints = { ...(addOrUpdateTaints.length ? { addOrUpdateTaints } : {}), ...(removeTaints.length ? { removeTaints } : {}) };
    }
  }
  if (asked.updateConfig && !sameUpdateConfig(asked.updateConfig, live.updateConfig)) change.updateConfig = asked.updateConfig;
  return Object.keys(change).length ? change : undefined;
}

function sameUpdateConfig(asked: UpdateConfig, live: LiveNodegroupSettings['updateConfig']): boolean {
  return asked.maxUnavailable === live?.maxUnavailable && asked.maxUnavailablePercentage === live?.maxUnavailablePercentage;
}

/**
 * What to tell a caller whose rolling update EKS ended with PodEvictionFailure: a
 * PodDisruptionBudget kept a pod on a node EKS had to replace. `retry` says how to try again.
 */
export function podEvictionAdvice(errorCodes: readonly string[], retry: string): string {
  return errorCodes.includes('PodEvictionFailure') ? ` — a PodDisruptionBudget kept a pod from being evicted: let it allow an eviction (or scale the workload), ${retry}` : '';
}
