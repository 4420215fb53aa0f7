/**
 * Day-2 changes of a self-managed nodegroup's stack (a launch template with an image and nodeadm
 * user data, and an Auto Scaling group whose Version is the template's LatestVersionNumber),
 * through the SDKs, then the AWS CLI (skipped with its reason when absent; required under CI=true):
 * UpdateStack resizes the group in place (it launches or scales in, through Terminating) and
 * rolls back when Auto Scaling refuses the sizes; a new image or user data is a new launch
 * template version the group re-resolves to while running instances keep theirs;
 * TerminateInstanceInAutoScalingGroup replaces an instance from the current version, or shrinks
 * the group, and a termination under way finishes in a restored World; UpdateAutoScalingGroup and
 * SetDesiredCapacity apply Auto Scaling's rules; every launch and termination is a scaling activity;
 * a terminated instance's Node is deleted when the cloud node lifecycle controller would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand, SetDesiredCapacityCommand, TerminateInstanceInAutoScalingGroupCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, CreateStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { createAutoScalingService, resumeTerminations } from '../../local/emulator/services/autoscaling';
import { createCloudFormationService } from '../../local/emulator/services/cloudformation';
import { createEc2Service } from '../../local/emulator/services/ec2';
import { parseNodeConfig } from '../../local/emulator/services/eks/self-managed-nodes';
import { hasNode, nodeDeletedAt } from '../../local/emulator/services/kubernetes/node-readiness';
import { restoreWorld, snapshotWorld } from '../../local/emulator/persistence';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World, type Instance } from '../../local/emulator/world';
import { awsCli, queryPost } from '../support/aws-tools';
import { rejectionOf } from '../support/rejection';
import { itWith, tools } from '../support/third-party';
import { until } from '../support/until';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const OLD_IMAGE = 'ami-0aaaaaaaaaaaaaaa1';
const NEW_IMAGE = 'ami-0bbbbbbbbbbbbbbb2';
/** Generous: the machine's cores are shared, and a busy moment must not read as a stuck stack. */
const SETTLE_MS = 20_000;

let world: World;
let emulator: RunningEmulator;
let cfn: CloudFormationClient;
let autoScaling: AutoScalingClient;
let dir: string;

/** nodeadm user data as the service renders it: the kubelet registers with these labels. */
function userData(labels: Record<string, string>): string {
  const flag = Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',');
  const document = ['---', 'apiVersion: node.eks.aws/v1alpha1', 'kind: NodeConfig', 'spec:', '  cluster:', '    name: demo', '    apiServerEndpoint: https://demo.example', '  kubelet:', '    flags:', `      - "--node-labels=${flag}"`, ''];
  return Buffer.from(['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="//"', '', '--//', 'Content-Type: application/node.eks.aws', '', ...document, '--//--', ''].join('\n')).toString('base64');
}

interface Change {
  sizes?: [min: string, max: string, desired: string];
  imageId?: string;
  labels?: Record<string, string>;
  mixed?: boolean;
}

function template({ sizes = ['1', '4', '2'], imageId = OLD_IMAGE, labels = { role: 'batch' }, mixed = false }: Change = {}) {
  const subnet = (i: number, zone: string) => ({ Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'VPC' }, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: zone } });
  const launchTemplate = { LaunchTemplateId: { Ref: 'NodeGroupLaunchTemplate' }, Version: { 'Fn::GetAtt': ['NodeGroupLaunchTemplate', 'LatestVersionNumber'] } };
  return JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      VPC: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      SubnetA: subnet(1, 'us-east-1a'),
      SubnetB: subnet(2, 'us-east-1b'),
      NodeGroupLaunchTemplate: {
        Type: 'AWS::EC2::LaunchTemplate',
        Properties: { LaunchTemplateData: { ImageId: imageId, ...(mixed ? {} : { InstanceType: 't3.large' }), UserData: { 'Fn::Base64': Buffer.from(userData(labels), 'base64').toString('utf8') } } },
      },
      NodeGroup: {
        Type: 'AWS::AutoScaling::AutoScalingGroup',
        Properties: {
          MinSize: sizes[0],
          MaxSize: sizes[1],
          DesiredCapacity: sizes[2],
          VPCZoneIdentifier: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }],
          ...(mixed ? { MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: launchTemplate, Overrides: [{ InstanceType: 'm5.large' }] } } } : { LaunchTemplate: launchTemplate }),
          Tags: [{ Key: 'kubernetes.io/cluster/demo', Value: 'owned', PropagateAtLaunch: true }],
        },
      },
    },
  });
}

