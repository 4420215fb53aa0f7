/**
 * Change Addon's decisions: the live add-on (and, when a version must be chosen or checked, the
 * versions EKS lists for the cluster's Kubernetes version) → the one next thing to do. What is
 * already live is never sent: an add-on as asked is in sync with no call.
 */
import { needsAddonVersions, planAddonChange, sameConfiguration, type LiveAddonState } from '../../../functions/domain/addon-change';
import type { ChangeFor } from '../../../functions/domain/change-actions';

type AddonChangeOf = ChangeFor<'Change Addon'>;

const VERSIONS = { kubernetesVersion: '1.33', compatible: ['v1.12.1-eksbuild.2', 'v1.11.4-eksbuild.14'], default: 'v1.11.4-eksbuild.14' };
const ACTIVE = { status: 'ACTIVE', version: 'v1.11.4-eksbuild.14', configurationValues: '{"replicaCount":2}' };

const add = (item: Extract<AddonChangeOf, { action: 'ADD_ADDON' }>['item']): AddonChangeOf => ({ action: 'ADD_ADDON', target: item.name, item });
const update = (changes: { version?: string; configurationValues?: string }): AddonChangeOf => ({ action: 'UPDATE_ADDON', target: 'coredns', changes });
const remove = (preserve = false): AddonChangeOf => ({ action: 'REMOVE_ADDON', target: 'coredns', preserve });
const plan = (change: AddonChangeOf, live: LiveAddonState) => planAddonChange(change, live);

describe('ADD_ADDON', () => {
  it('creates the add-on at the asked version, or at EKS’s default for the cluster’s Kubernetes version', () => {
    expect(plan(add({ name: 'coredns', version: 'v1.12.1-eksbuild.2' }), { versions: VERSIONS })).toEqual({
      kind: 'apply',
      stage: 'addonCreate',
      calls: [{ call: 'createAddon', addon: { name: 'coredns', version: 'v1.12.1-eksbuild.2' }, version: 'v1.12.1-eksbuild.2' }],
    });
    expect(plan(add({ name: 'coredns' }), { versions: VERSIONS })).toMatchObject({ kind: 'apply', calls: [{ call: 'createAddon', version: 'v1.11.4-eksbuild.14' }] });
  });

  it('refuses a version EKS does not list for the cluster’s Kubernetes version before any call, naming those it does', () => {
    expect(plan(add({ name: 'coredns', version: 'v1.10.1-eksbuild.18' }), { versions: VERSIONS })).toEqual({
      kind: 'refused',
      reason: 'cannot run coredns v1.10.1-eksbuild.18 on Kubernetes 1.33: EKS lists v1.12.1-eksbuild.2, v1.11.4-eksbuild.14',
    });
    expect(plan(add({ name: 'coredns' }), { versions: { kubernetesVersion: '1.35', compatible: [] } })).toEqual({ kind: 'refused', reason: 'has no version EKS lists for Kubernetes 1.35' });
  });

  it('waits while it is created, and is done once ACTIVE as asked', () => {
    expect(plan(add({ name: 'coredns' }), { addon: { status: 'CREATING' } })).toEqual({ kind: 'wait', stage: 'addonCreate', status: 'CREATING' });
    expect(plan(add({ name: 'coredns' }), { addon: { status: 'ACTIVE', version: 'v1.11.4-eksbuild.14' } })).toEqual({ kind: 'inSync' });
  });

  it('fails with EKS’s health issues when the add-on ends DEGRADED or CREATE_FAILED', () => {
    const issues = 'InsufficientNumberOfReplicas: The add-on is unhealthy because it doesn’t have the desired number of replicas.';

    expect(plan(add({ name: 'coredns' }), { addon: { status: 'DEGRADED', problems: issues } })).toEqual({ kind: 'failed', stage: 'addonCreate', reason: `DEGRADED: ${issues}` });
    expect(plan(add({ name: 'coredns' }), { addon: { status: 'CREATE_FAILED' } })).toEqual({ kind: 'failed', stage: 'addonCreate', reason: 'CREATE_FAILED: EKS gave no reason' });
  });

  it('brings an add-on already installed (by hand, or an earlier attempt) to what is asked, with only what differs', () => {
    expect(plan(add({ name: 'coredns', configurationValues: '{"replicaCount":3}' }), { addon: ACTIVE })).toEqual({
      kind: 'apply',
      stage: 'addonUpdate',
      calls: [{ call: 'updateAddon', addon: 'coredns', change: { configurationValues: '{"replicaCount":3}' } }],
    });
  });
});

