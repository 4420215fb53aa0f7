import { podIdentityStackPrefix } from '../../../functions/domain/pod-identity';
import type { DeleteInput, Poll } from '../../../functions/generated/types';
import { clusterStackName, idempotencyToken, fargateStackName, nodegroupStackName, nodegroupStackPrefix, ownershipTags } from '../../../functions/domain/naming';
import { POLL_SCHEDULES } from '../../../functions/domain/poll-schedule';
import type { FargateProfile, Nodegroup } from '../../../functions/ports/eks';
import { checkComputeDeletion } from '../../../functions/steps/check-compute-deletion';
import { deleteCompute } from '../../../functions/steps/delete-compute';
import type { FakeAws } from '../../support/fake-aws';
import { at, CLUSTER, fakeAws, operation, rejectionOf, specOf, T0 } from './step-inputs';

const DELETE = { ...operation, id: 'op-delete', type: 'DELETE' as const };
const ADDED_STACK = nodegroupStackName(CLUSTER, 'ng-added');

function addNodegroup(aws: FakeAws, name: string, status: NonNullable<Nodegroup['status']> = 'ACTIVE'): void {
  aws.nodegroups.set(`${CLUSTER}/${name}`, { nodegroupName: name, clusterName: CLUSTER, status, createdAt: T0, describesLeft: 0 });
}
function addProfile(aws: FakeAws, name: string, status: NonNullable<FargateProfile['status']> = 'ACTIVE'): void {
  aws.profiles.set(`${CLUSTER}/${name}`, { fargateProfileName: name, clusterName: CLUSTER, status, createdAt: T0, describesLeft: 0 });
}
function addNodegroupStack(aws: FakeAws, nodegroup: string, status = 'CREATE_COMPLETE', tags = ownershipTags(undefined, { clusterName: CLUSTER, owner: operation.requestedBy, operationId: 'op-add' })): void {
  aws.seedStack(nodegroupStackName(CLUSTER, nodegroup), status, tags);
}

function aws(): FakeAws {
  const fake = fakeAws();
  fake.seedOperation(DELETE);
  return fake;
}

/** The spec the registry holds: two nodegroups made at provisioning, one added later. */
const spec = specOf({ managedNodeGroups: [{ name: 'ng-a' }, { name: 'ng-b' }, { name: 'ng-added' }] });
const input = (extra: Partial<DeleteInput> = {}): DeleteInput => ({ operation: DELETE, spec: spec as unknown as DeleteInput['spec'], ...extra });

/** "Delete Compute", then "Check Compute Deletion" as the state machine's Retry runs it, until it returns or fails terminally. */
async function untilDeleted(fake: FakeAws, extra: Partial<DeleteInput> = {}): Promise<Poll> {
  const first = await deleteCompute(input(extra), fake.deps());
  return first.ready ? first : untilChecked(fake, first, extra);
}

/** "Check Compute Deletion" after `first`, as the Retry runs it. */
async function untilChecked(fake: FakeAws, first: Poll, extra: Partial<DeleteInput> = {}, attempts = 30): Promise<Poll> {
  for (let i = 0; i < attempts; i++) {
    try {
      return await checkComputeDeletion(input({ ...extra, teardown: first }), fake.deps());
    } catch (error) {
      if ((error as Error).name !== 'TeardownNotDoneError') throw error;
    }
  }
  throw new Error(`not deleted after ${attempts} attempts`);
}

