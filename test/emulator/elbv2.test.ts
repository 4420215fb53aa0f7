/**
 * What a load balancer controller leaves in a cluster's VPC, as the emulator keeps it: the real
 * cluster stack is deployed, POST /_local/controller-leftovers makes a load balancer (with its
 * interfaces), target group, security group and a CNI interface as the AWS Load Balancer
 * Controller and the VPC CNI would, and then:
 * - deleting the stack as it is ends DELETE_FAILED: EC2 refuses the subnets (DependencyViolation);
 * - ELBv2 (SDK and AWS CLI) and EC2 show them and refuse deletes AWS refuses (ResourceInUse,
 *   DependencyViolation, InUse) until the load balancer is gone, after tens of emulated seconds;
 * - once they are deleted, deleting the stack again removes the VPC.
 */
import { DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import {
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { restoreWorld, snapshotWorld } from '../../local/emulator/persistence';
import type { RunningEmulator } from '../../local/emulator/server';
import { createElbv2Service, resumeLoadBalancerDeletions } from '../../local/emulator/services/elbv2';
import type { Leftovers } from '../../local/emulator/services/elbv2/controller';
import { createLocalControlService } from '../../local/emulator/services/local-control';
import { World } from '../../local/emulator/world';
import { awsCli, queryPost } from '../support/aws-tools';
import { startClusterStackEmulator, type ClusterStackEmulator } from '../support/cluster-stack-emulator';
import { ec2Call, ec2ErrorOf, filters, items } from '../support/ec2-query';
import { itWith, tools } from '../support/third-party';
import { until } from '../support/until';

const SCALE = 0.001;
const CLUSTER = 'leftovers';

let cluster: ClusterStackEmulator;
let world: World;
let emulator: RunningEmulator;
let elbv2: ElasticLoadBalancingV2Client;
let left: Leftovers;

const leftoversOf = (name: string, body: Record<string, unknown> = {}) => cluster.control('/_local/controller-leftovers', { cluster: name, ...body });

beforeAll(async () => {
  cluster = await startClusterStackEmulator({ scale: SCALE, seed: 11, cluster: CLUSTER, cidr: '10.30.0.0/16', more: (world) => [createElbv2Service(world), createLocalControlService(world)] });
  ({ world, emulator } = cluster);
  elbv2 = cluster.client(ElasticLoadBalancingV2Client);
}, 60_000);

afterAll(() => cluster?.stop());

describe('POST /_local/controller-leftovers', () => {
  it('refuses an unknown cluster and a malformed body, as the other controls do', async () => {
    expect(await leftoversOf('no-such-cluster')).toMatchObject({ status: 404, json: { code: 'ResourceNotFoundException' } });
    expect(await leftoversOf(CLUSTER, { type: 'classic' })).toMatchObject({ status: 400, json: { code: 'ValidationError' } });
  });

  it('makes, in the cluster’s VPC and subnets, what the AWS Load Balancer Controller and the VPC CNI leave', async () => {
    const { status, json } = await leftoversOf(CLUSTER, { service: 'shop/web', cniInterface: true });
    expect(status).toBe(200);
    left = json as unknown as Leftovers;
    const vpc = [...world.ec2.vpcs.values()].find((v) => v.tags['aws:cloudformation:stack-name'] === cluster.stackName)!;
    expect(left.vpcId).toBe(vpc.vpcId);
    expect(left.networkInterfaceIds).toHaveLength(2);
    for (const id of left.networkInterfaceIds) expect(world.ec2.networkInterfaces.get(id)).toMatchObject({ status: 'in-use', requesterId: 'amazon-elb', securityGroupIds: [left.securityGroupId], vpcId: vpc.vpcId });
    expect(world.ec2.networkInterfaces.get(left.cniNetworkInterfaceId!)).toMatchObject({ status: 'available', tags: { 'cluster.k8s.amazonaws.com/name': CLUSTER } });
    expect(world.ec2.networkInterfaces.get(left.cniNetworkInterfaceId!)!.description).toMatch(/^aws-K8S-i-0[0-9a-f]{16}$/);
  });
});

describe('ELBv2 through the SDK', () => {
  it('describes the load balancer in the cluster’s subnets, its target group and their tags', async () => {
    const { LoadBalancers } = await elbv2.send(new DescribeLoadBalancersCommand({}));
    expect(LoadBalancers).toEqual([
      expect.objectContaining({ LoadBalancerArn: left.loadBalancerArn, Type: 'application', Scheme: 'internet-facing', VpcId: left.vpcId, State: { Code: 'active' }, SecurityGroups: [left.securityGroupId] }),
    ]);
    expect(LoadBalancers![0]!.LoadBalancerName).toMatch(/^k8s-shop-web-[0-9a-f]{10}$/);
    expect(LoadBalancers![0]!.AvailabilityZones).toHaveLength(2);

    const { TargetGroups } = await elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: left.loadBalancerArn }));
    expect(TargetGroups).toEqual([expect.objectContaining({ TargetGroupArn: left.targetGroupArn, VpcId: left.vpcId, LoadBalancerArns: [left.loadBalancerArn], TargetType: 'ip' })]);

    const { TagDescriptions } = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [left.loadBalancerArn, left.targetGroupArn] }));
    for (const description of TagDescriptions!) {
      expect(description.Tags).toEqual(expect.arrayContaining([{ Key: 'elbv2.k8s.aws/cluster', Value: CLUSTER }, { Key: `kubernetes.io/cluster/${CLUSTER}`, Value: 'owned' }]));
    }
  });

  it('answers unknown ARNs and a classic load balancer’s API version as ELBv2 does', async () => {
    await expect(elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [left.loadBalancerArn.replace(/\/[0-9a-f]+$/, '/0000000000000000')] }))).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
    const classic = await queryPost(emulator.url, 'elasticloadbalancing', { Action: 'DescribeLoadBalancers', Version: '2012-06-01' });
    expect(classic.status).toBe(400);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws elbv2 describe-load-balancers and describe-target-groups print them', async () => {
    const lbs = await awsCli(emulator.url, 'elbv2', 'describe-load-balancers');
    expect(lbs.code).toBe(0);
    expect(lbs.json).toMatchObject({ LoadBalancers: [{ LoadBalancerArn: left.loadBalancerArn, VpcId: left.vpcId }] });
    const groups = await awsCli(emulator.url, 'elbv2', 'describe-target-groups', '--load-balancer-arn', left.loadBalancerArn);
    expect(groups.json).toMatchObject({ TargetGroups: [{ TargetGroupArn: left.targetGroupArn }] });
  });
});