async function settled(name: string): Promise<string> {
  return (
    (await until(
      async () => (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus,
      (status) => status !== undefined && !status.endsWith('_IN_PROGRESS'),
      `stack ${name} settled`,
      SETTLE_MS,
    )) ?? ''
  );
}

async function deploy(name: string, change: Change = {}): Promise<string> {
  await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: template(change) }));
  return settled(name);
}

async function update(name: string, change: Change): Promise<string> {
  await cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: template(change) }));
  return settled(name);
}

/** The events of the stack's last operation, oldest first. */
async function lastOperationEvents(name: string) {
  const { StackEvents = [] } = await cfn.send(new DescribeStackEventsCommand({ StackName: name }));
  const oldestFirst = StackEvents.reverse();
  const start = oldestFirst.map((e) => e.LogicalResourceId === name && e.ResourceStatus === 'UPDATE_IN_PROGRESS').lastIndexOf(true);
  return oldestFirst.slice(start);
}

const groupOf = (stack: string) => [...world.autoScaling.groups.values()].find((g) => g.stackName === stack)!;
const instancesOf = (stack: string): Instance[] => [...world.ec2.instances.values()].filter((i) => i.tags['aws:cloudformation:stack-name'] === stack);
const running = (stack: string) => instancesOf(stack).filter((i) => i.state === 'running');
const describeGroup = async (stack: string) => (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupOf(stack).name] }))).AutoScalingGroups![0]!;
const labelsOf = (instance: Instance) => {
  const template = world.ec2.other.get(instance.launchTemplate!.id)!;
  const version = (template.properties.Versions as Array<{ VersionNumber: number; LaunchTemplateData: { UserData: string } }>).find((v) => String(v.VersionNumber) === instance.launchTemplate!.version)!;
  return parseNodeConfig(Buffer.from(version.LaunchTemplateData.UserData, 'base64').toString('utf8'))?.labels;
};
const allTerminated = (stack: string, ids: string[]) => until(async () => ids.map((id) => world.ec2.instances.get(id)?.state), (states) => states.every((s) => s === 'terminated'), `${stack}: ${ids.join(', ')} terminated`, SETTLE_MS);

beforeAll(async () => {
  // 0.05: an instance is Terminating for 1–4.5 s, long enough to be seen so on a busy machine.
  world = new World({ timeScale: 0.05, seed: 5 });
  const cloudFormation = createCloudFormationService(world);
  emulator = await startEmulator({ timeScale: 0.05, services: [cloudFormation, createAutoScalingService(world), createEc2Service(world)] }, world);
  await cloudFormation.warmUp();
  cfn = new CloudFormationClient({ endpoint: emulator.url, region: 'us-east-1', credentials });
  autoScaling = new AutoScalingClient({ endpoint: emulator.url, region: 'us-east-1', credentials });
  dir = mkdtempSync(join(tmpdir(), 'self-managed-day2-'));
});