describe('Delete Compute', () => {
  it('starts the Teardown phase, deletes every nodegroup and the first Fargate profile, and waits as long as a nodegroup delete takes', async () => {
    const fake = aws();
    addNodegroup(fake, 'ng-a');
    addNodegroup(fake, 'ng-b');
    addProfile(fake, 'fp-a');
    addProfile(fake, 'fp-b');

    const poll = await deleteCompute(input(), fake.deps());

    expect(poll).toEqual({ ready: false, waitSeconds: POLL_SCHEDULES.nodegroupDelete.firstCheckSeconds, startedAt: T0.toISOString() });
    expect(fake.callLog((c) => c.operation.startsWith('Delete'))).toEqual(['eks:DeleteNodegroup ng-a', 'eks:DeleteNodegroup ng-b', 'eks:DeleteFargateProfile fp-a']);
    expect(fake.events).toEqual([expect.objectContaining({ status: 'IN_PROGRESS', phase: 'Teardown', operation: 'DELETE' })]);
  });

  it('waits less when only Fargate profiles are left', async () => {
    const fake = aws();
    addProfile(fake, 'fp-a');

    const poll = await deleteCompute(input(), fake.deps());

    expect(poll).toMatchObject({ ready: false, waitSeconds: POLL_SCHEDULES.fargateProfileDelete.firstCheckSeconds });
  });

  it('is ready at once when the cluster has no compute (or no longer exists)', async () => {
    const fake = aws();

    const poll = await deleteCompute(input(), fake.deps());

    expect(poll).toMatchObject({ ready: true, waitSeconds: 0 });
    expect(fake.callLog((c) => c.service === 'cloudformation')).toEqual([`cloudformation:ListStacks ${nodegroupStackPrefix(CLUSTER)}`, `cloudformation:ListStacks ${podIdentityStackPrefix(CLUSTER)}`, `cloudformation:DescribeStacks ${fargateStackName(CLUSTER)}`]);
  });

  it('leaves a live nodegroup’s own stack alone until the nodegroup is gone', async () => {
    const fake = aws();
    addNodegroup(fake, 'ng-a');
    addNodegroup(fake, 'ng-added');
    addNodegroupStack(fake, 'ng-added');

    const poll = await deleteCompute(input(), fake.deps());

    expect(poll.ready).toBe(false);
    expect(fake.callLog((c) => c.target === ADDED_STACK)).toEqual([]);
  });

  it('also deletes the stack of a nodegroup the spec does not name, once the nodegroup is gone', async () => {
    const fake = aws();
    addNodegroup(fake, 'ng-unlisted');
    addNodegroupStack(fake, 'ng-unlisted');

    const result = await untilDeleted(fake, { spec: undefined });

    expect(result.ready).toBe(true);
    expect(fake.callLog((c) => c.operation === 'DeleteStack')).toEqual([`cloudformation:DeleteStack ${nodegroupStackName(CLUSTER, 'ng-unlisted')}`]);
    expect(fake.stacks.size).toBe(0);
  });

  it('deletes a nodegroup stack a failed ADD_NODEGROUP left behind (no nodegroup, in no spec), and is not done until it is gone', async () => {
    const fake = aws();
    addNodegroupStack(fake, 'ng_refused');
    const orphan = nodegroupStackName(CLUSTER, 'ng_refused');

    const first = await deleteCompute(input(), fake.deps());
    const notDone = await rejectionOf(checkComputeDeletion(input({ teardown: first }), fake.deps()));
    const done = await untilChecked(fake, first);

    expect(first.ready).toBe(false);
    expect(notDone.message).toBe(`cluster ${CLUSTER}: waiting for stack ${orphan} to be deleted`);
    expect(done.ready).toBe(true);
    expect(fake.callLog((c) => c.target === orphan && c.operation !== 'DescribeStacks')).toEqual([`cloudformation:UpdateTerminationProtection ${orphan}`, `cloudformation:DeleteStack ${orphan}`]);
    expect(fake.stacks.has(orphan)).toBe(false);
  });

  it('leaves alone another cluster’s stack that only shares the name prefix, without failing', async () => {
    const fake = aws();
    const otherCluster = `${CLUSTER}-nodegroup-x`;
    const foreign = clusterStackName(otherCluster);
    expect(foreign.startsWith(nodegroupStackPrefix(CLUSTER))).toBe(true);
    fake.seedStack(foreign, 'CREATE_COMPLETE', ownershipTags(undefined, { clusterName: otherCluster, owner: operation.requestedBy, operationId: 'op-other' }));

    const poll = await deleteCompute(input(), fake.deps());

    expect(poll).toMatchObject({ ready: true });
    expect(fake.callLog((c) => c.target === foreign)).toEqual([`cloudformation:DescribeStacks ${foreign}`]);
    expect(fake.stacks.get(foreign)).toMatchObject({ status: 'CREATE_COMPLETE', terminationProtection: true });
  });

  it('deletes at once the stack of a nodegroup that is already gone, protection off first, with a token from the operation id', async () => {
    const fake = aws();
    addNodegroupStack(fake, 'ng-added');
    const deleteStack = jest.spyOn(fake.cloudFormation, 'deleteStack');

    const poll = await deleteCompute(input(), fake.deps());

    expect(poll).toMatchObject({ ready: false });
    expect(fake.callLog((c) => c.target === ADDED_STACK && c.operation !== 'DescribeStacks')).toEqual([`cloudformation:UpdateTerminationProtection ${ADDED_STACK}`, `cloudformation:DeleteStack ${ADDED_STACK}`]);
    expect(deleteStack).toHaveBeenCalledWith(ADDED_STACK, idempotencyToken(DELETE.id, 'delete-compute', ADDED_STACK), 'arn:aws:iam::111122223333:role/eksp-cloudformation');
  });

  it('refuses to delete a nodegroup-named stack without the service’s ownership tags', async () => {
    const fake = aws();
    addNodegroupStack(fake, 'ng-added', 'CREATE_COMPLETE', { team: 'someone-else' });

    const error = await rejectionOf(deleteCompute(input(), fake.deps()));

    expect(error.name).toBe('DeleteFailedError');
    expect(error.message).toMatch(new RegExp(`^stack ${ADDED_STACK}: was not created by eks-provisioner for cluster ${CLUSTER}`));
    expect(fake.callLog((c) => c.operation === 'DeleteStack')).toEqual([]);
  });

  it('deletes again what an earlier DELETE left DELETE_FAILED: a nodegroup, a Fargate profile, a nodegroup stack', async () => {
    const fake = aws();
    addNodegroup(fake, 'ng-a', 'DELETE_FAILED');
    addProfile(fake, 'fp-a', 'DELETE_FAILED');
    addNodegroupStack(fake, 'ng-added', 'DELETE_FAILED');

    const poll = await deleteCompute(input(), fake.deps());

    expect(poll.ready).toBe(false);
    expect(fake.callLog((c) => c.operation.startsWith('Delete'))).toEqual(['eks:DeleteNodegroup ng-a', 'eks:DeleteFargateProfile fp-a', `cloudformation:DeleteStack ${ADDED_STACK}`]);
  });
});

