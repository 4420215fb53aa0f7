/**
 * Task "Upgrade Control Plane" (upgrade-cluster): the control plane to the target one minor at a
 * time (EKS refuses to skip one), each pass its own step "Control Plane <version>" (STARTED, then
 * SUCCEEDED). Reconciles on every look: it follows the update it started; otherwise it waits out
 * any update of the cluster (whoever started it), reads the live version and starts the next pass
 * with a token derived from the operation and that version, so an attempt whose answer was lost
 * starts nothing twice. A pass that ends Failed or Cancelled stops the upgrade with EKS's errors.
 */
import { validateUpgradeInput } from '../generated/validators';
import type { Poll, UpgradeInput } from '../generated/types';
import { idempotencyToken } from '../domain/naming';
import { updateErrorsText } from '../domain/status';
import { compareMinors, upgradePasses } from '../domain/upgrade/versions';
import type { Update } from '../ports/eks';
import type { StepDeps } from '../shared/deps';
import { ControlPlaneUpgradeFailedError, InvalidStepInputError, VersionUpdateNotReadyError } from '../shared/errors';
import { step } from '../shared/step';
import { settledCluster } from '../step-support/settled';
import { DONE, reportUpgradeStep, startedPoll, stillRunning } from '../step-support/upgrade-progress';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

const passStep = (version: string) => `Control Plane ${version}`;

/** A version update's target, from its params (type Version). */
const versionOf = (update: Update) => update.params?.find((p) => p.type === 'Version')?.value;

export async function upgradeControlPlane(input: UpgradeInput, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const { operation } = input;
  const plan = input.preflight?.plan;
  if (!plan) throw new InvalidStepInputError('Upgrade Control Plane runs after Preflight: the state has no plan');
  const cluster = operation.cluster.name;
  const resource = `cluster ${cluster}`;
  const target = plan.to;
  const now = deps.clock();
  const tracked = input.controlPlane;

  if (tracked?.updateId && tracked.stage) {
    const pass = tracked.stage;
    const update = await deps.eks.describeUpdate(cluster, tracked.updateId);
    if (update?.status === 'InProgress') {
      return stillRunning('versionUpdate', tracked, now, () => new VersionUpdateNotReadyError(`the update to Kubernetes ${pass} is still running`, { resource }), update.status);
    }
    if (update?.status !== 'Successful') {
      const errors = updateErrorsText(update?.errors);
      throw new ControlPlaneUpgradeFailedError(`the update to Kubernetes ${pass} (update ${tracked.updateId}) ended ${update?.status ?? 'unknown to EKS'}${errors ? `: ${errors}` : ''}`, { resource });
    }
    await reportUpgradeStep(deps, operation, 'ControlPlane', { name: passStep(pass), status: 'SUCCEEDED', resource, startedAt: tracked.startedAt ?? now.toISOString(), endedAt: now.toISOString() });
  }

  // An update to the very pass this step would start (its own, when an attempt's answer was lost) is followed, not waited for.
  const settled = await settledCluster(deps, cluster, { follow: (update, described) => update.type === 'VersionUpdate' && described.version !== undefined && compareMinors(described.version, target) < 0 && versionOf(update) === upgradePasses(described.version, target)[0] });
  if (!settled?.cluster.version) throw new ControlPlaneUpgradeFailedError('the cluster no longer exists', { resource });
  const live = settled.cluster.version;
  if (compareMinors(live, target) >= 0) {
    // Already there at the first look (someone else upgraded it): nothing was done, and the timeline says so.
    if (!tracked) await reportUpgradeStep(deps, operation, 'ControlPlane', { name: passStep(target), status: 'SKIPPED', resource, startedAt: now.toISOString(), endedAt: now.toISOString() });
    return DONE;
  }
  const next = upgradePasses(live, target)[0]!;
  const updateId = settled.following?.id ?? (await deps.eks.updateClusterVersion(cluster, next, idempotencyToken(operation.id, 'upgrade-control-plane', next)));
  await reportUpgradeStep(deps, operation, 'ControlPlane', { name: passStep(next), status: 'STARTED', resource, startedAt: now.toISOString() });
  return startedPoll('versionUpdate', now, { stage: next, updateId, status: 'InProgress' });
}

export const handler = step(validateUpgradeInput, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, upgradeControlPlane);
