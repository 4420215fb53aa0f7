/**
 * The Classic Load Balancer (ELB v1) the in-tree Kubernetes service controller leaves in a
 * cluster's VPC, as the emulator keeps it: the real cluster stack is deployed, POST
 * /_local/classic-leftovers makes the load balancer (one interface per subnet), its
 * `k8s-elb-<name>` group and the nodes' rule naming it, and then:
 * - the Classic API (Version 2012-06-01) answers the SDK v3 client and the AWS CLI on the same
 *   endpoint as ELBv2, with AWS's shapes and errors;
 * - deleting the stack as it is ends DELETE_FAILED (DependencyViolation on the subnets);
 * - a deleted Classic Load Balancer is gone at once, but its group and subnets stay in use until
 *   EC2 releases its interfaces some emulated seconds later; then the VPC can go.
 * The CLI test shows as skipped, with its reason, without the AWS CLI; required under CI=true.
 */
import { DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import {
  AddTagsCommand,
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import { DescribeLoadBalancersCommand as DescribeV2LoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { restoreWorld, snapshotWorld } from '../../local/emulator/persistence';
import type { RunningEmulator } from '../../local/emulator/server';
import { createElasticLoadBalancingService, resumeClassicInterfaceReleases } from '../../local/emulator/services/elb';
import type { ClassicLeftovers } from '../../local/emulator/services/elb/controller';
import { createLocalControlService } from '../../local/emulator/services/local-control';
import { World } from '../../local/emulator/world';
import { awsCli } from '../support/aws-tools';
import { startClusterStackEmulator, type ClusterStackEmulator } from '../support/cluster-stack-emulator';
import { ec2Call, ec2ErrorOf, filters, items } from '../support/ec2-query';
import { itWith, tools } from '../support/third-party';
import { until } from '../support/until';

const SCALE = 0.001;
const CLUSTER = 'intree';

let cluster: ClusterStackEmulator;
let world: World;
let emulator: RunningEmulator;
let elb: ElasticLoadBalancingClient;
let elbv2: ElasticLoadBalancingV2Client;
let left: ClassicLeftovers;

const subnetsOfVpc = (vpcId: string) => [...world.ec2.subnets.values()].filter((s) => s.vpcId === vpcId);
const classicLeftovers = (name: string, body: Record<string, unknown> = {}) => cluster.control('/_local/classic-leftovers', { cluster: name, ...body });

beforeAll(async () => {
  cluster = await startClusterStackEmulator({ scale: SCALE, seed: 17, cluster: CLUSTER, cidr: '10.31.0.0/16', more: (world) => [createElasticLoadBalancingService(world), createLocalControlService(world)] });
  ({ world, emulator } = cluster);
  elb = cluster.client(ElasticLoadBalancingClient);
  elbv2 = cluster.client(ElasticLoadBalancingV2Client);
}, 60_000);

afterAll(() => cluster?.stop());

describe('POST /_local/classic-leftovers', () => {
  it('refuses an unknown cluster and a malformed service, as the other controls do', async () => {
    expect(await classicLeftovers('no-such-cluster')).toMatchObject({ status: 404, json: { code: 'ResourceNotFoundException' } });
    expect(await classicLeftovers(CLUSTER, { service: 'no namespace' })).toMatchObject({ status: 400, json: { code: 'ValidationError' } });
  });

  it('makes what the in-tree service controller leaves: a Classic Load Balancer in one subnet per zone, its k8s-elb group, the nodes’ rule naming it', async () => {
    const { status, json } = await classicLeftovers(CLUSTER, { service: 'shop/web' });
    expect(status).toBe(200);
    left = json as unknown as ClassicLeftovers;
    const vpc = [...world.ec2.vpcs.values()].find((v) => v.tags['aws:cloudformation:stack-name'] === cluster.stackName)!;
    expect(left.vpcId).toBe(vpc.vpcId);
    expect(left.loadBalancerName).toMatch(/^a[0-9a-f]{31}$/);
    expect(left.networkInterfaceIds).toHaveLength(2);
    for (const id of left.networkInterfaceIds) {
      expect(world.ec2.networkInterfaces.get(id)).toMatchObject({ status: 'in-use', requesterId: 'amazon-elb', description: `ELB ${left.loadBalancerName}`, securityGroupIds: [left.securityGroupId], vpcId: vpc.vpcId });
    }
    expect(world.ec2.securityGroups.get(left.securityGroupId)).toMatchObject({ groupName: `k8s-elb-${left.loadBalancerName}`, vpcId: vpc.vpcId, tags: { [`kubernetes.io/cluster/${CLUSTER}`]: 'owned' } });
    const { xml } = await ec2Call(emulator.url, { Action: 'DescribeSecurityGroups', ...filters(['ip-permission.group-id', left.securityGroupId]) });
    expect(items(xml, 'DescribeSecurityGroups', 'securityGroupInfo').map((g) => g.groupId)).toEqual([left.nodeSecurityGroupId]);
  });
});

describe('the Classic API through the SDK', () => {
  it('describes the load balancer in the cluster’s subnets with its group, and its tags', async () => {
    const { LoadBalancerDescriptions } = await elb.send(new DescribeLoadBalancersCommand({}));
    expect(LoadBalancerDescriptions).toEqual([
      expect.objectContaining({
        LoadBalancerName: left.loadBalancerName,
        DNSName: left.dnsName,
        VPCId: left.vpcId,
        Scheme: 'internet-facing',
        SecurityGroups: [left.securityGroupId],
        SourceSecurityGroup: { OwnerAlias: world.account, GroupName: `k8s-elb-${left.loadBalancerName}` },
        CreatedTime: expect.any(Date),
      }),
    ]);
    const [description] = LoadBalancerDescriptions!;
    expect(description!.Subnets).toHaveLength(2);
    expect(description!.AvailabilityZones).toHaveLength(2);
    expect(description!.ListenerDescriptions![0]!.Listener).toMatchObject({ Protocol: 'TCP', LoadBalancerPort: 80, InstanceProtocol: 'TCP' });
    expect(left.dnsName).toMatch(new RegExp(`^${left.loadBalancerName}-\\d{12}\\.us-east-1\\.elb\\.amazonaws\\.com$`));

    const { TagDescriptions } = await elb.send(new DescribeTagsCommand({ LoadBalancerNames: [left.loadBalancerName] }));
    expect(TagDescriptions).toEqual([{ LoadBalancerName: left.loadBalancerName, Tags: expect.arrayContaining([{ Key: `kubernetes.io/cluster/${CLUSTER}`, Value: 'owned' }, { Key: 'kubernetes.io/service-name', Value: 'shop/web' }]) }]);
  });

  it('creates one (asked again the same it is the same; otherwise DuplicateAccessPointName), tags it, pages by Marker, deletes it — a missing one too', async () => {
    const subnets = subnetsOfVpc(left.vpcId).filter((s, i, all) => all.findIndex((t) => t.availabilityZone === s.availabilityZone) === i);
    const create = (port: number) =>
      elb.send(new CreateLoadBalancerCommand({ LoadBalancerName: 'own-classic', Scheme: 'internal', Subnets: subnets.map((s) => s.subnetId), SecurityGroups: [left.securityGroupId], Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: port, InstancePort: 8080 }], Tags: [{ Key: 'team', Value: 'web' }] }));
    const { DNSName } = await create(80);
    expect(DNSName).toMatch(/^internal-own-classic-\d{12}\.us-east-1\.elb\.amazonaws\.com$/);
    expect((await create(80)).DNSName).toBe(DNSName);
    await expect(create(81)).rejects.toMatchObject({ name: 'DuplicateAccessPointNameException' });
    await expect(elb.send(new CreateLoadBalancerCommand({ LoadBalancerName: 'no-subnet', Subnets: ['subnet-0000000000000000'], Listeners: [{ Protocol: 'TCP', LoadBalancerPort: 80, InstancePort: 80 }] }))).rejects.toMatchObject({
      name: 'SubnetNotFoundException',
    });
    await expect(elb.send(new CreateLoadBalancerCommand({ LoadBalancerName: 'no-group', Subnets: [subnets[0]!.subnetId], SecurityGroups: ['sg-0000000000000000'], Listeners: [{ Protocol: 'TCP', LoadBalancerPort: 80, InstancePort: 80 }] }))).rejects.toMatchObject({
      name: 'InvalidSecurityGroupException',
    });

    await elb.send(new AddTagsCommand({ LoadBalancerNames: ['own-classic'], Tags: [{ Key: 'team', Value: 'shop' }, { Key: 'tier', Value: 'edge' }] }));
    const tags = (await elb.send(new DescribeTagsCommand({ LoadBalancerNames: ['own-classic'] }))).TagDescriptions![0]!.Tags;
    expect(tags).toEqual([{ Key: 'team', Value: 'shop' }, { Key: 'tier', Value: 'edge' }]);

    const first = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 1 }));
    expect(first.LoadBalancerDescriptions).toHaveLength(1);
    const second = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 1, Marker: first.NextMarker! }));
    expect(second.NextMarker).toBeUndefined();
    expect([first, second].map((p) => p.LoadBalancerDescriptions![0]!.LoadBalancerName).sort()).toEqual([left.loadBalancerName, 'own-classic'].sort());

    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerName: 'own-classic' }));
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerName: 'own-classic' }));
    expect((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions!.map((lb) => lb.LoadBalancerName)).toEqual([left.loadBalancerName]);
  });

  it('answers unknown names and too many names as AWS does, and ELBv2’s version still reaches ELBv2 on the same endpoint', async () => {
    await expect(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: ['no-such-lb'] }))).rejects.toMatchObject({ name: 'AccessPointNotFoundException', message: "There is no ACTIVE Load Balancer named 'no-such-lb'" });
    await expect(elb.send(new DescribeTagsCommand({ LoadBalancerNames: [left.loadBalancerName, 'no-such-lb'] }))).rejects.toMatchObject({ name: 'AccessPointNotFoundException' });
    await expect(elb.send(new AddTagsCommand({ LoadBalancerNames: ['no-such-lb'], Tags: [{ Key: 'a', Value: 'b' }] }))).rejects.toMatchObject({ name: 'AccessPointNotFoundException' });
    await expect(elb.send(new DescribeTagsCommand({ LoadBalancerNames: Array.from({ length: 21 }, (_, i) => `lb-${i}`) }))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(elb.send(new DescribeLoadBalancersCommand({ Marker: 'not-a-marker!' }))).rejects.toMatchObject({ name: 'ValidationError' });
    expect((await elbv2.send(new DescribeV2LoadBalancersCommand({}))).LoadBalancers).toEqual([]);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws elb describe-load-balancers and describe-tags print it; an unknown name fails with AWS’s code (LoadBalancerNotFound); delete-load-balancer deletes, a missing one too', async () => {
    const lbs = await awsCli(emulator.url, 'elb', 'describe-load-balancers');
    expect(lbs.code).toBe(0);
    expect(lbs.json).toMatchObject({ LoadBalancerDescriptions: [{ LoadBalancerName: left.loadBalancerName, VPCId: left.vpcId, SecurityGroups: [left.securityGroupId] }] });
    const tags = await awsCli(emulator.url, 'elb', 'describe-tags', '--load-balancer-names', left.loadBalancerName);
    expect(tags.json).toMatchObject({ TagDescriptions: [{ LoadBalancerName: left.loadBalancerName }] });
    const missing = await awsCli(emulator.url, 'elb', 'describe-load-balancers', '--load-balancer-names', 'no-such-lb');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('(LoadBalancerNotFound)');

    await elb.send(new CreateLoadBalancerCommand({ LoadBalancerName: 'cli-classic', Subnets: [subnetsOfVpc(left.vpcId)[0]!.subnetId], Listeners: [{ Protocol: 'TCP', LoadBalancerPort: 80, InstancePort: 80 }] }));
    for (let i = 0; i < 2; i++) expect((await awsCli(emulator.url, 'elb', 'delete-load-balancer', '--load-balancer-name', 'cli-classic')).code).toBe(0);
    expect(world.elb.loadBalancers.has('cli-classic')).toBe(false);
  });
});