describe('the rule the controller put in the cluster security group', () => {
  it('names the load balancer’s group (so EC2 would not delete it), and is revoked by its id as EC2 does', async () => {
    const { xml } = await ec2Call(emulator.url, { Action: 'DescribeSecurityGroups', ...filters(['ip-permission.group-id', left.securityGroupId]) });
    const [holder] = items(xml, 'DescribeSecurityGroups', 'securityGroupInfo');
    expect(holder!.groupName).toMatch(/^eks-cluster-sg-leftovers-/);
    const rulesOf = async () => items((await ec2Call(emulator.url, { Action: 'DescribeSecurityGroupRules', ...filters(['group-id', holder!.groupId]) })).xml, 'DescribeSecurityGroupRules', 'securityGroupRuleSet');
    const naming = (await rulesOf()).filter((r) => r.referencedGroupInfo?.groupId === left.securityGroupId);
    expect(naming).toHaveLength(1);
    const revoke = (ruleId: string) => ec2Call(emulator.url, { Action: 'RevokeSecurityGroupIngress', GroupId: holder!.groupId, 'SecurityGroupRuleId.1': ruleId });
    expect(ec2ErrorOf(await revoke('sgr-0000000000000000'))).toMatchObject({ status: 400, Code: 'InvalidSecurityGroupRuleId.NotFound' });
    expect((await revoke(naming[0]!.securityGroupRuleId)).status).toBe(200);
    expect((await rulesOf()).filter((r) => r.referencedGroupInfo?.groupId === left.securityGroupId)).toEqual([]);
  });
});

