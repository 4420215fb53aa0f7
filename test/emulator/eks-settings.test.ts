/**
 * The settings of a running EKS cluster, as AWS runs them: deletion protection, the upgrade policy,
 * zonal shift and envelope encryption (AssociateEncryptionConfig), UpdateNodegroupConfig's labels,
 * taints and updateConfig, through @aws-sdk/client-eks, the AWS CLI and boto3 (skipped with the
 * reason when absent, required when CI=true), and through CloudFormation (AWS::EKS::Cluster
 * properties, a protected cluster's failed stack delete, UpdateStack with new stack tags).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  AssociateEncryptionConfigCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  DeleteClusterCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListTagsForResourceCommand,
  UpdateClusterConfigCommand,
  UpdateNodegroupConfigCommand,
  type Cluster,
  type CreateClusterCommandInput,
  type Update,
} from '@aws-sdk/client-eks';
import { createCloudFormationService, type CloudFormationEngine } from '../../local/emulator/services/cloudformation';
import type { EksState } from '../../local/emulator/services/eks';
import { instanceNodes } from '../../local/emulator/services/kubernetes/nodes';
import { createIamService } from '../../local/emulator/services/iam';
import type { RunningEmulator } from '../../local/emulator/server';
import type { World } from '../../local/emulator/world';
import { rejectionOf } from '../support/rejection';
import { emulatorOnlyEnvironment, tools, itWith } from '../support/third-party';
import { until } from '../support/until';
import { ACCOUNT, CLUSTER_ROLE_ARN, NODE_ROLE_ARN, startEksWorld, type EksWorld } from '../support/eks-world';

const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const run = promisify(execFile);

let fixture: EksWorld;
let emulator: RunningEmulator;
let world: World;
let eks: EKSClient;
let state: EksState;
let cfn: CloudFormationClient;
let stacks: CloudFormationEngine;
let subnets: string[];
const roleArn = CLUSTER_ROLE_ARN;
const nodeRoleArn = NODE_ROLE_ARN;

beforeAll(async () => {
  let cloudFormation!: ReturnType<typeof createCloudFormationService>;
  fixture = await startEksWorld({
    scale: 0.001,
    accessKeyId: 'AKIDSETTINGS',
    more: (w) => {
      cloudFormation = createCloudFormationService(w);
      return [cloudFormation, createIamService(w)];
    },
    ready: () => cloudFormation.warmUp(),
  });
  ({ emulator, world, eks, state, subnets } = fixture);
  stacks = cloudFormation.engine;
  cfn = new CloudFormationClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSETTINGS', secretAccessKey: 'x' }, maxAttempts: 1 });
});

afterAll(async () => {
  cfn.destroy();
  await fixture.stop();
});

const describeCluster = (name: string) => eks.send(new DescribeClusterCommand({ name })).then((r) => r.cluster!);
const clusterActive = (name: string) => until(() => describeCluster(name), (c) => c.status === 'ACTIVE', `cluster ${name} ACTIVE`);
/** The emulated seconds EKS took (was sampled to take) for a cluster update of this type. */
const tookSeconds = (cluster: string, type: string) => world.durations.samples.filter((s) => s.resource === `cluster/${cluster}:${type}`).map((s) => s.seconds);
const updateDone = (name: string, updateId: string, timeoutMs?: number) =>
  until(() => eks.send(new DescribeUpdateCommand({ name, updateId })).then((r) => r.update!), (u) => u.status !== 'InProgress', `update ${updateId} done`, timeoutMs);

async function activeCluster(name: string, overrides: Partial<CreateClusterCommandInput> = {}): Promise<Cluster> {
  await eks.send(new CreateClusterCommand({ name, version: '1.33', roleArn, resourcesVpcConfig: { subnetIds: subnets }, ...overrides }));
  return clusterActive(name);
}

