import { WATCH } from '../../../functions/step-support/watch';
import { checkClusterStack } from '../../../functions/steps/check-cluster-stack';
import { createClusterStack } from '../../../functions/steps/create-cluster-stack';
import { at, depsAt, fakeAws, forgetCalls, provisionState, putStack, rejectionOf, specOf, STACK, T0 } from './step-inputs';

const rollbackEvents = [
  { logicalResourceId: 'NodeInstanceRole', resourceType: 'AWS::IAM::Role', resourceStatus: 'CREATE_FAILED', resourceStatusReason: 'User: arn:aws:sts::111122223333:assumed-role/eksp-cloudformation is not authorized to perform: iam:CreateRole', timestamp: at(100) },
  { logicalResourceId: 'ControlPlane', resourceType: 'AWS::EKS::Cluster', resourceStatus: 'CREATE_FAILED', resourceStatusReason: 'Resource creation cancelled', timestamp: at(101) },
  { logicalResourceId: STACK, resourceType: 'AWS::CloudFormation::Stack', resourceStatus: 'ROLLBACK_IN_PROGRESS', resourceStatusReason: 'The following resource(s) failed to create: [NodeInstanceRole, ControlPlane].', timestamp: at(102) },
];

describe('Check Cluster Stack', () => {
  it('waits coarsely while the stack is early in its creation', async () => {
    const aws = fakeAws();
    const input = provisionState(specOf());
    await createClusterStack(input, aws.deps());

    const result = await checkClusterStack(input, aws.deps());

    // Two describes 60 s apart: 120 s in, 480 s is the earliest a cluster stack is done.
    expect(result).toMatchObject({ stackName: STACK, ready: false, waitSeconds: 360, status: 'CREATE_IN_PROGRESS', startedAt: T0.toISOString() });
  });

  it('watches the stack within its invocation near the expected finish, then hands over to the state machine Retry with StackNotReadyError', async () => {
    const aws = fakeAws({ durations: { stack: 20 } });
    const input = provisionState(specOf());
    await createClusterStack(input, aws.deps());
    const before = aws.callLog((c) => c.operation === 'DescribeStacks').length;

    const error = await rejectionOf(checkClusterStack(input, depsAt(aws, at(9 * 60))));

    expect(error.name).toBe('StackNotReadyError');
    expect(error.message).toBe(`stack ${STACK}: CREATE_IN_PROGRESS`);
    expect(aws.callLog((c) => c.operation === 'DescribeStacks').length - before).toBe(WATCH.looks);
  });

  it('returns as soon as the stack completes while it watches', async () => {
    const aws = fakeAws({ durations: { stack: 4 } });
    const input = provisionState(specOf());
    await createClusterStack(input, aws.deps());
    const before = aws.callLog((c) => c.operation === 'DescribeStacks').length;

    const state = await checkClusterStack(input, depsAt(aws, at(9 * 60)));

    expect(state.ready).toBe(true);
    expect(aws.callLog((c) => c.operation === 'DescribeStacks').length - before).toBeLessThan(WATCH.looks);
  });

  it('returns the outputs and reports the stack SUCCEEDED once it is complete', async () => {
    const aws = fakeAws({ durations: { stack: 0 } });
    const input = provisionState(specOf());
    await createClusterStack(input, aws.deps());
    forgetCalls(aws);

    const result = await checkClusterStack(input, aws.deps());

    expect(result).toMatchObject({ stackName: STACK, ready: true, waitSeconds: 0, status: 'CREATE_COMPLETE', startedAt: T0.toISOString() });
    expect(result.outputs).toMatchObject({ Endpoint: 'https://demo.gr7.us-east-1.eks.amazonaws.com', SubnetsPrivate: expect.stringContaining('subnet-') });
    expect(aws.events).toEqual([expect.objectContaining({ phase: 'ClusterStack', step: expect.objectContaining({ name: 'Create Cluster Stack', status: 'SUCCEEDED', resource: `stack ${STACK}` }) })]);
  });

  it('fails a rolling-back stack with StackFailedError carrying the first real CREATE_FAILED reason', async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'ROLLBACK_IN_PROGRESS', events: rollbackEvents });

    const error = await rejectionOf(checkClusterStack(provisionState(specOf()), aws.deps()));

    expect(error.name).toBe('StackFailedError');
    expect(error.message).toBe(
      `stack ${STACK}: ROLLBACK_IN_PROGRESS: NodeInstanceRole (AWS::IAM::Role) CREATE_FAILED: User: arn:aws:sts::111122223333:assumed-role/eksp-cloudformation is not authorized to perform: iam:CreateRole`,
    );
    expect(aws.events).toEqual([]);
  });

  it('falls back to the stack status reason when no resource event explains the failure', async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'ROLLBACK_COMPLETE', statusReason: 'The following resource(s) failed to create: [ControlPlane].' });

    const error = await rejectionOf(checkClusterStack(provisionState(specOf()), aws.deps()));

    expect(error.name).toBe('StackFailedError');
    expect(error.message).toBe(`stack ${STACK}: ROLLBACK_COMPLETE: The following resource(s) failed to create: [ControlPlane].`);
  });

  it('fails with StackFailedError when the stack was deleted while being created', async () => {
    const aws = fakeAws();

    const error = await rejectionOf(checkClusterStack(provisionState(specOf()), aws.deps()));

    expect(error.name).toBe('StackFailedError');
    expect(error.message).toBe(`stack ${STACK}: no longer exists: it was deleted while being created`);
  });
});
