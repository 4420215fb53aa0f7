/** Task "Create Add-on": the asked version, or the one EKS marks default for the cluster's Kubernetes version. */
import { validateAddonItem } from '../generated/validators';
import type { Poll, AddonItem } from '../generated/types';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { addonPolling, createAddonRequest, observeAddon } from '../step-support/addon';
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
    await deps.eks.createAddon(createAddonRequest(operation, addon, version));
    observed = observeAddon(await deps.eks.describeAddon(cluster, addon.name));
  }
  return startedResource(deps, operation, addonPolling(addon.name), observed);
}

export const handler = step(validateAddonItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, createAddon);
