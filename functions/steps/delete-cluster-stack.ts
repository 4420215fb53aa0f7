/**
 * Task "Delete Cluster Stack" (delete-cluster): with nodegroups, Fargate profiles and nodegroup
 * stacks gone, deletes eksp-<cluster>-cluster (termination protection off first), which deletes
 * the control plane, its roles and the VPC. A stack that is already gone is done; one in
 * DELETE_FAILED from an earlier DELETE is deleted again; one still rolling back is waited for.
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
import { advanceStackDeletion } from '../step-support/stack-teardown';

export async function deleteClusterStack(input: DeleteInput, deps: StepDeps<'cloudFormation' | 'events' | 'registry'>): Promise<StackState> {
  const { operation } = input;
  const cluster = operation.cluster.name;
  const stackName = clusterStackName(cluster);
  const resource = `stack ${stackName}`;
  const stack = await advanceStackDeletion(stackName, idempotencyToken(operation.id, 'delete-cluster-stack'), deps, { ownedBy: cluster, deleteAgainIfFailed: true });
  if (stack.progress === 'gone') return { stackName, ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE' };
  if (stack.progress === 'refused' || stack.progress === 'failed') throw new DeleteFailedError(stack.reason, { resource });
  if (stack.progress === 'busy') throw new StackDeleteNotDoneError(`${stack.status}: waiting for it to settle before deleting`, { resource });
  const startedAt = deps.clock().toISOString();
  await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'Teardown', step: { name: 'Delete Cluster Stack', status: 'STARTED', resource, startedAt } });
  return { stackName, stackId: stack.stack.stackId, ready: false, waitSeconds: firstWaitSeconds(stack.wasEmpty ? 'emptyStackDelete' : 'stackDelete'), status: stack.status, startedAt };
}

export const handler = step(validateDeleteInput, { cloudFormation: sdkCloudFormation, events: eventBridgeStatusEvents, registry: dynamoRegistry }, deleteClusterStack);
