import type { FargateProfileSpec } from '../../../functions/domain/spec';
import { checkFargateProfile } from '../../../functions/steps/check-fargate-profile';
import { createFargateProfile } from '../../../functions/steps/create-fargate-profile';
import { CLUSTER, depsAt, fakeAws, forgetCalls, rejectionOf, resourceItem, specOf, T0 } from './step-inputs';

function input() {
  const spec = specOf({ fargate: true });
  return resourceItem(spec, spec.fargateProfiles[0] as FargateProfileSpec);
}

describe('Check Fargate Profile', () => {
  it('leaves all waiting to the state machine Retry, even checked the moment the profile started', async () => {
    const aws = fakeAws({ durations: { fargateProfile: 20 } });
    await createFargateProfile(input(), aws.deps());

    const error = await rejectionOf(checkFargateProfile(input(), depsAt(aws, T0)));

    expect(error.name).toBe('FargateProfileNotReadyError');
  });

  it('throws FargateProfileNotReadyError for the state machine Retry once it could be ready', async () => {
    const aws = fakeAws({ durations: { fargateProfile: 20 } });
    await createFargateProfile(input(), aws.deps());

    const error = await rejectionOf(checkFargateProfile(input(), aws.deps()));

    expect(error.name).toBe('FargateProfileNotReadyError');
    expect(error.message).toBe('Fargate profile fp-default: CREATING');
  });

  it('reports the profile SUCCEEDED once ACTIVE', async () => {
    const aws = fakeAws({ durations: { fargateProfile: 0 } });
    await createFargateProfile(input(), aws.deps());
    forgetCalls(aws);

    const result = await checkFargateProfile(input(), aws.deps());

    expect(result).toMatchObject({ ready: true, waitSeconds: 0, status: 'ACTIVE' });
    expect(aws.events).toEqual([expect.objectContaining({ step: expect.objectContaining({ name: 'Create Fargate Profile', status: 'SUCCEEDED', resource: 'Fargate profile fp-default' }) })]);
  });

  it("fails with FargateProfileFailedError carrying EKS's health issues", async () => {
    const aws = fakeAws();
    await createFargateProfile(input(), aws.deps());
    Object.assign(aws.profiles.get(`${CLUSTER}/fp-default`)!, { status: 'CREATE_FAILED', health: { issues: [{ code: 'PodExecutionRoleAlreadyInUse', message: 'role is used by another cluster' }] } });

    const error = await rejectionOf(checkFargateProfile(input(), aws.deps()));

    expect(error.name).toBe('FargateProfileFailedError');
    expect(error.message).toBe('Fargate profile fp-default: CREATE_FAILED: PodExecutionRoleAlreadyInUse: role is used by another cluster');
  });

  it('fails with FargateProfileFailedError when the profile disappeared', async () => {
    const aws = fakeAws();

    const error = await rejectionOf(checkFargateProfile(input(), aws.deps()));

    expect(error.name).toBe('FargateProfileFailedError');
    expect(error.message).toBe('Fargate profile fp-default: disappeared while being created');
  });
});
