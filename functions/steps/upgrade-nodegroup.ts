/**
 * Task "Upgrade Nodegroup" (upgrade-cluster, one Map iteration per managed nodegroup of the plan):
 * UpdateNodegroupVersion to the control plane's version, once no update of the cluster or the
 * nodegroup runs, then DescribeUpdate until it ends. EKS replaces the nodes batch by batch
 * (the nodegroup's updateConfig) and drains each; a PodDisruptionBudget that keeps a pod from
 * being evicted fails the update with PodEvictionFailure unless the request said `force`: the
 * error names the nodegroup and EKS's message, which names the pod.
 */
import { validateUpgradeItem } from '../generated/validators';
import type { Poll, UpgradeItem } from '../generated/types';
import { idempotencyToken } from '../domain/naming';
import { podEvictionAdvice } from '../domain/nodegroup-update';
import { updateErrorsText } from '../domain/status';
import type { StepDeps } from '../shared/deps';
import { NodegroupNotReadyError, NodegroupUpgradeFailedError } from '../shared/errors';
import { step } from '../shared/step';
import { settledCluster } from '../step-support/settled';
import { DONE, reportUpgradeStep, startedPoll, stillRunning } from '../step-support/upgrade-progress';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

const STEP = 'Upgrade Nodegroup';

export async function upgradeNodegroup(input: UpgradeItem, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const { operation, item, poll, force } = input;
  const cluster = operation.cluster.name;
  const resource = `nodegroup ${item.name}`;
  const now = deps.clock();

  if (poll?.updateId) {
    const update = await deps.eks.describeUpdate(cluster, poll.updateId, item.name);
    if (update?.status === 'InProgress') {
      return stillRunning('nodegroupVersionUpdate', poll, now, () => new NodegroupNotReadyError(`its nodes are being replaced with Kubernetes ${item.to} nodes`, { resource }), update.status);
    }
    if (update?.status !== 'Successful') throw failure(item.name, item.to, update?.status, update?.errors, force);
    await reportUpgradeStep(deps, operation, 'DataPlane', { name: STEP, status: 'SUCCEEDED', resource, startedAt: poll.startedAt ?? now.toISOString(), endedAt: now.toISOString() });
    return DONE;
  }

  // Another update of the cluster or of this nodegroup (any origin): wait it out (UpdateInProgressError), then compare.
  await settledCluster(deps, cluster, { nodegroup: item.name });
  const nodegroup = await deps.eks.describeNodegroup(cluster, item.name);
  if (!nodegroup) throw new NodegroupUpgradeFailedError('the nodegroup no longer exists (deleted while the cluster was upgraded)', { resource });
  if (nodegroup.version === item.to) {
    await reportUpgradeStep(deps, operation, 'DataPlane', { name: STEP, status: 'SKIPPED', resource, startedAt: now.toISOString(), endedAt: now.toISOString() });
    return DONE;
  }
  const updateId = await deps.eks.updateNodegroupVersion(cluster, item.name, { version: item.to, force }, idempotencyToken(operation.id, 'upgrade-nodegroup', `${item.name}@${item.to}`));
  await reportUpgradeStep(deps, operation, 'DataPlane', { name: STEP, status: 'STARTED', resource, startedAt: now.toISOString() });
  return startedPoll('nodegroupVersionUpdate', now, { updateId, status: 'InProgress' });
}

function failure(name: string, to: string, status: string | undefined, errors: Parameters<typeof updateErrorsText>[0], force: boolean): NodegroupUpgradeFailedError {
  const text = updateErrorsText(errors);
  const errorCodes = (errors ?? []).flatMap((e) => (e.errorCode ? [e.errorCode] : []));
  const advice = force ? '' : podEvictionAdvice(errorCodes, 'or retry the upgrade with "force": true to evict regardless');
  return new NodegroupUpgradeFailedError(`the update to Kubernetes ${to} ended ${status ?? 'unknown to EKS'}${text ? `: ${text}` : ''}${advice}`, { resource: `nodegroup ${name}` });
}

export const handler = step(validateUpgradeItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, upgradeNodegroup);
