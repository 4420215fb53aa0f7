import { WATCH } from '../../../functions/step-support/watch';
import type { NodegroupSpec } from '../../../functions/domain/spec';
import { checkNodegroup } from '../../../functions/steps/check-nodegroup';
import { createNodegroup } from '../../../functions/steps/create-nodegroup';
import { at, CLUSTER, depsAt, fakeAws, forgetCalls, rejectionOf, resourceItem, specOf } from './step-inputs';

function input() {
  const spec = specOf({ managedNodeGroups: [{ name: 'ng-1' }] });
  return resourceItem(spec, spec.managedNodeGroups[0] as NodegroupSpec);
}

describe('Check Nodegroup', () => {
  it('leaves all waiting to the state machine Retry, even early in the creation (Create Nodegroup already waited to the earliest finish)', async () => {
    const aws = fakeAws({ tickSeconds: 10, durations: { nodegroup: 20 } });
    await createNodegroup(input(), aws.deps());

    const error = await rejectionOf(checkNodegroup(input(), aws.deps()));

    expect(error.name).toBe('NodegroupNotReadyError');
    // Create Nodegroup read it once; the check watched within its invocation (watch.ts), a DescribeNodegroup per look.
    expect(aws.callLog((c) => c.operation === 'DescribeNodegroup')).toHaveLength(1 + WATCH.looks);
  });

  it('throws NodegroupNotReadyError for the state machine Retry near the expected finish', async () => {
    const aws = fakeAws({ durations: { nodegroup: 20 } });
    await createNodegroup(input(), aws.deps());

    const error = await rejectionOf(checkNodegroup(input(), depsAt(aws, at(150))));

    expect(error.name).toBe('NodegroupNotReadyError');
    expect(error.message).toBe('nodegroup ng-1: CREATING');
  });

  it('reports the nodegroup SUCCEEDED once ACTIVE', async () => {
    const aws = fakeAws({ durations: { nodegroup: 0 } });
    await createNodegroup(input(), aws.deps());
    forgetCalls(aws);

    const result = await checkNodegroup(input(), aws.deps());

    expect(result).toMatchObject({ ready: true, waitSeconds: 0, status: 'ACTIVE' });
    expect(aws.events).toEqual([expect.objectContaining({ step: expect.objectContaining({ name: 'Create Nodegroup', status: 'SUCCEEDED', resource: 'nodegroup ng-1' }) })]);
  });

  it("fails with NodegroupFailedError carrying EKS's health issues", async () => {
    const aws = fakeAws({ durations: { nodegroup: 0 }, faults: { nodegroupFailure: { nodegroup: 'ng-1', code: 'AsgInstanceLaunchFailures', message: 'Could not launch Spot Instances' } } });
    await createNodegroup(input(), aws.deps());

    const error = await rejectionOf(checkNodegroup(input(), aws.deps()));

    expect(error.name).toBe('NodegroupFailedError');
    expect(error.message).toBe('nodegroup ng-1: CREATE_FAILED: AsgInstanceLaunchFailures: Could not launch Spot Instances (eks-ng-asg-1)');
  });

  it('fails with NodegroupFailedError when the nodegroup disappeared', async () => {
    const aws = fakeAws();

    const error = await rejectionOf(checkNodegroup(input(), aws.deps()));

    expect(error.name).toBe('NodegroupFailedError');
    expect(error.message).toBe('nodegroup ng-1: disappeared while being created');
    expect(aws.nodegroups.has(`${CLUSTER}/ng-1`)).toBe(false);
  });
});
