/**
 * The local Auto Scaling endpoint over the groups and instances a managed nodegroup leaves in the
 * World (put there by hand here, as the EKS emulator puts them): raw awsQuery posts (the
 * repository carries no Auto Scaling SDK client), then the AWS CLI and boto3. Each third-party
 * test shows as skipped, with its reason, when its tool is not installed; required under CI=true.
 */
import { createAutoScalingService } from '../../local/emulator/services/autoscaling';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World, type AutoScalingGroup, type Instance } from '../../local/emulator/world';
import { awsCli, python, queryPost } from '../support/aws-tools';
import { tools, itWith } from '../support/third-party';

let world: World;
let emulator: RunningEmulator;

const autoscaling = (action: string, params: Record<string, string> = {}) => queryPost(emulator.url, 'autoscaling', { Action: action, Version: '2011-01-01', ...params });

const TEMPLATE = { id: 'lt-0123456789abcdef0', name: 'eks-abc123', version: '1' };

function addGroup(nodegroup: string, options: { instances: Array<Partial<Instance>>; mixed?: string[]; subnets?: string[] }): AutoScalingGroup {
  const name = `eks-${nodegroup}-${nodegroup.length}c2a8b1e-0000-4000-8000-00000000000${nodegroup.length}`;
  const subnetIds = options.subnets ?? ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'];
  const instanceIds = options.instances.map((partial, index) => {
    const instanceId = world.newId('i');
    const zone = index % 2 === 0 ? 'us-east-1a' : 'us-east-1b';
    world.ec2.instances.set(instanceId, {
      instanceId,
      instanceType: 't3.medium',
      imageId: 'ami-0123456789abcdef0',
      vpcId: 'vpc-0123456789abcdef0',
      subnetId: subnetIds[index % subnetIds.length] ?? '',
      availabilityZone: zone,
      privateIpAddress: `192.168.1.${10 + index}`,
      privateDnsName: `ip-192-168-1-${10 + index}.ec2.internal`,
      securityGroupIds: [],
      networkInterfaceId: world.newId('eni'),
      launchTemplate: TEMPLATE,
      autoScalingGroupName: name,
      launchTime: new Date(Date.UTC(2026, 0, 1, 12, index)),
      state: 'running',
      architecture: 'x86_64',
      capacityType: 'ON_DEMAND',
      tags: {},
      ...partial,
    });
    return instanceId;
  });
  const group: AutoScalingGroup = {
    name,
    arn: `arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:6f2e1c7a-0000-4000-8000-000000000000:autoScalingGroupName/${name}`,
    minSize: 1,
    maxSize: 4,
    desiredCapacity: options.instances.length,
    subnetIds,
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    launchTemplate: TEMPLATE,
    ...(options.mixed ? { mixedInstanceTypes: options.mixed } : {}),
    instanceIds,
    createdTime: new Date(Date.UTC(2026, 0, 1, 12)),
    tags: { 'eks:cluster-name': 'demo', 'eks:nodegroup-name': nodegroup, [`k8s.io/cluster-autoscaler/demo`]: 'owned', 'k8s.io/cluster-autoscaler/enabled': 'true' },
  };
  world.autoScaling.groups.set(name, group);
  return group;
}

let standard: AutoScalingGroup;
let spot: AutoScalingGroup;

beforeAll(async () => {
  world = new World({ timeScale: 0.001 });
  emulator = await startEmulator({ timeScale: 0.001, services: [createAutoScalingService(world)] }, world);
  standard = addGroup('standard', { instances: [{}, { state: 'pending' }, { state: 'terminated' }] });
  spot = addGroup('spot', { instances: [{ capacityType: 'SPOT', instanceType: 't3a.large' }], mixed: ['t3.large', 't3a.large'] });
});

afterAll(async () => {
  await emulator.close();
});

