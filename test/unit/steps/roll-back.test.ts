import { idempotencyToken } from '../../../functions/domain/naming';
import type { Poll } from '../../../functions/generated/types';
import type { FargateProfile, Nodegroup } from '../../../functions/ports/eks';
import { rollBack } from '../../../functions/steps/roll-back';
import type { FakeAws } from '../../support/fake-aws';
import { at, CLUSTER, failureState, fakeAws, lambdaCause, operation, putStack, rejectionOf, specOf, STACK, T0 } from './step-inputs';

const input = failureState(specOf(), { Error: 'NodegroupFailedError', Cause: lambdaCause('NodegroupFailedError', 'nodegroup ng-b: CREATE_FAILED') }, {
  diagnosis: { code: 'NodegroupFailedError', message: 'nodegroup ng-b: CREATE_FAILED', phase: 'ComputeAndAccess', resourcesCreated: true },
});

function addNodegroup(aws: FakeAws, name: string, status: NonNullable<Nodegroup['status']> = 'ACTIVE'): void {
  aws.nodegroups.set(`${CLUSTER}/${name}`, { nodegroupName: name, clusterName: CLUSTER, status, createdAt: T0, describesLeft: 0 });
}
function addProfile(aws: FakeAws, name: string, status: NonNullable<FargateProfile['status']> = 'ACTIVE'): void {
  aws.profiles.set(`${CLUSTER}/${name}`, { fargateProfileName: name, clusterName: CLUSTER, status, createdAt: T0, describesLeft: 0 });
}

/** A half-built cluster: a complete stack, two nodegroups and two Fargate profiles. */
async function halfBuilt(): Promise<FakeAws> {
  const aws = fakeAws();
  await putStack(aws, { status: 'CREATE_COMPLETE' });
  aws.stacks.get(STACK)!.describesLeft = 0;
  addNodegroup(aws, 'ng-a');
  addNodegroup(aws, 'ng-b', 'CREATE_FAILED');
  addProfile(aws, 'fp-a');
  addProfile(aws, 'fp-b');
  return aws;
}

/** Runs the step as the state machine's Retry does, until it returns or fails terminally. */
async function untilDone(aws: FakeAws, attempts = 30): Promise<Poll> {
  for (let i = 0; i < attempts; i++) {
    try {
      return await rollBack(input, aws.deps());
    } catch (error) {
      if ((error as Error).name !== 'RollbackNotDoneError') throw error;
    }
  }
  throw new Error(`rollback not done after ${attempts} attempts`);
}

