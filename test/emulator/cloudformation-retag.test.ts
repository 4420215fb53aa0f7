/**
 * UpdateStack with a template whose only changes are resources' own tags (Tags, a launch
 * template's TagSpecifications and LaunchTemplateData.TagSpecifications): the emulated account's
 * resources take them (own tags win over stack tags), a launch template gets a new version, each
 * changed resource UPDATE_IN_PROGRESS → UPDATE_COMPLETE, GetTemplate answers the new template; any
 * other change is refused naming the resource, but a resource dropped from the template, which is
 * deleted in the cleanup with its output. A role's ManagedPolicyArns changes in place too
 * (policies detached and attached, the role kept), as CloudFormation updates it without
 * replacement. Through @aws-sdk/client-cloudformation and the AWS
 * CLI (skipped with the reason when absent, required when CI=true).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStackEventsCommand, DescribeStackResourceCommand, DescribeStacksCommand, GetTemplateCommand, UpdateStackCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { createCloudFormationService } from '../../local/emulator/services/cloudformation';
import { createEc2Service } from '../../local/emulator/services/ec2';
import { createIamService } from '../../local/emulator/services/iam';
import { createStsService } from '../../local/emulator/services/sts';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { awsCli } from '../support/aws-tools';
import { rejectionOf } from '../support/rejection';
import { itWith, tools } from '../support/third-party';
import { until } from '../support/until';

const SCALE = 0.001;
let world: World;
let emulator: RunningEmulator;
let cfn: CloudFormationClient;
let dir: string;

beforeAll(async () => {
  world = new World({ timeScale: SCALE });
  const cloudFormation = createCloudFormationService(world);
  emulator = await startEmulator({ timeScale: SCALE, services: [cloudFormation, createEc2Service(world), createIamService(world), createStsService(world)] }, world);
  await cloudFormation.warmUp();
  cfn = new CloudFormationClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDRETAG', secretAccessKey: 'x' }, maxAttempts: 1 });
  dir = mkdtempSync(join(tmpdir(), 'cfn-retag-'));
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

type Tags = Record<string, string>;
const list = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** A VPC, a subnet with a load-balancer tag, a role and a launch template, each with the user's tags `user` in its own tags (as the service renders its stacks). */
function template(user: Tags, changes: { cidr?: string; extra?: boolean; instanceType?: string; keyName?: string; policies?: unknown[]; trustedService?: string } = {}) {
  const tags = (name: string, extra: Tags = {}) => list({ Name: name, 'eks-provisioner:cluster': 'demo', ...user, ...extra });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      VPC: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: changes.cidr ?? '10.9.0.0/16', Tags: tags('retag/VPC') } },
      Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'VPC' }, CidrBlock: '10.9.0.0/20', Tags: tags('retag/Subnet', { 'kubernetes.io/role/elb': '1' }) } },
      Group: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'nodes', VpcId: { Ref: 'VPC' }, Tags: tags('retag/Group') } },
      NodeRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: [changes.trustedService ?? 'ec2.amazonaws.com'] }, Action: ['sts:AssumeRole'] }] },
          Path: '/eks-provisioner/',
          ...(changes.policies ? { ManagedPolicyArns: changes.policies } : {}),
          Tags: tags('retag/NodeRole'),
        },
      },
      Nodes: {
        Type: 'AWS::EC2::LaunchTemplate',
        Properties: {
          LaunchTemplateData: { SecurityGroupIds: [{ Ref: 'Group' }], InstanceType: changes.instanceType ?? 'm5.large', ...(changes.keyName ? { KeyName: changes.keyName } : {}), TagSpecifications: ['instance', 'volume'].map((ResourceType) => ({ ResourceType, Tags: tags('retag/Nodes') })) },
          TagSpecifications: [{ ResourceType: 'launch-template', Tags: tags('retag/Nodes') }],
        },
      },
      ...(changes.extra ? { Extra: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'extra', VpcId: { Ref: 'VPC' } } } } : {}),
    },
    Outputs: { VpcId: { Value: { Ref: 'VPC' } } },
  };
}

