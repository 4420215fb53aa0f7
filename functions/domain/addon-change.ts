/**
 * update-cluster's "Change Addon" decisions (ADD_ADDON, UPDATE_ADDON, REMOVE_ADDON) against the
 * live add-on (docs/architecture.md, Workflows). Only what differs from DescribeAddon is sent:
 * an add-on already as asked is IN_SYNC, so a no-op never reaches EKS. A version must be one
 * DescribeAddonVersions lists for the cluster's Kubernetes version; that is checked here, before
 * any call, and the refusal lists the versions that would do.
 */
import type { ChangeFor } from './change-actions';
import { apply, failed, IN_SYNC, refused, wait, type NextStep } from './cluster-change';
import type { AddonSpec } from './spec';
import { subresourceDeleteProgress, updateProgress } from './status';
import { canonicalJson } from './json';

/** What one UpdateAddon changes: only the fields given are sent. */
export interface AddonChange {
  version?: string;
  configurationValues?: string;
}

/** The add-on as DescribeAddon reports it. */
export interface LiveAddon {
  status: string;
  version?: string;
  configurationValues?: string;
  /** Its health issues, in EKS's words ("code: message; …"). */
  problems?: string;
}

export interface LiveAddonState {
  /** Absent: EKS has no add-on of that name on the cluster. */
  addon?: LiveAddon;
  /** The UpdateAddon this change started (Poll.updateId), as DescribeUpdate reports it. */
  update?: { status: string; errors?: string };
  /** The versions EKS lists for the cluster's Kubernetes version, newest first, and its default: read only when a version must be chosen or checked. */
  versions?: { kubernetesVersion: string; compatible: string[]; default?: string };
}

export type AddonCall =
  | { call: 'createAddon'; addon: AddonSpec; version: string }
  | { call: 'updateAddon'; addon: string; change: AddonChange }
  | { call: 'deleteAddon'; addon: string; preserve: boolean };

/** The next thing Change Addon does for its change, given the live add-on. */
export function planAddonChange(change: ChangeFor<'Change Addon'>, live: LiveAddonState): NextStep<AddonCall> {
  switch (change.action) {
    case 'ADD_ADDON':
      return addAddon(change.item, live);
    case 'UPDATE_ADDON':
      return updateAddon(change.target, change.changes, live);
    case 'REMOVE_ADDON':
      return removeAddon(change.target, change.preserve, live);
  }
}

/** Whether the change needs DescribeAddonVersions: a create, or a version other than the one running. */
export function needsAddonVersions(asked: { version?: string } | undefined, live: LiveAddon | undefined, creating: boolean): boolean {
  if (creating && !live) return true;
  return asked?.version !== undefined && asked.version !== live?.version;
}

const why = (addon: LiveAddon) => `${addon.status}: ${addon.problems || 'EKS gave no reason'}`;

/** CreateAddon at the asked version (or EKS's default), then wait for ACTIVE; an add-on already there is brought to what is asked. */
function addAddon(item: AddonSpec, live: LiveAddonState): NextStep<AddonCall> {
  const followed = followUpdate(live);
  if (followed) return followed;
  const addon = live.addon;
  if (!addon) {
    const version = item.version ?? live.versions?.default;
    const problem = versionProblem(item.name, version, live);
    if (problem) return problem;
    return apply('addonCreate', { call: 'createAddon', addon: item, version: version! });
  }
  switch (addon.status) {
    // A namesake still being deleted: create once it is gone.
    case 'DELETING':
    case 'CREATING':
    case 'UPDATING':
      return wait('addonCreate', addon.status);
    case 'ACTIVE':
      // There already (made by an earlier attempt, or by hand): only what differs is updated.
      return differences(item.name, { ...(item.version ? { version: item.version } : {}), ...(item.configurationValues !== undefined ? { configurationValues: item.configurationValues } : {}) }, addon, live);
    default:
      // DEGRADED, CREATE_FAILED, UPDATE_FAILED, DELETE_FAILED: the health issues are the root cause.
      return failed('addonCreate', why(addon));
  }
}

function updateAddon(name: string, asked: AddonChange, live: LiveAddonState): NextStep<AddonCall> {
  const followed = followUpdate(live);
  if (followed) return followed;
  const addon = live.addon;
  if (!addon) return refused('is not installed on the cluster');
  if (addon.status === 'DELETING' || addon.status === 'DELETE_FAILED') return refused(`is being deleted (${addon.status})`);
  // EKS takes one update per add-on at a time: let the running one (or the create) finish first.
  if (addon.status === 'CREATING' || addon.status === 'UPDATING') return wait('addonUpdate', addon.status);
  return differences(name, asked, addon, live);
}

/** UpdateAddon with only the fields that differ from the live add-on, or IN_SYNC when none do. */
function differences(name: string, asked: AddonChange, addon: LiveAddon, live: LiveAddonState): NextStep<AddonCall> {
  const change: AddonChange = {};
  if (asked.version !== undefined && asked.version !== addon.version) {
    const problem = versionProblem(name, asked.version, live);
    if (problem) return problem;
    change.version = asked.version;
  }
  if (asked.configurationValues !== undefined && !sameConfiguration(asked.configurationValues, addon.configurationValues)) change.configurationValues = asked.configurationValues;
  return Object.keys(change).length > 0 ? apply('addonUpdate', { call: 'updateAddon', addon: name, change }) : IN_SYNC;
}

function removeAddon(name: string, preserve: boolean, live: LiveAddonState): NextStep<AddonCall> {
  const addon = live.addon;
  if (!addon) return IN_SYNC;
  const progress = subresourceDeleteProgress(addon.status);
  if (progress === 'pending') return wait('addonDelete', addon.status);
  if (progress === 'failed') return failed('addonDelete', why(addon));
  return apply('addonDelete', { call: 'deleteAddon', addon: name, preserve });
}

/** The UpdateAddon this change started: wait for it, or its errors are the root cause; once Successful the change is done. */
function followUpdate(live: LiveAddonState): NextStep<AddonCall> | undefined {
  if (!live.update) return undefined;
  const progress = updateProgress(live.update.status);
  if (progress === 'pending') return wait('addonUpdate', live.update.status);
  if (progress === 'failed') return failed('addonUpdate', `update ${live.update.status}: ${live.update.errors || 'EKS gave no reason'}`);
  return IN_SYNC;
}

/** A version EKS does not list for the cluster's Kubernetes version is refused before any call, naming those it lists. */
function versionProblem(name: string, version: string | undefined, live: LiveAddonState): NextStep<never> | undefined {
  const versions = live.versions;
  if (!versions) return undefined;
  if (versions.compatible.length === 0) return refused(`has no version EKS lists for Kubernetes ${versions.kubernetesVersion}`);
  if (version === undefined || versions.compatible.includes(version)) return undefined;
  return refused(`cannot run ${name} ${version} on Kubernetes ${versions.kubernetesVersion}: EKS lists ${versions.compatible.join(', ')}`);
}

/**
 * Whether two configurationValues say the same: equal text, or the same JSON (EKS gives back the
 * text as sent, so key order or spacing alone is no change). An empty text and none are the same.
 */
export function sameConfiguration(asked: string, live: string | undefined): boolean {
  const a = asked.trim();
  const b = (live ?? '').trim();
  if (a === b) return true;
  try {
    return canonicalJson(JSON.parse(a || '{}')) === canonicalJson(JSON.parse(b || '{}'));
  } catch {
    return false;
  }
}
