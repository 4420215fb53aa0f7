import { fargateStackName, idempotencyToken } from '../../../functions/domain/naming';
import type { ClusterChange } from '../../../functions/generated/types';
import { changeFargateProfile } from '../../../functions/steps/change-fargate-profile';
import type { FakeAws } from '../../support/fake-aws';
import { CLUSTER, forgetCalls, rejectionOf, specOf } from './step-inputs';
import { provisionedAws, requestedUpdate, stepEvents, UPDATE_OPERATION, updateInput } from './update-inputs';

const FARGATE_STACK = fargateStackName(CLUSTER);
const ADD = { action: 'ADD_FARGATE_PROFILE', body: { name: 'fp-batch', selectors: [{ namespace: 'batch', labels: { tier: 'jobs' } }] } } as const;
const withoutFargate = specOf();
const withDefaultProfile = specOf({ fargate: true });

function profile(aws: FakeAws, name: string, status: 'ACTIVE' | 'DELETING'): void {
  aws.profiles.set(`${CLUSTER}/${name}`, { fargateProfileName: name, clusterName: CLUSTER, status, createdAt: aws.clock(), describesLeft: 99 });
}

describe('Change Fargate Profile: ADD_FARGATE_PROFILE', () => {
  it('uses the cluster stack’s pod execution role, the private subnets and a token from the operation', async () => {
    const aws = provisionedAws(withDefaultProfile);
    const create = jest.spyOn(aws.eks, 'createFargateProfile');

    const poll = await changeFargateProfile(requestedUpdate(withDefaultProfile, ADD), aws.deps());

    expect(create).toHaveBeenCalledWith(
      expect.objectContaining({
        fargateProfileName: 'fp-batch',
        podExecutionRoleArn: aws.stacks.get(`eksp-${CLUSTER}-cluster`)!.outputs.FargatePodExecutionRoleArn,
        subnets: ['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002'],
        selectors: [{ namespace: 'batch', labels: { tier: 'jobs' } }],
        clientRequestToken: idempotencyToken(UPDATE_OPERATION.id, 'create-fargate-profile', 'fp-batch'),
      }),
    );
    expect(poll).toMatchObject({ ready: false, stage: 'fargateProfile', waitSeconds: 30 });
    expect(aws.callLog((c) => c.operation === 'CreateStack')).toEqual([]);
  });

  it('makes the cluster’s Fargate stack first when the cluster stack has no pod execution role, then uses its role', async () => {
    const aws = provisionedAws(withoutFargate);

    const first = await changeFargateProfile(requestedUpdate(withoutFargate, ADD), aws.deps());
    aws.stacks.get(FARGATE_STACK)!.describesLeft = 0;
    forgetCalls(aws);
    const second = await changeFargateProfile(requestedUpdate(withoutFargate, ADD, first), aws.deps());

    expect(first).toMatchObject({ stage: 'fargateStack', waitSeconds: 30 });
    expect(Object.keys(aws.stacks.get(FARGATE_STACK)!.template.Resources)).toEqual(['FargatePodExecutionRole']);
    expect(second).toMatchObject({ stage: 'fargateProfile' });
    expect(aws.profiles.get(`${CLUSTER}/fp-batch`)!.podExecutionRoleArn).toBe(aws.stacks.get(FARGATE_STACK)!.outputs.FargatePodExecutionRoleArn);
    expect(stepEvents(aws)).toEqual([`Create Fargate Stack stack ${FARGATE_STACK} SUCCEEDED`, 'Create Fargate Profile Fargate profile fp-batch STARTED']);
  });

  it('lets ResourceBusyError through while another profile is being created or deleted', async () => {
    const aws = provisionedAws(withDefaultProfile);
    profile(aws, 'fp-default', 'DELETING');

    const error = await rejectionOf(changeFargateProfile(requestedUpdate(withDefaultProfile, ADD), aws.deps()));

    expect(error.name).toBe('ResourceBusyError');
    expect(aws.events).toEqual([]);
  });

  it('skips a profile that is already ACTIVE', async () => {
    const aws = provisionedAws(withDefaultProfile);
    profile(aws, 'fp-batch', 'ACTIVE');

    const poll = await changeFargateProfile(requestedUpdate(withDefaultProfile, ADD), aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0, stage: 'unchanged' });
    expect(aws.callLog((c) => c.operation.startsWith('Create'))).toEqual([]);
  });
});

describe('Change Fargate Profile: REMOVE_FARGATE_PROFILE', () => {
  const REMOVE: ClusterChange = { action: 'REMOVE_FARGATE_PROFILE', target: 'fp-default' };

  it('deletes the profile and waits until it is gone, leaving the pod execution role for other profiles', async () => {
    const aws = provisionedAws(withDefaultProfile);
    profile(aws, 'fp-default', 'ACTIVE');

    const first = await changeFargateProfile(updateInput(REMOVE, withoutFargate), aws.deps());
    aws.profiles.delete(`${CLUSTER}/fp-default`);
    const done = await changeFargateProfile(updateInput(REMOVE, withoutFargate, first), aws.deps());

    expect(first).toMatchObject({ stage: 'fargateProfileDelete', waitSeconds: 60 });
    expect(done).toEqual({ ready: true, waitSeconds: 0, stage: 'applied' });
    expect(aws.callLog((c) => c.operation.startsWith('Delete'))).toEqual(['eks:DeleteFargateProfile fp-default']);
    expect(stepEvents(aws)).toEqual([
      'Change Fargate Profile Fargate profile fp-default STARTED',
      'Delete Fargate Profile Fargate profile fp-default STARTED',
      'Delete Fargate Profile Fargate profile fp-default SUCCEEDED',
      'Change Fargate Profile Fargate profile fp-default SUCCEEDED',
    ]);
  });

  it('skips a profile that is not there', async () => {
    const aws = provisionedAws(withoutFargate);

    expect(await changeFargateProfile(updateInput(REMOVE, withoutFargate), aws.deps())).toMatchObject({ ready: true, stage: 'unchanged' });
    expect(aws.callLog((c) => c.operation.startsWith('Delete'))).toEqual([]);
  });
});
