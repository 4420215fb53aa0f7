import { idempotencyToken, TAG_CLUSTER, TAG_OPERATION } from '../../../functions/domain/naming';
import type { FargateProfileSpec } from '../../../functions/domain/spec';
import { createFargateProfile } from '../../../functions/steps/create-fargate-profile';
import { CLUSTER, EXISTING_SUBNETS, fakeAws, operation, rejectionOf, resourceItem, specOf, T0 } from './step-inputs';

function profileOf(specOverrides: Record<string, unknown>, index = 0) {
  const spec = specOf(specOverrides);
  return resourceItem(spec, spec.fargateProfiles[index] as FargateProfileSpec);
}

describe('Create Fargate Profile', () => {
  it("creates the profile with the stack's pod execution role, the private subnets and the selectors", async () => {
    const aws = fakeAws();
    const create = jest.spyOn(aws.eks, 'createFargateProfile');
    const input = profileOf({ fargateProfiles: [{ name: 'fp-apps', selectors: [{ namespace: 'apps', labels: { tier: 'web' } }, { namespace: 'jobs' }] }] });

    const result = await createFargateProfile(input, aws.deps());

    expect(create.mock.calls[0]![0]).toMatchObject({
      clusterName: CLUSTER,
      fargateProfileName: 'fp-apps',
      podExecutionRoleArn: input.stack.outputs!.FargatePodExecutionRoleArn,
      subnets: ['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002'],
      selectors: [{ namespace: 'apps', labels: { tier: 'web' } }, { namespace: 'jobs' }],
      tags: expect.objectContaining({ [TAG_CLUSTER]: CLUSTER, [TAG_OPERATION]: operation.id }),
      clientRequestToken: idempotencyToken(operation.id, 'create-fargate-profile', 'fp-apps'),
    });
    expect(input.stack.outputs!.FargatePodExecutionRoleArn).toBeDefined();
    expect(result).toMatchObject({ ready: false, status: 'CREATING', startedAt: T0.toISOString() });
    expect(aws.events).toEqual([expect.objectContaining({ step: expect.objectContaining({ name: 'Create Fargate Profile', status: 'STARTED', resource: 'Fargate profile fp-apps' }) })]);
  });

  it('creates the fp-default profile of the fargate shorthand', async () => {
    const aws = fakeAws();

    await createFargateProfile(profileOf({ fargate: true }), aws.deps());

    expect(aws.profiles.get(`${CLUSTER}/fp-default`)).toMatchObject({ selectors: [{ namespace: 'default' }, { namespace: 'kube-system' }] });
  });

  it('uses the subnets the profile names explicitly', async () => {
    const aws = fakeAws();
    const input = profileOf({ network: { subnets: EXISTING_SUBNETS }, fargateProfiles: [{ name: 'fp-apps', selectors: [{ namespace: 'apps' }], subnets: ['subnet-0aaa0000000000002'] }] });

    await createFargateProfile(input, aws.deps());

    expect(aws.profiles.get(`${CLUSTER}/fp-apps`)!.subnets).toEqual(['subnet-0aaa0000000000002']);
  });

  it('makes no second profile when run twice with the same input, sending the same idempotency token', async () => {
    const aws = fakeAws();
    const create = jest.spyOn(aws.eks, 'createFargateProfile');
    const input = profileOf({ fargate: true });

    await createFargateProfile(input, aws.deps());
    await createFargateProfile(input, aws.deps());

    expect(aws.profiles.size).toBe(1);
    expect(create.mock.calls[1]![0].clientRequestToken).toBe(create.mock.calls[0]![0].clientRequestToken);
  });

  it('throws the retryable ResourceBusyError while another profile of the cluster is still being created', async () => {
    const aws = fakeAws();
    const spec = { fargateProfiles: [{ name: 'fp-a', selectors: [{ namespace: 'a' }] }, { name: 'fp-b', selectors: [{ namespace: 'b' }] }] };
    await createFargateProfile(profileOf(spec, 0), aws.deps());

    const error = await rejectionOf(createFargateProfile(profileOf(spec, 1), aws.deps()));

    expect(error.name).toBe('ResourceBusyError');
    expect(aws.profiles.has(`${CLUSTER}/fp-b`)).toBe(false);
  });
});
