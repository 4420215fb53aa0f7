/**
 * Removing the pods derived from the add-ons, as the API server and the controllers behind it do:
 * - POST .../pods/<name>/eviction (policy/v1 Eviction): the pod's PodDisruptionBudget decides
 *   (disruption.ts): refused, 429 TooManyRequests "Cannot evict pod as it would violate the pod's
 *   disruption budget." with a DisruptionBudget cause; more than one budget selecting the pod,
 *   500 as kube-apiserver answers; allowed, 201 and the pod terminates.
 * - DELETE .../pods/<name>: the same removal without budgets (200, the pod with its deletionTimestamp).
 * A removed pod is listed with its deletionTimestamp for its grace period (DeleteOptions'
 * gracePeriodSeconds, else the pod's 30 s), then is gone. Its controller replaces it: a
 * Deployment's ReplicaSet at once, on another node the scheduler may use (not cordoned, Ready,
 * taints tolerated; Pending a few seconds while its containers start, Pending unschedulable when
 * no node takes it); a DaemonSet on the same node once the old pod is gone — which is why drains
 * skip DaemonSet pods (`kubectl drain --ignore-daemonsets`).
 */
import type { Cluster } from '../eks/state';
import type { World } from '../../world';
import { budgetsOf, selectorMatches, statusOf } from './budgets';
import { evictionVerdict } from './disruption';
import { StatusError, badRequest, notFound, type Json } from './status';
import { clusterObjects, type DerivedObjects, type PodOrigin } from './workloads';

function findPod(derived: DerivedObjects, namespace: string, name: string): { pod: Json; origin: PodOrigin | undefined } {
  const pod = derived.pods.find((p) => {
    const metadata = p.metadata as Json;
    return metadata.namespace === namespace && metadata.name === name;
  });
  if (!pod) throw notFound('pods', '', name);
  return { pod, origin: derived.origins.get(`${namespace}/${name}`) };
}

function gracePeriod(deleteOptions: Json | undefined, pod: Json): number {
  const asked = deleteOptions?.gracePeriodSeconds;
  if (typeof asked === 'number' && asked >= 0) return asked;
  return Number((pod.spec as Json).terminationGracePeriodSeconds ?? 30);
}

/** Records the removal; a Deployment pod's replacement goes to the schedulable node running fewest of its workload's pods. */
function remove(world: World, cluster: Cluster, derived: DerivedObjects, pod: Json, origin: PodOrigin, graceSeconds: number): Json {
  const metadata = pod.metadata as Json;
  const nodeName = String((pod.spec as Json).nodeName ?? '');
  let replacementNode: string | undefined;
  if (origin.kind === 'Deployment') {
    const load = (node: string) => derived.pods.filter((p) => ((p.spec as Json).nodeName === node && derived.origins.get(`${String((p.metadata as Json).namespace)}/${String((p.metadata as Json).name)}`)?.workload === origin.workload)).length;
    const choices = origin.schedulable.filter((n) => n !== nodeName);
    replacementNode = choices.reduce<string | undefined>((best, n) => (best === undefined || load(n) < load(best) ? n : best), undefined);
  }
  const at = world.clock.now();
  cluster.kube.recordPodRemoval({ namespace: String(metadata.namespace), name: String(metadata.name), workload: origin.workload, slot: origin.slot, at, graceSeconds, object: pod, ...(replacementNode ? { replacementNode } : {}) });
  return { ...pod, metadata: { ...metadata, deletionTimestamp: new Date(at.getTime() + graceSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), deletionGracePeriodSeconds: graceSeconds } };
}

/** POST pods/<name>/eviction: the Status of a granted eviction, or the StatusError kube-apiserver answers. */
export function evictPod(world: World, cluster: Cluster, namespace: string, name: string, body: Json, dryRun: boolean): Json {
  const metadata = (body.metadata ?? {}) as Json;
  if (body.kind !== undefined && body.kind !== 'Eviction') throw badRequest(`the object kind ${String(body.kind)} is not Eviction`);
  if (metadata.name !== undefined && metadata.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const derived = clusterObjects(world, cluster);
  const { pod, origin } = findPod(derived, namespace, name);
  const success = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  // Already terminating: nothing more to do, and no budget is asked.
  if (!origin || origin.terminating) return success;
  const labels = ((pod.metadata as Json).labels ?? {}) as Record<string, string>;
  const budgets = budgetsOf(cluster, namespace).filter((b) => selectorMatches(b.spec.selector, labels));
  if (budgets.length > 1) throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const budget = budgets[0];
  if (budget) {
    const verdict = evictionVerdict(origin, { name: budget.metadata.name, spec: budget.spec, status: statusOf(budget, derived) });
    if (!verdict.allowed) {
      throw new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", { causes: [{ reason: 'DisruptionBudget', message: verdict.message }] });
    }
  }
  if (!dryRun) remove(world, cluster, derived, pod, origin, gracePeriod(body.deleteOptions as Json | undefined, pod));
  return success;
}

/** DELETE pods/<name>: the pod as it now is, terminating. */
export function deletePod(world: World, cluster: Cluster, namespace: string, name: string, deleteOptions: Json, dryRun: boolean): Json {
  const derived = clusterObjects(world, cluster);
  const { pod, origin } = findPod(derived, namespace, name);
  if (!origin || origin.terminating || dryRun) return pod;
  return remove(world, cluster, derived, pod, origin, gracePeriod(deleteOptions, pod));
}
