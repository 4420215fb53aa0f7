/**
 * Task "Switch Endpoint Access": brings public/private access and public CIDRs to the spec's
 * final state. EKS rejects a no-op update, so the live config is diffed first, once no update of
 * any origin is in progress (settled.ts): one update at a time, so "update in progress" is
 * UpdateInProgressError, retried by the ASL. An endpoint update in progress that already makes
 * the switch (this step's own, when an attempt's answer was lost) is followed instead.
 */
import { validateProvisionState } from '../generated/validators';
import type { Poll, ProvisionState } from '../generated/types';
import { endpointAccessAfter, endpointAccessChange } from '../domain/endpoint-access';
import { idempotencyToken } from '../domain/naming';
import { elapsedSeconds, firstWaitSeconds } from '../domain/poll-schedule';
import type { StepDeps } from '../shared/deps';
import { EndpointUpdateFailedError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { settledCluster } from '../step-support/settled';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function switchEndpointAccess(input: ProvisionState, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const spec = input.spec;
  const { operation } = input;
  const startedAt = deps.clock().toISOString();
  const settled = await settledCluster(deps, operation.cluster.name, {
    follow: (update, live) => update.type === 'EndpointAccessUpdate' && !endpointAccessChange(endpointAccessAfter(live.resourcesVpcConfig ?? {}, update.params), spec.endpointAccess),
  });
  if (!settled) throw new EndpointUpdateFailedError('the cluster no longer exists', { resource: `cluster ${operation.cluster.name}` });
  if (settled.following) {
    const updateStartedAt = (settled.following.createdAt ?? deps.clock()).toISOString();
    await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'EndpointAccess', step: { name: 'Switch Endpoint Access', status: 'STARTED', resource: `update ${settled.following.id}`, startedAt: updateStartedAt } });
    return { ready: false, waitSeconds: firstWaitSeconds('endpointUpdate', elapsedSeconds(updateStartedAt, deps.clock())), updateId: settled.following.id!, startedAt: updateStartedAt };
  }
  const change = endpointAccessChange(settled.cluster.resourcesVpcConfig ?? {}, spec.endpointAccess);
  if (!change) {
    await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'EndpointAccess', step: { name: 'Switch Endpoint Access', status: 'SKIPPED', startedAt, endedAt: startedAt } });
    return { ready: true, waitSeconds: 0, startedAt };
  }
  const updateId = await deps.eks.updateEndpointAccess(operation.cluster.name, change, idempotencyToken(operation.id, 'switch-endpoint-access'));
  await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'EndpointAccess', step: { name: 'Switch Endpoint Access', status: 'STARTED', resource: `update ${updateId}`, startedAt } });
  return { ready: false, waitSeconds: firstWaitSeconds('endpointUpdate'), updateId, startedAt };
}

export const handler = step(validateProvisionState, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, switchEndpointAccess);