describe('Check Compute Deletion', () => {
  it('deletes one Fargate profile at a time and a nodegroup’s stack only once the nodegroup is gone, then is done', async () => {
    const fake = aws();
    addNodegroup(fake, 'ng-a');
    addNodegroup(fake, 'ng-added');
    addNodegroupStack(fake, 'ng-added');
    addProfile(fake, 'fp-a');
    addProfile(fake, 'fp-b');
    const deletingAtEachProfileDelete: string[][] = [];
    const deleteProfile = fake.eks.deleteFargateProfile;
    fake.eks.deleteFargateProfile = async (cluster, name) => {
      deletingAtEachProfileDelete.push([...fake.profiles.values()].filter((p) => p.status === 'DELETING').map((p) => p.fargateProfileName!));
      return deleteProfile(cluster, name);
    };
    const nodegroupLeftAtStackDelete: boolean[] = [];
    const deleteStack = fake.cloudFormation.deleteStack;
    fake.cloudFormation.deleteStack = async (name, token, role) => {
      nodegroupLeftAtStackDelete.push(fake.nodegroups.has(`${CLUSTER}/ng-added`));
      return deleteStack(name, token, role);
    };

    const result = await untilDeleted(fake);

    expect(result).toMatchObject({ ready: true, waitSeconds: 0 });
    expect(deletingAtEachProfileDelete).toEqual([[], []]);
    expect(nodegroupLeftAtStackDelete).toEqual([false]);
    expect({ nodegroups: fake.nodegroups.size, profiles: fake.profiles.size, stacks: fake.stacks.size }).toEqual({ nodegroups: 0, profiles: 0, stacks: 0 });
  });

  it('says what it is still waiting for', async () => {
    const fake = aws();
    addNodegroup(fake, 'ng-a', 'DELETING');
    fake.nodegroups.get(`${CLUSTER}/ng-a`)!.describesLeft = 99;
    addNodegroupStack(fake, 'ng-added', 'DELETE_IN_PROGRESS');
    fake.stacks.get(ADDED_STACK)!.describesLeft = 99;

    const error = await rejectionOf(checkComputeDeletion(input({ teardown: { ready: false, waitSeconds: 180, stage: 'ng-added' } }), fake.deps()));

    expect(error.name).toBe('TeardownNotDoneError');
    expect(error.message).toBe(`cluster ${CLUSTER}: waiting for nodegroup ng-a, stack ${ADDED_STACK} to be deleted`);
    expect(fake.callLog((c) => c.operation.startsWith('Delete'))).toEqual([]);
  });

  it('looks only at the stacks that exist, not at every nodegroup the spec names', async () => {
    const fake = aws();
    addNodegroupStack(fake, 'ng-added', 'DELETE_IN_PROGRESS');
    fake.stacks.get(ADDED_STACK)!.describesLeft = 99;

    await rejectionOf(checkComputeDeletion(input({ teardown: { ready: false, waitSeconds: 180 } }), fake.deps()));

    expect(fake.callLog((c) => c.service === 'cloudformation')).toEqual([`cloudformation:ListStacks ${nodegroupStackPrefix(CLUSTER)}`, `cloudformation:ListStacks ${podIdentityStackPrefix(CLUSTER)}`, `cloudformation:DescribeStacks ${ADDED_STACK}`, `cloudformation:DescribeStacks ${fargateStackName(CLUSTER)}`]);
  });

  it('fails with DeleteFailedError naming a nodegroup EKS could not delete, with its health issue', async () => {
    const fake = aws();
    addNodegroup(fake, 'ng-a', 'DELETE_FAILED');
    fake.nodegroups.get(`${CLUSTER}/ng-a`)!.health = { issues: [{ code: 'Ec2SecurityGroupDeletionFailure', message: 'DependencyViolation' }] };

    const error = await rejectionOf(checkComputeDeletion(input({ teardown: { ready: false, waitSeconds: 180 } }), fake.deps()));

    expect(error.name).toBe('DeleteFailedError');
    expect(error.message).toBe('nodegroup ng-a: DELETE_FAILED: Ec2SecurityGroupDeletionFailure: DependencyViolation');
  });

  it('fails with DeleteFailedError naming a Fargate profile EKS could not delete', async () => {
    const fake = aws();
    addProfile(fake, 'fp-a', 'DELETE_FAILED');

    const error = await rejectionOf(checkComputeDeletion(input({ teardown: { ready: false, waitSeconds: 60 } }), fake.deps()));

    expect(error.name).toBe('DeleteFailedError');
    expect(error.message).toBe('Fargate profile fp-a: DELETE_FAILED');
  });

  it('fails with DeleteFailedError carrying a nodegroup stack’s DELETE_FAILED reason, not an earlier attempt’s', async () => {
    const fake = aws();
    addNodegroupStack(fake, 'ng-added', 'DELETE_FAILED');
    fake.stacks.get(ADDED_STACK)!.events.push(
      { logicalResourceId: 'NodeLaunchTemplate', resourceType: 'AWS::EC2::LaunchTemplate', resourceStatus: 'DELETE_FAILED', resourceStatusReason: 'an earlier attempt’s reason', timestamp: at(-3600) },
      { logicalResourceId: 'NodeInstanceRole', resourceType: 'AWS::IAM::Role', resourceStatus: 'DELETE_FAILED', resourceStatusReason: 'Cannot delete entity, must detach all policies first.', timestamp: at(120) },
    );

    const error = await rejectionOf(checkComputeDeletion(input({ teardown: { ready: false, waitSeconds: 60, stage: 'ng-added', startedAt: T0.toISOString() } }), fake.deps()));

    expect(error.name).toBe('DeleteFailedError');
    expect(error.message).toBe(`stack ${ADDED_STACK}: DELETE_FAILED: NodeInstanceRole (AWS::IAM::Role) DELETE_FAILED: Cannot delete entity, must detach all policies first.`);
  });
});