afterAll(async () => {
  cfn?.destroy();
  autoScaling?.destroy();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('UpdateStack of a self-managed nodegroup stack', () => {
  it('scales the group out and in place: the group UPDATE_IN_PROGRESS → UPDATE_COMPLETE, new instances launched, the surplus Terminating then terminated', async () => {
    expect(await deploy('scale')).toBe('CREATE_COMPLETE');
    const name = groupOf('scale').name;

    expect(await update('scale', { sizes: ['1', '5', '4'] })).toBe('UPDATE_COMPLETE');
    const events = await lastOperationEvents('scale');
    expect(events.filter((e) => e.LogicalResourceId === 'NodeGroup').map((e) => e.ResourceStatus)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(events.filter((e) => e.LogicalResourceId === 'NodeGroupLaunchTemplate')).toEqual([]);
    expect(groupOf('scale').name).toBe(name);
    expect(await describeGroup('scale')).toMatchObject({ MinSize: 1, MaxSize: 5, DesiredCapacity: 4, LaunchTemplate: { Version: '1' } });
    expect(running('scale')).toHaveLength(4);

    expect(await update('scale', { sizes: ['1', '5', '1'] })).toBe('UPDATE_COMPLETE');
    const leaving = instancesOf('scale').filter((i) => i.state === 'shutting-down');
    expect(leaving).toHaveLength(3);
    expect((await describeGroup('scale')).Instances!.filter((i) => i.LifecycleState === 'Terminating').map((i) => i.InstanceId).sort()).toEqual(leaving.map((i) => i.instanceId).sort());
    await allTerminated('scale', leaving.map((i) => i.instanceId));
    expect((await describeGroup('scale')).Instances).toHaveLength(1);
    const { Activities = [] } = await autoScaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name }));
    expect(Activities.filter((a) => a.Description?.startsWith('Terminating')).map((a) => [a.StatusCode, a.Progress])).toEqual([
      ['Successful', 100],
      ['Successful', 100],
      ['Successful', 100],
    ]);
    expect(Activities[0]!.Cause).toMatch(/a user request update of AutoScalingGroup constraints to min: 1, max: 5, desired: 1 changing the desired capacity from 4 to 1\. {2}At \S+ an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 2 to 1\./);
    expect(Activities.filter((a) => a.Description?.startsWith('Launching'))).toHaveLength(4);
  });

  it('rolls back sizes Auto Scaling refuses: the group UPDATE_FAILED with its message, the stack UPDATE_ROLLBACK_COMPLETE, the group as it was', async () => {
    expect(await deploy('refused')).toBe('CREATE_COMPLETE');
    const before = running('refused').map((i) => i.instanceId);

    expect(await update('refused', { sizes: ['1', '4', '9'] })).toBe('UPDATE_ROLLBACK_COMPLETE');
    const events = await lastOperationEvents('refused');
    const failed = events.find((e) => e.LogicalResourceId === 'NodeGroup' && e.ResourceStatus === 'UPDATE_FAILED');
    expect(failed?.ResourceStatusReason).toMatch(/^Resource handler returned message: "Desired capacity:9 must be between the specified min size:1 and max size:4 \(Service: AutoScaling, Status Code: 400/);
    expect(events.filter((e) => e.LogicalResourceId === 'refused').map((e) => [e.ResourceStatus, e.ResourceStatusReason])).toEqual([
      ['UPDATE_IN_PROGRESS', 'User Initiated'],
      ['UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [NodeGroup]. '],
      ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', undefined],
      ['UPDATE_ROLLBACK_COMPLETE', undefined],
    ]);
    expect(events.filter((e) => e.LogicalResourceId === 'NodeGroup').map((e) => e.ResourceStatus)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_FAILED', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(await describeGroup('refused')).toMatchObject({ MinSize: 1, MaxSize: 4, DesiredCapacity: 2 });
    expect(running('refused').map((i) => i.instanceId)).toEqual(before);

    const minAboveMax = await rejectionOf(autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: groupOf('refused').name, MinSize: 5 })));
    expect(minAboveMax).toMatchObject({ name: 'ValidationError', message: 'Max bound, 4, must be greater than or equal to min bound, 5' });
  });

  it('rolls back a new image together with refused sizes: the launch template updated back (a third version, the old data), the group on it', async () => {
    expect(await deploy('both-refused')).toBe('CREATE_COMPLETE');

    expect(await update('both-refused', { imageId: NEW_IMAGE, sizes: ['3', '2', '2'] })).toBe('UPDATE_ROLLBACK_COMPLETE');

    const events = await lastOperationEvents('both-refused');
    expect(events.filter((e) => e.LogicalResourceId !== 'both-refused').map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)).toEqual([
      'NodeGroupLaunchTemplate UPDATE_IN_PROGRESS',
      'NodeGroupLaunchTemplate UPDATE_COMPLETE',
      'NodeGroup UPDATE_IN_PROGRESS',
      'NodeGroup UPDATE_FAILED',
      'NodeGroupLaunchTemplate UPDATE_IN_PROGRESS',
      'NodeGroupLaunchTemplate UPDATE_COMPLETE',
      'NodeGroup UPDATE_IN_PROGRESS',
      'NodeGroup UPDATE_COMPLETE',
    ]);
    expect(events.find((e) => e.ResourceStatus === 'UPDATE_FAILED')?.ResourceStatusReason).toMatch(/"Max bound, 2, must be greater than or equal to min bound, 3 \(Service: AutoScaling/);
    const launchTemplate = world.ec2.other.get(groupOf('both-refused').launchTemplate!.id)!;
    expect([launchTemplate.properties.LatestVersionNumber, (launchTemplate.properties.LaunchTemplateData as { ImageId: string }).ImageId]).toEqual([3, OLD_IMAGE]);
    expect(await describeGroup('both-refused')).toMatchObject({ MinSize: 1, MaxSize: 4, DesiredCapacity: 2, LaunchTemplate: { Version: '3' } });
    expect(running('both-refused').map((i) => i.imageId)).toEqual([OLD_IMAGE, OLD_IMAGE]);
  });

  it('gives the launch template a new version for a new image and user data, which the group re-resolves to; running instances keep version 1', async () => {
    expect(await deploy('reimage', { mixed: true })).toBe('CREATE_COMPLETE');
    const old = running('reimage');

    expect(await update('reimage', { mixed: true, imageId: NEW_IMAGE, labels: { role: 'batch', tier: 'gold' } })).toBe('UPDATE_COMPLETE');
    const events = await lastOperationEvents('reimage');
    expect(events.filter((e) => e.ResourceStatus?.startsWith('UPDATE_') && e.LogicalResourceId !== 'reimage').map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)).toEqual([
      'NodeGroupLaunchTemplate UPDATE_IN_PROGRESS',
      'NodeGroupLaunchTemplate UPDATE_COMPLETE',
      'NodeGroup UPDATE_IN_PROGRESS',
      'NodeGroup UPDATE_COMPLETE',
    ]);
    const group = await describeGroup('reimage');
    expect(group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.Version).toBe('2');
    expect(running('reimage')).toEqual(old);
    expect(old.map((i) => [i.imageId, i.tags['aws:ec2launchtemplate:version'], labelsOf(i)])).toEqual([
      [OLD_IMAGE, '1', { role: 'batch' }],
      [OLD_IMAGE, '1', { role: 'batch' }],
    ]);
  });
});

