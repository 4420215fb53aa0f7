/**
 * The field notes' journey after `eksctl create cluster`, against one emulator running
 * CloudFormation, EKS and EC2: the real cluster stack is deployed, a managed nodegroup is made with
 * the EKS SDK, and EC2 shows what AWS would — the security groups with the stack's rules and
 * EKS's self-referencing one, NAT and control-plane network interfaces, the nodegroup's Auto
 * Scaling group, launch template and instances (inside their subnets), through scaling and
 * deletion. The AWS CLI reads the same answers.
 */
import { CreateNodegroupCommand, DeleteNodegroupCommand, DescribeClusterCommand, DescribeNodegroupCommand, DescribeUpdateCommand, EKSClient, UpdateNodegroupConfigCommand } from '@aws-sdk/client-eks';
import { cidrContains, ipv4Range, parseIpv4 } from '../../local/emulator/ipv4';
import { createAutoScalingService } from '../../local/emulator/services/autoscaling';
import { restoreWorld, snapshotWorld } from '../../local/emulator/persistence';
import type { RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { queryPost, spawnCollect } from '../support/aws-tools';
import { startClusterStackEmulator, type ClusterStackEmulator } from '../support/cluster-stack-emulator';
import { ec2Call, filters, items, type Xml } from '../support/ec2-query';
import { emulatorOnlyEnvironment, tools, itWith } from '../support/third-party';
import { until } from '../support/until';

const SCALE = 0.001;
const CLUSTER = 'journey';

let cluster: ClusterStackEmulator;
let emulator: RunningEmulator;
let world: World;
let eks: EKSClient;
let outputs: Record<string, string>;
let privateSubnets: string[];

const call = (params: Record<string, string>) => ec2Call(emulator.url, params);
const nodegroupOf = (name: string) => eks.send(new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName: name })).then((r) => r.nodegroup!);

async function instancesOf(nodegroup: string): Promise<Xml[]> {
  const { xml } = await call({ Action: 'DescribeInstances', ...filters(['tag:eks:nodegroup-name', nodegroup]) });
  return items(xml, 'DescribeInstances', 'reservationSet').flatMap((r) => r.instancesSet.item);
}

function runAws(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return spawnCollect('aws', [...args, '--output', 'json'], emulatorOnlyEnvironment(emulator.url));
}

beforeAll(async () => {
  cluster = await startClusterStackEmulator({ scale: SCALE, seed: 7, cluster: CLUSTER, cidr: '10.20.0.0/16', more: (w) => [createAutoScalingService(w)] });
  ({ world, emulator } = cluster);
  eks = cluster.client(EKSClient);
  const stack = await cluster.stack();
  outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  // In zone order: which subnet the stack finished first depends on the sampled durations, the zone balancing on the list's order.
  privateSubnets = [...world.ec2.subnets.values()]
    .filter((s) => !s.mapPublicIpOnLaunch && s.tags['aws:cloudformation:stack-name'] === cluster.stackName)
    .sort((a, b) => a.availabilityZone.localeCompare(b.availabilityZone))
    .map((s) => s.subnetId);
}, 60_000);

afterAll(() => cluster?.stop());

