/**
 * The daily version check's second job (version-support-check.ts): for a cluster with unattended
 * upgrades (maintenance.autoUpgrade), the upgrade to its next minor, scheduled for the window's
 * next start once EKS's default version is newer (domain/upgrade/unattended.ts). The one-time
 * schedule (eksp-<cluster>-upgrade) is made again each day, so a changed window or a newer plan
 * replaces it; when it fires, the API function asks again whether the upgrade is still wanted.
 */
import { unattendedUpgradePlan, type UnattendedPlan } from '../domain/upgrade/unattended';
import type { KubernetesVersionInfo } from '../domain/version-support';
import type { ClusterRecord } from '../ports/registry';
import type { StepDeps } from '../shared/deps';
import { logger } from '../shared/logger';

export type UnattendedVerdict = { scheduled: { version: string; at: string } } | { none: Extract<UnattendedPlan, { none: unknown }>['none'] };

export async function planUnattendedUpgrade(deps: StepDeps<'schedules'>, cluster: ClusterRecord, versions: readonly KubernetesVersionInfo[]): Promise<UnattendedVerdict> {
  const plan = unattendedUpgradePlan(cluster.spec as Parameters<typeof unattendedUpgradePlan>[0], versions, deps.clock());
  if ('none' in plan) return plan;
  const { version, at } = plan.upgrade;
  await deps.schedules.scheduleUpgrade(cluster.name, version, at);
  logger.info('unattended upgrade scheduled', { cluster: cluster.name, version, at: at.toISOString() });
  return { scheduled: { version, at: at.toISOString() } };
}