describe('Roll Back', () => {
  it('starts deleting every nodegroup and one Fargate profile, leaves the stack, and says it is not done', async () => {
    const aws = await halfBuilt();

    const error = await rejectionOf(rollBack(input, aws.deps()));

    expect(error.name).toBe('RollbackNotDoneError');
    expect(error.message).toMatch(/^cluster demo: waiting for nodegroup ng-a, nodegroup ng-b, Fargate profile fp-a, Fargate profile fp-b to be deleted$/);
    expect(aws.callLog((c) => c.operation.startsWith('Delete'))).toEqual(['eks:DeleteNodegroup ng-a', 'eks:DeleteNodegroup ng-b', 'eks:DeleteFargateProfile fp-a']);
  });

  it('deletes one Fargate profile at a time, and the stack only once nodegroups and profiles are gone, protection off first', async () => {
    const aws = await halfBuilt();
    const deleteProfile = aws.eks.deleteFargateProfile;
    const profilesDeletingAtEachDelete: string[][] = [];
    aws.eks.deleteFargateProfile = async (cluster, name) => {
      profilesDeletingAtEachDelete.push([...aws.profiles.values()].filter((p) => p.status === 'DELETING').map((p) => p.fargateProfileName!));
      return deleteProfile(cluster, name);
    };
    const deleteStack = aws.cloudFormation.deleteStack;
    const leftWhenStackDeleted: Array<{ nodegroups: number; profiles: number; terminationProtection: boolean }> = [];
    aws.cloudFormation.deleteStack = async (name, token, role) => {
      leftWhenStackDeleted.push({ nodegroups: aws.nodegroups.size, profiles: aws.profiles.size, terminationProtection: aws.stacks.get(name)!.terminationProtection });
      return deleteStack(name, token, role);
    };

    const result = await untilDone(aws);

    expect(result).toEqual({ ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE' });
    // Said once nothing is left, in the timeline Report Failure reads.
    expect(aws.events.filter((e) => e.step?.name === 'Roll Back').map((e) => `${e.phase} ${e.step!.status} ${e.step!.resource}`)).toEqual([`Rollback SUCCEEDED stack ${STACK}`]);
    expect(profilesDeletingAtEachDelete).toEqual([[], []]);
    expect(leftWhenStackDeleted).toEqual([{ nodegroups: 0, profiles: 0, terminationProtection: false }]);
    const log = aws.callLog((c) => c.operation.startsWith('Delete') || c.operation === 'UpdateTerminationProtection');
    expect(log.slice(-2)).toEqual([`cloudformation:UpdateTerminationProtection ${STACK}`, `cloudformation:DeleteStack ${STACK}`]);
    expect(aws.stacks.has(STACK)).toBe(false);
  });

  it('sends the same idempotency token to DeleteStack on every attempt', async () => {
    const aws = fakeAws({ durations: { stackDelete: 5 } });
    await putStack(aws, { status: 'CREATE_COMPLETE' });
    const deleteStack = jest.spyOn(aws.cloudFormation, 'deleteStack');

    await rejectionOf(rollBack(input, aws.deps()));
    aws.stacks.get(STACK)!.status = 'ROLLBACK_COMPLETE';
    await rejectionOf(rollBack(input, aws.deps()));

    expect(deleteStack.mock.calls.map(([, token]) => token)).toEqual([idempotencyToken(operation.id, 'roll-back'), idempotencyToken(operation.id, 'roll-back')]);
  });

  it('leaves termination protection alone on a stack without it', async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'ROLLBACK_COMPLETE', terminationProtection: false });

    await rejectionOf(rollBack(input, aws.deps()));

    // The first look is for the VPC (what controllers left in it goes before the stack), the second the stack deletion's own.
    expect(aws.callLog((c) => c.service === 'cloudformation' && c.target === STACK)).toEqual([`cloudformation:DescribeStacks ${STACK}`, `cloudformation:DescribeStacks ${STACK}`, `cloudformation:DeleteStack ${STACK}`]);
  });

  it('deletes what a load balancer controller and the VPC CNI left in the cluster’s VPC before the stack, which deletes the VPC', async () => {
    const aws = await halfBuilt();
    aws.stacks.get(STACK)!.outputs.VPC = 'vpc-0demo';
    const leftovers = aws.addControllerLeftovers(CLUSTER, 'vpc-0demo');

    const done = await untilDone(aws);

    expect(done.ready).toBe(true);
    expect(aws.controllerLeftovers()).toEqual({ loadBalancers: 0, targetGroups: 0, securityGroups: 0, interfaces: 0 });
    const deletes = aws.callLog((c) => c.operation.startsWith('Delete') && c.service !== 'eks');
    expect(deletes.indexOf(`elasticloadbalancing:DeleteTargetGroup ${leftovers.targetGroupArn}`)).toBeGreaterThan(deletes.lastIndexOf(`elasticloadbalancing:DeleteLoadBalancer ${leftovers.loadBalancerArn}`));
    expect(deletes.slice(-1)).toEqual([`cloudformation:DeleteStack ${STACK}`]);
    expect(deletes).toContain(`ec2:DeleteSecurityGroup ${leftovers.securityGroupId}`);
    expect(deletes).toContain(`ec2:DeleteNetworkInterface ${leftovers.networkInterfaceId}`);
    const steps = aws.events.filter((e) => e.step?.name.startsWith('Delete ')).map((e) => `${e.phase} ${e.step!.name} ${e.step!.status}`);
    expect(steps).toEqual([
      'Rollback Delete Load Balancer STARTED',
      'Rollback Delete Network Interface SUCCEEDED',
      'Rollback Delete Load Balancer SUCCEEDED',
      'Rollback Delete Target Group SUCCEEDED',
      'Rollback Delete Security Group SUCCEEDED',
    ]);
  });

  it('deletes a Classic Load Balancer the in-tree service controller left, and its k8s-elb group once its interface is released, before the stack', async () => {
    const aws = await halfBuilt();
    aws.stacks.get(STACK)!.outputs.VPC = 'vpc-0demo';
    const classic = aws.addClassicLeftovers(CLUSTER, 'vpc-0demo');

    const done = await untilDone(aws);

    expect(done.ready).toBe(true);
    expect(aws.classicLoadBalancers.size).toBe(0);
    const deletes = aws.callLog((c) => (c.operation.startsWith('Delete') || c.operation.startsWith('Revoke')) && c.service !== 'eks');
    expect(deletes[0]).toBe('elasticloadbalancing:DeleteLoadBalancer (classic) a0123456789abcdef0123456789abcde');
    expect(deletes.slice(-2)).toEqual([`ec2:DeleteSecurityGroup ${classic.securityGroupId}`, `cloudformation:DeleteStack ${STACK}`]);
    const steps = aws.events.filter((e) => e.step?.name.startsWith('Delete ')).map((e) => `${e.phase} ${e.step!.name} ${e.step!.status} ${e.step!.resource}`);
    expect(steps).toEqual([
      'Rollback Delete Load Balancer SUCCEEDED load balancer a0123456789abcdef0123456789abcde',
      `Rollback Delete Security Group SUCCEEDED security group ${classic.securityGroupId} (k8s-elb-a0123456789abcdef0123456789abcde)`,
    ]);
  });

  it("waits, without a DeleteStack, while CloudFormation's own rollback is in progress", async () => {
    const aws = fakeAws();
    await putStack(aws, { status: 'ROLLBACK_IN_PROGRESS' });

    const error = await rejectionOf(rollBack(input, aws.deps()));

    expect(error.name).toBe('RollbackNotDoneError');
    expect(error.message).toBe(`stack ${STACK}: ROLLBACK_IN_PROGRESS`);
    expect(aws.callLog((c) => c.operation === 'DeleteStack')).toEqual([]);
  });

  it('waits for a nodegroup that is still being created before deleting it', async () => {
    const aws = fakeAws();
    addNodegroup(aws, 'ng-a', 'CREATING');
    aws.nodegroups.get(`${CLUSTER}/ng-a`)!.describesLeft = 99;

    const error = await rejectionOf(rollBack(input, aws.deps()));

    expect(error.name).toBe('RollbackNotDoneError');
    expect(aws.callLog((c) => c.operation.startsWith('Delete'))).toEqual([]);
  });

  it("fails with RollbackFailedError carrying the stack's DELETE_FAILED reason", async () => {
    const aws = fakeAws();
    await putStack(aws, {
      status: 'DELETE_FAILED',
      events: [{ logicalResourceId: 'VPC', resourceType: 'AWS::EC2::VPC', resourceStatus: 'DELETE_FAILED', resourceStatusReason: 'The vpc has dependencies and cannot be deleted', timestamp: at(600) }],
    });

    const error = await rejectionOf(rollBack(input, aws.deps()));

    expect(error.name).toBe('RollbackFailedError');
    expect(error.message).toBe(`stack ${STACK}: DELETE_FAILED: VPC (AWS::EC2::VPC) DELETE_FAILED: The vpc has dependencies and cannot be deleted`);
  });

  it('fails with RollbackFailedError naming a nodegroup EKS could not delete', async () => {
    const aws = fakeAws();
    addNodegroup(aws, 'ng-a', 'DELETE_FAILED');
    aws.nodegroups.get(`${CLUSTER}/ng-a`)!.health = { issues: [{ code: 'Ec2SecurityGroupDeletionFailure', message: 'DependencyViolation' }] };

    const error = await rejectionOf(rollBack(input, aws.deps()));

    expect(error.name).toBe('RollbackFailedError');
    expect(error.message).toBe('nodegroup ng-a: DELETE_FAILED: Ec2SecurityGroupDeletionFailure: DependencyViolation');
  });

  it('fails with RollbackFailedError naming a Fargate profile EKS could not delete', async () => {
    const aws = fakeAws();
    addProfile(aws, 'fp-a', 'DELETE_FAILED');

    const error = await rejectionOf(rollBack(input, aws.deps()));

    expect(error.name).toBe('RollbackFailedError');
    expect(error.message).toBe('Fargate profile fp-a: DELETE_FAILED');
  });

  it('returns ready straight away when nothing is left', async () => {
    const aws = fakeAws();

    const result = await rollBack(input, aws.deps());

    expect(result).toEqual({ ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE' });
    expect(aws.callLog((c) => c.operation.startsWith('Delete'))).toEqual([]);
  });
});
