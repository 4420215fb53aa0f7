/**
 * EKS's Kubernetes version calendar as AWS published it, as of CATALOG_DATE (1.34 the newest,
 * 1.33 the default). Standard support lasts 14 months from the EKS release, extended support 12
 * more; the end dates below are the ones AWS announced (they follow that rule to the day).
 * versions.ts moves these dates into the emulated world's calendar.
 */

/** The day this catalog describes: every date below is read relative to it (versions.ts). */
export const CATALOG_DATE = '2025-10-15';

export interface KubernetesRelease {
  version: string;
  /** When EKS made the version available (UTC day). */
  releaseDate: string;
  endOfStandardSupportDate: string;
  endOfExtendedSupportDate: string;
  /** The control plane's patch version (DescribeClusterVersions' kubernetesPatchVersion, /version). */
  kubernetesPatchVersion: string;
  /** The kubelet patch version the EKS optimized AMIs of the catalog's releases ship. */
  kubeletPatchVersion: string;
}

export const KUBERNETES_RELEASES: KubernetesRelease[] = [
  { version: '1.34', releaseDate: '2025-10-02', endOfStandardSupportDate: '2026-12-02', endOfExtendedSupportDate: '2027-12-02', kubernetesPatchVersion: '1.34.1', kubeletPatchVersion: '1.34.1' },
  { version: '1.33', releaseDate: '2025-05-29', endOfStandardSupportDate: '2026-07-29', endOfExtendedSupportDate: '2027-07-29', kubernetesPatchVersion: '1.33.5', kubeletPatchVersion: '1.33.5' },
  { version: '1.32', releaseDate: '2025-01-23', endOfStandardSupportDate: '2026-03-23', endOfExtendedSupportDate: '2027-03-23', kubernetesPatchVersion: '1.32.9', kubeletPatchVersion: '1.32.8' },
  { version: '1.31', releaseDate: '2024-09-26', endOfStandardSupportDate: '2025-11-26', endOfExtendedSupportDate: '2026-11-26', kubernetesPatchVersion: '1.31.13', kubeletPatchVersion: '1.31.12' },
  { version: '1.30', releaseDate: '2024-05-23', endOfStandardSupportDate: '2025-07-23', endOfExtendedSupportDate: '2026-07-23', kubernetesPatchVersion: '1.30.14', kubeletPatchVersion: '1.30.14' },
  { version: '1.29', releaseDate: '2024-01-23', endOfStandardSupportDate: '2025-03-23', endOfExtendedSupportDate: '2026-03-23', kubernetesPatchVersion: '1.29.15', kubeletPatchVersion: '1.29.15' },
  { version: '1.28', releaseDate: '2023-09-26', endOfStandardSupportDate: '2024-11-26', endOfExtendedSupportDate: '2025-11-26', kubernetesPatchVersion: '1.28.15', kubeletPatchVersion: '1.28.15' },
];

/**
 * The Amazon Linux 2023 EKS optimized AMI releases of the catalog, oldest first: a nodegroup's
 * releaseVersion is `<kubelet patch>-<release>` (`1.33.5-20250915`), the newest the default.
 */
export const AMI_RELEASES = ['20250904', '20250915'];

/** The suffix EKS's builds carry after the patch version (`v1.33.5-eks-2ea9a15`). */
export const CONTROL_PLANE_BUILD = 'eks-2ea9a15';
export const KUBELET_BUILD = 'eks-113cf36';

/**
 * Kubernetes APIs removed in a minor version that EKS's "Deprecated APIs removed in Kubernetes
 * v1.xx" insight checks for (only versions with removals have that insight).
 */
export const REMOVED_APIS: Record<string, Array<{ usage: string; replacedWith: string; stopServingVersion: string; startServingReplacementVersion: string }>> = {
  '1.29': [
    { usage: '/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas', replacedWith: '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas', stopServingVersion: '1.29', startServingReplacementVersion: '1.29' },
    { usage: '/apis/flowcontrol.apiserver.k8s.io/v1beta2/prioritylevelconfigurations', replacedWith: '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations', stopServingVersion: '1.29', startServingReplacementVersion: '1.29' },
  ],
  '1.32': [
    { usage: '/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas', replacedWith: '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas', stopServingVersion: '1.32', startServingReplacementVersion: '1.29' },
    { usage: '/apis/flowcontrol.apiserver.k8s.io/v1beta3/prioritylevelconfigurations', replacedWith: '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations', stopServingVersion: '1.32', startServingReplacementVersion: '1.29' },
  ],
};
