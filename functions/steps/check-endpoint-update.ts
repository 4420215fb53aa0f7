/** Task "Check Endpoint Update": DescribeUpdate until Successful; Failed or Cancelled carry EKS's errors. */
import { validateProvisionState } from '../generated/validators';
import type { Poll, ProvisionState } from '../generated/types';
import { coarseWaitSeconds, elapsedSeconds } from '../domain/poll-schedule';
import { updateProgress, updateErrorsText } from '../domain/status';
import type { StepDeps } from '../shared/deps';
import { EndpointUpdateFailedError, EndpointUpdateNotReadyError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function checkEndpointUpdate(input: ProvisionState, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const { operation } = input;
  const updateId = input.endpoint?.updateId;
  const resource = `update ${updateId}`;
  if (!updateId) throw new EndpointUpdateFailedError('no update id in the workflow state', { resource: 'endpoint access' });
  const update = await deps.eks.describeUpdate(operation.cluster.name, updateId);
  if (!update) throw new EndpointUpdateFailedError('EKS does not know this update', { resource });
  const startedAt = (update.createdAt ?? deps.clock()).toISOString();
  const progress = updateProgress(update.status);
  if (progress === 'failed') {
    const errors = updateErrorsText(update.errors);
    throw new EndpointUpdateFailedError(`${update.status}: ${errors || 'EKS gave no reason'}`, { resource });
  }
  if (progress === 'pending') {
    const wait = coarseWaitSeconds('endpointUpdate', elapsedSeconds(startedAt, deps.clock()));
    if (wait === 0) throw new EndpointUpdateNotReadyError(`${update.status}`, { resource });
    return { ready: false, waitSeconds: wait, updateId, status: update.status, startedAt };
  }
  await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'EndpointAccess', step: { name: 'Switch Endpoint Access', status: 'SUCCEEDED', resource, startedAt, endedAt: deps.clock().toISOString() } });
  return { ready: true, waitSeconds: 0, updateId, status: update.status, startedAt };
}

export const handler = step(validateProvisionState, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkEndpointUpdate);
