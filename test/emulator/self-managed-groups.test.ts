/**
 * Auto Scaling groups and instance profiles from CloudFormation (a self-managed nodegroup's
 * stack, written by hand here: a VPC, two subnets, a role, its instance profile, a launch template
 * and the group), and the SSM endpoint's EKS AMI parameters: through the SDKs, then the AWS CLI
 * (skipped with its reason when absent; required under CI=true). The group launches its instances
 * at once, spread over its zones, On-Demand and Spot as its InstancesDistribution says, tagged as
 * its PropagateAtLaunch tags say; deleting the stack terminates them; the group survives a save
 * and restore of the World.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createAutoScalingService } from '../../local/emulator/services/autoscaling';
import { nextIsOnDemand } from '../../local/emulator/services/autoscaling/stack-groups';
import { createCloudFormationService } from '../../local/emulator/services/cloudformation';
import { amiFor } from '../../local/emulator/services/ec2/instances';
import { createSsmService } from '../../local/emulator/services/ssm';
import { restoreWorld, snapshotWorld } from '../../local/emulator/persistence';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { awsCli } from '../support/aws-tools';
import { rejectionOf } from '../support/rejection';
import { itWith, tools } from '../support/third-party';
import { until } from '../support/until';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const AMI_PARAMETER = '/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id';

let world: World;
let emulator: RunningEmulator;
let cfn: CloudFormationClient;
let autoScaling: AutoScalingClient;
let ssm: SSMClient;

function template(group: Record<string, unknown>) {
  const subnet = (i: number, zone: string) => ({ Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'VPC' }, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: zone } });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      VPC: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      SubnetA: subnet(1, 'us-east-1a'),
      SubnetB: subnet(2, 'us-east-1b'),
      NodeRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com'] }, Action: ['sts:AssumeRole'] }] } } },
      Profile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Path: '/eks-provisioner/', Roles: [{ Ref: 'NodeRole' }] } },
      Template: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.large', IamInstanceProfile: { Arn: { 'Fn::GetAtt': ['Profile', 'Arn'] } } } } },
      Group: {
        Type: 'AWS::AutoScaling::AutoScalingGroup',
        Properties: {
          MinSize: '0',
          MaxSize: '6',
          DesiredCapacity: '4',
          VPCZoneIdentifier: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }],
          Tags: [
            { Key: 'kubernetes.io/cluster/demo', Value: 'owned', PropagateAtLaunch: true },
            { Key: 'team', Value: 'blue', PropagateAtLaunch: false },
          ],
          ...group,
        },
      },
    },
  };
}

const launchTemplate = { LaunchTemplateId: { Ref: 'Template' }, Version: { 'Fn::GetAtt': ['Template', 'LatestVersionNumber'] } };

async function deploy(name: string, group: Record<string, unknown>): Promise<string> {
  await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template(group)), Capabilities: ['CAPABILITY_IAM'] }));
  const status = await until(
    async () => (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus,
    (value) => value !== undefined && !value.endsWith('_IN_PROGRESS'),
    `stack ${name} settled`,
  );
  return status ?? '';
}

const groupsOf = (stack: string) => [...world.autoScaling.groups.values()].filter((g) => g.stackName === stack);
const membersOf = (stack: string) => groupsOf(stack).flatMap((g) => g.instanceIds.map((id) => world.ec2.instances.get(id)!));

beforeAll(async () => {
  world = new World({ timeScale: 0.001, seed: 3 });
  const cloudFormation = createCloudFormationService(world);
  emulator = await startEmulator({ timeScale: 0.001, services: [cloudFormation, createAutoScalingService(world), createSsmService(world)] }, world);
  await cloudFormation.warmUp();
  cfn = new CloudFormationClient({ endpoint: emulator.url, region: 'us-east-1', credentials });
  autoScaling = new AutoScalingClient({ endpoint: emulator.url, region: 'us-east-1', credentials });
  ssm = new SSMClient({ endpoint: emulator.url, region: 'us-east-1', credentials });
});

afterAll(async () => {
  cfn?.destroy();
  autoScaling?.destroy();
  ssm?.destroy();
  await emulator?.close();
});

describe('AWS::AutoScaling::AutoScalingGroup from CloudFormation', () => {
  it('launches DesiredCapacity instances from the launch template, balanced over the zones, with the propagated tags and the instance profile', async () => {
    expect(await deploy('one-type', { LaunchTemplate: launchTemplate })).toBe('CREATE_COMPLETE');

    const members = membersOf('one-type');
    expect(members).toHaveLength(4);
    expect(members.map((i) => i.availabilityZone).sort()).toEqual(['us-east-1a', 'us-east-1a', 'us-east-1b', 'us-east-1b']);
    for (const instance of members) {
      expect(instance).toMatchObject({ state: 'running', instanceType: 't3.large', imageId: 'ami-0123456789abcdef0', capacityType: 'ON_DEMAND', iamInstanceProfileArn: expect.stringMatching(/^arn:aws:iam::000000000000:instance-profile\/eks-provisioner\/one-type-Profile-/) });
      expect(instance.tags).toMatchObject({ 'kubernetes.io/cluster/demo': 'owned', 'aws:autoscaling:groupName': groupsOf('one-type')[0]!.name, 'aws:cloudformation:stack-name': 'one-type' });
      expect(instance.tags).not.toHaveProperty('team');
    }
  });

  it('shows the group with its tags through DescribeAutoScalingGroups', async () => {
    const name = groupsOf('one-type')[0]!.name;

    const { AutoScalingGroups = [] } = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));

    expect(name).toMatch(/^one-type-Group-[A-Z0-9]{12}$/);
    expect(AutoScalingGroups[0]).toMatchObject({ MinSize: 0, MaxSize: 6, DesiredCapacity: 4, LaunchTemplate: { Version: '1' } });
    expect(AutoScalingGroups[0]!.Instances).toHaveLength(4);
    expect(AutoScalingGroups[0]!.Tags).toContainEqual(expect.objectContaining({ Key: 'kubernetes.io/cluster/demo', Value: 'owned' }));
  });

  it('mixes On-Demand and Spot over the overrides as the InstancesDistribution says', async () => {
    const policy = { LaunchTemplate: { LaunchTemplateSpecification: launchTemplate, Overrides: [{ InstanceType: 'm5.large' }, { InstanceType: 'm5a.large' }] }, InstancesDistribution: { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 33, SpotAllocationStrategy: 'capacity-optimized' } };

    expect(await deploy('mixed', { MixedInstancesPolicy: policy })).toBe('CREATE_COMPLETE');

    const members = membersOf('mixed');
    // The base (1) On-Demand, then 33% of the other 3 (0.99) rounded up: 2 On-Demand (the first type), 2 Spot over both types.
    expect(members.filter((i) => i.capacityType === 'ON_DEMAND').map((i) => i.instanceType)).toEqual(['m5.large', 'm5.large']);
    expect(members.filter((i) => i.capacityType === 'SPOT').map((i) => i.instanceType).sort()).toEqual(['m5.large', 'm5a.large']);
    const { AutoScalingGroups = [] } = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupsOf('mixed')[0]!.name] }));
    expect(AutoScalingGroups[0]!.MixedInstancesPolicy?.InstancesDistribution).toMatchObject({ OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 33, SpotAllocationStrategy: 'capacity-optimized' });
  });

  it('fails the resource as Auto Scaling would: sizes out of order, no launch template', async () => {
    expect(await deploy('bad-sizes', { LaunchTemplate: launchTemplate, DesiredCapacity: '9' })).toBe('ROLLBACK_COMPLETE');
    expect(await deploy('no-template', {})).toBe('ROLLBACK_COMPLETE');
    expect(groupsOf('bad-sizes').length + groupsOf('no-template').length).toBe(0);
  });

  it('keeps the group and its distribution across a save and restore of the World', () => {
    const restored = new World({ timeScale: 0.001 });

    restoreWorld(restored, JSON.parse(JSON.stringify(snapshotWorld(world))));

    const group = restored.autoScaling.groups.get(groupsOf('mixed')[0]!.name)!;
    expect(group).toMatchObject({ stackName: 'mixed', instancesDistribution: { onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 33 }, notPropagatedAtLaunch: ['team'], tags: expect.objectContaining({ 'kubernetes.io/cluster/demo': 'owned' }) });
  });

  it('terminates its instances and removes the group when the stack is deleted', async () => {
    const ids = groupsOf('one-type')[0]!.instanceIds;

    await cfn.send(new DeleteStackCommand({ StackName: 'one-type' }));
    await until(async () => (await cfn.send(new DescribeStacksCommand({ StackName: 'one-type' })).catch(() => ({ Stacks: [] }))).Stacks?.[0]?.StackStatus, (status) => status === undefined || status === 'DELETE_COMPLETE', 'stack one-type deleted');

    expect(groupsOf('one-type')).toEqual([]);
    expect(ids.map((id) => world.ec2.instances.get(id)?.state)).toEqual(['terminated', 'terminated', 'terminated', 'terminated']);
    expect([...world.iam.instanceProfiles.keys()].filter((name) => name.startsWith('one-type-'))).toEqual([]);
  });
});

describe('the On-Demand share of a mixed group', () => {
  it('takes the base On-Demand, then the percentage of the rest of DesiredCapacity rounded up', () => {
    const distribution = (base: number, percentage: number) => ({ onDemandBaseCapacity: base, onDemandPercentageAboveBaseCapacity: percentage, spotAllocationStrategy: 'capacity-optimized', onDemandAllocationStrategy: 'prioritized' });

    expect(nextIsOnDemand({ desiredCapacity: 2, instancesDistribution: distribution(0, 0) }, [])).toBe(false);
    expect(nextIsOnDemand({ desiredCapacity: 3, instancesDistribution: distribution(0, 50) }, [{ capacityType: 'ON_DEMAND' }])).toBe(true);
    expect(nextIsOnDemand({ desiredCapacity: 3, instancesDistribution: distribution(0, 50) }, [{ capacityType: 'ON_DEMAND' }, { capacityType: 'ON_DEMAND' }])).toBe(false);
    expect(nextIsOnDemand({ desiredCapacity: 1 }, [{ capacityType: 'ON_DEMAND' }])).toBe(true);
  });
});

describe('SSM public parameters', () => {
  it("answers EKS's optimized AL2023 AMI of a version: the image managed nodegroups of that version boot", async () => {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: AMI_PARAMETER }));

    expect(Parameter).toMatchObject({ Name: AMI_PARAMETER, Type: 'String', Value: amiFor(world, 'AL2023_x86_64_STANDARD', '1.33'), DataType: 'aws:ec2:image' });
  });

  it('answers ParameterNotFound for a version EKS does not publish', async () => {
    const error = await rejectionOf(ssm.send(new GetParameterCommand({ Name: AMI_PARAMETER.replace('1.33', '1.99') })));

    expect(error.name).toBe('ParameterNotFound');
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws ssm get-parameter and aws autoscaling describe-auto-scaling-groups work against it', async () => {
    const parameter = await awsCli(emulator.url, 'ssm', 'get-parameter', '--name', AMI_PARAMETER.replace('x86_64', 'arm64'));
    const groups = await awsCli(emulator.url, 'autoscaling', 'describe-auto-scaling-groups', '--filters', 'Name=tag:kubernetes.io/cluster/demo,Values=owned');

    expect(parameter.code).toBe(0);
    expect((parameter.json as { Parameter: { Value: string } }).Parameter.Value).toBe(amiFor(world, 'AL2023_ARM_64_STANDARD', '1.33'));
    expect(groups.code).toBe(0);
    expect((groups.json as { AutoScalingGroups: Array<{ AutoScalingGroupName: string }> }).AutoScalingGroups.map((g) => g.AutoScalingGroupName)).toEqual([groupsOf('mixed')[0]!.name]);
  });
});
