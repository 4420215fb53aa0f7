/**
 * How long a cluster's Kubernetes minor is supported, and when to warn its owner. EKS supports a
 * minor for 14 months (standard support), then, unless the cluster's upgrade policy says
 * STANDARD, for 12 more months at an extra hourly charge (extended support, EKS's default); at
 * the end of the support a cluster gets, EKS upgrades its control plane itself. The dates come
 * from DescribeClusterVersions; the status is worked out from them and the clock rather than
 * taken from EKS's `versionStatus`, so it follows the emulated clock in local mode and a cached
 * catalogue does not go stale at midnight. Pure: no SDK.
 */
import type { VersionSupportEndingEvent } from '../generated/types';
import { eventId } from './naming';

/** detail-type of the notices (schemas/events/version-support-ending.schema.json); source eks-provisioner. */
export const VERSION_SUPPORT_ENDING_DETAIL_TYPE = 'EKS Cluster Version Support Ending';

export type SupportStatus = 'STANDARD_SUPPORT' | 'EXTENDED_SUPPORT' | 'UNSUPPORTED';
/** upgradePolicy.supportType of a cluster: what happens when standard support ends. */
export type SupportType = 'STANDARD' | 'EXTENDED';
/** EKS's default upgrade policy when a cluster names none. */
export const DEFAULT_SUPPORT_TYPE: SupportType = 'EXTENDED';

/** How often the version support check runs (an EventBridge schedule in AWS, the emulated clock locally). */
export const VERSION_CHECK_INTERVAL_HOURS = 24;

