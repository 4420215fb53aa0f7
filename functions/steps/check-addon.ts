/** Task "Check Add-on". */
import { validateResourceItem } from '../generated/validators';
import type { Poll, ResourceItem } from '../generated/types';
import type { AddonSpec } from '../domain/spec';
import type { Deps } from '../shared/deps';
import { step } from '../shared/step';
import { addonPolling, observeAddon } from './addon';
import { checkedResource } from './resource-poll';

export async function checkAddon(input: ResourceItem, deps: Deps): Promise<Poll> {
  const { name } = input.item as unknown as AddonSpec;
  const observed = observeAddon(await deps.eks.describeAddon(input.operation.cluster.name, name));
  return checkedResource(deps, input.operation, addonPolling(name), observed);
}

export const handler = step(validateResourceItem, checkAddon);