describe('deleting the cluster’s VPC', () => {
  it('fails while they remain: the stack ends DELETE_FAILED because EC2 refuses the subnets the interfaces are in', async () => {
    const stack = await cluster.deleteStack();
    expect(stack?.StackStatus).toBe('DELETE_FAILED');
    const { StackEvents } = await cluster.cloudFormation.send(new DescribeStackEventsCommand({ StackName: cluster.stackName }));
    const failed = StackEvents!.filter((e) => e.ResourceStatus === 'DELETE_FAILED' && e.ResourceType === 'AWS::EC2::Subnet');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.ResourceStatusReason).toMatch(/The subnet 'subnet-[0-9a-f]+' has dependencies and cannot be deleted/);
    expect(world.ec2.vpcs.has(left.vpcId)).toBe(true);
  }, 40_000);

  it('EC2 and ELBv2 refuse what AWS refuses until the load balancer is gone, which takes tens of emulated seconds', async () => {
    const deleteGroup = () => ec2Call(emulator.url, { Action: 'DeleteSecurityGroup', GroupId: left.securityGroupId });
    expect(ec2ErrorOf(await deleteGroup())).toEqual({ status: 400, Code: 'DependencyViolation', Message: `resource ${left.securityGroupId} has a dependent object` });
    expect(ec2ErrorOf(await ec2Call(emulator.url, { Action: 'DeleteNetworkInterface', NetworkInterfaceId: left.networkInterfaceIds[0]! }))).toMatchObject({ status: 400, Code: 'InvalidNetworkInterface.InUse' });
    await expect(elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: left.targetGroupArn }))).rejects.toMatchObject({ name: 'ResourceInUseException' });

    const asked = world.clock.now().getTime();
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: left.loadBalancerArn }));
    // Deleting again while it goes is accepted, as ELBv2 does.
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: left.loadBalancerArn }));
    expect((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toHaveLength(1);
    await until(() => elbv2.send(new DescribeLoadBalancersCommand({})), (r) => (r.LoadBalancers ?? []).length === 0, 'load balancer deleted', 10_000);
    const took = (world.clock.now().getTime() - asked) / 1000;
    expect(took).toBeGreaterThanOrEqual(15);
    expect(world.durations.samples.filter((s) => s.kind === 'loadBalancerDelete')).toHaveLength(1);
    for (const id of left.networkInterfaceIds) expect(world.ec2.networkInterfaces.has(id)).toBe(false);

    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: left.targetGroupArn }));
    expect((await deleteGroup()).status).toBe(200);
    expect((await ec2Call(emulator.url, { Action: 'DeleteNetworkInterface', NetworkInterfaceId: left.cniNetworkInterfaceId! })).status).toBe(200);
  }, 30_000);

  it('succeeds once nothing of them is left: the VPC is gone', async () => {
    expect(await cluster.deleteStack()).toBeUndefined();
    expect(world.ec2.vpcs.has(left.vpcId)).toBe(false);
    expect([...world.ec2.networkInterfaces.values()].filter((e) => e.vpcId === left.vpcId)).toEqual([]);
  }, 40_000);
});

describe('a saved world', () => {
  it('keeps load balancers, target groups and listeners, a deletion under way included', () => {
    const lb = { arn: 'arn:lb', name: 'k8s-lb', type: 'network' as const, scheme: 'internal' as const, vpcId: 'vpc-1', subnetIds: ['subnet-1'], securityGroupIds: [], dnsName: 'k8s-lb.elb', createdTime: new Date(0), networkInterfaceIds: ['eni-1'], deleteDueAt: 12345, tags: { a: 'b' } };
    world.elbv2.loadBalancers.set(lb.arn, lb);
    world.elbv2.targetGroups.set('arn:tg', { arn: 'arn:tg', name: 'tg', protocol: 'TCP', port: 80, vpcId: 'vpc-1', targetType: 'ip', tags: {} });
    world.elbv2.listeners.set('arn:l', { arn: 'arn:l', loadBalancerArn: lb.arn, protocol: 'TCP', port: 80, targetGroupArn: 'arn:tg' });
    const restored = new World({ timeScale: SCALE });

    restoreWorld(restored, JSON.parse(JSON.stringify(snapshotWorld(world))));

    expect(restored.elbv2.loadBalancers.get(lb.arn)).toEqual(lb);
    expect(restored.elbv2.targetGroups.get('arn:tg')).toEqual(world.elbv2.targetGroups.get('arn:tg'));
    expect(restored.elbv2.listeners.get('arn:l')).toEqual(world.elbv2.listeners.get('arn:l'));
  });

  it('ends a deletion that was due while it was stopped, with its listeners and interfaces', () => {
    const subnet = [...world.ec2.subnets.values()][0];
    const eniId = 'eni-0restored00000001';
    world.ec2.networkInterfaces.set(eniId, { networkInterfaceId: eniId, subnetId: subnet?.subnetId ?? 'subnet-1', vpcId: 'vpc-1', availabilityZone: 'us-east-1a', privateIpAddress: '10.0.0.9', description: 'ELB net/k8s-lb/1', interfaceType: 'network_load_balancer', securityGroupIds: [], status: 'in-use', requesterId: 'amazon-elb', tags: {} });
    world.elbv2.loadBalancers.set('arn:due', { ...world.elbv2.loadBalancers.get('arn:lb')!, arn: 'arn:due', networkInterfaceIds: [eniId], deleteDueAt: world.clock.now().getTime() - 1000 });
    world.elbv2.listeners.set('arn:l2', { arn: 'arn:l2', loadBalancerArn: 'arn:due', protocol: 'TCP', port: 81, targetGroupArn: 'arn:tg' });
    const snapshot = JSON.parse(JSON.stringify(snapshotWorld(world))) as ReturnType<typeof snapshotWorld>;
    // As local mode restores: the clock goes on from where the saved world stood.
    const restored = new World({ timeScale: SCALE, emulatedStart: snapshot.emulatedNow });
    restoreWorld(restored, snapshot);

    resumeLoadBalancerDeletions(restored);

    expect(restored.elbv2.loadBalancers.has('arn:due')).toBe(false);
    expect(restored.elbv2.listeners.has('arn:l2')).toBe(false);
    expect(restored.ec2.networkInterfaces.has(eniId)).toBe(false);
  });
});