describe('TerminateInstanceInAutoScalingGroup', () => {
  it('without decrementing: the instance Terminating, a replacement from the current version (new image, new labels) at once; the activity as AWS answers it', async () => {
    const [victim] = running('reimage');
    const name = groupOf('reimage').name;

    const { Activity } = await autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim!.instanceId, ShouldDecrementDesiredCapacity: false }));

    expect(Activity).toMatchObject({
      ActivityId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      AutoScalingGroupName: name,
      Description: `Terminating EC2 instance: ${victim!.instanceId}`,
      Cause: expect.stringMatching(new RegExp(`^At \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ instance ${victim!.instanceId} was taken out of service in response to a user request\\.$`)),
      StatusCode: 'InProgress',
      Progress: 0,
      Details: JSON.stringify({ 'Subnet ID': victim!.subnetId, 'Availability Zone': victim!.availabilityZone }),
    });
    expect(Activity!.StartTime).toBeInstanceOf(Date);
    const replacement = running('reimage').find((i) => i.launchTime >= victim!.launchTime && i.instanceId !== victim!.instanceId && i.tags['aws:ec2launchtemplate:version'] === '2');
    expect(replacement).toMatchObject({ imageId: NEW_IMAGE, launchTemplate: { version: '2' }, availabilityZone: victim!.availabilityZone });
    expect(labelsOf(replacement!)).toEqual({ role: 'batch', tier: 'gold' });
    expect(world.ec2.instances.get(victim!.instanceId)!.state).toBe('shutting-down');

    const describe = (id: string) => queryPost(emulator.url, 'ec2', { Action: 'DescribeInstances', Version: '2016-11-15', 'InstanceId.1': id });
    const [leaving, launched] = await Promise.all([describe(victim!.instanceId), describe(replacement!.instanceId)]);
    expect(leaving.all('name')).toContain('shutting-down');
    expect([launched.text('imageId'), launched.all('name')]).toEqual([NEW_IMAGE, expect.arrayContaining(['running'])]);
    expect(launched.body).toMatch(/<key>aws:ec2launchtemplate:version<\/key>\s*<value>2<\/value>/);

    await allTerminated('reimage', [victim!.instanceId]);
    expect(await describeGroup('reimage')).toMatchObject({ DesiredCapacity: 2 });
    expect((await describeGroup('reimage')).Instances!.map((i) => i.InstanceId)).not.toContain(victim!.instanceId);
    const { Activities = [] } = await autoScaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name }));
    expect(Activities.find((a) => a.ActivityId === Activity!.ActivityId)).toMatchObject({ StatusCode: 'Successful', Progress: 100, EndTime: expect.any(Date) });
    expect(Activities.find((a) => a.Description === `Launching a new EC2 instance: ${replacement!.instanceId}`)?.Cause).toMatch(/increasing the capacity from 1 to 2\.$/);
  });

  it('decrementing: the desired capacity drops, no replacement; refused at MinSize and for an instance no group has, as Auto Scaling words it', async () => {
    const name = groupOf('reimage').name;
    const [first, second] = running('reimage');

    await autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: first!.instanceId, ShouldDecrementDesiredCapacity: true }));
    const atMin = await rejectionOf(autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: second!.instanceId, ShouldDecrementDesiredCapacity: true })));
    const unknown = await rejectionOf(autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: 'i-0123456789abcdef0', ShouldDecrementDesiredCapacity: false })));

    expect((await describeGroup('reimage')).DesiredCapacity).toBe(1);
    expect(running('reimage').map((i) => i.instanceId)).toEqual([second!.instanceId]);
    expect(atMin).toMatchObject({
      name: 'ValidationError',
      message: "Currently, desiredSize equals minSize (1). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.",
    });
    expect(unknown).toMatchObject({ name: 'ValidationError', message: 'Instance Id not found - No managed instance found for instance ID: i-0123456789abcdef0' });
    await allTerminated('reimage', [first!.instanceId]);
    const { Activities = [] } = await autoScaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: 1 }));
    expect(Activities[0]?.Cause).toMatch(/in response to a user request, shrinking the capacity from 2 to 1\.$/);
  });
});