describe('the rule the controller put in the nodes’ group', () => {
  it('admits everything from the load balancer’s group, and is revoked by its id as EC2 does', async () => {
    const rulesOf = async () => items((await ec2Call(emulator.url, { Action: 'DescribeSecurityGroupRules', ...filters(['group-id', left.nodeSecurityGroupId]) })).xml, 'DescribeSecurityGroupRules', 'securityGroupRuleSet');
    const naming = (await rulesOf()).filter((r) => r.referencedGroupInfo?.groupId === left.securityGroupId);
    expect(naming).toEqual([expect.objectContaining({ ipProtocol: '-1', isEgress: 'false' })]);
    expect((await ec2Call(emulator.url, { Action: 'RevokeSecurityGroupIngress', GroupId: left.nodeSecurityGroupId, 'SecurityGroupRuleId.1': naming[0]!.securityGroupRuleId })).status).toBe(200);
    expect((await rulesOf()).filter((r) => r.referencedGroupInfo?.groupId === left.securityGroupId)).toEqual([]);
  });
});

describe('deleting the cluster’s VPC', () => {
  it('fails while the load balancer is there: the stack ends DELETE_FAILED because EC2 refuses the subnets its interfaces are in', async () => {
    const stack = await cluster.deleteStack();
    expect(stack?.StackStatus).toBe('DELETE_FAILED');
    const { StackEvents } = await cluster.cloudFormation.send(new DescribeStackEventsCommand({ StackName: cluster.stackName }));
    const failed = StackEvents!.filter((e) => e.ResourceStatus === 'DELETE_FAILED' && e.ResourceType === 'AWS::EC2::Subnet');
    expect(failed[0]!.ResourceStatusReason).toMatch(/The subnet 'subnet-[0-9a-f]+' has dependencies and cannot be deleted/);
    expect(world.ec2.vpcs.has(left.vpcId)).toBe(true);
  }, 40_000);

  it('a deleted Classic Load Balancer is gone at once, its group in use (DependencyViolation) until EC2 releases its interfaces seconds later', async () => {
    const deleteGroup = () => ec2Call(emulator.url, { Action: 'DeleteSecurityGroup', GroupId: left.securityGroupId });
    expect(ec2ErrorOf(await deleteGroup())).toEqual({ status: 400, Code: 'DependencyViolation', Message: `resource ${left.securityGroupId} has a dependent object` });

    // At this suite's time scale a sampled release (5 to 30 emulated seconds) is 5 to 30 ms of wall
    // time, less than a busy machine may take between two calls: this one is held for 2,000
    // emulated seconds (2 s), so the refusal below is seen whatever the load.
    const release = jest.spyOn(world.durations, 'sample').mockReturnValueOnce(2000);
    const asked = world.clock.now().getTime();
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerName: left.loadBalancerName }));
    expect(release).toHaveBeenCalledWith('classicInterfaceRelease', left.loadBalancerName);
    release.mockRestore();
    expect((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions).toEqual([]);
    expect(ec2ErrorOf(await deleteGroup())).toMatchObject({ status: 400, Code: 'DependencyViolation' });
    await until(async () => left.networkInterfaceIds.some((id) => world.ec2.networkInterfaces.has(id)), (held) => !held, 'interfaces released', 10_000);
    expect((world.clock.now().getTime() - asked) / 1000).toBeGreaterThanOrEqual(2000);
    expect((await deleteGroup()).status).toBe(200);
  }, 30_000);

  it('succeeds once nothing of it is left: the VPC is gone', async () => {
    expect(await cluster.deleteStack()).toBeUndefined();
    expect(world.ec2.vpcs.has(left.vpcId)).toBe(false);
    expect([...world.ec2.networkInterfaces.values()].filter((e) => e.vpcId === left.vpcId)).toEqual([]);
  }, 40_000);
});

