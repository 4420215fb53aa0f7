/**
 * When an EC2 node exists in the Kubernetes API and when it is Ready, as on EKS:
 * - the kubelet registers the Node some 30–60 s after the instance is running (boot, nodeadm,
 *   kubelet start: durations.ts `nodeRegistration`); before that there is no Node object. A
 *   managed nodegroup's first instances count from its creation (Instance.bootedAt): EKS
 *   reports the nodegroup ACTIVE only once they joined;
 * - a registered node is NotReady (KubeletNotReady, "cni plugin not initialized") until the VPC
 *   CNI's aws-node pod runs on it and writes the CNI configuration, 10–20 s later
 *   (`nodeNetworkReady`, counted from registration or from the vpc-cni add-on's install,
 *   whichever is later); a cluster without the vpc-cni add-on keeps its EC2 nodes NotReady;
 * - a `node-not-ready` fault rule overrides the Ready condition of a nodegroup's nodes.
 * Both delays are drawn per instance from a hash of its id (not the shared random stream), so a
 * node's timing is the same on every read and every restart without being stored.
 */
import { triangular, type DurationKind } from '../../durations';
import type { NodeCondition } from '../../faults';
import type { Instance, World } from '../../world';
import type { Cluster } from '../eks/state';
import { digest } from './names';

export const CNI_NOT_READY: NodeCondition = {
  status: 'False',
  reason: 'KubeletNotReady',
  message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
};

/** Add-on statuses whose Kubernetes resources are installed (the DaemonSet runs). */
const INSTALLED = new Set(['ACTIVE', 'DEGRADED', 'UPDATING']);

export interface NodeReadiness {
  /** When the kubelet registered the Node (its creationTimestamp). */
  registeredAt: Date;
  ready: boolean;
  /** The Ready condition: True, or why not. */
  condition: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string; since: Date };
}

/** A duration of `kind` for one instance: the same every time it is asked. */
function instanceSeconds(kind: DurationKind, instanceId: string): number {
  return triangular(kind, digest(`${kind}/${instanceId}`).readUInt32BE(0) / 2 ** 32);
}

/** When the vpc-cni add-on's aws-node DaemonSet came to the cluster, if it is there. */
function cniInstalledAt(cluster: Cluster): Date | undefined {
  const addon = cluster.addons.get('vpc-cni');
  if (addon) return INSTALLED.has(addon.status) ? addon.createdAt : undefined;
  return cluster.preservedAddons?.get('vpc-cni')?.createdAt;
}

/**
 * The node's registration and Ready condition at `now`; `nodegroups` are the names its
 * nodegroup goes by (what a `node-not-ready` rule names).
 */
export function nodeReadiness(world: World, cluster: Cluster, instance: Instance, nodegroups: string[], now: Date): NodeReadiness {
  const registeredAt = new Date((instance.bootedAt ?? instance.launchTime).getTime() + instanceSeconds('nodeRegistration', instance.instanceId) * 1000);
  const cni = cniInstalledAt(cluster);
  const readyAt = cni ? new Date(Math.max(registeredAt.getTime(), cni.getTime()) + instanceSeconds('nodeNetworkReady', instance.instanceId) * 1000) : undefined;
  const fault = world.faults.nodeNotReady(cluster.name, nodegroups);
  if (fault) return { registeredAt, ready: false, condition: { ...fault, since: readyAt && readyAt <= now ? readyAt : registeredAt } };
  if (readyAt && readyAt <= now) return { registeredAt, ready: true, condition: { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', since: readyAt } };
  return { registeredAt, ready: false, condition: { ...CNI_NOT_READY, since: registeredAt } };
}