describe('a termination under way across a save and restore of the World', () => {
  it('finishes when due in the restored World: the instance terminated, out of the group, the activity Successful', async () => {
    const [victim] = running('scale');
    const name = groupOf('scale').name;
    await autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim!.instanceId, ShouldDecrementDesiredCapacity: false }));
    const restored = new World({ timeScale: 0.05, emulatedStart: world.clock.now().getTime() });

    restoreWorld(restored, JSON.parse(JSON.stringify(snapshotWorld(world))));
    resumeTerminations(restored);

    expect(restored.ec2.instances.get(victim!.instanceId)!.state).toBe('shutting-down');
    await until(async () => restored.ec2.instances.get(victim!.instanceId)!.state, (state) => state === 'terminated', 'the restored termination finished', SETTLE_MS);
    const group = restored.autoScaling.groups.get(name)!;
    expect(group.instanceIds).not.toContain(victim!.instanceId);
    expect(group.activities!.find((a) => a.instanceId === victim!.instanceId && a.description.startsWith('Terminating'))).toMatchObject({ statusCode: 'Successful', progress: 100 });
  });
});

describe('SetDesiredCapacity and UpdateAutoScalingGroup', () => {
  it('set the capacity within the sizes (the group launches), refuse it outside them, and move the sizes', async () => {
    const name = groupOf('reimage').name;

    await autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 3 }));
    const above = await rejectionOf(autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 9 })));
    const below = await rejectionOf(autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 0 })));
    const missing = await rejectionOf(autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'no-such-group', DesiredCapacity: 1 })));
    await autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: 0, MaxSize: 2 }));

    expect(above.message).toBe('New SetDesiredCapacity value 9 is above max value 4 for the AutoScalingGroup.');
    expect(below.message).toBe('New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup.');
    expect(missing).toMatchObject({ name: 'ValidationError', message: 'AutoScalingGroup name not found - AutoScalingGroup no-such-group not found' });
    // MaxSize 2 below the desired 3 brings the desired capacity down to it.
    expect(await describeGroup('reimage')).toMatchObject({ MinSize: 0, MaxSize: 2, DesiredCapacity: 2 });
    expect(running('reimage')).toHaveLength(2);
  });
});

