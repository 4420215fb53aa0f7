import type { ControllerResourcesState, DeleteInput } from '../../../functions/generated/types';
import { deleteControllerResources, PATIENCE_SECONDS } from '../../../functions/steps/delete-controller-resources';
import type { FakeAws } from '../../support/fake-aws';
import { CLUSTER, fakeAws, operation, putStack, STACK } from './step-inputs';

const DELETE = { ...operation, id: 'op-delete', type: 'DELETE' as const };
const VPC = 'vpc-0demo';
const input = (controllerResources?: ControllerResourcesState): DeleteInput => ({ operation: DELETE, ...(controllerResources ? { controllerResources } : {}) });

async function withStack(): Promise<FakeAws> {
  const aws = fakeAws();
  aws.seedOperation(DELETE);
  await putStack(aws, { status: 'CREATE_COMPLETE' });
  aws.stacks.get(STACK)!.outputs.VPC = VPC;
  return aws;
}

/** The step as the ASL's Choice/Wait loop runs it: each look gets the previous answer. */
async function untilReady(aws: FakeAws, looks = 20): Promise<{ state: ControllerResourcesState; looks: number }> {
  let state: ControllerResourcesState | undefined;
  for (let i = 1; i <= looks; i++) {
    state = await deleteControllerResources(input(state), aws.deps());
    if (state.ready) return { state, looks: i };
  }
  throw new Error(`not done after ${looks} looks`);
}

const stepLines = (aws: FakeAws) => aws.events.filter((e) => e.step).map((e) => `${e.step!.name} ${e.step!.status} ${e.step!.resource}`);