describe('a saved world', () => {
  it('keeps Classic Load Balancers and the releases under way, and ends a release that was due while it was stopped', () => {
    const eniId = 'eni-0classic00000001';
    world.ec2.networkInterfaces.set(eniId, { networkInterfaceId: eniId, subnetId: 'subnet-1', vpcId: 'vpc-1', availabilityZone: 'us-east-1a', privateIpAddress: '10.0.0.9', description: 'ELB gone', interfaceType: 'interface', securityGroupIds: [], status: 'in-use', requesterId: 'amazon-elb', tags: {} });
    world.elb.releasing.set(eniId, world.clock.now().getTime() - 1000);
    const lb = { name: 'kept', scheme: 'internal' as const, vpcId: 'vpc-1', subnetIds: ['subnet-1'], securityGroupIds: [], dnsName: 'internal-kept-1.us-east-1.elb.amazonaws.com', createdTime: new Date(0), listeners: [{ protocol: 'TCP', loadBalancerPort: 80, instanceProtocol: 'TCP', instancePort: 31000 }], networkInterfaceIds: [], tags: { a: 'b' } };
    world.elb.loadBalancers.set(lb.name, lb);
    const snapshot = JSON.parse(JSON.stringify(snapshotWorld(world))) as ReturnType<typeof snapshotWorld>;
    const restored = new World({ timeScale: SCALE, emulatedStart: snapshot.emulatedNow });
    restoreWorld(restored, snapshot);

    expect(restored.elb.loadBalancers.get('kept')).toEqual(lb);
    expect(restored.elb.releasing.has(eniId)).toBe(true);
    resumeClassicInterfaceReleases(restored);
    expect(restored.ec2.networkInterfaces.has(eniId)).toBe(false);
    expect(restored.elb.releasing.size).toBe(0);
  });
});
