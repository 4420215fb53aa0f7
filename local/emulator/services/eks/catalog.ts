/**
 * What EKS offers rather than what a user made: Kubernetes versions, add-on versions with their
 * compatibilities and defaults, and the access policies. A small, fixed slice of the real lists.
 */

import { KUBERNETES_RELEASES } from './version-catalog';

/** Oldest first; their calendar (release and support dates, patch versions) is in version-catalog.ts. */
export const KUBERNETES_VERSIONS = KUBERNETES_RELEASES.map((r) => r.version).reverse();
export const DEFAULT_KUBERNETES_VERSION = '1.33';

export const PLATFORM_VERSION = 'eks.8';

export const ACCESS_POLICIES = ['AmazonEKSClusterAdminPolicy', 'AmazonEKSAdminPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSViewPolicy'] as const;
export type AccessPolicyName = (typeof ACCESS_POLICIES)[number];
export const ACCESS_POLICY_PREFIX = 'arn:aws:eks::aws:cluster-access-policy/';

export function accessPolicyName(arn: string): AccessPolicyName | undefined {
  if (!arn.startsWith(ACCESS_POLICY_PREFIX)) return undefined;
  const name = arn.slice(ACCESS_POLICY_PREFIX.length);
  return (ACCESS_POLICIES as readonly string[]).includes(name) ? (name as AccessPolicyName) : undefined;
}

export interface AddonVersion {
  version: string;
  /** Cluster versions it runs on. */
  clusters: string[];
  /** Cluster versions for which it is the version EKS installs by default. */
  defaultFor: string[];
}
export interface AddonCatalogEntry {
  name: string;
  type: string;
  versions: AddonVersion[];
}

const range = (from: string, to: string) => KUBERNETES_VERSIONS.filter((v) => minor(v) >= minor(from) && minor(v) <= minor(to));

export function minor(version: string): number {
  return Number(version.split('.')[1] ?? 0);
}

export const ADDONS: AddonCatalogEntry[] = [
  {
    name: 'vpc-cni',
    type: 'networking',
    versions: [
      { version: 'v1.19.5-eksbuild.3', clusters: range('1.28', '1.34'), defaultFor: range('1.28', '1.34') },
      { version: 'v1.19.2-eksbuild.1', clusters: range('1.28', '1.33'), defaultFor: [] },
      { version: 'v1.18.6-eksbuild.1', clusters: range('1.28', '1.31'), defaultFor: [] },
    ],
  },
  {
    name: 'coredns',
    type: 'networking',
    versions: [
      { version: 'v1.12.1-eksbuild.2', clusters: range('1.33', '1.34'), defaultFor: ['1.34'] },
      { version: 'v1.11.4-eksbuild.14', clusters: range('1.31', '1.33'), defaultFor: range('1.31', '1.33') },
      { version: 'v1.11.3-eksbuild.2', clusters: range('1.29', '1.32'), defaultFor: range('1.29', '1.30') },
      { version: 'v1.10.1-eksbuild.18', clusters: range('1.28', '1.29'), defaultFor: ['1.28'] },
    ],
  },
  {
    name: 'kube-proxy',
    type: 'networking',
    versions: KUBERNETES_VERSIONS.flatMap((v) => [
      { version: `v${v}.0-eksbuild.3`, clusters: [v], defaultFor: [v] },
      { version: `v${v}.0-minimal-eksbuild.3`, clusters: [v], defaultFor: [] },
    ]),
  },
  {
    // An EKS add-on since 2025; eksctl installs it by default since 0.201.0.
    name: 'metrics-server',
    type: 'observability',
    versions: [
      { version: 'v0.8.0-eksbuild.1', clusters: range('1.28', '1.34'), defaultFor: range('1.28', '1.34') },
      { version: 'v0.7.2-eksbuild.3', clusters: range('1.28', '1.33'), defaultFor: [] },
    ],
  },
  {
    // EKS Pod Identity's agent: a DaemonSet on the host network serving pods their association's credentials.
    name: 'eks-pod-identity-agent',
    type: 'security',
    versions: [
      { version: 'v1.3.8-eksbuild.2', clusters: range('1.28', '1.34'), defaultFor: range('1.28', '1.34') },
      { version: 'v1.3.4-eksbuild.1', clusters: range('1.28', '1.33'), defaultFor: [] },
    ],
  },
  {
    name: 'aws-ebs-csi-driver',
    type: 'storage',
    versions: [
      { version: 'v1.44.0-eksbuild.1', clusters: range('1.28', '1.34'), defaultFor: range('1.28', '1.34') },
      { version: 'v1.41.0-eksbuild.1', clusters: range('1.28', '1.33'), defaultFor: [] },
    ],
  },
];

export function addonEntry(name: string): AddonCatalogEntry | undefined {
  return ADDONS.find((a) => a.name === name);
}

export function defaultAddonVersion(name: string, clusterVersion: string): string | undefined {
  return addonEntry(name)?.versions.find((v) => v.defaultFor.includes(clusterVersion))?.version;
}

/** Add-ons whose pods need somewhere to run (a Deployment, not a DaemonSet): DEGRADED without capacity. */
export const NEEDS_CAPACITY = new Set(['coredns']);
/** The labels of the coredns pods a Fargate profile selector must match. */
export const COREDNS_POD_LABELS: Record<string, string> = { 'k8s-app': 'kube-dns', 'eks.amazonaws.com/component': 'coredns' };

export const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;
