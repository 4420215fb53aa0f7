/** EKS answers (SDK v3 output shapes) for the upgrade's tests. */
import type { Addon, AddonInfo, ClusterVersionInformation, Nodegroup } from '@aws-sdk/client-eks';
import type { PreflightInput } from '../../../../functions/domain/upgrade/preflight';

/** A DescribeAddonVersions entry: version → the Kubernetes versions it supports, "*" marking where it is the default. */
export function addonInfo(name: string, versions: Record<string, string[]>): AddonInfo {
  return {
    addonName: name,
    addonVersions: Object.entries(versions).map(([addonVersion, k8s]) => ({
      addonVersion,
      compatibilities: k8s.map((v) => ({ clusterVersion: v.replace('*', ''), defaultVersion: v.endsWith('*'), platformVersions: ['*'] })),
    })),
  };
}

export const COREDNS = addonInfo('coredns', {
  'v1.11.1-eksbuild.9': ['1.31', '1.32*'],
  'v1.11.3-eksbuild.1': ['1.31*', '1.32', '1.33'],
  'v1.11.4-eksbuild.2': ['1.32', '1.33*'],
  'v1.12.1-eksbuild.1': ['1.33'],
});

export const KUBE_PROXY = addonInfo('kube-proxy', {
  'v1.31.3-eksbuild.2': ['1.31*'],
  'v1.32.0-eksbuild.2': ['1.32*'],
  'v1.33.0-eksbuild.2': ['1.33*'],
});

export function offered(version: string, versionStatus: ClusterVersionInformation['versionStatus'] = 'STANDARD_SUPPORT'): ClusterVersionInformation {
  return { clusterVersion: version, clusterType: 'eks', versionStatus, status: versionStatus === 'STANDARD_SUPPORT' ? 'standard-support' : versionStatus === 'EXTENDED_SUPPORT' ? 'extended-support' : 'unsupported' };
}

export function installed(name: string, version: string): Addon {
  return { addonName: name, clusterName: 'demo', status: 'ACTIVE', addonVersion: version };
}

export function nodegroup(name: string, version: string, fields: Partial<Nodegroup> = {}): Nodegroup {
  return { nodegroupName: name, clusterName: 'demo', version, status: 'ACTIVE', ...fields };
}

/** A cluster at 1.31 upgrading to 1.33 with nothing in the way. */
export function healthyUpgrade(overrides: Partial<PreflightInput> = {}): PreflightInput {
  return {
    clusterName: 'demo',
    clusterStatus: 'ACTIVE',
    currentVersion: '1.31',
    targetVersion: '1.33',
    offeredVersions: [offered('1.30', 'EXTENDED_SUPPORT'), offered('1.31'), offered('1.32'), offered('1.33')],
    guardrails: { kubernetesVersions: ['1.31', '1.32', '1.33'] },
    insights: [],
    addons: [installed('coredns', 'v1.11.3-eksbuild.1'), installed('kube-proxy', 'v1.31.3-eksbuild.2')],
    addonVersions: [COREDNS, KUBE_PROXY],
    pinnedAddons: [{ name: 'coredns' }, { name: 'kube-proxy' }],
    nodegroups: [nodegroup('ng-1', '1.31')],
    ...overrides,
  };
}
