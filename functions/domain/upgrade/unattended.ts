/**
 * Unattended upgrades (spec `maintenance.autoUpgrade`, docs/upgrades.md): once the Kubernetes
 * version EKS gives new clusters (its default) is newer than a cluster's, the service upgrades the
 * cluster one minor at a time, each upgrade starting when the cluster's maintenance window opens.
 *
 * One minor per window, not straight to the default: each pass then fits a window (a control plane
 * takes 8–12 minutes, the nodes longer), and the workloads meet one new minor at a time, with a
 * week between them to notice what it broke. The upgrade itself is the guided one (preflight and
 * insights first), so a refusal is an operation that FAILED before any change, with its event.
 *
 * The plan is made by the daily version check and started by a one-time schedule; when the
 * schedule fires, `stillWanted` is asked again, since the spec or the cluster may have moved on.
 */
import type { KubernetesVersionInfo } from '../version-support';
import { isInWindow, nextWindowStart, parseMaintenanceWindow } from './maintenance-window';
import { compareMinors, formatMinor, parseMinor } from './versions';

/** The spec fields this reads (a registered spec is normalised, but old records may lack maintenance). */
export interface UnattendedSpec {
  version: string;
  maintenance?: { autoUpgrade?: boolean; window?: string };
}

export type UnattendedPlan =
  | { upgrade: { version: string; at: Date } }
  | { none: 'not-enabled' | 'current' | 'no-default' };

/**
 * A schedule made inside an open window starts this long from now: a one-time schedule for a
 * moment already past is one Scheduler may never fire.
 */
export const START_DELAY_MS = 60_000;

/** What the service should do about the cluster's version now: upgrade to the next minor at the window's next start, or nothing (and why). */
export function unattendedUpgradePlan(spec: UnattendedSpec, versions: readonly KubernetesVersionInfo[], now: Date): UnattendedPlan {
  const window = enabledWindow(spec);
  if (!window) return { none: 'not-enabled' };
  const defaultVersion = versions.find((v) => v.defaultVersion)?.version;
  if (!defaultVersion || !parseMinor(defaultVersion)) return { none: 'no-default' };
  if (compareMinors(spec.version, defaultVersion) >= 0) return { none: 'current' };
  const at = isInWindow(window, now) ? new Date(now.getTime() + START_DELAY_MS) : nextWindowStart(window, now);
  return { upgrade: { version: nextMinor(spec.version), at } };
}

/**
 * Why a scheduled upgrade to `version` should no longer start now, or undefined when it should:
 * unattended upgrades turned off, the window changed so that now is outside it, or the cluster
 * already at (or past) the version, by hand or by an earlier pass.
 */
export function unattendedUpgradeNotWanted(spec: UnattendedSpec, version: string, now: Date): string | undefined {
  const window = enabledWindow(spec);
  if (!window) return 'unattended upgrades are no longer enabled (maintenance.autoUpgrade)';
  if (!isInWindow(window, now)) return `${now.toISOString()} is outside the maintenance window ${spec.maintenance?.window}`;
  if (compareMinors(spec.version, version) >= 0) return `the cluster already runs Kubernetes ${spec.version}`;
  return undefined;
}

function enabledWindow(spec: UnattendedSpec) {
  if (spec.maintenance?.autoUpgrade !== true || spec.maintenance.window === undefined) return undefined;
  return parseMaintenanceWindow(spec.maintenance.window).window;
}

function nextMinor(version: string): string {
  const minor = parseMinor(version);
  if (!minor) throw new Error(`not a Kubernetes minor version: ${version}`);
  return formatMinor({ major: minor.major, minor: minor.minor + 1 });
}