describe('defaults and CreateCluster', () => {
  it('shows AWS defaults: no deletion protection, EXTENDED support, zonal shift off, no encryption', async () => {
    const cluster = await activeCluster('defaults');

    expect(cluster).toMatchObject({ deletionProtection: false, upgradePolicy: { supportType: 'EXTENDED' }, zonalShiftConfig: { enabled: false } });
    expect(cluster.encryptionConfig).toBeUndefined();
  });

  it('takes the settings asked for at creation and refuses a support type EKS does not have', async () => {
    const cluster = await activeCluster('chosen', {
      deletionProtection: true,
      upgradePolicy: { supportType: 'STANDARD' },
      zonalShiftConfig: { enabled: true },
      encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY } }],
    });
    const bad = await rejectionOf(eks.send(new CreateClusterCommand({ name: 'bad-support', roleArn, resourcesVpcConfig: { subnetIds: subnets }, upgradePolicy: { supportType: 'FOREVER' as never } })));

    expect(cluster).toMatchObject({ deletionProtection: true, upgradePolicy: { supportType: 'STANDARD' }, zonalShiftConfig: { enabled: true }, encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY } }] });
    expect(bad).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
  });
});

describe('deletion protection', () => {
  it('refuses DeleteCluster of an ACTIVE protected cluster with InvalidRequestException until UpdateClusterConfig turns it off', async () => {
    await activeCluster('protected', { deletionProtection: true });

    const refused = await rejectionOf(eks.send(new DeleteClusterCommand({ name: 'protected' })));
    const noop = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'protected', deletionProtection: true })));
    const { update } = await eks.send(new UpdateClusterConfigCommand({ name: 'protected', deletionProtection: false }));
    const done = await updateDone('protected', update!.id!);
    const after = await clusterActive('protected');
    const { cluster: deleting } = await eks.send(new DeleteClusterCommand({ name: 'protected' }));

    expect(refused).toMatchObject({ name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    expect(refused.message).toMatch(/deletion protection/);
    expect(noop).toMatchObject({ name: 'InvalidParameterException', message: 'Cluster is already at the desired configuration with deletionProtection: true' });
    expect(update).toMatchObject({ type: 'DeletionProtectionUpdate', status: 'InProgress', params: [{ type: 'DeletionProtection', value: 'false' }] });
    // Seconds, not minutes: a flag on the control plane (the cluster is UPDATING meanwhile, as the encryption test sees).
    expect(tookSeconds('protected', 'DeletionProtectionUpdate')).toEqual([expect.any(Number)]);
    expect(tookSeconds('protected', 'DeletionProtectionUpdate')[0]).toBeLessThanOrEqual(40);
    expect(done.status).toBe('Successful');
    expect(after.deletionProtection).toBe(false);
    expect(deleting?.status).toBe('DELETING');
  });

  it('turns protection on for a running cluster with DeletionProtectionUpdate', async () => {
    await activeCluster('guard');
    const { update } = await eks.send(new UpdateClusterConfigCommand({ name: 'guard', deletionProtection: true }));
    await updateDone('guard', update!.id!);
    await clusterActive('guard');

    const refused = await rejectionOf(eks.send(new DeleteClusterCommand({ name: 'guard' })));

    expect((await describeCluster('guard')).deletionProtection).toBe(true);
    expect(refused.name).toBe('InvalidRequestException');
  });
});