describe('the cluster stack’s network, as EC2 describes it', () => {
  it('the cluster security group carries EKS’s self-referencing rule and the stack’s rule from the shared node group', async () => {
    const { xml } = await call({ Action: 'DescribeSecurityGroups', 'GroupId.1': outputs.ClusterSecurityGroupId! });
    const [group] = items(xml, 'DescribeSecurityGroups', 'securityGroupInfo');

    expect(group!.groupName).toMatch(new RegExp(`^eks-cluster-sg-${CLUSTER}-\\d+$`));
    expect(group!.ipPermissions.item).toEqual([
      {
        ipProtocol: '-1',
        groups: {
          item: [
            { groupId: outputs.ClusterSecurityGroupId, userId: world.account },
            { description: 'Allow unmanaged nodes to communicate with control plane (all ports)', groupId: outputs.ClusterSharedNodeSecurityGroup, userId: world.account },
          ],
        },
        ipRanges: '',
        ipv6Ranges: '',
        prefixListIds: '',
      },
    ]);
    expect(group!.ipPermissionsEgress.item).toEqual([{ ipProtocol: '-1', groups: '', ipRanges: { item: [{ cidrIp: '0.0.0.0/0' }] }, ipv6Ranges: '', prefixListIds: '' }]);
  });

  it('the shared node group has both of the stack’s ingress rules; DescribeSecurityGroupRules lists them one by one', async () => {
    const { xml } = await call({ Action: 'DescribeSecurityGroupRules', ...filters(['group-id', outputs.ClusterSharedNodeSecurityGroup!]) });
    const rules = items(xml, 'DescribeSecurityGroupRules', 'securityGroupRuleSet');

    expect(rules.filter((r) => r.isEgress === 'false').map((r) => [r.referencedGroupInfo.groupId, r.description]).sort()).toEqual(
      [
        [outputs.ClusterSharedNodeSecurityGroup, 'Allow nodes to communicate with each other (all ports)'],
        [outputs.ClusterSecurityGroupId, 'Allow managed and unmanaged nodes to communicate with each other (all ports)'],
      ].sort(),
    );
    expect(rules.every((r) => /^sgr-0[0-9a-f]{16}$/.test(r.securityGroupRuleId) && r.fromPort === '-1')).toBe(true);
  });

  it('the NAT gateway and the control plane hold network interfaces with addresses of their subnets', async () => {
    const nat = items((await call({ Action: 'DescribeNatGateways' })).xml, 'DescribeNatGateways', 'natGatewaySet');
    expect(nat).toHaveLength(1);
    const [address] = nat[0]!.natGatewayAddressSet.item;
    expect(address).toMatchObject({ networkInterfaceId: expect.stringMatching(/^eni-/), publicIp: expect.any(String), status: 'succeeded' });
    const natSubnet = world.ec2.subnets.get(nat[0]!.subnetId)!;
    expect(cidrContains(natSubnet.cidrBlock, address.privateIp)).toBe(true);

    const enis = items((await call({ Action: 'DescribeNetworkInterfaces', ...filters(['description', `Amazon EKS ${CLUSTER}`]) })).xml, 'DescribeNetworkInterfaces', 'networkInterfaceSet');
    expect(enis).toHaveLength(2);
    expect(new Set(enis.map((e) => e.availabilityZone)).size).toBe(2);
    const clusterSubnets = (await eks.send(new DescribeClusterCommand({ name: CLUSTER }))).cluster!.resourcesVpcConfig!.subnetIds;
    for (const eni of enis) {
      expect(clusterSubnets).toContain(eni.subnetId);
      expect(eni.groupSet.item.map((g: Xml) => g.groupId)).toContain(outputs.ClusterSecurityGroupId);
      expect(cidrContains(world.ec2.subnets.get(eni.subnetId)!.cidrBlock, eni.privateIpAddress)).toBe(true);
    }
  });
});

