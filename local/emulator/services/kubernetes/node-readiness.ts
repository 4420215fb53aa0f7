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
 * - a `node-not-ready` fault rule overrides the Ready condition of a nodegroup's nodes;
 * - a node whose instance its Auto Scaling group terminates (Instance.shutdownAt) keeps its last
 *   status until the node lifecycle controller's grace period runs out (50 s since Kubernetes
 *   1.32), then is Ready Unknown ("Kubelet stopped posting node status."); the cloud node
 *   lifecycle controller deletes the Node at its next look (every 5 s) once EC2 reports the
 *   instance terminated and the node is not Ready (nodeDeletedAt).
 * Both delays are drawn per instance from a hash of its id (not the shared random stream), so a
 * node's timing is the same on every read and every restart without being stored.
 */
import { triangular, type DurationKind } from '../../durations';
import type { NodeCondition } from '../../faults';
import type { Instance, World } from '../../world';
import { terminatedAt } from '../ec2/instances';
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

/** kube-controller-manager's --node-monitor-grace-period (50 s from Kubernetes 1.32) and the cloud node lifecycle controller's monitor period. */
const NODE_MONITOR_GRACE_MS = 50_000;
const CLOUD_NODE_MONITOR_PERIOD_MS = 5_000;

/** When a node whose kubelet stopped at `shutdownAt` turns Ready Unknown. */
const unreachableAt = (shutdownAt: Date) => new Date(shutdownAt.getTime() + NODE_MONITOR_GRACE_MS);

/**
 * When the cloud node lifecycle controller deletes the Node of an instance its group terminated:
 * the first look after the node went Unknown and EC2 finished terminating it; undefined while the
 * instance is still shutting down (or for an instance that never shut down this way).
 */
export function nodeDeletedAt(instance: Instance): Date | undefined {
  const terminated = terminatedAt(instance);
  if (!instance.shutdownAt || !terminated) return undefined;
  const unreachable = unreachableAt(instance.shutdownAt).getTime();
  // Its looks come every period after the node went Unknown; the first one at or after the termination deletes it.
  const looks = Math.max(1, Math.ceil((terminated.getTime() - unreachable) / CLOUD_NODE_MONITOR_PERIOD_MS));
  return new Date(unreachable + looks * CLOUD_NODE_MONITOR_PERIOD_MS);
}

/** Whether the instance still has a Node: running, or terminated by its group and not yet deleted by the cloud node lifecycle controller. */
export function hasNode(instance: Instance, now: Date): boolean {
  if (instance.state === 'running') return true;
  if (!instance.shutdownAt) return false;
  const deletedAt = nodeDeletedAt(instance);
  return deletedAt === undefined || deletedAt > now;
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
  if (instance.shutdownAt && unreachableAt(instance.shutdownAt) <= now) {
    return { registeredAt, ready: false, condition: { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', since: unreachableAt(instance.shutdownAt) } };
  }
  const fault = world.faults.nodeNotReady(cluster.name, nodegroups);
  if (fault) return { registeredAt, ready: false, condition: { ...fault, since: readyAt && readyAt <= now ? readyAt : registeredAt } };
  if (readyAt && readyAt <= now) return { registeredAt, ready: true, condition: { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', since: readyAt } };
  return { registeredAt, ready: false, condition: { ...CNI_NOT_READY, since: registeredAt } };
}