describe('upgrade policy and zonal shift', () => {
  it('UpgradePolicyUpdate and ZonalShiftConfigUpdate take seconds, one kind per call, and a no-op is refused', async () => {
    await activeCluster('policies');

    const sameSupport = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'policies', upgradePolicy: { supportType: 'EXTENDED' } })));
    const sameShift = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'policies', zonalShiftConfig: { enabled: false } })));
    const two = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'policies', upgradePolicy: { supportType: 'STANDARD' }, zonalShiftConfig: { enabled: true } })));
    const { update: policy } = await eks.send(new UpdateClusterConfigCommand({ name: 'policies', upgradePolicy: { supportType: 'STANDARD' } }));
    await updateDone('policies', policy!.id!);
    await clusterActive('policies');
    const { update: shift } = await eks.send(new UpdateClusterConfigCommand({ name: 'policies', zonalShiftConfig: { enabled: true } }));
    await updateDone('policies', shift!.id!);
    const after = await clusterActive('policies');

    expect(sameSupport).toMatchObject({ name: 'InvalidParameterException', message: 'Cluster is already at the desired configuration with upgradePolicy supportType: EXTENDED' });
    expect(sameShift).toMatchObject({ name: 'InvalidParameterException', message: 'Cluster is already at the desired configuration with zonalShiftConfig enabled: false' });
    expect(two).toMatchObject({ name: 'InvalidParameterException', message: 'Only one type of update can be allowed.' });
    expect(policy).toMatchObject({ type: 'UpgradePolicyUpdate', params: [{ type: 'UpgradePolicy', value: '{"supportType":"STANDARD"}' }] });
    for (const type of ['UpgradePolicyUpdate', 'ZonalShiftConfigUpdate']) expect(tookSeconds('policies', type)[0]).toBeLessThanOrEqual(40);
    expect(shift).toMatchObject({ type: 'ZonalShiftConfigUpdate', params: [{ type: 'ZonalShiftConfig', value: '{"enabled":true}' }] });
    expect(after).toMatchObject({ upgradePolicy: { supportType: 'STANDARD' }, zonalShiftConfig: { enabled: true } });
  });
});

describe('AssociateEncryptionConfig', () => {
  it('encrypts secrets of a cluster that had no encryption after a long update; then it can neither be associated again nor changed', async () => {
    await activeCluster('encrypt');

    const noKey = await rejectionOf(eks.send(new AssociateEncryptionConfigCommand({ clusterName: 'encrypt', encryptionConfig: [{ resources: ['secrets'], provider: {} }] })));
    const otherRegion = await rejectionOf(eks.send(new AssociateEncryptionConfigCommand({ clusterName: 'encrypt', encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY.replace('us-east-1', 'eu-west-1') } }] })));
    const started = world.clock.now().getTime();
    const { update } = await eks.send(new AssociateEncryptionConfigCommand({ clusterName: 'encrypt', encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY } }], clientRequestToken: 'enc-1' }));
    const retried = await eks.send(new AssociateEncryptionConfigCommand({ clusterName: 'encrypt', encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY } }], clientRequestToken: 'enc-1' }));
    const during = await describeCluster('encrypt');
    const busy = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'encrypt', zonalShiftConfig: { enabled: true } })));
    const done = await updateDone('encrypt', update!.id!, 10_000);
    const elapsedSeconds = (world.clock.now().getTime() - started) / 1000;
    const after = await clusterActive('encrypt');
    const again = await rejectionOf(eks.send(new AssociateEncryptionConfigCommand({ clusterName: 'encrypt', encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY.replace('1234abcd', 'ffffffff') } }] })));

    expect(noKey).toMatchObject({ name: 'InvalidParameterException', message: 'KeyArn is required' });
    expect(otherRegion.name).toBe('InvalidParameterException');
    expect(update).toMatchObject({ type: 'AssociateEncryptionConfig', status: 'InProgress', params: [{ type: 'EncryptionConfig' }] });
    expect(JSON.parse(update!.params![0]!.value!)).toEqual([{ resources: ['secrets'], provider: { keyArn: KEY } }]);
    expect(retried.update?.id).toBe(update!.id);
    expect(during.status).toBe('UPDATING');
    expect(during.encryptionConfig).toBeUndefined();
    // One update at a time, whatever its kind.
    expect(busy).toMatchObject({ name: 'ResourceInUseException', $metadata: { httpStatusCode: 409 } });
    expect(busy.message).toContain(update!.id!);
    expect((done as Update).status).toBe('Successful');
    // Tens of minutes in AWS: every secret is re-encrypted.
    expect(elapsedSeconds).toBeGreaterThanOrEqual(900);
    expect(after.encryptionConfig).toEqual([{ resources: ['secrets'], provider: { keyArn: KEY } }]);
    expect(again).toMatchObject({ name: 'InvalidParameterException', message: 'Encryption is already enabled on the cluster' });
  });
});

