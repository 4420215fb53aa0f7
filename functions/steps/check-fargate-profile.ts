/** Task "Check Fargate Profile". */
import { validateFargateProfileItem } from '../generated/validators';
import type { Poll, FargateProfileItem } from '../generated/types';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { fargateProfilePolling, observeFargateProfile } from '../step-support/fargate-profile';
import { checkedResource } from '../step-support/resource-poll';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function checkFargateProfile(input: FargateProfileItem, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const { name } = input.item;
  return checkedResource(deps, input.operation, fargateProfilePolling(name), async () => observeFargateProfile(await deps.eks.describeFargateProfile(input.operation.cluster.name, name)));
}

export const handler = step(validateFargateProfileItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkFargateProfile);
