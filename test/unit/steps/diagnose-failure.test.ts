import { diagnoseFailure } from '../../../functions/steps/diagnose-failure';
import { at, failureState, fakeAws, lambdaCause, putStack, specOf, STACK } from './step-inputs';

const STACK_EVENTS = [
  { logicalResourceId: 'ControlPlane', resourceType: 'AWS::EKS::Cluster', resourceStatus: 'CREATE_FAILED', resourceStatusReason: 'Resource handler returned message: "Cannot create cluster: the KMS key is pending deletion"', timestamp: at(300) },
  { logicalResourceId: STACK, resourceType: 'AWS::CloudFormation::Stack', resourceStatus: 'ROLLBACK_IN_PROGRESS', resourceStatusReason: 'The following resource(s) failed to create: [ControlPlane].', timestamp: at(301) },
];
const NODEGROUP_FAILURE = { Error: 'NodegroupFailedError', Cause: lambdaCause('NodegroupFailedError', 'nodegroup ng-spot: CREATE_FAILED: AsgInstanceLaunchFailures: Could not launch Spot Instances') };
const TIMEOUT = { Error: 'States.Timeout', Cause: 'The task timed out' };

describe('Diagnose Failure', () => {
  it('passes our own error through as it is: name, message and the resource it leads with', async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'CREATE_COMPLETE', events: STACK_EVENTS });

    const result = await diagnoseFailure(failureState(specOf({ onFailure: 'retain' }), NODEGROUP_FAILURE), aws.deps());

    expect(result).toEqual({
      code: 'NodegroupFailedError',
      message: 'nodegroup ng-spot: CREATE_FAILED: AsgInstanceLaunchFailures: Could not launch Spot Instances',
      resource: 'nodegroup ng-spot',
      phase: 'ComputeAndAccess',
      resourcesCreated: true,
    });
    expect(aws.callLog()).not.toContain(`cloudformation:DescribeStackEvents ${STACK}`);
  });

  it("explains an error that is not ours from the stack's first failed resource", async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'ROLLBACK_COMPLETE', events: STACK_EVENTS });

    const result = await diagnoseFailure(failureState(specOf({ onFailure: 'retain' }), TIMEOUT), aws.deps());

    expect(result).toEqual({
      code: 'States.Timeout',
      message: `The task timed out — stack ${STACK}: ControlPlane (AWS::EKS::Cluster) CREATE_FAILED: Resource handler returned message: "Cannot create cluster: the KMS key is pending deletion"`,
      resource: 'ControlPlane (AWS::EKS::Cluster)',
      phase: 'Diagnose',
      resourcesCreated: true,
    });
  });

  it('keeps the raw message of an error that is not ours when no stack was created', async () => {
    const aws = fakeAws();

    const result = await diagnoseFailure(failureState(specOf(), TIMEOUT), aws.deps());

    expect(result).toEqual({ code: 'States.Timeout', message: 'The task timed out', phase: 'Diagnose', resourcesCreated: false });
    expect(aws.callLog()).toEqual([`cloudformation:DescribeStacks ${STACK}`]);
  });

  it('reports Roll Back STARTED, with the root cause, when the spec asks for rollback and the stack exists', async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'CREATE_COMPLETE' });

    const result = await diagnoseFailure(failureState(specOf({ onFailure: 'rollback' }), NODEGROUP_FAILURE), aws.deps());

    expect(aws.events).toEqual([
      expect.objectContaining({
        status: 'IN_PROGRESS',
        phase: 'Rollback',
        step: expect.objectContaining({ name: 'Roll Back', status: 'STARTED', resource: `stack ${STACK}` }),
        error: { code: 'NodegroupFailedError', message: result.message, resource: 'nodegroup ng-spot' },
      }),
    ]);
  });

  it('reports no rollback when the spec says retain', async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'CREATE_COMPLETE' });

    await diagnoseFailure(failureState(specOf({ onFailure: 'retain' }), NODEGROUP_FAILURE), aws.deps());

    expect(aws.events).toEqual([]);
  });

  it('reports no rollback when there is no stack to roll back', async () => {
    const aws = fakeAws();

    const result = await diagnoseFailure(failureState(specOf({ onFailure: 'rollback' }), { Error: 'InvalidSpecError', Cause: lambdaCause('InvalidSpecError', '/network/subnets: subnet-0bad does not exist') }), aws.deps());

    expect(result).toMatchObject({ code: 'InvalidSpecError', phase: 'Plan', resourcesCreated: false });
    expect(aws.events).toEqual([]);
  });

  it('does not count a stack another operation left under the name as ours to roll back', async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'ROLLBACK_COMPLETE', operationId: 'op-0999' });

    const result = await diagnoseFailure(failureState(specOf({ onFailure: 'rollback' }), { Error: 'StackFailedError', Cause: lambdaCause('StackFailedError', `stack ${STACK}: already exists (status ROLLBACK_COMPLETE)`) }), aws.deps());

    expect(result).toMatchObject({ code: 'StackFailedError', phase: 'ClusterStack', resource: `stack ${STACK}`, resourcesCreated: false });
    expect(aws.events).toEqual([]);
  });
});