describe('Delete Controller Resources', () => {
  it('is done at once, with no ELBv2 or EC2 call, when the cluster stack is gone or has no VPC (it never completed)', async () => {
    const aws = fakeAws();
    aws.seedOperation(DELETE);
    expect(await deleteControllerResources(input(), aws.deps())).toMatchObject({ ready: true, waitSeconds: 0 });
    await putStack(aws, { status: 'ROLLBACK_COMPLETE' });
    expect(await deleteControllerResources(input(), aws.deps())).toMatchObject({ ready: true });
    expect(aws.callLog((c) => c.service !== 'cloudformation')).toEqual([]);
  });

  it('is done after one look at a VPC with nothing of the cluster’s controllers in it', async () => {
    const aws = await withStack();
    expect(await deleteControllerResources(input(), aws.deps())).toMatchObject({ ready: true, vpcId: VPC });
    expect(aws.callLog((c) => c.operation.startsWith('Delete'))).toEqual([]);
  });

  it('deletes the load balancer and waits for it, then its target group and security group; the CNI interface at once; each deletion a step', async () => {
    const aws = await withStack();
    const left = aws.addControllerLeftovers(CLUSTER, VPC);

    const first = await deleteControllerResources(input(), aws.deps());

    expect(first).toMatchObject({ ready: false, waitSeconds: 20, vpcId: VPC });
    expect(aws.callLog((c) => c.operation.startsWith('Delete'))).toEqual([`elasticloadbalancing:DeleteLoadBalancer ${left.loadBalancerArn}`, `ec2:DeleteNetworkInterface ${left.networkInterfaceId}`]);

    const { looks } = await untilReady(aws);

    expect(looks).toBeGreaterThan(1);
    expect(aws.controllerLeftovers()).toEqual({ loadBalancers: 0, targetGroups: 0, securityGroups: 0, interfaces: 0 });
    // The controller's rule in EKS's cluster security group, naming the load balancer's group, was revoked first; the cluster's group stays (EKS deletes it with the cluster).
    expect(aws.callLog((c) => c.operation.startsWith('Revoke') || c.operation === 'DeleteSecurityGroup')).toEqual([`ec2:RevokeSecurityGroupIngress sg-0eks${CLUSTER} sgr-0lbc000000000001`, `ec2:DeleteSecurityGroup ${left.securityGroupId}`]);
    expect(aws.securityGroups.has(`sg-0eks${CLUSTER}`)).toBe(true);
    expect(stepLines(aws)).toEqual([
      'Delete Load Balancer STARTED load balancer k8s-default-web-0123456789',
      `Delete Network Interface SUCCEEDED network interface ${left.networkInterfaceId}`,
      'Delete Load Balancer SUCCEEDED load balancer k8s-default-web-0123456789',
      'Delete Target Group SUCCEEDED target group k8s-default-web-0123456789',
      `Delete Security Group SUCCEEDED security group ${left.securityGroupId} (k8s-default-web-0123456789)`,
    ]);
    // Each load balancer STARTED once, however many looks saw it being deleted.
    expect(aws.events.filter((e) => e.step?.status === 'STARTED')).toHaveLength(1);
  });

  it('never touches what another cluster’s controllers, the stack or EKS made in the same VPC, nor interfaces in use', async () => {
    const aws = await withStack();
    aws.addControllerLeftovers('other', VPC, 'k8s-other-web-9876543210');
    aws.securityGroups.set('sg-0stack', { groupId: 'sg-0stack', groupName: 'shared-node', vpcId: VPC, tags: { [`kubernetes.io/cluster/${CLUSTER}`]: 'owned', 'aws:cloudformation:stack-name': STACK } });
    aws.securityGroups.set('sg-0eks', { groupId: 'sg-0eks', groupName: `eks-cluster-sg-${CLUSTER}-1`, vpcId: VPC, tags: { [`kubernetes.io/cluster/${CLUSTER}`]: 'owned', 'aws:eks:cluster-name': CLUSTER } });
    aws.networkInterfaces.set('eni-0inuse', { networkInterfaceId: 'eni-0inuse', vpcId: VPC, status: 'in-use', description: 'aws-K8S-i-0abc', groupIds: [], tags: { 'cluster.k8s.amazonaws.com/name': CLUSTER } });

    expect(await deleteControllerResources(input(), aws.deps())).toMatchObject({ ready: true });
    expect(aws.callLog((c) => c.operation.startsWith('Delete'))).toEqual([]);
  });

  it('deletes a load balancer the in-tree service controller made (kubernetes.io/cluster/<name>: owned only)', async () => {
    const aws = await withStack();
    const { loadBalancerArn } = aws.addControllerLeftovers(CLUSTER, VPC);
    delete aws.loadBalancers.get(loadBalancerArn)!.tags['elbv2.k8s.aws/cluster'];

    await untilReady(aws);

    expect(aws.loadBalancers.size).toBe(0);
  });

  it('finds on a retry what an earlier look left (a look that crashed after its deletes changes nothing)', async () => {
    const aws = await withStack();
    aws.addControllerLeftovers(CLUSTER, VPC);
    await deleteControllerResources(input(), aws.deps());
    // The answer was lost: the next look starts with no state, as a retried Task would.
    await untilReady(aws);
    expect(aws.callLog((c) => c.operation === 'DeleteTargetGroup')).toHaveLength(1);
    expect(aws.controllerLeftovers()).toEqual({ loadBalancers: 0, targetGroups: 0, securityGroups: 0, interfaces: 0 });
  });

  it('past its patience fails with DeleteFailedError naming what EC2 keeps refusing and why', async () => {
    const aws = await withStack();
    const { securityGroupId } = aws.addControllerLeftovers(CLUSTER, VPC);
    aws.pinnedSecurityGroups.set(securityGroupId, `DependencyViolation: resource ${securityGroupId} has a dependent object`);
    const started = new Date(aws.clock().getTime() - (PATIENCE_SECONDS - 600) * 1000).toISOString();

    let state: ControllerResourcesState = { ready: false, waitSeconds: 20, vpcId: VPC, startedAt: started };
    for (let look = 0; look < 20; look++) {
      try {
        state = await deleteControllerResources(input(state), aws.deps());
      } catch (error) {
        expect((error as Error).name).toBe('DeleteFailedError');
        expect((error as Error).message).toBe(
          `security group ${securityGroupId} (k8s-default-web-0123456789): still there after 20 minutes, so the VPC cannot be deleted: security group ${securityGroupId} (k8s-default-web-0123456789) (DependencyViolation: resource ${securityGroupId} has a dependent object)`,
        );
        expect(aws.securityGroups.has(securityGroupId)).toBe(true);
        return;
      }
      expect(state.ready).toBe(false);
    }
    throw new Error('expected the step to give up');
  });

  describe('Classic Load Balancers the in-tree service controller left', () => {
    it('deletes the cluster’s first, then finds its k8s-elb group held by the interfaces EC2 has not released yet: not done', async () => {
      const aws = await withStack();
      const left = aws.addClassicLeftovers(CLUSTER, VPC);

      const first = await deleteControllerResources(input(), aws.deps());

      expect(first).toMatchObject({ ready: false, waitSeconds: 15, vpcId: VPC });
      expect(aws.callLog((c) => c.operation.startsWith('Delete') || c.operation.startsWith('Revoke'))).toEqual([
        'elasticloadbalancing:DeleteLoadBalancer (classic) a0123456789abcdef0123456789abcde',
        `ec2:RevokeSecurityGroupIngress sg-0eks${CLUSTER} sgr-0elb000000000001`,
        `ec2:DeleteSecurityGroup ${left.securityGroupId}`,
      ]);
      expect(aws.securityGroups.has(left.securityGroupId)).toBe(true);
    });

    it('keeps looking while the deleted load balancer’s interface holds its group, then deletes the group; each a step', async () => {
      const aws = await withStack();
      aws.classicReleaseDescribes = 2;
      const left = aws.addClassicLeftovers(CLUSTER, VPC);

      const { looks } = await untilReady(aws);

      expect(looks).toBe(4);
      expect(aws.classicLoadBalancers.size).toBe(0);
      expect(aws.securityGroups.has(left.securityGroupId)).toBe(false);
      expect(aws.networkInterfaces.has(left.networkInterfaceId)).toBe(false);
      expect(aws.securityGroupRules.filter((r) => r.referencedGroupId === left.securityGroupId)).toEqual([]);
      expect(aws.securityGroups.has(`sg-0eks${CLUSTER}`)).toBe(true);
      expect(aws.callLog((c) => c.operation.startsWith('Delete') || c.operation.startsWith('Revoke'))).toEqual([
        'elasticloadbalancing:DeleteLoadBalancer (classic) a0123456789abcdef0123456789abcde',
        `ec2:RevokeSecurityGroupIngress sg-0eks${CLUSTER} sgr-0elb000000000001`,
        // Refused while the interface is there (the delete's look and two more), deleted once it is released.
        ...Array<string>(4).fill(`ec2:DeleteSecurityGroup ${left.securityGroupId}`),
      ]);
      expect(stepLines(aws)).toEqual([
        'Delete Load Balancer SUCCEEDED load balancer a0123456789abcdef0123456789abcde',
        `Delete Security Group SUCCEEDED security group ${left.securityGroupId} (k8s-elb-a0123456789abcdef0123456789abcde)`,
      ]);
    });

    it('deletes one tagged shared with the cluster too, and leaves another cluster’s', async () => {
      const aws = await withStack();
      aws.addClassicLeftovers(CLUSTER, VPC, 'ashared0000000000000000000000000', 'shared');
      const foreign = aws.addClassicLeftovers('other', VPC, 'aforeign000000000000000000000000');

      await untilReady(aws);

      expect([...aws.classicLoadBalancers.keys()]).toEqual(['aforeign000000000000000000000000']);
      expect(aws.securityGroups.has(foreign.securityGroupId)).toBe(true);
      expect(aws.callLog((c) => c.operation.startsWith('DeleteLoadBalancer'))).toEqual(['elasticloadbalancing:DeleteLoadBalancer (classic) ashared0000000000000000000000000']);
    });

    it('deletes them in the same look as the ELBv2 ones, and the groups only once both kinds are gone', async () => {
      const aws = await withStack();
      const v2 = aws.addControllerLeftovers(CLUSTER, VPC);
      const classic = aws.addClassicLeftovers(CLUSTER, VPC);

      await deleteControllerResources(input(), aws.deps());
      expect(aws.callLog((c) => c.operation.startsWith('DeleteLoadBalancer'))).toEqual([`elasticloadbalancing:DeleteLoadBalancer ${v2.loadBalancerArn}`, 'elasticloadbalancing:DeleteLoadBalancer (classic) a0123456789abcdef0123456789abcde']);
      expect(aws.callLog((c) => c.operation === 'DeleteSecurityGroup')).toEqual([]);

      await untilReady(aws);
      expect(aws.controllerLeftovers()).toEqual({ loadBalancers: 0, targetGroups: 0, securityGroups: 0, interfaces: 0 });
      expect(aws.securityGroups.has(classic.securityGroupId)).toBe(false);
    });
  });
});
