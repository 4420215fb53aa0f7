/**
 * The Kubernetes version calendar in the emulated world: DescribeClusterVersions, each version's
 * support phase, and the patch and AMI release strings clusters and nodes report.
 *
 * The catalog (version-catalog.ts) describes EKS on CATALOG_DATE, but the emulated clock runs
 * from today's date. Every catalog date is moved by one offset, (world.calendarEpoch −
 * CATALOG_DATE), so a new world starts with each version in the phase it had on CATALOG_DATE,
 * and as emulated time passes a version moves STANDARD_SUPPORT → EXTENDED_SUPPORT → UNSUPPORTED
 * on the days AWS announced, shifted by the same amount. The epoch is saved with the world, so
 * the calendar does not move when local mode restarts.
 */
import type { World } from '../../world';
import { DEFAULT_KUBERNETES_VERSION, PLATFORM_VERSION } from './catalog';
import { AMI_RELEASES, CATALOG_DATE, CONTROL_PLANE_BUILD, KUBELET_BUILD, KUBERNETES_RELEASES, type KubernetesRelease } from './version-catalog';
import { invalidParameter } from './validation';

export type VersionStatus = 'STANDARD_SUPPORT' | 'EXTENDED_SUPPORT' | 'UNSUPPORTED';
/** The deprecated `status` field carries the same phase in its older spelling. */
const LEGACY_STATUS: Record<VersionStatus, string> = { STANDARD_SUPPORT: 'standard-support', EXTENDED_SUPPORT: 'extended-support', UNSUPPORTED: 'unsupported' };

export function release(version: string): KubernetesRelease | undefined {
  return KUBERNETES_RELEASES.find((r) => r.version === version);
}

/** A catalog day in the world's calendar. */
export function worldDate(world: World, day: string): Date {
  const offset = world.calendarEpoch - Date.parse(`${CATALOG_DATE}T00:00:00Z`);
  return new Date(Date.parse(`${day}T00:00:00Z`) + offset);
}

export interface VersionPhase {
  release: KubernetesRelease;
  releaseDate: Date;
  endOfStandardSupportDate: Date;
  endOfExtendedSupportDate: Date;
  status: VersionStatus;
}

/** Where a version stands on the world's clock. */
export function versionPhase(world: World, version: string): VersionPhase | undefined {
  const known = release(version);
  if (!known) return undefined;
  const now = world.clock.now().getTime();
  const endOfStandardSupportDate = worldDate(world, known.endOfStandardSupportDate);
  const endOfExtendedSupportDate = worldDate(world, known.endOfExtendedSupportDate);
  const status: VersionStatus = now < endOfStandardSupportDate.getTime() ? 'STANDARD_SUPPORT' : now < endOfExtendedSupportDate.getTime() ? 'EXTENDED_SUPPORT' : 'UNSUPPORTED';
  return { release: known, releaseDate: worldDate(world, known.releaseDate), endOfStandardSupportDate, endOfExtendedSupportDate, status };
}

/** CreateCluster's check: a version EKS no longer supports (or never offered) cannot be created. */
export function requireCreatableVersion(world: World, version: string): void {
  const phase = versionPhase(world, version);
  if (!phase || phase.status === 'UNSUPPORTED') throw invalidParameter(`unsupported Kubernetes version ${version}`);
}

/** `v1.33.5-eks-2ea9a15`: the control plane's /version gitVersion. */
export function controlPlaneGitVersion(version: string): string {
  return `v${release(version)?.kubernetesPatchVersion ?? `${version}.0`}-${CONTROL_PLANE_BUILD}`;
}

/** `v1.33.5-eks-113cf36`: a node's kubelet on the EKS optimized AMI of that version. */
export function kubeletGitVersion(version: string): string {
  return `v${release(version)?.kubeletPatchVersion ?? `${version}.0`}-${KUBELET_BUILD}`;
}

/** The AMI release versions of a Kubernetes version, oldest first (`1.33.5-20250904`, `1.33.5-20250915`). */
export function amiReleaseVersions(version: string): string[] {
  const patch = release(version)?.kubeletPatchVersion ?? `${version}.0`;
  return AMI_RELEASES.map((date) => `${patch}-${date}`);
}

/** The newest AMI release of a version: what a nodegroup gets unless it asks for another. */
export function latestAmiReleaseVersion(version: string): string {
  return amiReleaseVersions(version).at(-1)!;
}

const seconds = (date: Date) => date.getTime() / 1000;

/**
 * DescribeClusterVersions: newest first. Without includeAll only versions still supported (in
 * standard or extended support) are listed; the filters narrow that.
 */
export function describeClusterVersions(world: World, query: URLSearchParams): Array<Record<string, unknown>> {
  const clusterType = query.get('clusterType');
  const defaultOnly = query.get('defaultOnly') === 'true';
  const includeAll = query.get('includeAll') === 'true';
  const wanted = query.getAll('clusterVersions');
  const versionStatus = query.get('versionStatus');
  const legacyStatus = query.get('status');
  if (versionStatus && !(versionStatus in LEGACY_STATUS)) throw invalidParameter(`versionStatus must be one of ${Object.keys(LEGACY_STATUS).join(', ')}`);
  if (legacyStatus && !Object.values(LEGACY_STATUS).includes(legacyStatus)) throw invalidParameter(`status must be one of ${Object.values(LEGACY_STATUS).join(', ')}`);
  if (clusterType && clusterType !== 'eks') return [];
  return KUBERNETES_RELEASES.map((r) => versionPhase(world, r.version)!)
    .filter((p) => includeAll || versionStatus === 'UNSUPPORTED' || legacyStatus === 'unsupported' || wanted.length > 0 || p.status !== 'UNSUPPORTED')
    .filter((p) => !defaultOnly || p.release.version === DEFAULT_KUBERNETES_VERSION)
    .filter((p) => wanted.length === 0 || wanted.includes(p.release.version))
    .filter((p) => !versionStatus || p.status === versionStatus)
    .filter((p) => !legacyStatus || LEGACY_STATUS[p.status] === legacyStatus)
    .map((p) => ({
      clusterVersion: p.release.version,
      clusterType: 'eks',
      defaultPlatformVersion: PLATFORM_VERSION,
      defaultVersion: p.release.version === DEFAULT_KUBERNETES_VERSION,
      releaseDate: seconds(p.releaseDate),
      endOfStandardSupportDate: seconds(p.endOfStandardSupportDate),
      endOfExtendedSupportDate: seconds(p.endOfExtendedSupportDate),
      status: LEGACY_STATUS[p.status],
      versionStatus: p.status,
      kubernetesPatchVersion: p.release.kubernetesPatchVersion,
    }));
}
