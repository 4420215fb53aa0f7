/** What the upgrade-cluster step tests share: an UPGRADE operation on cluster "demo", running in the fake at a version. */
import type { Spec } from '../../../functions/domain/spec';
import type { Operation, UpgradeInput, UpgradeItem, UpgradeRequest } from '../../../functions/generated/types';
import { FakeAws } from '../../support/fake-aws';
import { operationFor } from '../../support/provision-run';
import { CLUSTER, specOf } from './step-inputs';

export const UPGRADE_OPERATION: Operation = { ...operationFor(CLUSTER, 'op-upgrade-1'), type: 'UPGRADE' };

export const addonVersionFor = (kubernetesVersion: string) => `v1.0.0-eksbuild.${kubernetesVersion.replace('.', '')}`;

export interface RunningCluster {
  version: string;
  nodegroups?: Array<{ name: string; version?: string }>;
  /** Add-ons at the fake catalogue's version for `version` unless said. */
  addons?: Array<{ name: string; version?: string }>;
  faults?: ConstructorParameters<typeof FakeAws>[0];
}

/** A FakeAws with cluster "demo" ACTIVE at a version, its nodegroups and add-ons ACTIVE, and the upgrade's operation record. */
export function runningAws(running: RunningCluster): FakeAws {
  const aws = new FakeAws(running.faults ?? {});
  aws.clusters.set(CLUSTER, { name: CLUSTER, arn: `arn:aws:eks:us-east-1:111122223333:cluster/${CLUSTER}`, status: 'ACTIVE', version: running.version });
  for (const ng of running.nodegroups ?? []) {
    aws.nodegroups.set(`${CLUSTER}/${ng.name}`, { nodegroupName: ng.name, clusterName: CLUSTER, status: 'ACTIVE', version: ng.version ?? running.version, createdAt: aws.clock(), describesLeft: 0, updateConfig: { maxUnavailable: 1 } });
  }
  for (const addon of running.addons ?? []) {
    aws.addons.set(`${CLUSTER}/${addon.name}`, { addonName: addon.name, clusterName: CLUSTER, status: 'ACTIVE', addonVersion: addon.version ?? addonVersionFor(running.version), createdAt: aws.clock(), describesLeft: 0 });
  }
  aws.seedOperation(UPGRADE_OPERATION, { status: 'UPDATING', spec: specAt(running.version) });
  return aws;
}

export function specAt(version: string, overrides: Record<string, unknown> = {}): Spec {
  return { ...specOf(overrides), version };
}

export function upgradeInput(spec: Spec, upgrade: UpgradeRequest, state: Partial<UpgradeInput> = {}): UpgradeInput {
  return { operation: UPGRADE_OPERATION, spec, upgrade, ...state };
}

export function upgradeItem(item: UpgradeItem['item'], force = false, poll?: UpgradeItem['poll']): UpgradeItem {
  return { operation: UPGRADE_OPERATION, force, item, ...(poll ? { poll } : {}) };
}

/** An UPGRADE_READINESS insight for a Kubernetes version. */
export function insight(status: 'PASSING' | 'WARNING' | 'ERROR', kubernetesVersion: string, extra: { id?: string; name?: string; recommendation?: string; reason?: string } = {}) {
  return {
    clusterName: CLUSTER,
    id: extra.id ?? `insight-${kubernetesVersion}-${status}`,
    name: extra.name ?? `Deprecated APIs removed in Kubernetes v${kubernetesVersion}`,
    category: 'UPGRADE_READINESS' as const,
    kubernetesVersion,
    description: `Checks for usage of deprecated APIs that are scheduled for removal in Kubernetes v${kubernetesVersion}.`,
    insightStatus: { status, reason: extra.reason ?? (status === 'PASSING' ? 'No deprecated API usage detected.' : 'Deprecated API usage detected within the last 30 days.') },
    ...(extra.recommendation ? { recommendation: extra.recommendation } : {}),
  };
}

/**
 * Runs a Task loop as the ASL does: again after each Poll that is not ready, and again after the
 * retryable errors its Retry names (the fake's clock moves on every describe). Throws what the
 * Catch would get.
 */
export async function untilReady<P extends { ready: boolean }>(run: (previous: P | undefined) => Promise<P>, retryable: string[], maxLooks = 60): Promise<{ result: P; looks: number }> {
  let previous: P | undefined;
  for (let looks = 1; looks <= maxLooks; looks++) {
    try {
      previous = await run(previous);
      if (previous.ready) return { result: previous, looks };
    } catch (error) {
      if (!retryable.includes((error as Error).name)) throw error;
    }
  }
  throw new Error(`not ready after ${maxLooks} looks`);
}