describe('the Node of an instance its group terminated', () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 0, 2, 10, 0, seconds));
  const instance = (state: Instance['state'], terminatedSecond?: number): Instance =>
    ({ state, shutdownAt: at(0), ...(terminatedSecond !== undefined ? { stateTransitionReason: `Service initiated (${at(terminatedSecond).toISOString().replace('T', ' ').replace('.000Z', '')} GMT)` } : {}) }) as Instance;

  it('stays while the instance shuts down, and is deleted at the cloud node lifecycle controller’s first look after the 50 s grace period and the termination', () => {
    expect(hasNode(instance('shutting-down'), at(59))).toBe(true);
    expect(nodeDeletedAt(instance('shutting-down'))).toBeUndefined();
    // Terminated before the grace period ran out: deleted at the look after it, 55 s.
    expect(nodeDeletedAt(instance('terminated', 30))).toEqual(at(55));
    expect([hasNode(instance('terminated', 30), at(54)), hasNode(instance('terminated', 30), at(55))]).toEqual([true, false]);
    // Terminated later: at the first 5-second look after that (looks at 55, 60, …).
    expect(nodeDeletedAt(instance('terminated', 57))).toEqual(at(60));
    expect(nodeDeletedAt(instance('terminated', 60))).toEqual(at(60));
    expect(hasNode({ state: 'terminated' } as Instance, at(1))).toBe(false);
  });
});

describe('the AWS CLI against a self-managed nodegroup stack', () => {
  itWith(tools.awsCli, 'the AWS CLI')(
    'aws cloudformation update-stack with a new image; aws autoscaling terminate-instance-in-auto-scaling-group replaces a node from version 2; describe-auto-scaling-groups and aws ec2 describe-instances show it',
    async () => {
      expect(await deploy('cli')).toBe('CREATE_COMPLETE');
      const file = join(dir, 'reimaged.json');
      writeFileSync(file, template({ imageId: NEW_IMAGE }));

      const updated = await awsCli(emulator.url, 'cloudformation', 'update-stack', '--stack-name', 'cli', '--template-body', `file://${file}`);
      expect(updated.code).toBe(0);
      expect(await settled('cli')).toBe('UPDATE_COMPLETE');
      const [victim] = running('cli');
      const terminated = await awsCli(emulator.url, 'autoscaling', 'terminate-instance-in-auto-scaling-group', '--instance-id', victim!.instanceId, '--no-should-decrement-desired-capacity');
      const groups = await awsCli(emulator.url, 'autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', groupOf('cli').name);
      const refused = await awsCli(emulator.url, 'autoscaling', 'terminate-instance-in-auto-scaling-group', '--instance-id', 'i-0123456789abcdef0', '--should-decrement-desired-capacity');

      expect(terminated.code).toBe(0);
      expect(terminated.json).toMatchObject({ Activity: { Description: `Terminating EC2 instance: ${victim!.instanceId}`, StatusCode: 'InProgress', AutoScalingGroupName: groupOf('cli').name } });
      const group = (groups.json as { AutoScalingGroups: Array<{ LaunchTemplate: { Version: string }; Instances: Array<{ InstanceId: string; LifecycleState: string; LaunchTemplate: { Version: string } }> }> }).AutoScalingGroups[0]!;
      expect(group.LaunchTemplate.Version).toBe('2');
      // Terminating, or already gone: each CLI run takes longer than the emulated shutdown.
      expect(['Terminating', undefined]).toContain(group.Instances.find((i) => i.InstanceId === victim!.instanceId)?.LifecycleState);
      const replacement = group.Instances.find((i) => i.LaunchTemplate.Version === '2' && i.LifecycleState === 'InService');
      expect(replacement).toBeDefined();
      expect(refused.stderr.trim()).toBe('An error occurred (ValidationError) when calling the TerminateInstanceInAutoScalingGroup operation: Instance Id not found - No managed instance found for instance ID: i-0123456789abcdef0');

      const described = await awsCli(emulator.url, 'ec2', 'describe-instances', '--instance-ids', replacement!.InstanceId);
      const instance = (described.json as { Reservations: Array<{ Instances: Array<{ ImageId: string; Tags: Array<{ Key: string; Value: string }> }> }> }).Reservations[0]!.Instances[0]!;
      expect(instance.ImageId).toBe(NEW_IMAGE);
      expect(instance.Tags).toContainEqual({ Key: 'aws:ec2launchtemplate:version', Value: '2' });
    },
    60_000,
  );
});
