import type { DeleteInput } from '../../../functions/generated/types';
import { autoModeStackName, idempotencyToken, oidcStackName, ownershipTags } from '../../../functions/domain/naming';
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

const AUTO_MODE_STACK = autoModeStackName('demo');
const AUTO_MODE_TOKEN = idempotencyToken(DELETE.id, 'delete-automode-stack');
/** The Auto Mode stack a PATCH made (the node role of a cluster switched on after it was made). */
const seedAutoModeStack = (fake: FakeAws, status: string, clusterName = 'demo') =>
  fake.seedStack(AUTO_MODE_STACK, status, ownershipTags(undefined, { clusterName, owner: operation.requestedBy, operationId: 'op-patch' }));

const OIDC_STACK = oidcStackName('demo');
const OIDC_TOKEN = idempotencyToken(DELETE.id, 'delete-oidc-stack');
/** The OIDC stack a PATCH made (the IAM OIDC provider of a cluster switched to withOIDC after it was made). */
const seedOidcStack = (fake: FakeAws, status: string) => fake.seedStack(OIDC_STACK, status, ownershipTags(undefined, { clusterName: 'demo', owner: operation.requestedBy, operationId: 'op-patch-oidc' }));

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
    expect(fake.callLog()).toEqual([`cloudformation:DescribeStacks ${STACK}`, `cloudformation:DescribeStacks ${AUTO_MODE_STACK}`, `cloudformation:DescribeStacks ${OIDC_STACK}`]);
  });

  it('with the cluster stack already gone, deletes the Auto Mode stack an earlier DELETE left, for Check Cluster Stack Deletion to follow', async () => {
    const fake = aws();
    seedAutoModeStack(fake, 'DELETE_FAILED');

    const state = await deleteClusterStack(input(), fake.deps());

    expect(state).toMatchObject({ stackName: AUTO_MODE_STACK, ready: false, status: 'DELETE_IN_PROGRESS' });
    expect(fake.calls.filter((c) => c.operation === 'DeleteStack')).toEqual([{ service: 'cloudformation', operation: 'DeleteStack', target: AUTO_MODE_STACK, token: AUTO_MODE_TOKEN }]);
    expect(stepEvents(fake)).toEqual([`Teardown Delete Cluster Stack stack ${AUTO_MODE_STACK} STARTED`]);
  });

  it('leaves the Auto Mode stack while the cluster stack is there', async () => {
    const fake = aws();
    await putStack(fake, { status: 'CREATE_COMPLETE' });
    seedAutoModeStack(fake, 'CREATE_COMPLETE');

    await deleteClusterStack(input(), fake.deps());

    expect(fake.callLog((c) => c.target === AUTO_MODE_STACK)).toEqual([]);
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

  it('once the cluster stack is gone, deletes the Auto Mode stack and polls it; done, with one SUCCEEDED, when it is gone', async () => {
    const fake = aws();
    seedAutoModeStack(fake, 'CREATE_COMPLETE');
    const deleteStack = jest.spyOn(fake.cloudFormation, 'deleteStack');

    const first = await rejectionOf(checkClusterStackDeletion(input({ stack: deleting }), fake.deps()));
    fake.stacks.get(AUTO_MODE_STACK)!.status = 'DELETE_IN_PROGRESS';
    const second = await rejectionOf(checkClusterStackDeletion(input({ stack: deleting }), fake.deps()));
    fake.stacks.delete(AUTO_MODE_STACK);
    const state = await checkClusterStackDeletion(input({ stack: deleting }), fake.deps());

    expect([first, second].map((e) => `${e.name} ${e.message}`)).toEqual([`StackDeleteNotDoneError stack ${AUTO_MODE_STACK}: DELETE_IN_PROGRESS`, `StackDeleteNotDoneError stack ${AUTO_MODE_STACK}: DELETE_IN_PROGRESS`]);
    expect(deleteStack.mock.calls).toEqual([[AUTO_MODE_STACK, AUTO_MODE_TOKEN, ROLE]]);
    expect(state).toMatchObject({ stackName: STACK, ready: true, status: 'DELETE_COMPLETE' });
    expect(stepEvents(fake)).toEqual([`Teardown Delete Cluster Stack stack ${STACK} SUCCEEDED`]);
  });

  it('once the cluster stack is gone, deletes the Auto Mode and OIDC stacks together and polls them until both are gone', async () => {
    const fake = aws();
    seedAutoModeStack(fake, 'CREATE_COMPLETE');
    seedOidcStack(fake, 'CREATE_COMPLETE');
    const deleteStack = jest.spyOn(fake.cloudFormation, 'deleteStack');

    const first = await rejectionOf(checkClusterStackDeletion(input({ stack: deleting }), fake.deps()));
    fake.stacks.delete(AUTO_MODE_STACK);
    fake.stacks.get(OIDC_STACK)!.status = 'DELETE_IN_PROGRESS';
    const second = await rejectionOf(checkClusterStackDeletion(input({ stack: deleting }), fake.deps()));
    fake.stacks.delete(OIDC_STACK);
    const state = await checkClusterStackDeletion(input({ stack: deleting }), fake.deps());

    expect(deleteStack.mock.calls).toEqual([
      [AUTO_MODE_STACK, AUTO_MODE_TOKEN, ROLE],
      [OIDC_STACK, OIDC_TOKEN, ROLE],
    ]);
    expect([first, second].map((e) => e.message)).toEqual([`stack ${AUTO_MODE_STACK}: DELETE_IN_PROGRESS`, `stack ${OIDC_STACK}: DELETE_IN_PROGRESS`]);
    expect(state).toMatchObject({ ready: true, status: 'DELETE_COMPLETE' });
  });

  it('fails naming the Auto Mode stack when its delete fails in this attempt; never deletes one another cluster owns', async () => {
    const fake = aws();
    seedAutoModeStack(fake, 'DELETE_FAILED');
    fake.stacks.get(AUTO_MODE_STACK)!.events.push({ logicalResourceId: 'AutoModeNodeRole', resourceType: 'AWS::IAM::Role', resourceStatus: 'DELETE_FAILED', resourceStatusReason: 'Cannot delete entity', timestamp: at(60) });
    const other = aws();
    seedAutoModeStack(other, 'CREATE_COMPLETE', 'another-cluster');

    const error = await rejectionOf(checkClusterStackDeletion(input({ stack: deleting }), fake.deps()));
    const state = await checkClusterStackDeletion(input({ stack: deleting }), other.deps());

    expect(error.name).toBe('DeleteFailedError');
    expect(error.message).toBe(`stack ${AUTO_MODE_STACK}: DELETE_FAILED: AutoModeNodeRole (AWS::IAM::Role) DELETE_FAILED: Cannot delete entity`);
    expect(state.ready).toBe(true);
    expect(other.callLog((c) => c.operation === 'DeleteStack')).toEqual([]);
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
