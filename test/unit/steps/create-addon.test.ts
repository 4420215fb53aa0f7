import { idempotencyToken, TAG_CLUSTER, TAG_OPERATION } from '../../../functions/domain/naming';
import type { AddonSpec } from '../../../functions/domain/spec';
import { createAddon } from '../../../functions/steps/create-addon';
import type { FakeAws } from '../../support/fake-aws';
import { at, CLUSTER, fakeAws, operation, resourceItem, specOf } from './step-inputs';

/** The add-on under test, first in a spec whose default nodegroup has the VPC CNI it needs. */
function addonOf(addon: Record<string, unknown>) {
  const spec = specOf({ addons: [addon, ...(addon.name === 'vpc-cni' ? [] : [{ name: 'vpc-cni' }])] });
  return resourceItem(spec, spec.addons[0] as AddonSpec);
}

function withCluster(aws: FakeAws, version = '1.32'): FakeAws {
  aws.clusters.set(CLUSTER, { name: CLUSTER, version, status: 'ACTIVE' });
  return aws;
}

describe('Create Add-on', () => {
  it("installs the version EKS marks default for the cluster's Kubernetes version when none is asked", async () => {
    const aws = withCluster(fakeAws(), '1.32');
    const create = jest.spyOn(aws.eks, 'createAddon');
    const defaultVersion = jest.spyOn(aws.eks, 'defaultAddonVersion');

    const result = await createAddon(addonOf({ name: 'vpc-cni' }), aws.deps());

    expect(defaultVersion).toHaveBeenCalledWith('vpc-cni', '1.32');
    expect(create.mock.calls[0]![0]).toMatchObject({
      clusterName: CLUSTER,
      addonName: 'vpc-cni',
      addonVersion: 'v1.0.0-eksbuild.132',
      resolveConflicts: 'OVERWRITE',
      tags: expect.objectContaining({ [TAG_CLUSTER]: CLUSTER, [TAG_OPERATION]: operation.id }),
      clientRequestToken: idempotencyToken(operation.id, 'create-addon', 'vpc-cni'),
    });
    // The first DescribeAddon (finding nothing) moved the fake's clock on a minute before the create.
    expect(result).toMatchObject({ ready: false, status: 'CREATING', startedAt: at(60).toISOString() });
    expect(aws.events).toEqual([expect.objectContaining({ step: expect.objectContaining({ name: 'Create Add-on', status: 'STARTED', resource: 'add-on vpc-cni' }) })]);
  });

  it.each([
    ['vpc-cni', 15],
    ['coredns', 120],
  ])('looks at %s first after %i s: add-ons whose pods need nodes wait for the first nodegroup', async (name, seconds) => {
    const aws = withCluster(fakeAws({ tickSeconds: 0 }));

    const result = await createAddon(addonOf({ name }), aws.deps());

    expect(result.waitSeconds).toBe(seconds);
  });

  it('installs the asked version without looking up the default', async () => {
    const aws = withCluster(fakeAws());
    const create = jest.spyOn(aws.eks, 'createAddon');

    await createAddon(addonOf({ name: 'coredns', version: 'v1.11.4-eksbuild.2', configurationValues: '{"replicaCount":3}' }), aws.deps());

    expect(aws.callLog()).not.toContain('eks:DescribeAddonVersions coredns');
    expect(create.mock.calls[0]![0]).toMatchObject({ addonVersion: 'v1.11.4-eksbuild.2', configurationValues: '{"replicaCount":3}' });
  });

  it('leaves the version to EKS when it marks none default', async () => {
    const aws = withCluster(fakeAws());
    jest.spyOn(aws.eks, 'defaultAddonVersion').mockResolvedValue(undefined);
    const create = jest.spyOn(aws.eks, 'createAddon');

    await createAddon(addonOf({ name: 'kube-proxy' }), aws.deps());

    expect(create.mock.calls[0]![0]).not.toHaveProperty('addonVersion');
    expect(create.mock.calls[0]![0]).not.toHaveProperty('configurationValues');
  });

  it('makes no second add-on when run twice with the same input', async () => {
    const aws = withCluster(fakeAws());
    const create = jest.spyOn(aws.eks, 'createAddon');
    const input = addonOf({ name: 'vpc-cni' });

    await createAddon(input, aws.deps());
    const second = await createAddon(input, aws.deps());

    expect(create).toHaveBeenCalledTimes(1);
    expect(aws.addons.size).toBe(1);
    expect(second).toMatchObject({ ready: false, startedAt: at(60).toISOString() });
  });
});