describe('UpdateNodegroupConfig', () => {
  it('checks labels, taints and updateConfig as EKS does, runs one update at a time, and the Nodes show the new labels and taints', async () => {
    await activeCluster('workers');
    await eks.send(new CreateNodegroupCommand({ clusterName: 'workers', nodegroupName: 'ng', nodeRole: nodeRoleArn, subnets, scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 }, labels: { tier: 'web' } }));
    await until(() => eks.send(new DescribeNodegroupCommand({ clusterName: 'workers', nodegroupName: 'ng' })).then((r) => r.nodegroup!), (n) => n.status === 'ACTIVE', 'nodegroup ng ACTIVE');
    const update = (input: Omit<ConstructorParameters<typeof UpdateNodegroupConfigCommand>[0], 'clusterName' | 'nodegroupName'>) => eks.send(new UpdateNodegroupConfigCommand({ clusterName: 'workers', nodegroupName: 'ng', ...input }));

    const both = await rejectionOf(update({ labels: { addOrUpdateLabels: { tier: 'api' }, removeLabels: ['tier'] } }));
    const badEffect = await rejectionOf(update({ taints: { addOrUpdateTaints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as never }] } }));
    const noop = await rejectionOf(update({ labels: { addOrUpdateLabels: { tier: 'web' } } }));
    const twoLimits = await rejectionOf(update({ updateConfig: { maxUnavailable: 1, maxUnavailablePercentage: 50 } }));
    const tooMany = await rejectionOf(update({ updateConfig: { maxUnavailablePercentage: 101 } }));
    const { update: started } = await update({
      labels: { addOrUpdateLabels: { team: 'data' }, removeLabels: ['tier'] },
      taints: { addOrUpdateTaints: [{ key: 'dedicated', value: 'gpu', effect: 'NO_SCHEDULE' }] },
      updateConfig: { maxUnavailablePercentage: 50 },
    });
    const busy = await rejectionOf(update({ scalingConfig: { desiredSize: 3 } }));
    await until(() => eks.send(new DescribeUpdateCommand({ name: 'workers', nodegroupName: 'ng', updateId: started!.id! })).then((r) => r.update!), (u) => u.status !== 'InProgress', 'nodegroup update done');
    const nodegroup = await until(() => eks.send(new DescribeNodegroupCommand({ clusterName: 'workers', nodegroupName: 'ng' })).then((r) => r.nodegroup!), (n) => n.status === 'ACTIVE', 'nodegroup ng ACTIVE again');
    const nodes = instanceNodes(world, state.cluster('workers')).map((n) => n.object as { metadata: { labels: Record<string, string> }; spec: { taints?: unknown[] } });

    for (const refused of [both, badEffect, noop, twoLimits, tooMany]) expect(refused).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    expect(started).toMatchObject({ type: 'ConfigUpdate', status: 'InProgress' });
    expect(started!.params).toEqual(
      expect.arrayContaining([
        { type: 'LabelsToAdd', value: '{"team":"data"}' },
        { type: 'LabelsToRemove', value: '["tier"]' },
        { type: 'TaintsToAdd', value: '[{"key":"dedicated","value":"gpu","effect":"NO_SCHEDULE"}]' },
        { type: 'MaxUnavailablePercentage', value: '50' },
      ]),
    );
    expect(busy).toMatchObject({ name: 'ResourceInUseException' });
    expect(nodegroup).toMatchObject({ labels: { team: 'data' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NO_SCHEDULE' }], updateConfig: { maxUnavailablePercentage: 50 } });
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      expect(node.metadata.labels).toMatchObject({ team: 'data', 'eks.amazonaws.com/nodegroup': 'ng' });
      expect(node.metadata.labels).not.toHaveProperty('tier');
      // The nodegroup's taints, then the node lifecycle controller's: no vpc-cni here, so the nodes stay NotReady.
      expect(node.spec.taints).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
    }
  });
});

/** A cluster stack: its role and the AWS::EKS::Cluster with the settings given as properties. */
function clusterStack(name: string, settings: Record<string, unknown>): string {
  return JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      ServiceRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy'],
        },
      },
      ControlPlane: {
        Type: 'AWS::EKS::Cluster',
        Properties: { Name: name, Version: '1.33', RoleArn: { 'Fn::GetAtt': ['ServiceRole', 'Arn'] }, ResourcesVpcConfig: { SubnetIds: subnets }, Tags: [{ Key: 'team', Value: 'cluster-own' }], ...settings },
      },
    },
  });
}

