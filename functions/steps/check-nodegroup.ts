/** Task "Check Nodegroup": ACTIVE, failed with its health issues, or not ready yet. */
import { validateResourceItem } from '../generated/validators';
import type { Poll, ResourceItem } from '../generated/types';
import type { NodegroupSpec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { nodegroupPolling, observeNodegroup } from './nodegroup';
import { checkedResource } from './resource-poll';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function checkNodegroup(input: ResourceItem, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const { name } = input.item as unknown as NodegroupSpec;
  const observed = observeNodegroup(await deps.eks.describeNodegroup(input.operation.cluster.name, name));
  return checkedResource(deps, input.operation, nodegroupPolling(name), observed);
}

export const handler = step(validateResourceItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkNodegroup);
