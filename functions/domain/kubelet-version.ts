/**
 * The Kubernetes version nodes run, as their kubelets report it (status.nodeInfo.kubeletVersion,
 * "v1.33.4-eks-1a2b3c4"). EKS reports a version for managed nodegroups only; for a self-managed
 * one this is the truth: a nodegroup runs the version of its oldest kubelet, the one the control
 * plane's skew policy is about.
 */
import type { NodeStatus } from '../generated/types';
import { compareMinors } from './upgrade/versions';

/** "v1.33.4-eks-1a2b3c4" → "1.33"; undefined for anything that is not a kubelet version. */
export function kubeletMinor(kubeletVersion: string | undefined): string | undefined {
  const match = /^v?([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.|$)/.exec(kubeletVersion ?? '');
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/** The lowest kubelet minor among the nodes, or undefined when none reports one. */
export function lowestKubeletMinor(nodes: readonly Pick<NodeStatus, 'kubeletVersion'>[]): string | undefined {
  const minors = nodes.flatMap((node) => kubeletMinor(node.kubeletVersion) ?? []);
  return minors.reduce<string | undefined>((lowest, minor) => (lowest === undefined || compareMinors(minor, lowest) < 0 ? minor : lowest), undefined);
}
