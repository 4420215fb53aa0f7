import { idempotencyToken, TAG_OPERATION } from '../../../functions/domain/naming';
import type { Poll, UpdateInput } from '../../../functions/generated/types';
import { changeAddon } from '../../../functions/steps/change-addon';
import type { FakeAws } from '../../support/fake-aws';
import { CLUSTER, forgetCalls, rejectionOf, specOf } from './step-inputs';
import { provisionedAws, requestedUpdate, stepEvents, UPDATE_OPERATION } from './update-inputs';

const before = specOf({ addons: [{ name: 'vpc-cni' }, { name: 'coredns', version: 'v1.11.4-eksbuild.14' }] });
const CATALOGUE = {
  addonName: 'coredns',
  addonVersions: [
    { addonVersion: 'v1.12.1-eksbuild.2', compatibilities: [{ clusterVersion: '1.33', defaultVersion: false }] },
    { addonVersion: 'v1.11.4-eksbuild.14', compatibilities: [{ clusterVersion: '1.33', defaultVersion: true }] },
    { addonVersion: 'v1.10.1-eksbuild.18', compatibilities: [{ clusterVersion: '1.29', defaultVersion: true }] },
  ],
};

function awsWith(addons: Array<{ name: string; version: string; configurationValues?: string }>, options: Parameters<typeof provisionedAws>[1] = {}): FakeAws {
  const aws = provisionedAws(before, options);
  aws.clusters.get(CLUSTER)!.version = '1.33';
  aws.addonCatalogue.set('coredns', CATALOGUE);
  aws.addonCatalogue.set('metrics-server', { addonName: 'metrics-server', addonVersions: [{ addonVersion: 'v0.8.0-eksbuild.1', compatibilities: [{ clusterVersion: '1.33', defaultVersion: true }] }] });
  for (const a of addons) {
    aws.addons.set(`${CLUSTER}/${a.name}`, { addonName: a.name, clusterName: CLUSTER, addonVersion: a.version, status: 'ACTIVE', createdAt: aws.clock(), describesLeft: 0, ...(a.configurationValues !== undefined ? { configurationValues: a.configurationValues } : {}) });
  }
  return aws;
}

/** Runs the step as the ASL loop does until it says ready (or throws): a *NotReadyError is the Retry's look again with the same input. */
async function runToEnd(aws: FakeAws, input: UpdateInput): Promise<Poll> {
  let progress: Poll | undefined;
  for (let look = 0; look < 20; look++) {
    try {
      progress = await changeAddon({ ...input, ...(progress ? { progress } : {}) }, aws.deps());
    } catch (error) {
      if ((error as Error).name === 'AddonNotReadyError') continue;
      throw error;
    }
    if (progress.ready) return progress;
  }
  throw new Error(`not done after 20 looks: ${JSON.stringify(progress)}`);
}

