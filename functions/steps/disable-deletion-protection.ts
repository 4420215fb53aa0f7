/**
 * Task "Disable Deletion Protection" (delete-cluster, DELETE ?disableDeletionProtection=true):
 * EKS refuses to delete an ACTIVE cluster with deletion protection (so would the cluster stack's
 * delete: ControlPlane DELETE_FAILED). Turns it off with UpdateClusterConfig and follows the
 * update with DescribeUpdate to Successful, before anything is deleted. A cluster that is not
 * protected, not ACTIVE or gone needs nothing.
 */
import { validateDeleteInput } from '../generated/validators';
import type { DeleteInput, Poll } from '../generated/types';
import { idempotencyToken } from '../domain/naming';
import { firstWaitSeconds } from '../domain/poll-schedule';
import { updateErrorsText, updateProgress } from '../domain/status';
import type { StepDeps } from '../shared/deps';
import { SettingsUpdateFailedError, SettingsUpdateNotReadyError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { settledCluster } from '../step-support/settled';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

const STEP = 'Disable Deletion Protection';

export async function disableDeletionProtection(input: DeleteInput, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const { operation } = input;
  const cluster = operation.cluster.name;
  const resource = `cluster ${cluster}`;
  const started = input.protection;
  if (started?.updateId) {
    const update = await deps.eks.describeUpdate(cluster, started.updateId);
    const progress = updateProgress(update?.status);
    if (progress === 'pending') throw new SettingsUpdateNotReadyError(update?.status ?? 'InProgress', { resource });
    if (progress === 'failed') throw new SettingsUpdateFailedError(`turning deletion protection off: update ${update?.status ?? 'Unknown'}: ${updateErrorsText(update?.errors) || 'EKS gave no reason'}`, { resource });
  }
  const settled = await settledCluster(deps, cluster);
  const live = settled?.cluster;
  const now = deps.clock().toISOString();
  if (!live || live.status !== 'ACTIVE' || live.deletionProtection !== true) {
    if (started) await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'Teardown', step: { name: STEP, status: 'SUCCEEDED', resource, startedAt: started.startedAt ?? now, endedAt: now } });
    return { ready: true, waitSeconds: 0 };
  }
  const updateId = await deps.eks.updateClusterConfig(cluster, { deletionProtection: false }, idempotencyToken(operation.id, 'disable-deletion-protection'));
  if (!started) await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'Teardown', step: { name: STEP, status: 'STARTED', resource, startedAt: now } });
  return { ready: false, waitSeconds: firstWaitSeconds('settingUpdate'), updateId, startedAt: started?.startedAt ?? now };
}

export const handler = step(validateDeleteInput, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, disableDeletionProtection);
