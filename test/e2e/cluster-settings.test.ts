/**
 * A running cluster's settings end to end in local mode, one cluster for all:
 * - PATCH /clusters/{name} turns on logging and deletion protection, changes the upgrade policy
 *   and zonal shift and replaces the tags; the AWS CLI sees them on the cluster, on its stack and
 *   on the stack's resources (VPC, node role). A second PATCH moves authentication forward, turns
 *   secrets encryption on and sets the maintenance window; moving back is refused by name.
 * - PATCH /clusters/{name}/nodegroups/{ng} changes the labels, taints, update config, AMI release
 *   and instance type of a nodegroup added at an older release; the AWS CLI sees them.
 * - An add-on is installed, re-configured, moved to another version and removed through the
 *   add-on routes, and `aws eks describe-addon` shows each result.
 * - DELETE is then refused (409) until asked with ?disableDeletionProtection=true, which turns
 *   protection off and deletes everything.
 * The AWS CLI checks show as skipped with their reason when it is absent (required under
 * CI=true); the API's own answers and the SDK's view are checked regardless.
 */
import { DescribeClusterCommand, DescribeNodegroupCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { amiReleaseVersions } from '../../local/emulator/services/eks/versions';
import { startLocal, type LocalMode } from '../../local/start';
import { localModeShell, spawnCollect } from '../support/aws-tools';
import { expectOneTerminalLast, LocalCloud, type StatusEvent } from '../support/local-cloud';
import { tools, itWith } from '../support/third-party';

const TIME_SCALE = 0.001;
const NAME = 'settled';
const SPEC = { name: NAME, tags: { team: 'blue', 'cost-center': '42' }, managedNodeGroups: [{ name: 'ng-a', minSize: 1, desiredSize: 1, maxSize: 2 }] };
const SETTINGS = {
  logging: ['api', 'audit'],
  deletionProtection: true,
  tags: { team: 'green', env: 'test' },
  upgradePolicy: { supportType: 'STANDARD' },
  zonalShift: { enabled: true },
};

let local: LocalMode;
let cloud: LocalCloud;
let eks: EKSClient;
let cloudFormation: CloudFormationClient;

async function aws<T>(args: string[]): Promise<T> {
  const run = await spawnCollect('aws', args, localModeShell(local.awsUrl));
  if (run.code !== 0) throw new Error(`aws ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 7, quiet: true });
  cloud = new LocalCloud(local);
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  eks = new EKSClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  cloudFormation = new CloudFormationClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  const accepted = await cloud.call('POST', '/clusters', { body: SPEC });
  expect(accepted.status).toBe(202);
  expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000), 'SUCCEEDED');
}, 90_000);

afterAll(async () => {
  eks?.destroy();
  cloudFormation?.destroy();
  cloud?.destroy();
  await local?.stop();
});

describe('changing a running cluster’s settings', () => {
  let events: StatusEvent[];

  beforeAll(async () => {
    const accepted = await cloud.call('PATCH', `/clusters/${NAME}`, { body: SETTINGS });
    expect(accepted.status).toBe(202);
    events = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000);
  }, 90_000);

  it('succeeds with one EKS update per setting, each reported, and the stacks re-tagged', () => {
    expectOneTerminalLast(events, 'SUCCEEDED');
    const succeeded = events.filter((e) => e.step?.status === 'SUCCEEDED').map((e) => e.step!.name);

    expect(succeeded).toEqual(['Update Logging', 'Update Deletion Protection', 'Update Upgrade Policy', 'Update Zonal Shift', 'Tag Stacks', 'Change Settings']);
  });

  it('records the new settings in the registry', async () => {
    const cluster = await cloud.call('GET', `/clusters/${NAME}`);

    expect(cluster.body).toMatchObject({ status: 'ACTIVE', spec: { ...SETTINGS, tags: SETTINGS.tags } });
  });

  it('EKS has them, the new tags replacing the old while the ownership tags stay', async () => {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: NAME }));

    expect(cluster).toMatchObject({ deletionProtection: true, upgradePolicy: { supportType: 'STANDARD' }, zonalShiftConfig: { enabled: true } });
    expect(cluster?.logging?.clusterLogging?.filter((l) => l.enabled).flatMap((l) => l.types).sort()).toEqual(['api', 'audit']);
    expect(cluster?.tags).toMatchObject({ team: 'green', env: 'test', 'eks-provisioner:cluster': NAME });
    expect(cluster?.tags).not.toHaveProperty('cost-center');
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws eks describe-cluster and aws cloudformation describe-stacks show them', async () => {
    const [{ cluster }, { Stacks }] = await Promise.all([
      aws<{ cluster: { deletionProtection: boolean; upgradePolicy: { supportType: string }; zonalShiftConfig: { enabled: boolean }; tags: Record<string, string>; logging: { clusterLogging: Array<{ types: string[]; enabled: boolean }> } } }>(['eks', 'describe-cluster', '--name', NAME]),
      aws<{ Stacks: Array<{ StackStatus: string; Tags: Array<{ Key: string; Value: string }> }> }>(['cloudformation', 'describe-stacks', '--stack-name', `eksp-${NAME}-cluster`]),
    ]);
    expect(cluster).toMatchObject({ deletionProtection: true, upgradePolicy: { supportType: 'STANDARD' }, zonalShiftConfig: { enabled: true }, tags: { team: 'green', env: 'test' } });
    expect(cluster.logging.clusterLogging.filter((l) => l.enabled).flatMap((l) => l.types).sort()).toEqual(['api', 'audit']);

    const tags = Object.fromEntries(Stacks[0]!.Tags.map((t) => [t.Key, t.Value]));
    expect(Stacks[0]!.StackStatus).toBe('UPDATE_COMPLETE');
    expect(tags).toMatchObject({ team: 'green', env: 'test', 'eks-provisioner:cluster': NAME, 'eks-provisioner:managed-by': 'eks-provisioner' });
    expect(tags).not.toHaveProperty('cost-center');
  });

  itWith(tools.awsCli, 'the AWS CLI')("aws ec2 describe-vpcs and aws iam list-role-tags show the new tags on the stack's resources (their own tags, not only the stack's)", async () => {
    const physicalId = async (logicalId: string) =>
      (await aws<{ StackResourceDetail: { PhysicalResourceId: string } }>(['cloudformation', 'describe-stack-resource', '--stack-name', `eksp-${NAME}-cluster`, '--logical-resource-id', logicalId])).StackResourceDetail.PhysicalResourceId;
    const asMap = (tags: Array<{ Key: string; Value: string }>) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));

    const { Vpcs } = await aws<{ Vpcs: Array<{ Tags: Array<{ Key: string; Value: string }> }> }>(['ec2', 'describe-vpcs', '--vpc-ids', await physicalId('VPC')]);
    const { Tags: roleTags } = await aws<{ Tags: Array<{ Key: string; Value: string }> }>(['iam', 'list-role-tags', '--role-name', await physicalId('NodeInstanceRole')]);

    const vpc = asMap(Vpcs[0]!.Tags);
    expect(vpc).toMatchObject({ team: 'green', env: 'test', Name: `eksp-${NAME}-cluster/VPC`, 'eks-provisioner:cluster': NAME });
    expect(vpc).not.toHaveProperty('cost-center');
    const role = asMap(roleTags);
    expect(role).toMatchObject({ team: 'green', env: 'test', 'eks-provisioner:cluster': NAME });
    expect(role).not.toHaveProperty('cost-center');
  });

  it('a PATCH that changes nothing is SKIPPED, never sent to EKS', async () => {
    const accepted = await cloud.call('PATCH', `/clusters/${NAME}`, { body: { deletionProtection: true, zonalShift: { enabled: true } } });
    expect(accepted.status).toBe(202);
    const again = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 30_000);

    expectOneTerminalLast(again, 'SUCCEEDED');
    expect(again.filter((e) => e.step?.name === 'Change Settings').map((e) => e.step!.status)).toEqual(['SKIPPED']);
  });
});

describe('the one-way settings and the service’s own, through the same PATCH', () => {
  const keyArn = () => `arn:aws:kms:us-east-1:${local.world.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const MAINTENANCE = { autoUpgrade: true, window: 'sat 02:00-06:00 UTC' };
  let events: StatusEvent[];

  beforeAll(async () => {
    const accepted = await cloud.call('PATCH', `/clusters/${NAME}`, { body: { authenticationMode: 'API', secretsEncryption: { kmsKeyArn: keyArn() }, maintenance: MAINTENANCE } });
    expect(accepted.status).toBe(202);
    events = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000);
  }, 90_000);

  it('moves authentication forward and turns secrets encryption on, one EKS update each; maintenance needs no AWS call', async () => {
    expectOneTerminalLast(events, 'SUCCEEDED');
    expect(events.filter((e) => e.step?.status === 'SUCCEEDED').map((e) => e.step!.name)).toEqual(['Update Authentication Mode', 'Associate Encryption Config', 'Change Settings']);
    expect((await cloud.call('GET', `/clusters/${NAME}`)).body).toMatchObject({ spec: { authenticationMode: 'API', secretsEncryption: { kmsKeyArn: keyArn() }, maintenance: MAINTENANCE } });
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws eks describe-cluster shows the authentication mode and the key secrets are encrypted with', async () => {
    const { cluster } = await aws<{ cluster: { accessConfig: { authenticationMode: string }; encryptionConfig: Array<{ resources: string[]; provider: { keyArn: string } }> } }>(['eks', 'describe-cluster', '--name', NAME]);

    expect(cluster.accessConfig.authenticationMode).toBe('API');
    expect(cluster.encryptionConfig).toEqual([{ resources: ['secrets'], provider: { keyArn: keyArn() } }]);
  });

  it('refuses to move authentication back or to change the key, naming each field', async () => {
    const refused = await cloud.call('PATCH', `/clusters/${NAME}`, { body: { authenticationMode: 'CONFIG_MAP', secretsEncryption: { kmsKeyArn: keyArn().replace('1234abcd', '9999abcd') } } });

    expect(refused.status).toBe(422);
    expect((refused.body.errors as Array<{ pointer: string }>).map((e) => e.pointer).sort()).toEqual(['/authenticationMode', '/secretsEncryption']);
  });
});

describe('changing a running nodegroup', () => {
  const NODEGROUP_CHANGE = { labels: { team: 'green', tier: 'batch' }, taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }], updateConfig: { maxUnavailablePercentage: 50 } };
  let releaseVersion: string;
  let events: StatusEvent[];

  beforeAll(async () => {
    // A nodegroup pinned to an older AMI release of the cluster's version (as the emulator publishes them), so there is a newer one to roll to.
    const { nodegroup } = await eks.send(new DescribeNodegroupCommand({ clusterName: NAME, nodegroupName: 'ng-a' }));
    const releases = amiReleaseVersions(nodegroup!.version!);
    releaseVersion = releases.at(-1)!;
    const added = await cloud.call('POST', `/clusters/${NAME}/nodegroups`, { body: { name: 'ng-b', minSize: 1, desiredSize: 1, maxSize: 1, releaseVersion: releases[0] } });
    expect(added.status).toBe(202);
    expectOneTerminalLast(await cloud.eventsUntilTerminal(String(added.body.operationId), 60_000), 'SUCCEEDED');

    const accepted = await cloud.call('PATCH', `/clusters/${NAME}/nodegroups/ng-b`, { body: { ...NODEGROUP_CHANGE, releaseVersion } });
    expect(accepted.status).toBe(202);
    events = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000);
  }, 120_000);

  it('succeeds with one UpdateNodegroupConfig, then the rolling AMI release update, each reported', () => {
    expectOneTerminalLast(events, 'SUCCEEDED');

    expect(events.filter((e) => e.step?.status === 'SUCCEEDED').map((e) => e.step!.name)).toEqual(['Update Nodegroup Config', 'Update Nodegroup AMI Release', 'Change Nodegroup', 'Check Nodes Ready']);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws eks describe-nodegroup shows the labels, taints, update config and release', async () => {
    const { nodegroup } = await aws<{ nodegroup: { labels: Record<string, string>; taints: unknown[]; updateConfig: unknown; releaseVersion: string; status: string } }>(['eks', 'describe-nodegroup', '--cluster-name', NAME, '--nodegroup-name', 'ng-b']);

    expect(nodegroup).toMatchObject({ status: 'ACTIVE', labels: NODEGROUP_CHANGE.labels, taints: [{ key: 'dedicated', value: 'batch', effect: 'NO_SCHEDULE' }], updateConfig: NODEGROUP_CHANGE.updateConfig, releaseVersion });
  });

  it('a PATCH the nodegroup already satisfies is SKIPPED, never sent to EKS', async () => {
    const accepted = await cloud.call('PATCH', `/clusters/${NAME}/nodegroups/ng-b`, { body: { labels: NODEGROUP_CHANGE.labels, releaseVersion } });
    expect(accepted.status).toBe(202);
    const again = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 30_000);

    expectOneTerminalLast(again, 'SUCCEEDED');
    expect(again.filter((e) => e.step?.name === 'Change Nodegroup').map((e) => e.step!.status)).toEqual(['SKIPPED']);
  });

  itWith(tools.awsCli, 'the AWS CLI')('a PATCH of instanceTypes makes a new launch template version and rolls the nodes to it: aws eks describe-nodegroup and aws ec2 describe-instances show the new type', async () => {
    const accepted = await cloud.call('PATCH', `/clusters/${NAME}/nodegroups/ng-b`, { body: { instanceTypes: ['m5.xlarge'] } });
    expect(accepted.status).toBe(202);
    const changed = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000);
    expectOneTerminalLast(changed, 'SUCCEEDED');

    const { nodegroup } = await aws<{ nodegroup: { instanceTypes?: string[]; launchTemplate: { id: string; version: string } } }>(['eks', 'describe-nodegroup', '--cluster-name', NAME, '--nodegroup-name', 'ng-b']);
    const instances = await aws<{ Reservations: Array<{ Instances: Array<{ InstanceType: string }> }> }>(['ec2', 'describe-instances', '--filters', 'Name=tag:eks:nodegroup-name,Values=ng-b', 'Name=instance-state-name,Values=running']);

    expect(changed.filter((e) => e.step?.status === 'SUCCEEDED').map((e) => e.step!.name)).toEqual(['Update Launch Template', 'Update Nodegroup Instance Type', 'Change Nodegroup', 'Check Nodes Ready']);
    // The type is the launch template's, so EKS reports no instanceTypes; the nodegroup runs the template's new version.
    expect(nodegroup.instanceTypes).toBeUndefined();
    expect(nodegroup.launchTemplate.version).toBe('2');
    expect(instances.Reservations.flatMap((r) => r.Instances.map((i) => i.InstanceType))).toEqual(['m5.xlarge']);
  }, 90_000);
});