describe('Change Addon: ADD_ADDON', () => {
  it('creates the add-on at EKS’s default version, owned and with a token from the operation, and is done once ACTIVE', async () => {
    const aws = awsWith([]);
    const createAddon = jest.spyOn(aws.eks, 'createAddon');
    const input = requestedUpdate(before, { action: 'ADD_ADDON', body: { name: 'metrics-server', configurationValues: '{"replicas":1}' } });

    const done = await runToEnd(aws, input);

    expect(createAddon).toHaveBeenCalledWith(
      expect.objectContaining({
        addonName: 'metrics-server',
        addonVersion: 'v0.8.0-eksbuild.1',
        configurationValues: '{"replicas":1}',
        resolveConflicts: 'OVERWRITE',
        clientRequestToken: idempotencyToken(UPDATE_OPERATION.id, 'create-addon', 'metrics-server'),
        tags: expect.objectContaining({ [TAG_OPERATION]: UPDATE_OPERATION.id }),
      }),
    );
    expect(done).toEqual({ ready: true, waitSeconds: 0, stage: 'applied' });
    expect(aws.addons.get(`${CLUSTER}/metrics-server`)).toMatchObject({ status: 'ACTIVE', addonVersion: 'v0.8.0-eksbuild.1' });
    expect(stepEvents(aws)).toEqual(['Change Addon add-on metrics-server STARTED', 'Create Add-on add-on metrics-server STARTED', 'Create Add-on add-on metrics-server SUCCEEDED', 'Change Addon add-on metrics-server SUCCEEDED']);
  });

  it('fails with EKS’s health issues when the new add-on ends DEGRADED', async () => {
    const aws = awsWith([]);
    const input = requestedUpdate(before, { action: 'ADD_ADDON', body: { name: 'metrics-server' } });
    const started = await changeAddon(input, aws.deps());
    Object.assign(aws.addons.get(`${CLUSTER}/metrics-server`)!, { status: 'DEGRADED', health: { issues: [{ code: 'InsufficientNumberOfReplicas', message: 'The add-on is unhealthy because it doesn’t have the desired number of replicas.' }] } });

    const error = await rejectionOf(changeAddon({ ...input, progress: started }, aws.deps()));

    expect(error).toMatchObject({ name: 'AddonFailedError', message: 'add-on metrics-server: DEGRADED: InsufficientNumberOfReplicas: The add-on is unhealthy because it doesn’t have the desired number of replicas.', resource: 'add-on metrics-server' });
  });

  it('refuses a version EKS does not list for the cluster’s Kubernetes version before any call', async () => {
    const aws = awsWith([{ name: 'vpc-cni', version: 'v1.19.5-eksbuild.3' }]);
    const spec = specOf({ addons: [{ name: 'vpc-cni' }] });

    const error = await rejectionOf(changeAddon(requestedUpdate(spec, { action: 'ADD_ADDON', body: { name: 'coredns', version: 'v1.10.1-eksbuild.18' } }), aws.deps()));

    expect(error).toMatchObject({ name: 'ChangeRefusedError', message: 'add-on coredns: cannot run coredns v1.10.1-eksbuild.18 on Kubernetes 1.33: EKS lists v1.12.1-eksbuild.2, v1.11.4-eksbuild.14' });
    expect(aws.callLog((c) => c.operation === 'CreateAddon')).toEqual([]);
  });
});