describe('UPDATE_ADDON', () => {
  it('sends only the version when only the version differs', () => {
    expect(plan(update({ version: 'v1.12.1-eksbuild.2', configurationValues: '{ "replicaCount": 2 }' }), { addon: ACTIVE, versions: VERSIONS })).toEqual({
      kind: 'apply',
      stage: 'addonUpdate',
      calls: [{ call: 'updateAddon', addon: 'coredns', change: { version: 'v1.12.1-eksbuild.2' } }],
    });
  });

  it('sends only the configuration when only the configuration differs', () => {
    expect(plan(update({ version: 'v1.11.4-eksbuild.14', configurationValues: '{"replicaCount":3}' }), { addon: ACTIVE })).toEqual({
      kind: 'apply',
      stage: 'addonUpdate',
      calls: [{ call: 'updateAddon', addon: 'coredns', change: { configurationValues: '{"replicaCount":3}' } }],
    });
  });

  it('is in sync, with no call, when the add-on already runs as asked', () => {
    expect(plan(update({ version: 'v1.11.4-eksbuild.14' }), { addon: ACTIVE })).toEqual({ kind: 'inSync' });
    expect(plan(update({ configurationValues: '{"replicaCount": 2}' }), { addon: ACTIVE })).toEqual({ kind: 'inSync' });
  });

  it('refuses an incompatible version, listing the compatible ones', () => {
    expect(plan(update({ version: 'v1.10.1-eksbuild.18' }), { addon: ACTIVE, versions: VERSIONS })).toEqual({
      kind: 'refused',
      reason: 'cannot run coredns v1.10.1-eksbuild.18 on Kubernetes 1.33: EKS lists v1.12.1-eksbuild.2, v1.11.4-eksbuild.14',
    });
  });

  it('follows its update to Successful; a Failed update’s errors are the root cause', () => {
    const asked = update({ version: 'v1.12.1-eksbuild.2' });

    expect(plan(asked, { addon: { ...ACTIVE, status: 'UPDATING' }, update: { status: 'InProgress' } })).toEqual({ kind: 'wait', stage: 'addonUpdate', status: 'InProgress' });
    expect(plan(asked, { addon: ACTIVE, update: { status: 'Successful' } })).toEqual({ kind: 'inSync' });
    expect(plan(asked, { addon: ACTIVE, update: { status: 'Failed', errors: 'ConfigurationConflict: Conflicts found when trying to apply' } })).toEqual({
      kind: 'failed',
      stage: 'addonUpdate',
      reason: 'update Failed: ConfigurationConflict: Conflicts found when trying to apply',
    });
  });

  it('waits for another update of the add-on, and refuses one that is not there or is being deleted', () => {
    expect(plan(update({ version: 'v1.12.1-eksbuild.2' }), { addon: { ...ACTIVE, status: 'UPDATING' } })).toEqual({ kind: 'wait', stage: 'addonUpdate', status: 'UPDATING' });
    expect(plan(update({ version: 'v1.12.1-eksbuild.2' }), {})).toEqual({ kind: 'refused', reason: 'is not installed on the cluster' });
    expect(plan(update({ version: 'v1.12.1-eksbuild.2' }), { addon: { status: 'DELETING' } })).toEqual({ kind: 'refused', reason: 'is being deleted (DELETING)' });
  });
});

describe('REMOVE_ADDON', () => {
  it('deletes the add-on, preserving its resources when asked, and waits until EKS no longer knows it', () => {
    expect(plan(remove(true), { addon: ACTIVE })).toEqual({ kind: 'apply', stage: 'addonDelete', calls: [{ call: 'deleteAddon', addon: 'coredns', preserve: true }] });
    expect(plan(remove(), { addon: { status: 'DELETING' } })).toEqual({ kind: 'wait', stage: 'addonDelete', status: 'DELETING' });
    expect(plan(remove(), {})).toEqual({ kind: 'inSync' });
  });

  it('fails with the health issues of a DELETE_FAILED add-on', () => {
    expect(plan(remove(), { addon: { status: 'DELETE_FAILED', problems: 'AccessDenied: the cluster role may not delete it' } })).toEqual({
      kind: 'failed',
      stage: 'addonDelete',
      reason: 'DELETE_FAILED: AccessDenied: the cluster role may not delete it',
    });
  });
});

describe('what the step reads', () => {
  it('reads the published versions only to choose a version for a create or check one that would change', () => {
    const configOnly: { version?: string; configurationValues?: string } = { configurationValues: '{}' };

    expect(needsAddonVersions({}, undefined, true)).toBe(true);
    expect(needsAddonVersions({ version: 'v1.12.1-eksbuild.2' }, ACTIVE, false)).toBe(true);
    expect(needsAddonVersions({ version: ACTIVE.version }, ACTIVE, false)).toBe(false);
    expect(needsAddonVersions(configOnly, ACTIVE, false)).toBe(false);
  });

  it('compares configuration values as JSON, so spacing or key order alone is no change', () => {
    expect(sameConfiguration('{"a":1,"b":{"c":2}}', '{ "b": { "c": 2 }, "a": 1 }')).toBe(true);
    expect(sameConfiguration('', undefined)).toBe(true);
    expect(sameConfiguration('{"a":1}', '{"a":2}')).toBe(false);
    expect(sameConfiguration('replicaCount: 3', 'replicaCount: 2')).toBe(false);
  });
});
