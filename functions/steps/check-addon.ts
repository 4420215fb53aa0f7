/** Task "Check Add-on". */
import { validateResourceItem } from '../generated/validators';
import type { Poll, ResourceItem } from '../generated/types';
import type { AddonSpec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { addonPolling, observeAddon } from './addon';
import { checkedResource } from './resource-poll';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function checkAddon(input: ResourceItem, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const { name } = input.item as unknown as AddonSpec;
  const observed = observeAddon(await deps.eks.describeAddon(input.operation.cluster.name, name));
  return checkedResource(deps, input.operation, addonPolling(name), observed);
}

export const handler = step(validateResourceItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkAddon);
