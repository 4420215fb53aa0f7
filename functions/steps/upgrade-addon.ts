/**
 * Task "Upgrade Add-on" (upgrade-cluster, one Map iteration per add-on of the plan): UpdateAddon
 * to the version the plan chose for the new Kubernetes version, keeping the cluster's own changes
 * to the add-on's configuration (resolveConflicts PRESERVE), then DescribeAddon until it is
 * ACTIVE at that version. An add-on already there is left alone (SKIPPED).
 */
import { validateUpgradeItem } from '../generated/validators';
import type { Poll, UpgradeItem } from '../generated/types';
import { idempotencyToken } from '../domain/naming';
import type { StepDeps } from '../shared/deps';
import { AddonFailedError, AddonNotReadyError } from '../shared/errors';
import { step } from '../shared/step';
import { DONE, reportUpgradeStep, startedPoll, stillRunning } from '../step-support/upgrade-progress';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

const STEP = 'Upgrade Add-on';

export async function upgradeAddon(input: UpgradeItem, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const { operation, item, poll } = input;
  const cluster = operation.cluster.name;
  const resource = `add-on ${item.name}`;
  const now = deps.clock();
  const addon = await deps.eks.describeAddon(cluster, item.name);
  if (!addon) throw new AddonFailedError('the add-on no longer exists (deleted while the cluster was upgraded)', { resource });
  const issues = (addon.health?.issues ?? []).map((i) => `${i.code}: ${i.message}`).join('; ');
  // Whether this step asked for an update: until then the add-on is only being looked at (another update may be waited out).
  const asked = poll?.updateId !== undefined;

  // An earlier update of someone else's that failed is no reason to stop: this one may well succeed.
  if ((addon.status === 'UPDATE_FAILED' && asked) || addon.status === 'CREATE_FAILED') {
    throw new AddonFailedError(`the update to ${item.to} ended ${addon.status}${issues ? `: ${issues}` : ''}`, { resource });
  }
  if (addon.status === 'UPDATING' || addon.status === 'CREATING' || addon.status === 'DELETING') {
    const notReady = () => new AddonNotReadyError(`${addon.status} on its way to ${item.to}`, { resource });
    return poll ? stillRunning('addonUpdate', poll, now, notReady, addon.status) : startedPoll('addonUpdate', now, { status: addon.status });
  }
  if (addon.addonVersion === item.to) {
    if (!asked) await reportUpgradeStep(deps, operation, 'DataPlane', { name: STEP, status: 'SKIPPED', resource, startedAt: now.toISOString(), endedAt: now.toISOString() });
    else await reportUpgradeStep(deps, operation, 'DataPlane', { name: STEP, status: 'SUCCEEDED', resource, startedAt: poll?.startedAt ?? now.toISOString(), endedAt: now.toISOString() });
    return DONE;
  }
  // Not asked yet, or asked but EKS does not show it yet: ask (again) with the same token.
  const updateId = await deps.eks.updateAddon(cluster, item.name, { version: item.to }, idempotencyToken(operation.id, 'upgrade-addon', `${item.name}@${item.to}`));
  if (!asked) await reportUpgradeStep(deps, operation, 'DataPlane', { name: STEP, status: 'STARTED', resource, startedAt: now.toISOString() });
  const started = startedPoll('addonUpdate', now, { updateId, status: 'UPDATING' });
  return asked && poll?.startedAt ? { ...started, startedAt: poll.startedAt } : started;
}

export const handler = step(validateUpgradeItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, upgradeAddon);
