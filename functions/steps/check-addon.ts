/** Task "Check Add-on". */
import { validateAddonItem } from '../generated/validators';
import type { Poll, AddonItem } from '../generated/types';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { addonPolling, observeAddon } from '../step-support/addon';
import { checkedResource } from '../step-support/resource-poll';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function checkAddon(input: AddonItem, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const { name } = input.item;
  return checkedResource(deps, input.operation, addonPolling(name), async () => observeAddon(await deps.eks.describeAddon(input.operation.cluster.name, name)));
}

export const handler = step(validateAddonItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkAddon);
