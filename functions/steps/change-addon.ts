/**
 * Task "Change Addon" (update-cluster, ADD/UPDATE/REMOVE_ADDON), looked at again after each wait
 * until the add-on is as asked (functions/domain/addon-change.ts decides). Added: CreateAddon as
 * provisioning makes it, then DescribeAddon until ACTIVE. Changed: UpdateAddon with only the
 * fields that differ (resolveConflicts PRESERVE), followed with DescribeUpdate until Successful.
 * Removed: DeleteAddon (preserve as asked), then DescribeAddon until EKS no longer knows it. The
 * first look waits out any update of the cluster, whoever started it (settled.ts), and a version
 * is checked against DescribeAddonVersions for the cluster's Kubernetes version before any call.
 */
import { validateUpdateInput } from '../generated/validators';
import type { Poll, UpdateInput } from '../generated/types';
import { needsAddonVersions, planAddonChange, type AddonCall, type LiveAddonState } from '../domain/addon-change';
import { changeFor } from '../domain/change-actions';
import { idempotencyToken } from '../domain/naming';
import { updateErrorsText } from '../domain/status';
import { compatibleAddonVersions, defaultAddonVersion } from '../domain/upgrade/addon-targets';
import type { StepDeps } from '../shared/deps';
import { AddonFailedError } from '../shared/errors';
import { step } from '../shared/step';
import { createAddonRequest } from '../step-support/addon';
import { settledCluster } from '../step-support/settled';
import { ChangeProgress } from '../step-support/update-change';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

type Deps = StepDeps<'eks' | 'events' | 'registry'>;

export async function changeAddon(input: UpdateInput, deps: Deps): Promise<Poll> {
  const change = changeFor(input.change, 'Change Addon');
  const progress = new ChangeProgress(input, deps, 'Change Addon');
  const { cluster, target: name } = progress;
  const updateId = progress.trackedUpdateId('addonUpdate');

  // Following a stage of our own (a create, our update, a delete), only its status matters.
  const settled = progress.underway ? undefined : await settledCluster(deps, cluster);
  const live: LiveAddonState = {};
  if (updateId) {
    const update = await deps.eks.describeAddonUpdate(cluster, name, updateId);
    live.update = { status: update?.status ?? 'Unknown', errors: updateErrorsText(update?.errors) };
  }
  const addon = await deps.eks.describeAddon(cluster, name);
  if (addon) {
    const problems = (addon.health?.issues ?? []).map((i) => `${i.code}: ${i.message}`).join('; ');
    live.addon = { status: addon.status ?? 'UNKNOWN', ...(addon.addonVersion ? { version: addon.addonVersion } : {}), ...(addon.configurationValues !== undefined ? { configurationValues: addon.configurationValues } : {}), ...(problems ? { problems } : {}) };
  }
  const asked = change.action === 'ADD_ADDON' ? change.item : change.action === 'UPDATE_ADDON' ? change.changes : undefined;
  if (!live.update && change.action !== 'REMOVE_ADDON' && needsAddonVersions(asked, live.addon, change.action === 'ADD_ADDON')) {
    const kubernetesVersion = (settled?.cluster ?? (await deps.eks.describeCluster(cluster)))?.version;
    if (!kubernetesVersion) throw new AddonFailedError('the cluster no longer exists', { resource: `cluster ${cluster}` });
    const info = await deps.eks.addonVersions(name);
    const preferred = defaultAddonVersion(info, kubernetesVersion);
    live.versions = { kubernetesVersion, compatible: compatibleAddonVersions(info, kubernetesVersion), ...(preferred ? { default: preferred } : {}) };
  }

  return progress.follow(planAddonChange(change, live), (call) => make(call, input, deps));
}

/** Makes one call; answers the update id of an UpdateAddon. */
async function make(call: AddonCall, input: UpdateInput, deps: Deps): Promise<string | undefined> {
  const { operation } = input;
  const cluster = operation.cluster.name;
  switch (call.call) {
    case 'createAddon':
      await deps.eks.createAddon(createAddonRequest(operation, call.addon, call.version));
      return undefined;
    case 'updateAddon':
      // One token per distinct update: a retried look repeats it, a later different one is new.
      return deps.eks.updateAddon(cluster, call.addon, call.change, idempotencyToken(operation.id, 'update-addon', JSON.stringify([call.addon, call.change])));
    case 'deleteAddon':
      await deps.eks.deleteAddon(cluster, call.addon, { preserve: call.preserve });
      return undefined;
  }
}

export const handler = step(validateUpdateInput, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, changeAddon);
