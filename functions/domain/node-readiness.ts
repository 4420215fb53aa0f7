/**
 * Whether a nodegroup's nodes are Ready in Kubernetes, which is what its users wait for: an
 * ACTIVE nodegroup only says its instances run (eksctl likewise waits "for at least N node(s) to
 * become ready"). Each nodegroup's nodes are the ones carrying its label: EKS's
 * `eks.amazonaws.com/nodegroup` on a managed nodegroup's, ours (the kubelet's --node-labels) on a
 * self-managed one's. A node counts once its Ready condition is True; the others are named with
 * the condition's reason and message, as `kubectl describe node` shows them.
 */
import type { ClusterChange, NodeStatus } from '../generated/types';
import { lowestKubeletMinor } from './kubelet-version';
import { SELF_MANAGED_NODEGROUP_LABEL } from './self-managed-nodegroup-template';
import type { Spec } from './spec';

/** EKS's label on a managed nodegroup's nodes. */
export const MANAGED_NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup';

/**
 * How long nodes may take to be Ready once their nodegroup is up. A kubelet registers within a
 * minute or two of boot and is Ready as soon as the VPC CNI runs on it; ten minutes on is a node
 * that will not be Ready without someone's help.
 */
export const NODE_READY_TIMEOUT_SECONDS = 600;

export interface NodegroupNodes {
  nodegroup: string;
  managed: boolean;
  labelSelector: string;
  /** How many nodes the nodegroup asks for: all of them must be Ready. */
  desired: number;
}

export interface Readiness extends NodegroupNodes {
  ready: number;
  /** Registered nodes that are not Ready, with why. */
  notReady: NodeStatus[];
  /** The lowest kubelet minor among the registered nodes (kubelet-version.ts), when one reports it. */
  version?: string;
}

export function nodegroupNodes(nodegroup: { name: string; desiredSize: number }, managed: boolean): NodegroupNodes {
  const label = managed ? MANAGED_NODEGROUP_LABEL : SELF_MANAGED_NODEGROUP_LABEL;
  return { nodegroup: nodegroup.name, managed, labelSelector: `${label}=${nodegroup.name}`, desired: nodegroup.desiredSize };
}

/** Every nodegroup of the spec that asks for nodes (Fargate and Auto Mode make theirs on demand). */
export function expectedNodes(spec: Pick<Spec, 'managedNodeGroups' | 'selfManagedNodeGroups'>): NodegroupNodes[] {
  return [...spec.managedNodeGroups.map((ng) => nodegroupNodes(ng, true)), ...spec.selfManagedNodeGroups.map((ng) => nodegroupNodes(ng, false))].filter((group) => group.desired > 0);
}

/**
 * The nodegroup an update-cluster change added or changed, whose nodes must be Ready before it
 * is reported SUCCEEDED; none for the other changes (a removal's nodes are meant to go).
 */
export function changedNodes(change: ClusterChange, spec: Pick<Spec, 'managedNodeGroups' | 'selfManagedNodeGroups'>): NodegroupNodes[] {
  const find = <T extends { name: string }>(nodegroups: T[], name: string) => nodegroups.filter((ng) => ng.name === name);
  switch (change.action) {
    case 'ADD_NODEGROUP':
    case 'UPDATE_NODEGROUP':
      return find(spec.managedNodeGroups, change.target).map((ng) => nodegroupNodes(ng, true)).filter((group) => group.desired > 0);
    case 'ADD_SELF_MANAGED_NODEGROUP':
    case 'UPDATE_SELF_MANAGED_NODEGROUP':
      return find(spec.selfManagedNodeGroups, change.target).map((ng) => nodegroupNodes(ng, false)).filter((group) => group.desired > 0);
    default:
      return [];
  }
}

export function readinessOf(group: NodegroupNodes, nodes: NodeStatus[]): Readiness {
  const version = lowestKubeletMinor(nodes);
  return { ...group, ready: nodes.filter((node) => node.ready === 'True').length, notReady: nodes.filter((node) => node.ready !== 'True'), ...(version ? { version } : {}) };
}

export function isReady(readiness: Readiness): boolean {
  return readiness.ready >= readiness.desired;
}

/** "nodegroup ng-1: 1/3 nodes Ready; not Ready: ip-… (Ready=False, KubeletNotReady: …); 1 not registered". */
export function readinessText(readiness: Readiness): string {
  const registered = readiness.ready + readiness.notReady.length;
  const parts = [`${readiness.ready}/${readiness.desired} nodes Ready`];
  if (readiness.notReady.length > 0) parts.push(`not Ready: ${readiness.notReady.map(nodeText).join('; ')}`);
  if (registered < readiness.desired) parts.push(`${readiness.desired - registered} not registered with the API server (the kubelet never joined: check the node role's access and the instances' console output)`);
  return parts.join('; ');
}

function nodeText(node: NodeStatus): string {
  const why = [node.reason, node.message].filter(Boolean).join(': ');
  return `${node.name} (Ready=${node.ready}${why ? `, ${why}` : ''})`;
}