const stackOf = (name: string) => cfn.send(new DescribeStacksCommand({ StackName: name })).then((r) => r.Stacks![0]!);
const settledStack = (name: string, timeoutMs = 10_000) => until(() => stackOf(name), (s: Stack) => !String(s.StackStatus).endsWith('IN_PROGRESS'), `stack ${name} settled`, timeoutMs);
const eventsOf = (name: string) => cfn.send(new DescribeStackEventsCommand({ StackName: name })).then((r) => [...(r.StackEvents ?? [])].reverse());
const clusterTags = (name: string) => describeCluster(name).then((c) => eks.send(new ListTagsForResourceCommand({ resourceArn: c.arn! }))).then((r) => r.tags ?? {});

describe('through CloudFormation', () => {
  it('AWS::EKS::Cluster takes DeletionProtection, UpgradePolicy and ZonalShiftConfig; deleting the stack of a protected cluster fails its ControlPlane', async () => {
    const body = clusterStack('cfn-protected', { DeletionProtection: true, UpgradePolicy: { SupportType: 'STANDARD' }, ZonalShiftConfig: { Enabled: true } });
    await cfn.send(new CreateStackCommand({ StackName: 'protected-stack', TemplateBody: body, Capabilities: ['CAPABILITY_IAM'] }));
    expect((await settledStack('protected-stack')).StackStatus).toBe('CREATE_COMPLETE');
    const cluster = await describeCluster('cfn-protected');

    await cfn.send(new DeleteStackCommand({ StackName: 'protected-stack' }));
    const failed = await settledStack('protected-stack');
    const { StackResourceDetail: controlPlane } = await cfn.send(new DescribeStackResourceCommand({ StackName: 'protected-stack', LogicalResourceId: 'ControlPlane' }));
    const { StackResourceDetail: role } = await cfn.send(new DescribeStackResourceCommand({ StackName: 'protected-stack', LogicalResourceId: 'ServiceRole' }));
    const notUpdatable = await rejectionOf(cfn.send(new UpdateStackCommand({ StackName: 'protected-stack', UsePreviousTemplate: true, Capabilities: ['CAPABILITY_IAM'], Tags: [{ Key: 'k', Value: 'v' }] })));
    // Once protection is off, the delete goes through.
    const { update } = await eks.send(new UpdateClusterConfigCommand({ name: 'cfn-protected', deletionProtection: false }));
    await updateDone('cfn-protected', update!.id!);
    await clusterActive('cfn-protected');
    const { StackId } = await stackOf('protected-stack');
    await cfn.send(new DeleteStackCommand({ StackName: 'protected-stack' }));
    const deleted = await settledStack(StackId!);

    expect(cluster).toMatchObject({ deletionProtection: true, upgradePolicy: { supportType: 'STANDARD' }, zonalShiftConfig: { enabled: true } });
    expect(failed).toMatchObject({ StackStatus: 'DELETE_FAILED', StackStatusReason: 'The following resource(s) failed to delete: [ControlPlane]. ' });
    expect(controlPlane?.ResourceStatus).toBe('DELETE_FAILED');
    expect(controlPlane?.ResourceStatusReason).toMatch(/deletion protection.*HandlerErrorCode: InvalidRequest/);
    // The role the cluster depends on is not deleted while the cluster stays.
    expect(role?.ResourceStatus).toBe('CREATE_COMPLETE');
    expect(notUpdatable).toMatchObject({ name: 'ValidationError', message: `Stack:${failed.StackId} is in DELETE_FAILED state and can not be updated.` });
    expect(deleted.StackStatus).toBe('DELETE_COMPLETE');
  });

  it('UpdateStack with UsePreviousTemplate and new Tags retags the cluster and the role (UPDATE_IN_PROGRESS → UPDATE_COMPLETE); the same tags again are "No updates are to be performed."', async () => {
    await cfn.send(new CreateStackCommand({ StackName: 'tagged-stack', TemplateBody: clusterStack('cfn-tagged', {}), Capabilities: ['CAPABILITY_IAM'], Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'stack' }] }));
    await settledStack('tagged-stack');
    const before = await clusterTags('cfn-tagged');

    const noCapabilities = await rejectionOf(cfn.send(new UpdateStackCommand({ StackName: 'tagged-stack', UsePreviousTemplate: true, Tags: [{ Key: 'cost-center', Value: '42' }] })));
    await cfn.send(new UpdateStackCommand({ StackName: 'tagged-stack', UsePreviousTemplate: true, Capabilities: ['CAPABILITY_IAM'], Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'stack' }] }));
    const otherTemplate = await rejectionOf(cfn.send(new UpdateStackCommand({ StackName: 'tagged-stack', TemplateBody: clusterStack('cfn-tagged', { Version: '1.34' }), Capabilities: ['CAPABILITY_IAM'] })));
    const updated = await settledStack('tagged-stack');
    const after = await clusterTags('cfn-tagged');
    const { StackResourceDetail: role } = await cfn.send(new DescribeStackResourceCommand({ StackName: 'tagged-stack', LogicalResourceId: 'ServiceRole' }));
    const roleTags = world.iam.roles.get(role!.PhysicalResourceId!)!.tags;
    const events = await eventsOf('tagged-stack');
    const again = await rejectionOf(cfn.send(new UpdateStackCommand({ StackName: 'tagged-stack', UsePreviousTemplate: true, Capabilities: ['CAPABILITY_IAM'], Tags: [{ Key: 'team', Value: 'stack' }, { Key: 'cost-center', Value: '42' }] })));

    expect(before).toMatchObject({ env: 'dev', team: 'cluster-own', 'aws:cloudformation:logical-id': 'ControlPlane' });
    expect(noCapabilities).toMatchObject({ name: 'InsufficientCapabilitiesException' });
    expect(otherTemplate.name).toBe('ValidationError');
    expect(updated).toMatchObject({ StackStatus: 'UPDATE_COMPLETE', Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'stack' }] });
    expect(updated.LastUpdatedTime).toBeInstanceOf(Date);
    // The old stack tag comes off, the new one goes on, and the cluster's own Tags still win.
    expect(after).toMatchObject({ 'cost-center': '42', team: 'cluster-own', 'aws:cloudformation:stack-name': 'tagged-stack' });
    expect(after).not.toHaveProperty('env');
    expect(roleTags).toMatchObject({ 'cost-center': '42', team: 'stack' });
    expect(roleTags).not.toHaveProperty('env');
    const update = events.slice(events.findIndex((e) => e.ResourceStatus === 'UPDATE_IN_PROGRESS' && e.LogicalResourceId === 'tagged-stack'));
    expect(update.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)).toEqual([
      'tagged-stack UPDATE_IN_PROGRESS',
      'ServiceRole UPDATE_IN_PROGRESS',
      'ServiceRole UPDATE_COMPLETE',
      'ControlPlane UPDATE_IN_PROGRESS',
      'ControlPlane UPDATE_COMPLETE',
      'tagged-stack UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'tagged-stack UPDATE_COMPLETE',
    ]);
    expect(again).toMatchObject({ name: 'ValidationError', message: 'No updates are to be performed.' });
  });

  it('refuses DeleteStack while the tag update runs', async () => {
    await cfn.send(new CreateStackCommand({ StackName: 'busy-stack', TemplateBody: clusterStack('cfn-busy', {}), Capabilities: ['CAPABILITY_IAM'] }));
    await settledStack('busy-stack');

    // In-process, so nothing can finish between the update starting and the delete being asked for.
    const stack = stacks.updateStack({ stackName: 'busy-stack', usePreviousTemplate: true, parameters: [], tags: [{ Key: 'env', Value: 'prod' }], capabilities: ['CAPABILITY_IAM'] });
    const status = stack.status;
    const refused = (() => {
      try {
        stacks.deleteStack('busy-stack', undefined, []);
        return undefined;
      } catch (error) {
        return error as Error;
      }
    })();
    await stack.work;

    expect(status).toBe('UPDATE_IN_PROGRESS');
    expect(refused).toMatchObject({ code: 'ValidationError', message: 'Stack [busy-stack] cannot be deleted while in status UPDATE_IN_PROGRESS' });
    expect(stack.status).toBe('UPDATE_COMPLETE');
  });
});

