/** Task "Check Nodegroup": ACTIVE, failed with its health issues, or not ready yet. */
import { validateNodegroupItem } from '../generated/validators';
import type { Poll, NodegroupItem } from '../generated/types';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { nodegroupPolling, observeNodegroup } from '../step-support/nodegroup';
import { checkedResource } from '../step-support/resource-poll';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function checkNodegroup(input: NodegroupItem, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const { name } = input.item;
  return checkedResource(deps, input.operation, nodegroupPolling(name), async () => observeNodegroup(await deps.eks.describeNodegroup(input.operation.cluster.name, name)));
}

export const handler = step(validateNodegroupItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkNodegroup);