describe('Auto Scaling over awsQuery', () => {
  it('DescribeAutoScalingGroups answers a nodegroup’s group: sizes, launch template, zones, subnets, instances and tags', async () => {
    const answer = await autoscaling('DescribeAutoScalingGroups', { 'AutoScalingGroupNames.member.1': standard.name });

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult><AutoScalingGroups><member>');
    expect(answer.all('AutoScalingGroupName')).toEqual([standard.name]);
    expect(answer.text('AutoScalingGroupARN')).toBe(standard.arn);
    expect([answer.text('MinSize'), answer.text('MaxSize'), answer.text('DesiredCapacity')]).toEqual(['1', '4', '3']);
    expect(answer.text('VPCZoneIdentifier')).toBe('subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2');
    expect(answer.text('HealthCheckType')).toBe('EC2');
    expect(answer.body).toContain('<LaunchTemplate><LaunchTemplateId>lt-0123456789abcdef0</LaunchTemplateId><LaunchTemplateName>eks-abc123</LaunchTemplateName><Version>1</Version></LaunchTemplate>');
    expect(answer.body).not.toContain('MixedInstancesPolicy');
    // The terminated instance has left the group; the pending one is still joining.
    expect(answer.all('InstanceId')).toEqual(standard.instanceIds.slice(0, 2));
    expect(answer.all('LifecycleState')).toEqual(['InService', 'Pending']);
    expect(answer.all('HealthStatus')).toEqual(['Healthy', 'Healthy']);
    expect(answer.all('ProtectedFromScaleIn')).toEqual(['false', 'false']);
    expect(answer.body).toContain(`<member><ResourceId>${standard.name}</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>eks:cluster-name</Key><Value>demo</Value><PropagateAtLaunch>true</PropagateAtLaunch></member>`);
    expect(answer.text('CapacityRebalance')).toBe('false');
  });

  it('a group of several instance types answers a MixedInstancesPolicy; a Spot one is all Spot and rebalances', async () => {
    const answer = await autoscaling('DescribeAutoScalingGroups', { 'AutoScalingGroupNames.member.1': spot.name });

    expect(answer.body).toContain('<MixedInstancesPolicy><LaunchTemplate><LaunchTemplateSpecification><LaunchTemplateId>lt-0123456789abcdef0</LaunchTemplateId>');
    expect(answer.body).toContain('<Overrides><member><InstanceType>t3.large</InstanceType></member><member><InstanceType>t3a.large</InstanceType></member></Overrides>');
    expect(answer.text('OnDemandPercentageAboveBaseCapacity')).toBe('0');
    expect(answer.text('CapacityRebalance')).toBe('true');
  });

  it('a group while it is being deleted says so in Status', async () => {
    standard.status = 'Delete in progress';
    try {
      const answer = await autoscaling('DescribeAutoScalingGroups', { 'AutoScalingGroupNames.member.1': standard.name });
      expect(answer.text('Status')).toBe('Delete in progress');
    } finally {
      delete standard.status;
    }
  });

  it('filters by tag:key, tag-key and tag-value; unknown names are left out, not refused', async () => {
    const byNodegroup = await autoscaling('DescribeAutoScalingGroups', { 'Filters.member.1.Name': 'tag:eks:nodegroup-name', 'Filters.member.1.Values.member.1': 'spot' });
    expect(byNodegroup.all('AutoScalingGroupName')).toEqual([spot.name]);

    const both = await autoscaling('DescribeAutoScalingGroups', { 'Filters.member.1.Name': 'tag-value', 'Filters.member.1.Values.member.1': 'spot', 'Filters.member.1.Values.member.2': 'standard' });
    expect(both.all('AutoScalingGroupName').sort()).toEqual([spot.name, standard.name].sort());

    const anded = await autoscaling('DescribeAutoScalingGroups', {
      'Filters.member.1.Name': 'tag-key',
      'Filters.member.1.Values.member.1': 'eks:cluster-name',
      'Filters.member.2.Name': 'tag:eks:nodegroup-name',
      'Filters.member.2.Values.member.1': 'standard',
    });
    expect(anded.all('AutoScalingGroupName')).toEqual([standard.name]);

    const none = await autoscaling('DescribeAutoScalingGroups', { 'AutoScalingGroupNames.member.1': 'no-such-group' });
    expect([none.status, none.all('AutoScalingGroupName')]).toEqual([200, []]);

    const badFilter = await autoscaling('DescribeAutoScalingGroups', { 'Filters.member.1.Name': 'instance-type', 'Filters.member.1.Values.member.1': 'x' });
    expect([badFilter.status, badFilter.text('Code')]).toEqual([400, 'ValidationError']);
  });

  it('pages by MaxRecords/NextToken, in name order', async () => {
    const first = await autoscaling('DescribeAutoScalingGroups', { MaxRecords: '1' });
    const second = await autoscaling('DescribeAutoScalingGroups', { MaxRecords: '1', NextToken: first.text('NextToken') ?? '' });

    expect(first.all('AutoScalingGroupName')).toEqual([spot.name]);
    expect(second.all('AutoScalingGroupName')).toEqual([standard.name]);
    expect(second.text('NextToken')).toBeUndefined();
    const badToken = await autoscaling('DescribeAutoScalingGroups', { NextToken: 'bogus!' });
    expect([badToken.status, badToken.text('Code')]).toEqual([400, 'InvalidNextToken']);
    const tooMany = await autoscaling('DescribeAutoScalingGroups', { MaxRecords: '101' });
    expect([tooMany.status, tooMany.text('Code')]).toEqual([400, 'ValidationError']);
  });

  it('DescribeAutoScalingInstances lists every group’s instances, or the ones asked for', async () => {
    const all = await autoscaling('DescribeAutoScalingInstances');
    expect(all.all('InstanceId').sort()).toEqual([...spot.instanceIds, ...standard.instanceIds.slice(0, 2)].sort());

    const one = await autoscaling('DescribeAutoScalingInstances', { 'InstanceIds.member.1': spot.instanceIds[0] ?? '' });
    expect([one.text('AutoScalingGroupName'), one.text('InstanceType'), one.text('LifecycleState')]).toEqual([spot.name, 't3a.large', 'InService']);
  });

  it('DescribeScalingActivities shows each instance’s launch, newest first', async () => {
    const answer = await autoscaling('DescribeScalingActivities', { AutoScalingGroupName: standard.name });

    expect(answer.all('Description')).toEqual(standard.instanceIds.map((id) => `Launching a new EC2 instance: ${id}`).reverse());
    expect(answer.all('StatusCode')).toEqual(['Successful', 'InProgress', 'Successful']);
    expect(answer.all('ActivityId')[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(JSON.parse(answer.text('Details') ?? '{}')).toEqual({ 'Subnet ID': 'subnet-0aaaaaaaaaaaaaaa1', 'Availability Zone': 'us-east-1a' });
    expect((await autoscaling('DescribeScalingActivities', { AutoScalingGroupName: 'no-such-group' })).all('ActivityId')).toEqual([]);
  });

  it('DescribeLaunchConfigurations is empty: EKS launches from launch templates', async () => {
    const answer = await autoscaling('DescribeLaunchConfigurations');

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<DescribeLaunchConfigurationsResult><LaunchConfigurations></LaunchConfigurations></DescribeLaunchConfigurationsResult>');
  });

  it('an action it does not emulate is InvalidAction, 400, in the protocol’s error shape', async () => {
    const answer = await autoscaling('SetInstanceProtection', { AutoScalingGroupName: standard.name, 'InstanceIds.member.1': standard.instanceIds[0]!, ProtectedFromScaleIn: 'true' });

    expect([answer.status, answer.text('Type'), answer.text('Code'), answer.text('Message')]).toEqual([400, 'Sender', 'InvalidAction', 'Could not find operation SetInstanceProtection for version 2011-01-01']);
  });
});

describe('the AWS CLI against the local Auto Scaling endpoint', () => {
  itWith(tools.awsCli, 'the AWS CLI')('describe-auto-scaling-groups by nodegroup tag, and an unknown operation, print as AWS’s', async () => {
    const [groups, unknown] = await Promise.all([
      awsCli(emulator.url, 'autoscaling', 'describe-auto-scaling-groups', '--filters', 'Name=tag:eks:nodegroup-name,Values=standard'),
      awsCli(emulator.url, 'autoscaling', 'set-instance-protection', '--auto-scaling-group-name', standard.name, '--instance-ids', standard.instanceIds[0]!, '--protected-from-scale-in'),
    ]);

    expect(groups).toMatchObject({ code: 0 });
    expect(groups.json).toMatchObject({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: standard.name,
          AutoScalingGroupARN: standard.arn,
          LaunchTemplate: { LaunchTemplateId: TEMPLATE.id, LaunchTemplateName: TEMPLATE.name, Version: '1' },
          MinSize: 1,
          MaxSize: 4,
          DesiredCapacity: 3,
          AvailabilityZones: ['us-east-1a', 'us-east-1b'],
          VPCZoneIdentifier: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2',
          HealthCheckType: 'EC2',
          Instances: [
            { InstanceId: standard.instanceIds[0], InstanceType: 't3.medium', AvailabilityZone: 'us-east-1a', LifecycleState: 'InService', HealthStatus: 'Healthy', ProtectedFromScaleIn: false, LaunchTemplate: { LaunchTemplateId: TEMPLATE.id } },
            { InstanceId: standard.instanceIds[1], LifecycleState: 'Pending' },
          ],
          Tags: expect.arrayContaining([{ ResourceId: standard.name, ResourceType: 'auto-scaling-group', Key: 'eks:nodegroup-name', Value: 'standard', PropagateAtLaunch: true }]),
        },
      ],
    });
    expect(new Date((groups.json as { AutoScalingGroups: Array<{ CreatedTime: string }> }).AutoScalingGroups[0]?.CreatedTime ?? '')).toEqual(standard.createdTime);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim()).toBe('An error occurred (InvalidAction) when calling the SetInstanceProtection operation: Could not find operation SetInstanceProtection for version 2011-01-01');
  }, 60_000);
});

describe('boto3 against the local Auto Scaling endpoint', () => {
  itWith(tools.boto3, 'python3 with boto3')('the paginator walks every group by NextToken; instances and activities parse', async () => {
    const script = `
import boto3, json, sys
asg = boto3.client('autoscaling', endpoint_url=sys.argv[1], region_name='us-east-1')
pages = list(asg.get_paginator('describe_auto_scaling_groups').paginate(PaginationConfig={'PageSize': 1}))
instances = asg.describe_auto_scaling_instances()['AutoScalingInstances']
activities = asg.describe_scaling_activities(AutoScalingGroupName=sys.argv[2])['Activities']
print(json.dumps({'pages': [[g['AutoScalingGroupName'] for g in p['AutoScalingGroups']] for p in pages], 'instances': len(instances), 'progress': [a['Progress'] for a in activities]}, default=str))
`;
    const result = await python<{ pages: string[][]; instances: number; progress: number[] }>(emulator.url, script, emulator.url, standard.name);

    expect(result).toEqual({ pages: [[spot.name], [standard.name]], instances: 3, progress: [100, 30, 100] });
  }, 30_000);
});
