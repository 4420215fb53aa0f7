/**
 * Writes to Node objects: what `kubectl cordon` / `uncordon` / `drain` send, a PATCH (strategic
 * merge or JSON merge, or JSON patch) setting spec.unschedulable, and annotations clients add
 * (`kubectl annotate`; the service names the operation that cordoned a node). Both are kept on
 * world.kubeNodes by node name (nodes.ts shows the cordon as spec.unschedulable and the
 * `node.kubernetes.io/unschedulable:NoSchedule` taint). Everything else of a node is derived from
 * its instance and kubelet here, so a patch that changes any other field is refused (422) rather
 * than silently dropped.
 */
import type { World } from '../../world';
import type { Cluster } from '../eks/state';
import { applyPatch, OBJECT_META_PATCH } from './patch';
import { StatusError, notFound, type Json } from './status';
import { clusterObjects } from './workloads';

const NODE_PATCH = { fields: { metadata: OBJECT_META_PATCH } };

function findNode(world: World, cluster: Cluster, name: string): Json {
  const node = clusterObjects(world, cluster).nodes.find((n) => (n.metadata as Json).name === name);
  if (!node) throw notFound('nodes', '', name);
  return node;
}

/** Everything but spec.unschedulable, the taint that mirrors it and the annotations clients wrote: what a patch may not change. */
function fixedPart(node: Json, written: Record<string, string>): string {
  const spec = { ...((node.spec ?? {}) as Json) };
  delete spec.unschedulable;
  spec.taints = ((spec.taints ?? []) as Json[]).filter((t) => t.key !== 'node.kubernetes.io/unschedulable');
  if (!(spec.taints as Json[]).length) delete spec.taints;
  const metadata = { ...((node.metadata ?? {}) as Json) };
  delete metadata.resourceVersion;
  metadata.annotations = Object.fromEntries(Object.entries((metadata.annotations ?? {}) as Record<string, string>).filter(([key]) => !(key in written)));
  return JSON.stringify({ metadata, spec });
}

export function patchNode(world: World, cluster: Cluster, name: string, contentType: string, patch: unknown, dryRun: boolean): Json {
  const current = findNode(world, cluster, name);
  const merged = applyPatch(contentType, current, patch, NODE_PATCH);
  const metadata = (merged.metadata ?? {}) as Json;
  if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== (current.metadata as Json).resourceVersion) {
    throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on nodes "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: 'nodes' });
  }
  const kubelets = Object.keys(((current.metadata as Json).annotations ?? {}) as Json).filter((key) => !(key in (world.kubeNodes.annotations.get(name) ?? {})));
  // What the patch leaves of the annotations, but those the kubelet sets: the clients' own.
  const written = Object.fromEntries(Object.entries(((metadata.annotations ?? {}) as Record<string, string>)).filter(([key]) => !kubelets.includes(key)));
  if (fixedPart(merged, written) !== fixedPart(current, world.kubeNodes.annotations.get(name) ?? {})) {
    throw new StatusError(422, 'Invalid', `Node "${name}" is invalid: spec: Forbidden: only spec.unschedulable of a node can be changed here (the rest is its kubelet's)`, { name, kind: 'Node', causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: only spec.unschedulable can be changed', field: 'spec' }] });
  }
  const unschedulable = ((merged.spec ?? {}) as Json).unschedulable === true;
  if (dryRun) return merged;
  const cordons = world.kubeNodes.cordons;
  if (unschedulable && !cordons.has(name)) cordons.set(name, world.clock.now());
  if (!unschedulable) cordons.delete(name);
  if (Object.keys(written).length > 0) world.kubeNodes.annotations.set(name, written);
  else world.kubeNodes.annotations.delete(name);
  return findNode(world, cluster, name);
}