/** Days before the end of support on which the owner is told, farthest first. */
export const NOTICE_THRESHOLDS = [90, 30, 7] as const;
export type NoticeThreshold = (typeof NOTICE_THRESHOLDS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

/** One Kubernetes minor as DescribeClusterVersions describes it: the fields the service uses. */
export interface KubernetesVersionInfo {
  version: string;
  /** ISO 8601 instants. */
  releaseDate?: string;
  endOfStandardSupport?: string;
  endOfExtendedSupport?: string;
  /** EKS's own status when it answered; used only when the dates are missing. */
  status?: SupportStatus;
  /** The version EKS creates clusters with when none is named. */
  defaultVersion: boolean;
}

export interface VersionSupport {
  version: string;
  status: SupportStatus;
  supportType: SupportType;
  endOfStandardSupport: string;
  endOfExtendedSupport: string;
  /**
   * The support this cluster is in that ends next: STANDARD_SUPPORT while standard support lasts
   * (then an EXTENDED cluster starts paying for extended support; a STANDARD one is upgraded by
   * EKS), EXTENDED_SUPPORT after that for an EXTENDED cluster (then EKS upgrades it).
   */
  ending: 'STANDARD_SUPPORT' | 'EXTENDED_SUPPORT';
  /** When `ending` ends. */
  supportEnds: string;
  /** Whole days left until `supportEnds`, a part of a day counting as a day; 0 once it is past. */
  daysLeft: number;
  /** EKS's default version, when it is newer than the cluster's: where to upgrade to. */
  newerDefault?: string;
  /** Where to upgrade to: the newer default, else the next newer version EKS offers; absent on the newest. */
  recommendedVersion?: string;
}

/** "1.33" → [1, 33], for ordering minors numerically ("1.9" < "1.10"). */
function minorParts(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10) || 0);
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [minorParts(a), minorParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Whole days from `now` until `end`, a started day counting as one; negative once `end` is past. */
export function daysUntil(now: Date, end: Date | string): number {
  return Math.ceil((new Date(end).getTime() - now.getTime()) / DAY_MS);
}

/** A spec's upgradePolicy.supportType, EKS's default when it names none (or one this code does not know). */
export function supportTypeOf(spec: unknown): SupportType {
  const policy = typeof spec === 'object' && spec !== null ? (spec as { upgradePolicy?: unknown }).upgradePolicy : undefined;
  const supportType = typeof policy === 'object' && policy !== null ? (policy as { supportType?: unknown }).supportType : undefined;
  return supportType === 'STANDARD' || supportType === 'EXTENDED' ? supportType : DEFAULT_SUPPORT_TYPE;
}

function statusAt(now: Date, info: KubernetesVersionInfo): SupportStatus | undefined {
  if (!info.endOfStandardSupport || !info.endOfExtendedSupport) return info.status;
  if (now < new Date(info.endOfStandardSupport)) return 'STANDARD_SUPPORT';
  if (now < new Date(info.endOfExtendedSupport)) return 'EXTENDED_SUPPORT';
  return 'UNSUPPORTED';
}

/**
 * A cluster's version support, or undefined when EKS does not list its version or gives no
 * support dates for it (nothing true could be said).
 */
export function versionSupport(now: Date, version: string, supportType: SupportType, versions: readonly KubernetesVersionInfo[]): VersionSupport | undefined {
  const info = versions.find((v) => v.version === version);
  const status = info && statusAt(now, info);
  if (!info?.endOfStandardSupport || !info.endOfExtendedSupport || !status) return undefined;
  const inStandard = now < new Date(info.endOfStandardSupport);
  const ending = inStandard || supportType === 'STANDARD' ? 'STANDARD_SUPPORT' : 'EXTENDED_SUPPORT';
  const supportEnds = ending === 'STANDARD_SUPPORT' ? info.endOfStandardSupport : info.endOfExtendedSupport;
  const newer = versions.filter((v) => compareVersions(v.version, version) > 0).sort((a, b) => compareVersions(a.version, b.version));
  const newerDefault = newer.find((v) => v.defaultVersion)?.version;
  const recommendedVersion = newerDefault ?? newer[0]?.version;
  return {
    version,
    status,
    supportType,
    endOfStandardSupport: info.endOfStandardSupport,
    endOfExtendedSupport: info.endOfExtendedSupport,
    ending,
    supportEnds,
    daysLeft: Math.max(0, daysUntil(now, supportEnds)),
    ...(newerDefault ? { newerDefault } : {}),
    ...(recommendedVersion ? { recommendedVersion } : {}),
  };
}

/**
 * The notice due now about support ending at `supportEnds`, if it has not been sent: at most one,
 * the nearest threshold reached. A run that missed days (the schedule was down, the cluster was
 * created 20 days before the end) sends the 30-day notice, not the 90-day one too; once a nearer
 * notice went out, a farther one is never due again. Nothing once support has ended.
 */
export function supportEndingNotices(now: Date, supportEnds: Date | string, sent: readonly number[]): NoticeThreshold[] {
  if (new Date(supportEnds) <= now) return [];
  const daysLeft = daysUntil(now, supportEnds);
  const reached = NOTICE_THRESHOLDS.filter((threshold) => daysLeft <= threshold);
  const nearest = reached[reached.length - 1];
  if (nearest === undefined || sent.some((threshold) => threshold <= nearest)) return [];
  return [nearest];
}

/**
 * The notice event. Its id is the same whoever builds it, for the same cluster incarnation
 * (`clusterCreatedAt`), version, ending and threshold: a consumer dedupes on it.
 */
export function versionSupportEndingEvent(cluster: VersionSupportEndingEvent['cluster'], clusterCreatedAt: string, support: VersionSupport, threshold: NoticeThreshold, now: Date): VersionSupportEndingEvent {
  return {
    schemaVersion: '1.0',
    eventId: eventId('version-support-ending', cluster.account, cluster.region, cluster.name, clusterCreatedAt, support.version, support.ending, String(threshold)),
    cluster,
    version: support.version,
    supportType: support.supportType,
    ending: support.ending,
    endOfStandardSupport: support.endOfStandardSupport,
    endOfExtendedSupport: support.endOfExtendedSupport,
    daysLeft: support.daysLeft,
    threshold,
    ...(support.recommendedVersion ? { recommendedVersion: support.recommendedVersion } : {}),
    time: now.toISOString(),
  };
}
