/**
 * Task "Delete Cluster Stack" (delete-cluster): with nodegroups, Fargate profiles and nodegroup
 * stacks gone, deletes eksp-<cluster>-cluster (termination protection off first), which deletes
 * the control plane, its roles and the VPC. A stack that is already gone is done; one in
 * DELETE_FAILED from an earlier DELETE is deleted again; one still rolling back is waited for.
 * With the cluster stack gone (an earlier DELETE got that far), the stacks a PATCH made beside it
 * (Auto Mode, OIDC: stack-teardown.ts sideStacks) are deleted here instead, and "Check Cluster
 * Stack Deletion" follows them.
 */
import { validateDeleteInput } from '../generated/validators';
import type { DeleteInput, StackState } from '../generated/types';
import { clusterStackName, idempotencyToken } from '../domain/naming';
import { firstWaitSeconds } from '../domain/poll-schedule';
import type { StepDeps } from '../shared/deps';
import { DeleteFailedError, StackDeleteNotDoneError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { sdkCloudFormation } from '../ports/cloudformation';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { advanceSideStacksDeletion, advanceStackDeletion, type StackTeardown } from '../step-support/stack-teardown';

export async function deleteClusterStack(input: DeleteInput, deps: StepDeps<'cloudFormation' | 'events' | 'registry'>): Promise<StackState> {
  const { operation } = input;
  const cluster = operation.cluster.name;
  const stackName = clusterStackName(cluster);
  const stack = await advanceStackDeletion(stackName, idempotencyToken(operation.id, 'delete-cluster-stack'), deps, { ownedBy: cluster, deleteAgainIfFailed: true });
  if (stack.progress === 'gone') {
    const side = await advanceSideStacksDeletion(cluster, operation.id, deps, { deleteAgainIfFailed: true });
    if (!side) return { stackName, ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE' };
    return started(side.stackName, side.teardown, input, deps);
  }
  return started(stackName, stack, input, deps);
}

/** A stack whose deletion was asked for (or is under way): the step STARTED, for "Check Cluster Stack Deletion" to follow. */
async function started(stackName: string, stack: Exclude<StackTeardown, { progress: 'gone' }>, input: DeleteInput, deps: StepDeps<'events' | 'registry'>): Promise<StackState> {
  const resource = `stack ${stackName}`;
  if (stack.progress === 'refused' || stack.progress === 'failed') throw new DeleteFailedError(stack.reason, { resource });
  if (stack.progress === 'busy') throw new StackDeleteNotDoneError(`${stack.status}: waiting for it to settle before deleting`, { resource });
  const startedAt = deps.clock().toISOString();
  await reportProgress(deps, input.operation, { status: 'IN_PROGRESS', phase: 'Teardown', step: { name: 'Delete Cluster Stack', status: 'STARTED', resource, startedAt } });
  return { stackName, stackId: stack.stack.stackId, ready: false, waitSeconds: firstWaitSeconds(stack.wasEmpty ? 'emptyStackDelete' : 'stackDelete'), status: stack.status, startedAt };
}

export const handler = step(validateDeleteInput, { cloudFormation: sdkCloudFormation, events: eventBridgeStatusEvents, registry: dynamoRegistry }, deleteClusterStack);
