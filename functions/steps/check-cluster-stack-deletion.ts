/**
 * Task "Check Cluster Stack Deletion" (delete-cluster): done when CloudFormation no longer knows
 * the cluster stack, nor the stacks a PATCH made beside it (Auto Mode, OIDC), whose deletion it
 * starts once the cluster stack is gone (stack-teardown.ts sideStacks says why after). DELETE_FAILED is
 * terminal, with the failed resource's reason from the stack events; anything else throws
 * StackDeleteNotDoneError for the ASL's Retry to poll.
 */
import { validateDeleteInput } from '../generated/validators';
import type { DeleteInput, StackState } from '../generated/types';
import { clusterStackName } from '../domain/naming';
import { stackDeleteProgress } from '../domain/status';
import type { StepDeps } from '../shared/deps';
import { DeleteFailedError, StackDeleteNotDoneError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { sdkCloudFormation } from '../ports/cloudformation';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { deleteFailureReason } from '../step-support/stack-delete-failure';
import { advanceSideStacksDeletion } from '../step-support/stack-teardown';

export async function checkClusterStackDeletion(input: DeleteInput, deps: StepDeps<'cloudFormation' | 'events' | 'registry'>): Promise<StackState> {
  const cluster = input.operation.cluster.name;
  const stackName = clusterStackName(cluster);
  const resource = `stack ${stackName}`;
  const startedAt = input.stack?.startedAt ?? deps.clock().toISOString();
  const stack = await deps.cloudFormation.describeStack(stackName);
  const progress = stackDeleteProgress(stack?.status);
  if (progress === 'failed') throw new DeleteFailedError(`DELETE_FAILED: ${await deleteFailureReason(stack!, deps, input.stack?.startedAt)}`, { resource });
  // 'deletable' right after DeleteStack: DescribeStacks may not show the delete yet.
  if (progress !== 'gone') throw new StackDeleteNotDoneError(stack?.status ?? 'DELETE_IN_PROGRESS', { resource });

  const side = await advanceSideStacksDeletion(cluster, input.operation.id, deps, input.stack?.startedAt ? { since: input.stack.startedAt } : {});
  if (side) {
    const sideResource = `stack ${side.stackName}`;
    if (side.teardown.progress === 'failed' || side.teardown.progress === 'refused') throw new DeleteFailedError(side.teardown.reason, { resource: sideResource });
    throw new StackDeleteNotDoneError(side.teardown.status, { resource: sideResource });
  }

  await reportProgress(deps, input.operation, {
    status: 'IN_PROGRESS',
    phase: 'Teardown',
    step: { name: 'Delete Cluster Stack', status: 'SUCCEEDED', resource: input.stack?.stackName ? `stack ${input.stack.stackName}` : resource, startedAt, endedAt: deps.clock().toISOString() },
  });
  return { stackName, ...(input.stack?.stackId && input.stack.stackName === stackName ? { stackId: input.stack.stackId } : {}), ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE', startedAt };
}

export const handler = step(validateDeleteInput, { cloudFormation: sdkCloudFormation, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkClusterStackDeletion);