const settled = async (name: string): Promise<Stack> =>
  (await until(async () => (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0], (s) => s !== undefined && !String(s.StackStatus).endsWith('_IN_PROGRESS'), `stack ${name} settled`, 20_000))!;
const physicalId = async (stack: string, logicalId: string) => (await cfn.send(new DescribeStackResourceCommand({ StackName: stack, LogicalResourceId: logicalId }))).StackResourceDetail!.PhysicalResourceId!;

async function createStack(name: string, user: Tags, changes: Parameters<typeof template>[1] = {}): Promise<void> {
  await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template(user, changes)), Capabilities: ['CAPABILITY_IAM'], Tags: list({ 'eks-provisioner:cluster': 'demo', ...user }) }));
  expect(await settled(name)).toMatchObject({ StackStatus: 'CREATE_COMPLETE' });
}

describe('UpdateStack changing resources’ own tags', () => {
  it('retags the VPC, subnet, security group, role and launch template (a new version), with an event pair for each; GetTemplate answers the new template', async () => {
    await createStack('retag-sdk', { team: 'blue', env: 'test' });
    const body = JSON.stringify(template({ team: 'green', cost: '42' }));

    await cfn.send(new UpdateStackCommand({ StackName: 'retag-sdk', TemplateBody: body, Capabilities: ['CAPABILITY_IAM'], Tags: list({ 'eks-provisioner:cluster': 'demo', team: 'green', cost: '42' }) }));
    const stack = await settled('retag-sdk');

    expect(stack).toMatchObject({ StackStatus: 'UPDATE_COMPLETE' });
    const vpc = world.ec2.vpcs.get(await physicalId('retag-sdk', 'VPC'))!.tags;
    expect(vpc).toMatchObject({ Name: 'retag/VPC', team: 'green', cost: '42', 'eks-provisioner:cluster': 'demo', 'aws:cloudformation:stack-name': 'retag-sdk' });
    expect(vpc).not.toHaveProperty('env');
    expect(world.ec2.subnets.get(await physicalId('retag-sdk', 'Subnet'))!.tags).toMatchObject({ team: 'green', 'kubernetes.io/role/elb': '1' });
    const role = world.iam.roles.get(await physicalId('retag-sdk', 'NodeRole'))!.tags;
    expect(role).toMatchObject({ team: 'green', cost: '42' });
    expect(role).not.toHaveProperty('env');
    const launchTemplate = world.ec2.other.get(await physicalId('retag-sdk', 'Nodes'))!;
    expect(launchTemplate.tags).toMatchObject({ team: 'green', Name: 'retag/Nodes' });
    expect(launchTemplate.tags).not.toHaveProperty('env');
    expect(launchTemplate.properties.LatestVersionNumber).toBe(2);
    const data = launchTemplate.properties.LaunchTemplateData as { TagSpecifications: Array<{ Tags: Array<{ Key: string; Value: string }> }>; SecurityGroupIds: string[] };
    expect(data.TagSpecifications[0]!.Tags).toContainEqual({ Key: 'team', Value: 'green' });
    expect(data.SecurityGroupIds).toEqual([await physicalId('retag-sdk', 'Group')]);
    const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: 'retag-sdk' }));
    expect(TemplateBody).toBe(body);
    const { StackEvents = [] } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'retag-sdk' }));
    const update = StackEvents.reverse().slice(StackEvents.findIndex((e) => e.ResourceStatus === 'UPDATE_IN_PROGRESS' && e.LogicalResourceId === 'retag-sdk'));
    for (const id of ['VPC', 'Subnet', 'Group', 'NodeRole', 'Nodes']) {
      expect(update.filter((e) => e.LogicalResourceId === id).map((e) => e.ResourceStatus)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
    }
    expect(update.at(-1)).toMatchObject({ LogicalResourceId: 'retag-sdk', ResourceStatus: 'UPDATE_COMPLETE' });
  });

  it('takes a template change alone (the stack tags as they were), and the same template again is "No updates are to be performed."', async () => {
    await createStack('retag-template-only', { team: 'blue' });
    const body = JSON.stringify(template({ team: 'green' }));
    const stackTags = list({ 'eks-provisioner:cluster': 'demo', team: 'blue' });

    await cfn.send(new UpdateStackCommand({ StackName: 'retag-template-only', TemplateBody: body, Capabilities: ['CAPABILITY_IAM'], Tags: stackTags }));
    await settled('retag-template-only');
    const again = await rejectionOf(cfn.send(new UpdateStackCommand({ StackName: 'retag-template-only', TemplateBody: body, Capabilities: ['CAPABILITY_IAM'], Tags: stackTags })));

    // The resource's own tag wins over the stack's.
    expect(world.ec2.vpcs.get(await physicalId('retag-template-only', 'VPC'))!.tags).toMatchObject({ team: 'green' });
    expect(again).toMatchObject({ name: 'ValidationError', message: 'No updates are to be performed.' });
  });

  it('refuses any other change, naming the resource or section, and leaves the stack as it was', async () => {
    await createStack('retag-refused', { team: 'blue' });
    const update = (changed: unknown) => rejectionOf(cfn.send(new UpdateStackCommand({ StackName: 'retag-refused', TemplateBody: JSON.stringify(changed), Capabilities: ['CAPABILITY_IAM'] })));
    const otherProperty = await update(template({ team: 'green' }, { cidr: '10.8.0.0/16' }));
    const added = await update(template({ team: 'green' }, { extra: true }));
    const outputs = await update({ ...template({ team: 'blue' }), Outputs: { VpcId: { Value: { Ref: 'VPC' } }, GroupId: { Value: { Ref: 'Group' } } } });

    expect(otherProperty).toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/cannot make that change in place: resource VPC \(AWS::EC2::VPC\) changes more than the local emulator changes in place/) });
    expect(added.message).toMatch(/resource Extra is added/);
    expect(outputs.message).toMatch(/Outputs section changes \(output GroupId is added or changed\)/);
    expect(await settled('retag-refused')).toMatchObject({ StackStatus: 'CREATE_COMPLETE' });
    expect(world.ec2.vpcs.get(await physicalId('retag-refused', 'VPC'))!.tags).toMatchObject({ team: 'blue' });
  });

  it('deletes a resource the new template drops, and its output, in the cleanup; the rest stays as it was', async () => {
    await createStack('drop-resource', { team: 'blue' });
    const subnet = await physicalId('drop-resource', 'Subnet');
    const dropped = template({ team: 'blue' }) as { Resources: Record<string, unknown>; Outputs: Record<string, unknown> };
    delete dropped.Resources.Subnet;
    dropped.Outputs = {};

    await cfn.send(new UpdateStackCommand({ StackName: 'drop-resource', TemplateBody: JSON.stringify(dropped), Capabilities: ['CAPABILITY_IAM'] }));
    const stack = await settled('drop-resource');

    expect(stack).toMatchObject({ StackStatus: 'UPDATE_COMPLETE' });
    expect(stack.Outputs ?? []).toEqual([]);
    expect(world.ec2.subnets.has(subnet)).toBe(false);
    expect(world.ec2.vpcs.has(await physicalId('drop-resource', 'VPC'))).toBe(true);
    const { StackEvents = [] } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'drop-resource' }));
    const update = StackEvents.reverse().slice(StackEvents.findIndex((e) => e.ResourceStatus === 'UPDATE_IN_PROGRESS' && e.LogicalResourceId === 'drop-resource'));
    expect(update.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)).toEqual([
      'drop-resource UPDATE_IN_PROGRESS',
      'drop-resource UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'Subnet DELETE_IN_PROGRESS',
      'Subnet DELETE_COMPLETE',
      'drop-resource UPDATE_COMPLETE',
    ]);
  });

  it('changes a launch template’s InstanceType in place: a new version, latest and default, the resource UPDATE_IN_PROGRESS → UPDATE_COMPLETE; another LaunchTemplateData change is refused', async () => {
    await createStack('retype-sdk', { team: 'blue' });
    const stackTags = list({ 'eks-provisioner:cluster': 'demo', team: 'blue' });
    const launchTemplateId = await physicalId('retype-sdk', 'Nodes');

    await cfn.send(new UpdateStackCommand({ StackName: 'retype-sdk', TemplateBody: JSON.stringify(template({ team: 'blue' }, { instanceType: 'm5.xlarge' })), Capabilities: ['CAPABILITY_IAM'], Tags: stackTags }));
    const stack = await settled('retype-sdk');
    const keyPair = await rejectionOf(cfn.send(new UpdateStackCommand({ StackName: 'retype-sdk', TemplateBody: JSON.stringify(template({ team: 'blue' }, { instanceType: 'm5.xlarge', keyName: 'ops' })), Capabilities: ['CAPABILITY_IAM'], Tags: stackTags })));

    expect(stack).toMatchObject({ StackStatus: 'UPDATE_COMPLETE' });
    const launchTemplate = world.ec2.other.get(launchTemplateId)!;
    expect(launchTemplate.properties.LatestVersionNumber).toBe(2);
    expect(launchTemplate.properties.LaunchTemplateData).toMatchObject({ InstanceType: 'm5.xlarge', SecurityGroupIds: [await physicalId('retype-sdk', 'Group')] });
    const { StackEvents = [] } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'retype-sdk' }));
    const update = StackEvents.reverse().slice(StackEvents.findIndex((e) => e.ResourceStatus === 'UPDATE_IN_PROGRESS' && e.LogicalResourceId === 'retype-sdk'));
    expect(update.filter((e) => e.LogicalResourceId === 'Nodes').map((e) => e.ResourceStatus)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(update.filter((e) => e.LogicalResourceId === 'VPC')).toEqual([]);
    expect(keyPair.message).toMatch(/resource Nodes \(AWS::EC2::LaunchTemplate\) changes more than the local emulator changes in place/);
  });

  it('changes a role’s ManagedPolicyArns in place: the removed policy detached, the new ones attached (Fn::Sub evaluated), one attached elsewhere kept, the same role; a trust change is still refused', async () => {
    const policy = (name: string) => `arn:aws:iam::aws:policy/${name}`;
    const stackTags = list({ 'eks-provisioner:cluster': 'demo', team: 'blue' });
    await createStack('repolicy-sdk', { team: 'blue' }, { policies: [policy('AmazonEKSClusterPolicy'), policy('AmazonEKSVPCResourceController')] });
    const roleName = await physicalId('repolicy-sdk', 'NodeRole');
    const elsewhere = policy('ReadOnlyAccess');
    world.iam.roles.get(roleName)!.managedPolicyArns.push(elsewhere);
    const next = [policy('AmazonEKSClusterPolicy'), { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonEKSComputePolicy' }, policy('AmazonEKSBlockStoragePolicy')];

    await cfn.send(new UpdateStackCommand({ StackName: 'repolicy-sdk', TemplateBody: JSON.stringify(template({ team: 'blue' }, { policies: next })), Capabilities: ['CAPABILITY_IAM'], Tags: stackTags }));
    const stack = await settled('repolicy-sdk');
    const trust = await rejectionOf(cfn.send(new UpdateStackCommand({ StackName: 'repolicy-sdk', TemplateBody: JSON.stringify(template({ team: 'blue' }, { policies: next, trustedService: 'eks.amazonaws.com' })), Capabilities: ['CAPABILITY_IAM'], Tags: stackTags })));

    expect(stack).toMatchObject({ StackStatus: 'UPDATE_COMPLETE' });
    expect(await physicalId('repolicy-sdk', 'NodeRole')).toBe(roleName);
    expect(world.iam.roles.get(roleName)!.managedPolicyArns).toEqual([policy('AmazonEKSClusterPolicy'), elsewhere, policy('AmazonEKSComputePolicy'), policy('AmazonEKSBlockStoragePolicy')]);
    const { StackEvents = [] } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'repolicy-sdk' }));
    const update = StackEvents.reverse().slice(StackEvents.findIndex((e) => e.ResourceStatus === 'UPDATE_IN_PROGRESS' && e.LogicalResourceId === 'repolicy-sdk'));
    expect(update.filter((e) => e.LogicalResourceId === 'NodeRole').map((e) => e.ResourceStatus)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(update.filter((e) => e.LogicalResourceId === 'VPC')).toEqual([]);
    expect(trust.message).toMatch(/resource NodeRole \(AWS::IAM::Role\) changes more than the local emulator changes in place/);
  });

  it('a role update IAM refuses (a customer managed policy that does not exist) is UPDATE_FAILED with IAM’s reason and leaves the role’s policies as they were', async () => {
    const cluster = 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy';
    await createStack('repolicy-missing', { team: 'blue' }, { policies: [cluster] });
    const roleName = await physicalId('repolicy-missing', 'NodeRole');
    const missing = `arn:aws:iam::${world.account}:policy/not-there`;

    await cfn.send(new UpdateStackCommand({ StackName: 'repolicy-missing', TemplateBody: JSON.stringify(template({ team: 'blue' }, { policies: [missing] })), Capabilities: ['CAPABILITY_IAM'] }));
    const stack = await settled('repolicy-missing');

    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const { StackEvents = [] } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'repolicy-missing' }));
    expect(StackEvents.find((e) => e.LogicalResourceId === 'NodeRole' && e.ResourceStatus === 'UPDATE_FAILED')?.ResourceStatusReason).toMatch(new RegExp(`Policy ${missing} does not exist or is not attachable. \\(Service: Iam, Status Code: 404`));
    expect(world.iam.roles.get(roleName)!.managedPolicyArns).toEqual([cluster]);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws cloudformation update-stack adding a managed policy to a role; aws iam list-attached-role-policies shows it', async () => {
    await createStack('repolicy-cli', { team: 'blue' }, { policies: ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy'] });
    const file = join(dir, 'repolicied.json');
    writeFileSync(file, JSON.stringify(template({ team: 'blue' }, { policies: ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy', 'arn:aws:iam::aws:policy/AmazonEKSNetworkingPolicy'] })));

    const updated = await awsCli(emulator.url, 'cloudformation', 'update-stack', '--stack-name', 'repolicy-cli', '--template-body', `file://${file}`, '--capabilities', 'CAPABILITY_IAM');
    expect(updated).toMatchObject({ code: 0 });
    expect(await settled('repolicy-cli')).toMatchObject({ StackStatus: 'UPDATE_COMPLETE' });
    const attached = await awsCli(emulator.url, 'iam', 'list-attached-role-policies', '--role-name', await physicalId('repolicy-cli', 'NodeRole'));

    expect((attached.json as { AttachedPolicies: Array<{ PolicyName: string }> }).AttachedPolicies.map((p) => p.PolicyName)).toEqual(['AmazonEKSClusterPolicy', 'AmazonEKSNetworkingPolicy']);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws cloudformation update-stack changing a launch template’s InstanceType; aws ec2 describe-launch-templates shows version 2 latest and default, describe-launch-template-versions both versions', async () => {
    await createStack('retype-cli', { team: 'blue' });
    const file = join(dir, 'retyped.json');
    writeFileSync(file, JSON.stringify(template({ team: 'blue' }, { instanceType: 'c5.large' })));

    const updated = await awsCli(emulator.url, 'cloudformation', 'update-stack', '--stack-name', 'retype-cli', '--template-body', `file://${file}`, '--capabilities', 'CAPABILITY_IAM', '--tags', 'Key=eks-provisioner:cluster,Value=demo', 'Key=team,Value=blue');
    expect(updated).toMatchObject({ code: 0 });
    await settled('retype-cli');
    const id = await physicalId('retype-cli', 'Nodes');
    const described = await awsCli(emulator.url, 'ec2', 'describe-launch-templates', '--launch-template-ids', id);
    const versions = await awsCli(emulator.url, 'ec2', 'describe-launch-template-versions', '--launch-template-id', id, '--versions', '$Latest');

    expect((described.json as { LaunchTemplates: unknown[] }).LaunchTemplates[0]).toMatchObject({ LaunchTemplateId: id, LatestVersionNumber: 2, DefaultVersionNumber: 2 });
    expect((versions.json as { LaunchTemplateVersions: unknown[] }).LaunchTemplateVersions).toEqual([expect.objectContaining({ VersionNumber: 2, DefaultVersion: true, LaunchTemplateData: expect.objectContaining({ InstanceType: 'c5.large' }) })]);

    // Version 1 is kept, as EC2 keeps every version: a nodegroup still on it launches its type.
    const [all, first, defaults] = await Promise.all([
      awsCli(emulator.url, 'ec2', 'describe-launch-template-versions', '--launch-template-id', id),
      awsCli(emulator.url, 'ec2', 'describe-launch-template-versions', '--launch-template-id', id, '--versions', '1'),
      awsCli(emulator.url, 'ec2', 'describe-launch-template-versions', '--launch-template-id', id, '--filters', 'Name=is-default-version,Values=true'),
    ]);
    type Versions = { LaunchTemplateVersions: Array<{ VersionNumber: number; DefaultVersion: boolean; LaunchTemplateData: { InstanceType?: string } }> };
    const summary = (json: unknown) => (json as Versions).LaunchTemplateVersions.map((v) => [v.VersionNumber, v.DefaultVersion, v.LaunchTemplateData.InstanceType]);
    expect(summary(all.json)).toEqual([[2, true, 'c5.large'], [1, false, 'm5.large']]);
    expect(summary(first.json)).toEqual([[1, false, 'm5.large']]);
    expect(summary(defaults.json)).toEqual([[2, true, 'c5.large']]);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws cloudformation update-stack with a retagged template; aws ec2 describe-vpcs and aws iam list-role-tags show the new tags', async () => {
    await createStack('retag-cli', { team: 'blue', env: 'test' });
    const file = join(dir, 'retagged.json');
    writeFileSync(file, JSON.stringify(template({ team: 'green' })));

    const updated = await awsCli(emulator.url, 'cloudformation', 'update-stack', '--stack-name', 'retag-cli', '--template-body', `file://${file}`, '--capabilities', 'CAPABILITY_IAM', '--tags', 'Key=eks-provisioner:cluster,Value=demo', 'Key=team,Value=green');
    expect(updated).toMatchObject({ code: 0 });
    await settled('retag-cli');
    const vpcs = await awsCli(emulator.url, 'ec2', 'describe-vpcs', '--vpc-ids', await physicalId('retag-cli', 'VPC'));
    const roleTags = await awsCli(emulator.url, 'iam', 'list-role-tags', '--role-name', await physicalId('retag-cli', 'NodeRole'));
    const refused = await awsCli(emulator.url, 'cloudformation', 'update-stack', '--stack-name', 'retag-cli', '--template-body', JSON.stringify(template({ team: 'green' }, { cidr: '10.8.0.0/16' })), '--capabilities', 'CAPABILITY_IAM');

    const tagsOf = (tags: Array<{ Key: string; Value: string }>) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
    const vpc = tagsOf((vpcs.json as { Vpcs: Array<{ Tags: Array<{ Key: string; Value: string }> }> }).Vpcs[0]!.Tags);
    expect(vpc).toMatchObject({ team: 'green', Name: 'retag/VPC' });
    expect(vpc).not.toHaveProperty('env');
    const role = tagsOf((roleTags.json as { Tags: Array<{ Key: string; Value: string }> }).Tags);
    expect(role).toMatchObject({ team: 'green' });
    expect(role).not.toHaveProperty('env');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/ValidationError.*cannot make that change in place: resource VPC/);
  });
});