describe('Change Addon: UPDATE_ADDON', () => {
  it('sends only the configuration when only it differs, follows the update and is done when Successful', async () => {
    const aws = awsWith([{ name: 'coredns', version: 'v1.11.4-eksbuild.14', configurationValues: '{"replicaCount":2}' }]);
    const updateAddon = jest.spyOn(aws.eks, 'updateAddon');

    const done = await runToEnd(aws, requestedUpdate(before, { action: 'UPDATE_ADDON', target: 'coredns', body: { version: 'v1.11.4-eksbuild.14', configurationValues: '{"replicaCount":3}' } }));

    expect(updateAddon).toHaveBeenCalledTimes(1);
    expect(updateAddon).toHaveBeenCalledWith(CLUSTER, 'coredns', { configurationValues: '{"replicaCount":3}' }, expect.stringMatching(/^eksp-/));
    expect(aws.callLog((c) => c.operation === 'DescribeAddonVersions')).toEqual([]);
    expect(done).toEqual({ ready: true, waitSeconds: 0, stage: 'applied' });
    expect(aws.addons.get(`${CLUSTER}/coredns`)).toMatchObject({ status: 'ACTIVE', configurationValues: '{"replicaCount":3}' });
    expect(stepEvents(aws)).toEqual(['Change Addon add-on coredns STARTED', 'Update Add-on add-on coredns STARTED', 'Update Add-on add-on coredns SUCCEEDED', 'Change Addon add-on coredns SUCCEEDED']);
  });

  it('sends only the version when only it differs, after checking it against the versions EKS lists', async () => {
    const aws = awsWith([{ name: 'coredns', version: 'v1.11.4-eksbuild.14' }]);

    await runToEnd(aws, requestedUpdate(before, { action: 'UPDATE_ADDON', target: 'coredns', body: { version: 'v1.12.1-eksbuild.2' } }));

    expect(aws.callLog((c) => ['DescribeAddonVersions', 'UpdateAddon'].includes(c.operation))).toEqual(['eks:DescribeAddonVersions coredns', 'eks:UpdateAddon coredns v1.12.1-eksbuild.2']);
    expect(aws.addons.get(`${CLUSTER}/coredns`)!.addonVersion).toBe('v1.12.1-eksbuild.2');
  });

  it('makes no call when the add-on already runs as asked, and says unchanged', async () => {
    const aws = awsWith([{ name: 'coredns', version: 'v1.11.4-eksbuild.14', configurationValues: '{"replicaCount": 2}' }]);

    const poll = await changeAddon(requestedUpdate(before, { action: 'UPDATE_ADDON', target: 'coredns', body: { configurationValues: '{"replicaCount":2}' } }), aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0, stage: 'unchanged' });
    expect(aws.callLog((c) => c.operation === 'UpdateAddon')).toEqual([]);
    expect(stepEvents(aws)).toEqual(['Change Addon add-on coredns SKIPPED']);
  });

  it('refuses an incompatible version before any call, listing the compatible ones', async () => {
    const aws = awsWith([{ name: 'coredns', version: 'v1.11.4-eksbuild.14' }]);

    const error = await rejectionOf(changeAddon(requestedUpdate(before, { action: 'UPDATE_ADDON', target: 'coredns', body: { version: 'v1.10.1-eksbuild.18' } }), aws.deps()));

    expect(error).toMatchObject({ name: 'ChangeRefusedError', message: expect.stringContaining('EKS lists v1.12.1-eksbuild.2, v1.11.4-eksbuild.14'), resource: 'add-on coredns' });
    expect(aws.callLog((c) => c.operation === 'UpdateAddon')).toEqual([]);
  });

  it('fails with a Failed update’s errors as the root cause', async () => {
    const aws = awsWith([{ name: 'coredns', version: 'v1.11.4-eksbuild.14' }], { faults: { addonUpdateFailure: { addon: 'coredns', message: 'Conflicts found when trying to apply' } } });

    const error = await rejectionOf(runToEnd(aws, requestedUpdate(before, { action: 'UPDATE_ADDON', target: 'coredns', body: { configurationValues: '{"replicaCount":3}' } })));

    expect(error).toMatchObject({ name: 'AddonFailedError', message: 'add-on coredns: update Failed: ConfigurationConflict: Conflicts found when trying to apply (coredns)', resource: 'add-on coredns' });
  });

  it('waits out an update of the cluster in progress before comparing', async () => {
    const aws = awsWith([{ name: 'coredns', version: 'v1.11.4-eksbuild.14' }]);
    aws.startUpdateElsewhere(CLUSTER, { endpointPublicAccess: true });
    forgetCalls(aws);

    const error = await rejectionOf(changeAddon(requestedUpdate(before, { action: 'UPDATE_ADDON', target: 'coredns', body: { configurationValues: '{}' } }), aws.deps()));

    expect(error).toMatchObject({ name: 'UpdateInProgressError' });
    expect(aws.callLog((c) => c.operation === 'UpdateAddon')).toEqual([]);
  });
});

describe('Change Addon: REMOVE_ADDON', () => {
  it('deletes the add-on with preserve as asked and waits until EKS no longer knows it', async () => {
    const aws = awsWith([{ name: 'coredns', version: 'v1.11.4-eksbuild.14' }], { durations: { addonDelete: 1 } });

    const done = await runToEnd(aws, requestedUpdate(before, { action: 'REMOVE_ADDON', target: 'coredns', preserve: true }));

    expect(done).toEqual({ ready: true, waitSeconds: 0, stage: 'applied' });
    expect(aws.callLog((c) => c.operation === 'DeleteAddon')).toEqual(['eks:DeleteAddon coredns preserve']);
    expect(aws.preservedAddons).toEqual(new Set([`${CLUSTER}/coredns`]));
    expect(stepEvents(aws)).toEqual(['Change Addon add-on coredns STARTED', 'Delete Add-on add-on coredns STARTED', 'Delete Add-on add-on coredns SUCCEEDED', 'Change Addon add-on coredns SUCCEEDED']);
  });

  it('is unchanged when the add-on is already gone', async () => {
    const aws = awsWith([]);

    const poll = await changeAddon(requestedUpdate(before, { action: 'REMOVE_ADDON', target: 'coredns' }), aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0, stage: 'unchanged' });
    expect(aws.callLog((c) => c.operation === 'DeleteAddon')).toEqual([]);
  });
});
