/**
 * What `eksctl create cluster` gives a cluster whose request does not say: one managed nodegroup
 * and the default add-ons. Applied by spec.ts only where the spec is silent; an explicit empty list
 * means none, as in eksctl's config file.
 */
import { createHash } from 'node:crypto';

/**
 * eksctl names its default nodegroup `ng-` + 8 random hex characters. Ours are the first 8 hex
 * characters of the SHA-256 of the cluster name, so the same spec always normalises to the same
 * nodegroup (an idempotent retry, a dry run and the real run agree).
 */
export function defaultNodegroupName(clusterName: string): string {
  return `ng-${createHash('sha256').update(clusterName).digest('hex').slice(0, 8)}`;
}

/**
 * The add-ons eksctl installs as EKS managed add-ons by default (vpc-cni, coredns and kube-proxy
 * since eksctl 0.184.0, metrics-server since 0.201.0), in the order eksctl creates them. No
 * version: the Add-ons step takes EKS's default version for the cluster's Kubernetes version.
 */
export const DEFAULT_ADDON_NAMES = ['vpc-cni', 'kube-proxy', 'coredns', 'metrics-server'] as const;

/**
 * The networking add-ons EKS Auto Mode runs itself (pod networking, service proxying, cluster
 * DNS): eksctl leaves them out of its defaults when autoModeConfig is enabled and installs the
 * rest (metrics-server) as for any cluster.
 */
export const AUTO_MODE_BUILT_IN_ADDONS: readonly string[] = ['vpc-cni', 'kube-proxy', 'coredns'];

/** The default add-ons of a cluster with Auto Mode on or off. */
export function defaultAddonNames(autoMode: boolean): string[] {
  return DEFAULT_ADDON_NAMES.filter((name) => !autoMode || !AUTO_MODE_BUILT_IN_ADDONS.includes(name));
}

/** The keys by which a request asks for compute itself: any one of them and no nodegroup is defaulted. */
export const COMPUTE_KEYS = ['managedNodeGroups', 'selfManagedNodeGroups', 'fargate', 'fargateProfiles'] as const;

/** The owner's access when the spec does not say: cluster-admin, as eksctl's creator gets. */
export const DEFAULT_OWNER_POLICY = 'AmazonEKSClusterAdminPolicy';
