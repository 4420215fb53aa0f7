/** Task "Create Add-on": the asked version, or the one EKS marks default for the cluster's Kubernetes version. */
import { validateAddonItem } from '../generated/validators';
import type { Poll, AddonItem } from '../generated/types';
import { idempotencyToken, ownershipTags } from '../domain/naming';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { addonPolling, observeAddon } from '../step-support/addon';
import { startedResource } from '../step-support/resource-poll';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function createAddon(input: AddonItem, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const addon = input.item;
  const { operation } = input;
  const cluster = operation.cluster.name;
  let observed = observeAddon(await deps.eks.describeAddon(cluster, addon.name));
  if (!observed) {
    const live = await deps.eks.describeCluster(cluster);
    const version = addon.version ?? (await deps.eks.defaultAddonVersion(addon.name, live?.version ?? ''));
    await deps.eks.createAddon({
      clusterName: cluster,
      addonName: addon.name,
      ...(version ? { addonVersion: version } : {}),
      ...(addon.configurationValues ? { configurationValues: addon.configurationValues } : {}),
      // EKS may have installed a self-managed copy (vpc-cni, kube-proxy, coredns): take it over.
      resolveConflicts: 'OVERWRITE',
      tags: ownershipTags(undefined, { clusterName: cluster, owner: operation.requestedBy, operationId: operation.id }),
      clientRequestToken: idempotencyToken(operation.id, 'create-addon', addon.name),
    });
    observed = observeAddon(await deps.eks.describeAddon(cluster, addon.name));
  }
  return startedResource(deps, operation, addonPolling(addon.name), observed);
}

export const handler = step(validateAddonItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, createAddon);