describe('through the AWS CLI', () => {
  let environment: NodeJS.ProcessEnv;
  beforeAll(() => {
    environment = emulatorOnlyEnvironment(emulator.url);
  });
  const aws = (...args: string[]) => run('aws', ['eks', ...args, '--endpoint-url', emulator.url, '--output', 'json'], { env: environment }).then((r) => JSON.parse(r.stdout) as Record<string, Record<string, unknown>>);
  const failure = (...args: string[]) =>
    run('aws', ['eks', ...args, '--endpoint-url', emulator.url], { env: environment }).then(
      () => undefined,
      (error: { stderr: string }) => error.stderr,
    );

  itWith(tools.awsCli, 'the AWS CLI')('`update-cluster-config --deletion-protection | --upgrade-policy | --zonal-shift-config` and `associate-encryption-config` update a cluster; `delete-cluster` of a protected one fails', async () => {
    await activeCluster('cli-settings');

    // The waits between steps poll through the SDK (an AWS CLI process costs about a second a poll);
    // the CLI's describe-update is checked once, on the last update, next to describe-cluster.
    const protect = await aws('update-cluster-config', '--name', 'cli-settings', '--deletion-protection');
    await updateDone('cli-settings', String(protect.update!.id));
    await clusterActive('cli-settings');
    const refusedDelete = await failure('delete-cluster', '--name', 'cli-settings');
    const policy = await aws('update-cluster-config', '--name', 'cli-settings', '--upgrade-policy', 'supportType=STANDARD');
    await updateDone('cli-settings', String(policy.update!.id));
    await clusterActive('cli-settings');
    const shift = await aws('update-cluster-config', '--name', 'cli-settings', '--zonal-shift-config', 'enabled=true');
    await updateDone('cli-settings', String(shift.update!.id));
    await clusterActive('cli-settings');
    const noop = await failure('update-cluster-config', '--name', 'cli-settings', '--zonal-shift-config', 'enabled=true');
    const encrypt = await aws('associate-encryption-config', '--cluster-name', 'cli-settings', '--encryption-config', JSON.stringify([{ resources: ['secrets'], provider: { keyArn: KEY } }]));
    await updateDone('cli-settings', String(encrypt.update!.id), 10_000);
    await clusterActive('cli-settings');
    const unprotect = await aws('update-cluster-config', '--name', 'cli-settings', '--no-deletion-protection');
    await updateDone('cli-settings', String(unprotect.update!.id));
    const [{ cluster }, described] = await Promise.all([aws('describe-cluster', '--name', 'cli-settings'), aws('describe-update', '--name', 'cli-settings', '--update-id', String(unprotect.update!.id))]);

    expect(protect.update).toMatchObject({ type: 'DeletionProtectionUpdate', status: 'InProgress', params: [{ type: 'DeletionProtection', value: 'true' }] });
    expect(refusedDelete).toMatch(/InvalidRequestException.*deletion protection/);
    expect(policy.update).toMatchObject({ type: 'UpgradePolicyUpdate' });
    expect(shift.update).toMatchObject({ type: 'ZonalShiftConfigUpdate' });
    expect(noop).toMatch(/InvalidParameterException.*already at the desired configuration/);
    expect(encrypt.update).toMatchObject({ type: 'AssociateEncryptionConfig', status: 'InProgress' });
    expect(unprotect.update).toMatchObject({ type: 'DeletionProtectionUpdate', params: [{ type: 'DeletionProtection', value: 'false' }] });
    expect(described.update).toMatchObject({ id: unprotect.update!.id, type: 'DeletionProtectionUpdate', status: 'Successful' });
    expect(cluster).toMatchObject({
      deletionProtection: false,
      upgradePolicy: { supportType: 'STANDARD' },
      zonalShiftConfig: { enabled: true },
      encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY } }],
    });
  });

  itWith(tools.boto3, 'python3 with boto3')('boto3 reads the settings, updates them and gets the modeled InvalidRequestException for a protected cluster', async () => {
    await activeCluster('boto-settings', { deletionProtection: true });
    const script = [
      'import json, os, sys, time, boto3',
      "eks = boto3.client('eks', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')",
      'def settled(update):',
      '    for _ in range(300):',
      "        if eks.describe_update(name='boto-settings', updateId=update['id'])['update']['status'] != 'InProgress': break",
      '        time.sleep(0.05)',
      '    for _ in range(300):',
      "        if eks.describe_cluster(name='boto-settings')['cluster']['status'] == 'ACTIVE': return",
      '        time.sleep(0.05)',
      "before = eks.describe_cluster(name='boto-settings')['cluster']",
      'try:',
      "    eks.delete_cluster(name='boto-settings')",
      "    refused = 'deleted'",
      'except eks.exceptions.InvalidRequestException as error:',
      "    refused = error.response['Error']['Code']",
      "policy = eks.update_cluster_config(name='boto-settings', upgradePolicy={'supportType': 'STANDARD'})['update']",
      'settled(policy)',
      "off = eks.update_cluster_config(name='boto-settings', deletionProtection=False)['update']",
      'settled(off)',
      "after = eks.describe_cluster(name='boto-settings')['cluster']",
      "print(json.dumps({'before': [before['deletionProtection'], before['upgradePolicy'], before['zonalShiftConfig']], 'refused': refused, 'types': [policy['type'], off['type']], 'after': [after['deletionProtection'], after['upgradePolicy']]}))",
    ].join('\n');

    const { stdout } = await run('python3', ['-c', script], { env: environment, timeout: 60_000 });

    expect(JSON.parse(stdout)).toEqual({
      before: [true, { supportType: 'EXTENDED' }, { enabled: false }],
      refused: 'InvalidRequestException',
      types: ['UpgradePolicyUpdate', 'DeletionProtectionUpdate'],
      after: [false, { supportType: 'STANDARD' }],
    });
  });

  itWith(tools.awsCli, 'the AWS CLI')('`aws cloudformation update-stack --use-previous-template --tags` retags the stack and its cluster; a repeat fails with "No updates are to be performed."', async () => {
    await cfn.send(new CreateStackCommand({ StackName: 'cli-tags', TemplateBody: clusterStack('cfn-cli-tags', {}), Capabilities: ['CAPABILITY_IAM'], Tags: [{ Key: 'env', Value: 'dev' }] }));
    await settledStack('cli-tags');
    const updateStack = ['cloudformation', 'update-stack', '--stack-name', 'cli-tags', '--use-previous-template', '--capabilities', 'CAPABILITY_IAM', '--tags', 'Key=env,Value=prod', 'Key=owner,Value=platform', '--endpoint-url', emulator.url, '--output', 'json'];

    const { stdout } = await run('aws', updateStack, { env: environment });
    const updated = await settledStack('cli-tags');
    const repeat = await run('aws', updateStack, { env: environment }).then(
      () => undefined,
      (error: { stderr: string }) => error.stderr,
    );
    const described = JSON.parse((await run('aws', ['cloudformation', 'describe-stacks', '--stack-name', 'cli-tags', '--endpoint-url', emulator.url, '--output', 'json'], { env: environment })).stdout) as { Stacks: Array<{ StackStatus: string; Tags: unknown }> };

    expect(JSON.parse(stdout)).toEqual({ StackId: updated.StackId });
    expect(updated.StackStatus).toBe('UPDATE_COMPLETE');
    expect(described.Stacks[0]).toMatchObject({ StackStatus: 'UPDATE_COMPLETE', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'platform' }] });
    expect(await clusterTags('cfn-cli-tags')).toMatchObject({ env: 'prod', owner: 'platform' });
    expect(repeat).toMatch(/ValidationError.*No updates are to be performed\./);
  });
});
