import type { AddonSpec } from '../../../functions/domain/spec';
import { checkAddon } from '../../../functions/steps/check-addon';
import { createAddon } from '../../../functions/steps/create-addon';
import { CLUSTER, depsAt, fakeAws, forgetCalls, rejectionOf, resourceItem, specOf, T0 } from './step-inputs';

function input() {
  const spec = specOf({ addons: [{ name: 'coredns' }, { name: 'vpc-cni' }] });
  return resourceItem(spec, spec.addons[0] as AddonSpec);
}

async function created(options: Parameters<typeof fakeAws>[0] = {}) {
  const aws = fakeAws(options);
  aws.clusters.set(CLUSTER, { name: CLUSTER, version: '1.33', status: 'ACTIVE' });
  await createAddon(input(), aws.deps());
  forgetCalls(aws);
  return aws;
}

describe('Check Add-on', () => {
  it('reports the add-on SUCCEEDED once ACTIVE', async () => {
    const aws = await created({ durations: { addon: 0 } });

    const result = await checkAddon(input(), aws.deps());

    expect(result).toMatchObject({ ready: true, waitSeconds: 0, status: 'ACTIVE' });
    expect(aws.events).toEqual([expect.objectContaining({ step: expect.objectContaining({ name: 'Create Add-on', status: 'SUCCEEDED', resource: 'add-on coredns' }) })]);
  });

  it('keeps waiting on a DEGRADED add-on (coredns stays degraded until nodes join)', async () => {
    const aws = await created({ durations: { addon: 99 } });
    aws.addons.get(`${CLUSTER}/coredns`)!.status = 'DEGRADED';

    const error = await rejectionOf(checkAddon(input(), aws.deps()));

    expect(error.name).toBe('AddonNotReadyError');
    expect(error.message).toBe('add-on coredns: DEGRADED');
  });

  it('leaves all waiting to the state machine Retry, even checked the moment it started', async () => {
    const aws = await created({ durations: { addon: 99 } });

    const error = await rejectionOf(checkAddon(input(), depsAt(aws, T0)));

    expect(error.name).toBe('AddonNotReadyError');
  });

  it("fails with AddonFailedError carrying EKS's health issues", async () => {
    const aws = await created();
    Object.assign(aws.addons.get(`${CLUSTER}/coredns`)!, { status: 'CREATE_FAILED', health: { issues: [{ code: 'ConfigurationConflict', message: 'Conflicts found when trying to apply' }] } });

    const error = await rejectionOf(checkAddon(input(), aws.deps()));

    expect(error.name).toBe('AddonFailedError');
    expect(error.message).toBe('add-on coredns: CREATE_FAILED: ConfigurationConflict: Conflicts found when trying to apply');
  });

  it('fails with AddonFailedError when the add-on disappeared', async () => {
    const aws = fakeAws();

    const error = await rejectionOf(checkAddon(input(), aws.deps()));

    expect(error.name).toBe('AddonFailedError');
    expect(error.message).toBe('add-on coredns: disappeared while being created');
  });
});
