import type { DeleteInput } from '../../../functions/generated/types';
import { idempotencyToken } from '../../../functions/domain/naming';
import { POLL_SCHEDULES } from '../../../functions/domain/poll-schedule';
import { checkClusterStackDeletion } from '../../../functions/steps/check-cluster-stack-deletion';
import { deleteClusterStack } from '../../../functions/steps/delete-cluster-stack';
import type { FakeAws } from '../../support/fake-aws';
import { at, fakeAws, operation, putStack, rejectionOf, STACK, T0 } from './step-inputs';

const DELETE = { ...operation, id: 'op-delete', type: 'DELETE' as const };
const input = (extra: Partial<DeleteInput> = {}): DeleteInput => ({ operation: DELETE, ...extra });
const TOKEN = idempotencyToken(DELETE.id, 'delete-cluster-stack');
const ROLE = 'arn:aws:iam::111122223333:role/eksp-cloudformation';

function aws(): FakeAws {
  const fake = fakeAws();
  fake.seedOperation(DELETE);
  return fake;
}

const stepEvents = (fake: FakeAws) => fake.events.map((e) => `${e.phase} ${e.step?.name} ${e.step?.resource} ${e.step?.status}`);

describe('Delete Cluster Stack', () => {
  it('turns termination protection off, deletes the stack with a token from the operation id and the CloudFormation role, and reports the start', async () => {
    const fake = aws();
    await putStack(fake, { status: 'CREATE_COMPLETE' });
    const deleteStack = jest.spyOn(fake.cloudFormation, 'deleteStack');

    const state = await deleteClusterStack(input(), fake.deps());

    expect(state).toMatchObject({ stackName: STACK, ready: false, waitSeconds: POLL_SCHEDULES.stackDelete.firstCheckSeconds, status: 'DELETE_IN_PROGRESS' });
    expect(fake.callLog((c) => c.service !== 'dynamodb' && c.operation !== 'DescribeStacks')).toEqual([`cloudformation:UpdateTerminationProtection ${STACK}`, `cloudformation:DeleteStack ${STACK}`, 'events:PutEvents IN_PROGRESS Teardown Delete Cluster Stack STARTED']);
    expect(deleteStack).toHaveBeenCalledWith(STACK, TOKEN, ROLE);
    expect(stepEvents(fake)).toEqual([`Teardown Delete Cluster Stack stack ${STACK} STARTED`]);
  });

  it('waits only seconds for a stack CloudFormation already rolled back, which holds nothing', async () => {
    const fake = aws();
    await putStack(fake, { status: 'ROLLBACK_COMPLETE', terminationProtection: false });

    const state = await deleteClusterStack(input(), fake.deps());

    expect(state.waitSeconds).toBe(POLL_SCHEDULES.emptyStackDelete.firstCheckSeconds);
    expect(fake.callLog((c) => c.service === 'cloudformation')).toEqual([`cloudformation:DescribeStacks ${STACK}`, `cloudformation:DeleteStack ${STACK}`]);
  });

  it('deletes a stack a failed create kept (CREATE_FAILED)', async () => {
    const fake = aws();
    await putStack(fake, { status: 'CREATE_FAILED' });

    const state = await deleteClusterStack(input(), fake.deps());

    expect(state).toMatchObject({ ready: false, waitSeconds: POLL_SCHEDULES.stackDelete.firstCheckSeconds });
    expect(fake.callLog((c) => c.operation === 'DeleteStack')).toEqual([`cloudformation:DeleteStack ${STACK}`]);
  });

  it('deletes again a stack an earlier DELETE left DELETE_FAILED', async () => {
    const fake = aws();
    await putStack(fake, { status: 'DELETE_FAILED', terminationProtection: false });

    await deleteClusterStack(input(), fake.deps());

    expect(fake.calls.filter((c) => c.operation === 'DeleteStack')).toEqual([{ service: 'cloudformation', operation: 'DeleteStack', target: STACK, token: TOKEN }]);
  });

  it('is done at once when the stack is already gone', async () => {
    const fake = aws();

    const state = await deleteClusterStack(input(), fake.deps());

    expect(state).toEqual({ stackName: STACK, ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE' });
    expect(fake.callLog()).toEqual([`cloudformation:DescribeStacks ${STACK}`]);
  });

  it('does not ask twice when run again while the delete is under way', async () => {
    const fake = aws();
    await putStack(fake, { status: 'CREATE_COMPLETE' });

    await deleteClusterStack(input(), fake.deps());
    const again = await deleteClusterStack(input(), fake.deps());

    expect(again).toMatchObject({ ready: false, status: 'DELETE_IN_PROGRESS' });
    expect(fake.callLog((c) => c.operation === 'DeleteStack')).toHaveLength(1);
  });

  it('waits (StackDeleteNotDoneError), without a DeleteStack, while CloudFormation is still rolling the stack back', async () => {
    const fake = aws();
    await putStack(fake, { status: 'ROLLBACK_IN_PROGRESS' });

    const error = await rejectionOf(deleteClusterStack(input(), fake.deps()));

    expect(error.name).toBe('StackDeleteNotDoneError');
    expect(error.message).toBe(`stack ${STACK}: ROLLBACK_IN_PROGRESS: waiting for it to settle before deleting`);
    expect(fake.callLog((c) => c.operation === 'DeleteStack' || c.operation === 'UpdateTerminationProtection')).toEqual([]);
  });

  it('never deletes a stack of the cluster’s name that the service did not make', async () => {
    const fake = aws();
    fake.seedStack(STACK, 'CREATE_COMPLETE', { team: 'someone-else' });

    const error = await rejectionOf(deleteClusterStack(input(), fake.deps()));

    expect(error.name).toBe('DeleteFailedError');
    expect(error.message).toMatch(new RegExp(`^stack ${STACK}: was not created by eks-provisioner for cluster demo`));
    expect(fake.callLog((c) => c.operation === 'DeleteStack' || c.operation === 'UpdateTerminationProtection')).toEqual([]);
  });
});

describe('Check Cluster Stack Deletion', () => {
  const deleting = { stackName: STACK, ready: false, waitSeconds: 180, status: 'DELETE_IN_PROGRESS', startedAt: T0.toISOString() };

  it('is done, reporting the stack deleted, when CloudFormation no longer knows the stack', async () => {
    const fake = aws();

    const state = await checkClusterStackDeletion(input({ stack: deleting }), fake.deps());

    expect(state).toMatchObject({ stackName: STACK, ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE', startedAt: T0.toISOString() });
    expect(stepEvents(fake)).toEqual([`Teardown Delete Cluster Stack stack ${STACK} SUCCEEDED`]);
  });

  it('throws StackDeleteNotDoneError for the ASL to poll while the delete runs', async () => {
    const fake = aws();
    await putStack(fake, { status: 'DELETE_IN_PROGRESS' });

    const error = await rejectionOf(checkClusterStackDeletion(input({ stack: deleting }), fake.deps()));

    expect(error.name).toBe('StackDeleteNotDoneError');
    expect(error.message).toBe(`stack ${STACK}: DELETE_IN_PROGRESS`);
    expect(fake.events).toEqual([]);
  });

  it('fails with DeleteFailedError naming the resource CloudFormation could not delete, ignoring the failed create’s events', async () => {
    const fake = aws();
    await putStack(fake, {
      status: 'DELETE_FAILED',
      events: [
        { logicalResourceId: 'NATGateway', resourceType: 'AWS::EC2::NatGateway', resourceStatus: 'CREATE_FAILED', resourceStatusReason: 'The maximum number of addresses has been reached', timestamp: at(-7200) },
        { logicalResourceId: 'VPC', resourceType: 'AWS::EC2::VPC', resourceStatus: 'DELETE_FAILED', resourceStatusReason: 'an earlier DELETE’s reason', timestamp: at(-3600) },
        { logicalResourceId: 'ControlPlaneSecurityGroup', resourceType: 'AWS::EC2::SecurityGroup', resourceStatus: 'DELETE_FAILED', resourceStatusReason: 'resource sg-0abc has a dependent object', timestamp: at(300) },
        { logicalResourceId: STACK, resourceType: 'AWS::CloudFormation::Stack', resourceStatus: 'DELETE_FAILED', resourceStatusReason: 'The following resource(s) failed to delete: [ControlPlaneSecurityGroup].', timestamp: at(301) },
      ],
    });

    const error = await rejectionOf(checkClusterStackDeletion(input({ stack: deleting }), fake.deps()));

    expect(error.name).toBe('DeleteFailedError');
    expect(error.message).toBe(`stack ${STACK}: DELETE_FAILED: ControlPlaneSecurityGroup (AWS::EC2::SecurityGroup) DELETE_FAILED: resource sg-0abc has a dependent object`);
  });
});