describe('an add-on’s life on the running cluster', () => {
  const ADDON = 'aws-ebs-csi-driver';
  type Described = { addon: { addonName: string; addonVersion: string; status: string; configurationValues?: string } };

  /** Starts the change and waits for its terminal event. */
  async function change(method: string, path: string, body?: unknown): Promise<StatusEvent[]> {
    const accepted = await cloud.call(method, path, body === undefined ? {} : { body });
    expect(accepted.status).toBe(202);
    return cloud.eventsUntilTerminal(String(accepted.body.operationId), 30_000);
  }
  const steps = (events: StatusEvent[]) => events.filter((e) => e.step?.status === 'SUCCEEDED' || e.step?.status === 'SKIPPED').map((e) => `${e.step!.name} ${e.step!.status}`);

  it('POST /clusters/{name}/addons installs it at the version asked', async () => {
    const events = await change('POST', `/clusters/${NAME}/addons`, { name: ADDON, version: 'v1.41.0-eksbuild.1' });

    expectOneTerminalLast(events, 'SUCCEEDED');
    expect(steps(events)).toEqual(['Create Add-on SUCCEEDED', 'Change Addon SUCCEEDED']);
  }, 40_000);

  it('PATCH changes only what differs: the configuration values, then the version; the same values again are SKIPPED', async () => {
    const configured = await change('PATCH', `/clusters/${NAME}/addons/${ADDON}`, { configurationValues: '{"controller":{"replicaCount":1}}' });
    const upgraded = await change('PATCH', `/clusters/${NAME}/addons/${ADDON}`, { version: 'v1.44.0-eksbuild.1', configurationValues: '{ "controller": { "replicaCount": 1 } }' });
    const again = await change('PATCH', `/clusters/${NAME}/addons/${ADDON}`, { configurationValues: '{"controller":{"replicaCount":1}}' });

    for (const events of [configured, upgraded, again]) expectOneTerminalLast(events, 'SUCCEEDED');
    expect(steps(configured)).toEqual(['Update Add-on SUCCEEDED', 'Change Addon SUCCEEDED']);
    expect(steps(again)).toEqual(['Change Addon SKIPPED']);
    const { spec } = (await cloud.call('GET', `/clusters/${NAME}`)).body as { spec: { addons: Array<{ name: string }> } };
    expect(spec.addons.find((a) => a.name === ADDON)).toEqual({ name: ADDON, version: 'v1.44.0-eksbuild.1', configurationValues: '{"controller":{"replicaCount":1}}' });
  }, 60_000);

  it('a version EKS does not offer for the cluster’s Kubernetes version fails before any call, naming those it does', async () => {
    const events = await change('PATCH', `/clusters/${NAME}/addons/${ADDON}`, { version: 'v1.0.0-eksbuild.1' });

    expectOneTerminalLast(events, 'FAILED');
    expect(events.at(-1)!.error).toMatchObject({ code: 'ChangeRefusedError', message: expect.stringContaining('EKS lists v1.44.0-eksbuild.1, v1.41.0-eksbuild.1') });
  }, 40_000);

  itWith(tools.awsCli, 'the AWS CLI')('aws eks describe-addon shows the version and configuration values the PATCHes set', async () => {
    const { addon } = await aws<Described>(['eks', 'describe-addon', '--cluster-name', NAME, '--addon-name', ADDON]);

    expect(addon).toMatchObject({ addonName: ADDON, status: 'ACTIVE', addonVersion: 'v1.44.0-eksbuild.1', configurationValues: '{"controller":{"replicaCount":1}}' });
  });

  it('DELETE /clusters/{name}/addons/{addon} removes it until EKS no longer knows it', async () => {
    const events = await change('DELETE', `/clusters/${NAME}/addons/${ADDON}`);

    expectOneTerminalLast(events, 'SUCCEEDED');
    expect(steps(events)).toEqual(['Delete Add-on SUCCEEDED', 'Change Addon SUCCEEDED']);
  }, 40_000);

  itWith(tools.awsCli, 'the AWS CLI')('aws eks describe-addon then answers ResourceNotFoundException', async () => {
    const run = await spawnCollect('aws', ['eks', 'describe-addon', '--cluster-name', NAME, '--addon-name', ADDON], localModeShell(local.awsUrl));

    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('ResourceNotFoundException');
  });
});

describe('deleting a protected cluster', () => {
  it('is refused with 409 without the flag', async () => {
    const refused = await cloud.call('DELETE', `/clusters/${NAME}`);

    expect(refused.status).toBe(409);
    expect(String(refused.body.detail)).toContain(`cluster ${NAME} has deletion protection; PATCH it off first, or DELETE with ?disableDeletionProtection=true`);
  });

  it('with ?disableDeletionProtection=true turns protection off, then deletes everything', async () => {
    const accepted = await cloud.call('DELETE', `/clusters/${NAME}?disableDeletionProtection=true`);
    expect(accepted.status).toBe(202);
    const events = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000);

    expectOneTerminalLast(events, 'SUCCEEDED');
    expect(events.filter((e) => e.step?.name === 'Disable Deletion Protection').map((e) => e.step!.status)).toEqual(['STARTED', 'SUCCEEDED']);
    expect((await eks.send(new ListClustersCommand({}))).clusters).toEqual([]);
    const stacks = await cloudFormation.send(new DescribeStacksCommand({})).then((answer) => answer.Stacks ?? []);
    expect(stacks.filter((s) => s.StackName?.startsWith(`eksp-${NAME}-`))).toEqual([]);
  }, 90_000);
});
