/** What the add-on steps share. */
import type { CreateAddonCommandInput } from '@aws-sdk/client-eks';
import type { Operation } from '../generated/types';
import { idempotencyToken, ownershipTags } from '../domain/naming';
import type { AddonSpec } from '../domain/spec';
import type { Addon } from '../ports/eks';
import { addonPollKind } from '../domain/poll-schedule';
import { addonProgress } from '../domain/status';
import { AddonFailedError, AddonNotReadyError } from '../shared/errors';
import type { Observed, PolledResource } from './resource-poll';

export const addonPolling = (name: string): PolledResource => ({
  kind: addonPollKind(name),
  stepName: 'Create Add-on',
  resource: `add-on ${name}`,
  classify: addonProgress,
  failedError: AddonFailedError,
  notReadyError: AddonNotReadyError,
  // Add-ons finish with or before the nodes they run on: never the critical path, so not watched.
  watch: false,
});

export function observeAddon(addon: Addon | undefined): Observed | undefined {
  if (!addon) return undefined;
  const issues = addon.health?.issues ?? [];
  return { status: addon.status, createdAt: addon.createdAt, problems: issues.map((i) => `${i.code}: ${i.message}`).join('; ') };
}

/** CreateAddon as provisioning and update-cluster make it: idempotent per operation and add-on, owned, taking over a self-managed copy. */
export function createAddonRequest(operation: Operation, addon: AddonSpec, version: string | undefined): CreateAddonCommandInput {
  const cluster = operation.cluster.name;
  return {
    clusterName: cluster,
    addonName: addon.name,
    ...(version ? { addonVersion: version } : {}),
    ...(addon.configurationValues ? { configurationValues: addon.configurationValues } : {}),
    // EKS may have installed a self-managed copy (vpc-cni, kube-proxy, coredns): take it over.
    resolveConflicts: 'OVERWRITE',
    tags: ownershipTags(undefined, { clusterName: cluster, owner: operation.requestedBy, operationId: operation.id }),
    clientRequestToken: idempotencyToken(operation.id, 'create-addon', addon.name),
  };
}