describe('a managed nodegroup’s instances', () => {
  let asgName = '';

  it('ACTIVE makes its Auto Scaling group, EKS’s launch template and desiredSize instances spread over its subnets', async () => {
    await eks.send(new CreateNodegroupCommand({ clusterName: CLUSTER, nodegroupName: 'ng-general', nodeRole: outputs.NodeInstanceRoleArn, subnets: privateSubnets, scalingConfig: { minSize: 1, maxSize: 4, desiredSize: 3 }, instanceTypes: ['m5.large'] }));
    expect(await instancesOf('ng-general')).toEqual([]);
    const nodegroup = await until(() => nodegroupOf('ng-general'), (n) => n.status === 'ACTIVE', 'nodegroup ACTIVE');
    asgName = nodegroup.resources!.autoScalingGroups![0]!.name!;
    const uuid = nodegroup.nodegroupArn!.split('/').pop()!;

    expect(asgName).toBe(`eks-ng-general-${uuid}`);
    const group = world.autoScaling.groups.get(asgName)!;
    expect(group).toMatchObject({ minSize: 1, maxSize: 4, desiredCapacity: 3, subnetIds: privateSubnets, launchTemplate: { name: `eks-${uuid}`, version: '1' } });
    const instances = await instancesOf('ng-general');
    expect(instances.map((i) => i.instanceId).sort()).toEqual([...group.instanceIds].sort());
    expect(instances.map((i) => i.placement.availabilityZone).sort()).toEqual(['us-east-1a', 'us-east-1a', 'us-east-1b']);
    expect(new Set(instances.map((i) => i.privateIpAddress)).size).toBe(3);
    for (const instance of instances) {
      const subnet = world.ec2.subnets.get(instance.subnetId)!;
      const range = ipv4Range(subnet.cidrBlock)!;
      const address = parseIpv4(instance.privateIpAddress)!;
      expect(privateSubnets).toContain(instance.subnetId);
      expect(address).toBeGreaterThanOrEqual(range.first + 4);
      expect(address).toBeLessThan(range.first + range.size - 1);
      expect(instance).toMatchObject({
        instanceType: 'm5.large',
        instanceState: { code: '16', name: 'running' },
        privateDnsName: `ip-${instance.privateIpAddress.replace(/\./g, '-')}.ec2.internal`,
        imageId: expect.stringMatching(/^ami-0[0-9a-f]{16}$/),
        vpcId: subnet.vpcId,
        iamInstanceProfile: { arn: `arn:aws:iam::${world.account}:instance-profile/eks-${uuid}` },
      });
      expect(instance.groupSet.item.map((g: Xml) => g.groupId)).toEqual([outputs.ClusterSecurityGroupId]);
      const tags = Object.fromEntries(instance.tagSet.item.map((t: Xml) => [t.key, t.value]));
      expect(tags).toMatchObject({ 'eks:cluster-name': CLUSTER, 'eks:nodegroup-name': 'ng-general', [`kubernetes.io/cluster/${CLUSTER}`]: 'owned', 'aws:autoscaling:groupName': asgName, 'aws:ec2launchtemplate:id': group.launchTemplate!.id });
      const [eni] = instance.networkInterfaceSet.item;
      expect(eni).toMatchObject({ privateIpAddress: instance.privateIpAddress, subnetId: instance.subnetId, attachment: { deviceIndex: '0', status: 'attached' } });
    }

    const templates = items((await call({ Action: 'DescribeLaunchTemplateVersions', LaunchTemplateName: `eks-${uuid}` })).xml, 'DescribeLaunchTemplateVersions', 'launchTemplateVersionSet');
    expect(templates[0]!.launchTemplateData).toMatchObject({ instanceType: 'm5.large', imageId: instances[0]!.imageId, securityGroupIdSet: { item: [outputs.ClusterSecurityGroupId] }, metadataOptions: { httpTokens: 'required' } });
  });

  it('Auto Scaling and IAM show the same group, instances and instance profile', async () => {
    const nodegroup = await nodegroupOf('ng-general');
    const uuid = nodegroup.nodegroupArn!.split('/').pop()!;
    const groups = await queryPost(emulator.url, 'autoscaling', { Action: 'DescribeAutoScalingGroups', Version: '2011-01-01', 'AutoScalingGroupNames.member.1': asgName });
    const profile = await queryPost(emulator.url, 'iam', { Action: 'GetInstanceProfile', Version: '2010-05-08', InstanceProfileName: `eks-${uuid}` });

    expect(groups.status).toBe(200);
    expect(groups.text('AutoScalingGroupName')).toBe(asgName);
    expect(groups.all('InstanceId').sort()).toEqual([...world.autoScaling.groups.get(asgName)!.instanceIds].sort());
    expect(groups.all('LifecycleState')).toEqual(['InService', 'InService', 'InService']);
    expect(profile.status).toBe(200);
    expect(profile.text('Arn')).toBe(`arn:aws:iam::${world.account}:instance-profile/eks-${uuid}`);
    expect(profile.text('RoleName')).toBe(outputs.NodeInstanceRoleArn!.split('/').pop());
  });

  it('the instances, interfaces, rules and Auto Scaling group survive a save and restore of the world', () => {
    const restored = new World({ timeScale: SCALE });
    restoreWorld(restored, JSON.parse(JSON.stringify(snapshotWorld(world))));

    expect(restored.ec2.instances).toEqual(world.ec2.instances);
    expect(restored.ec2.networkInterfaces).toEqual(world.ec2.networkInterfaces);
    expect(restored.ec2.securityGroups).toEqual(world.ec2.securityGroups);
    expect(restored.ec2.other).toEqual(world.ec2.other);
    expect(restored.autoScaling.groups).toEqual(world.autoScaling.groups);
  });

  it('finds a node by its private address or DNS name, as `kubectl get nodes` names it', async () => {
    const [first] = await instancesOf('ng-general');
    const byIp = await call({ Action: 'DescribeInstances', ...filters(['private-ip-address', first!.privateIpAddress]) });
    const byName = await call({ Action: 'DescribeInstances', ...filters(['private-dns-name', first!.privateDnsName], ['instance-state-name', 'running']) });

    expect(items(byIp.xml, 'DescribeInstances', 'reservationSet').map((r) => r.instancesSet.item[0].instanceId)).toEqual([first!.instanceId]);
    expect(items(byName.xml, 'DescribeInstances', 'reservationSet').map((r) => r.instancesSet.item[0].instanceId)).toEqual([first!.instanceId]);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws ec2 describe-instances --filters Name=tag:eks:nodegroup-name,... and describe-security-groups print them', async () => {
    const [instances, groups] = await Promise.all([
      runAws(['ec2', 'describe-instances', '--filters', 'Name=tag:eks:nodegroup-name,Values=ng-general', '--query', 'Reservations[].Instances[].[InstanceId,PrivateIpAddress,State.Name]']),
      runAws(['ec2', 'describe-security-groups', '--group-ids', outputs.ClusterSecurityGroupId!]),
    ]);

    expect(instances.stderr).toBe('');
    expect(JSON.parse(instances.stdout).map((row: string[]) => row[0]).sort()).toEqual([...world.autoScaling.groups.get(asgName)!.instanceIds].sort());
    expect(groups.code).toBe(0);
    const [group] = JSON.parse(groups.stdout).SecurityGroups;
    expect(group.IpPermissions[0]).toMatchObject({ IpProtocol: '-1', UserIdGroupPairs: expect.arrayContaining([{ GroupId: outputs.ClusterSecurityGroupId, UserId: world.account }]) });
  });

  it('scaling in terminates from the fullest zone; the terminated instances stay listed without addresses', async () => {
    const { update } = await eks.send(new UpdateNodegroupConfigCommand({ clusterName: CLUSTER, nodegroupName: 'ng-general', scalingConfig: { desiredSize: 1 } }));
    await until(() => eks.send(new DescribeUpdateCommand({ name: CLUSTER, nodegroupName: 'ng-general', updateId: update!.id! })).then((r) => r.update!), (u) => u.status === 'Successful', 'scale-in done');

    const instances = await instancesOf('ng-general');
    const running = instances.filter((i) => i.instanceState.name === 'running');
    const terminated = instances.filter((i) => i.instanceState.name === 'terminated');
    expect(running).toHaveLength(1);
    expect(terminated).toHaveLength(2);
    expect(terminated.every((i) => i.privateIpAddress === undefined && i.networkInterfaceSet === '' && /^User initiated \(/.test(i.reason))).toBe(true);
    expect(world.autoScaling.groups.get(asgName)).toMatchObject({ desiredCapacity: 1, instanceIds: [running[0]!.instanceId] });
    expect([...world.ec2.networkInterfaces.values()].filter((e) => e.instanceId).map((e) => e.instanceId)).toEqual([running[0]!.instanceId]);
  });

  it('scaling out launches into the emptier zone', async () => {
    const { update } = await eks.send(new UpdateNodegroupConfigCommand({ clusterName: CLUSTER, nodegroupName: 'ng-general', scalingConfig: { desiredSize: 2 } }));
    await until(() => eks.send(new DescribeUpdateCommand({ name: CLUSTER, nodegroupName: 'ng-general', updateId: update!.id! })).then((r) => r.update!), (u) => u.status === 'Successful', 'scale-out done');

    const running = (await instancesOf('ng-general')).filter((i) => i.instanceState.name === 'running');
    expect(running.map((i) => i.placement.availabilityZone).sort()).toEqual(['us-east-1a', 'us-east-1b']);
  });

  it('deleting the nodegroup terminates its instances and removes its group, EKS’s launch template and instance profile', async () => {
    const uuid = (await nodegroupOf('ng-general')).nodegroupArn!.split('/').pop()!;
    await eks.send(new DeleteNodegroupCommand({ clusterName: CLUSTER, nodegroupName: 'ng-general' }));
    expect(world.autoScaling.groups.get(asgName)?.status).toBe('Delete in progress');
    await until(() => eks.send(new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName: 'ng-general' })).then(() => 'there', () => 'gone'), (s) => s === 'gone', 'nodegroup gone');

    expect((await instancesOf('ng-general')).map((i) => i.instanceState.name)).toEqual(expect.arrayContaining(['terminated']));
    expect((await instancesOf('ng-general')).every((i) => i.instanceState.name === 'terminated')).toBe(true);
    expect(world.autoScaling.groups.has(asgName)).toBe(false);
    expect(world.iam.instanceProfiles.has(`eks-${uuid}`)).toBe(false);
    const missing = await call({ Action: 'DescribeLaunchTemplates', 'LaunchTemplateName.1': `eks-${uuid}` });
    expect(missing.xml.Response.Errors.Error[0].Code).toBe('InvalidLaunchTemplateName.NotFoundException');
    expect([...world.ec2.networkInterfaces.values()].filter((e) => e.instanceId)).toEqual([]);
  });
});

describe('deleting the stack', () => {
  it('removes the rules, the NAT gateway’s interface and the control plane’s', async () => {
    await cluster.deleteStack();

    expect(world.ec2.networkInterfaces.size).toBe(0);
    expect([...world.ec2.securityGroups.values()].flatMap((g) => g.ingress ?? [])).toEqual([]);
  }, 40_000);
});
