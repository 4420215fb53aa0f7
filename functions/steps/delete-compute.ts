/**
 * Task "Delete Compute" (delete-cluster): the Teardown phase begins. Starts deleting every
 * nodegroup, the first Fargate profile and the cluster's nodegroup stacks whose nodegroup is
 * already gone or never was (what an earlier DELETE left DELETE_FAILED included). Safe to repeat.
 */
import { validateDeleteInput } from '../generated/validators';
import type { DeleteInput, Poll } from '../generated/types';
import type { StepDeps } from '../shared/deps';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { advanceComputeTeardown, teardownPoll } from '../step-support/compute-teardown';

export async function deleteCompute(input: DeleteInput, deps: StepDeps<'cloudFormation' | 'eks' | 'events' | 'registry'>): Promise<Poll> {
  await reportProgress(deps, input.operation, { status: 'IN_PROGRESS', phase: 'Teardown' });
  const startedAt = deps.clock().toISOString();
  const teardown = await advanceComputeTeardown(input, deps, { first: true, startedAt });
  return teardownPoll(teardown, startedAt);
}

export const handler = step(validateDeleteInput, { cloudFormation: sdkCloudFormation, eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, deleteCompute);
