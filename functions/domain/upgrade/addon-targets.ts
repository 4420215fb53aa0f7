/**
 * Which version an EKS add-on goes to when the cluster moves to a Kubernetes version. Add-on
 * versions are published per Kubernetes version (DescribeAddonVersions: addonVersions[]
 * .compatibilities[].clusterVersion, one of them marked defaultVersion), so after an upgrade
 * every add-on must be at a version listed for the new one.
 */
import type { AddonInfo } from '@aws-sdk/client-eks';

/** How the target was chosen, so a plan can say why. */
export type AddonTargetChoice = 'pinned' | 'default' | 'installed' | 'newest-compatible';

export interface AddonTarget {
  name: string;
  kubernetesVersion: string;
  /** The version running now (absent when the add-on is not installed). */
  from?: string;
  to: string;
  choice: AddonTargetChoice;
  /** True when `to` is older than `from`: allowed only when no compatible version is at least `from`. */
  downgrade: boolean;
  /** The spec pins a version the target Kubernetes version does not support; preflight reports it. */
  pinIgnored: boolean;
  /** A sentence for the plan when the choice is not the obvious one. */
  note?: string;
}

export interface AddonTargetInput {
  name: string;
  kubernetesVersion: string;
  /** Addon.addonVersion from DescribeAddon. */
  installedVersion?: string;
  /** The spec's addons[].version, when it pins one. */
  pinnedVersion?: string;
  /** DescribeAddonVersions' entry for this add-on (queried with kubernetesVersion or not: both work). */
  info?: AddonInfo;
}

export type AddonTargetResult = { target: AddonTarget; problem?: undefined } | { target?: undefined; problem: { code: 'NoCompatibleAddonVersion'; message: string } };

/** The versions of an add-on EKS lists for a Kubernetes version, newest first. */
export function compatibleAddonVersions(info: AddonInfo | undefined, kubernetesVersion: string): string[] {
  const versions = (info?.addonVersions ?? [])
    .filter((v) => v.addonVersion && (v.compatibilities ?? []).some((c) => c.clusterVersion === kubernetesVersion))
    .map((v) => v.addonVersion as string);
  return [...new Set(versions)].sort((a, b) => compareAddonVersions(b, a));
}

/**
 * The version EKS marks default for a Kubernetes version. EKS marks exactly one; should a listing
 * mark none (a filtered or partial answer), the newest compatible one stands in.
 */
export function defaultAddonVersion(info: AddonInfo | undefined, kubernetesVersion: string): string | undefined {
  const marked = (info?.addonVersions ?? []).find((v) => v.addonVersion && (v.compatibilities ?? []).some((c) => c.clusterVersion === kubernetesVersion && c.defaultVersion === true));
  return marked?.addonVersion ?? compatibleAddonVersions(info, kubernetesVersion)[0];
}

/**
 * The spec's pinned version if the target supports it, else EKS's default for the target. Never
 * a downgrade of what runs: when the default is older than the installed version, the installed
 * one stays if it is compatible, else the newest compatible one at least as new; only when every
 * compatible version is older does the add-on go down, and the note says so.
 */
export function addonTarget(input: AddonTargetInput): AddonTargetResult {
  const { name, kubernetesVersion, installedVersion, pinnedVersion } = input;
  const compatible = compatibleAddonVersions(input.info, kubernetesVersion);
  if (compatible.length === 0) {
    return { problem: { code: 'NoCompatibleAddonVersion', message: `EKS lists no version of add-on ${name} for Kubernetes ${kubernetesVersion}` } };
  }
  const pinIgnored = pinnedVersion !== undefined && !compatible.includes(pinnedVersion);
  const target = (to: string, choice: AddonTargetChoice, note?: string): AddonTargetResult => {
    const downgrade = installedVersion !== undefined && compareAddonVersions(to, installedVersion) < 0;
    return { target: { name, kubernetesVersion, ...(installedVersion !== undefined ? { from: installedVersion } : {}), to, choice, downgrade, pinIgnored, ...(note ? { note } : {}) } };
  };
  // A pin is the caller's explicit choice: honoured whenever the target supports it, even below what runs.
  if (pinnedVersion !== undefined && !pinIgnored) {
    return target(pinnedVersion, 'pinned', installedVersion !== undefined && compareAddonVersions(pinnedVersion, installedVersion) < 0 ? `pinned in the spec at ${pinnedVersion}, older than the installed ${installedVersion}` : undefined);
  }
  const ignoredPin = pinIgnored ? `the spec pins ${pinnedVersion}, which Kubernetes ${kubernetesVersion} does not support; ` : '';
  const defaultVersion = defaultAddonVersion(input.info, kubernetesVersion) as string;
  if (installedVersion === undefined || compareAddonVersions(defaultVersion, installedVersion) >= 0) {
    return target(defaultVersion, 'default', ignoredPin ? `${ignoredPin}EKS's default for ${kubernetesVersion} instead` : undefined);
  }
  if (compatible.includes(installedVersion)) {
    return target(installedVersion, 'installed', `${ignoredPin}the installed ${installedVersion} is newer than EKS's default ${defaultVersion} and supports Kubernetes ${kubernetesVersion}: kept`);
  }
  const notOlder = compatible.filter((v) => compareAddonVersions(v, installedVersion) >= 0);
  if (notOlder.length > 0) {
    // The oldest that is not a downgrade: the smallest step from what runs, nearest to the default.
    return target(notOlder[notOlder.length - 1] as string, 'newest-compatible', `${ignoredPin}EKS's default ${defaultVersion} is older than the installed ${installedVersion}; the nearest compatible version that is not a downgrade`);
  }
  const newest = compatible[0] as string;
  return target(newest, 'newest-compatible', `${ignoredPin}a downgrade from ${installedVersion}: every version EKS lists for Kubernetes ${kubernetesVersion} is older, ${newest} is the newest of them`);
}

/**
 * Orders add-on versions such as "v1.11.3-eksbuild.2": numbers compare as numbers, so
 * v1.10.0 > v1.9.9 and eksbuild.10 > eksbuild.9; the text between them compares as text.
 */
export function compareAddonVersions(a: string, b: string): number {
  const left = a.replace(/^v/, '').split(/[.+-]/);
  const right = b.replace(/^v/, '').split(/[.+-]/);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i];
    const r = right[i];
    if (l === undefined || r === undefined) return l === undefined ? -1 : 1;
    const ln = /^\d+$/.test(l) ? Number(l) : undefined;
    const rn = /^\d+$/.test(r) ? Number(r) : undefined;
    const order = ln !== undefined && rn !== undefined ? ln - rn : l < r ? -1 : l > r ? 1 : 0;
    if (order !== 0) return Math.sign(order);
  }
  return 0;
}
