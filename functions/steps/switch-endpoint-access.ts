/**
 * Task "Switch Endpoint Access": brings public/private access and public CIDRs to the spec's
 * final state. EKS rejects a no-op update, so the live config is diffed first; one update at a
 * time, so "update in progress" is UpdateInProgressError, retried by the ASL.
 */
import { validateProvisionState } from '../generated/validators';
import type { Poll, ProvisionState } from '../generated/types';
import { endpointAccessChange } from '../domain/endpoint-access';
import { idempotencyToken } from '../domain/naming';
import { firstWaitSeconds } from '../domain/poll-schedule';
import type { Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { EndpointUpdateFailedError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function switchEndpointAccess(input: ProvisionState, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const spec = input.spec as unknown as Spec;
  const { operation } = input;
  const startedAt = deps.clock().toISOString();
  const cluster = await deps.eks.describeCluster(operation.cluster.name);
  if (!cluster) throw new EndpointUpdateFailedError('the cluster no longer exists', { resource: `cluster ${operation.cluster.name}` });
  const change = endpointAccessChange(cluster.resourcesVpcConfig ?? {}, spec.endpointAccess);
  if (!change) {
    await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'EndpointAccess', step: { name: 'Switch Endpoint Access', status: 'SKIPPED', startedAt, endedAt: startedAt } });
    return { ready: true, waitSeconds: 0, startedAt };
  }
  const updateId = await deps.eks.updateEndpointAccess(operation.cluster.name, change, idempotencyToken(operation.id, 'switch-endpoint-access'));
  await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'EndpointAccess', step: { name: 'Switch Endpoint Access', status: 'STARTED', resource: `update ${updateId}`, startedAt } });
  return { ready: false, waitSeconds: firstWaitSeconds('endpointUpdate'), updateId, startedAt };
}

export const handler = step(validateProvisionState, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, switchEndpointAccess);
