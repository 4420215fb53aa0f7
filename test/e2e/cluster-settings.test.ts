/**
 * A running cluster's settings end to end in local mode: PATCH /clusters/{name} turns on logging
 * and deletion protection, changes the upgrade policy and zonal shift and replaces the tags; the
 * AWS CLI sees them on the cluster and on its stack. DELETE is then refused (409) until asked
 * with ?disableDeletionProtection=true, which turns protection off and deletes everything. The
 * AWS CLI checks show as skipped with their reason when it is absent (required under CI=true);
 * the API's own answers and the SDK's view are checked regardless.
 */
import { DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
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

  it('a PATCH that changes nothing is SKIPPED, never sent to EKS', async () => {
    const accepted = await cloud.call('PATCH', `/clusters/${NAME}`, { body: { deletionProtection: true, zonalShift: { enabled: true } } });
    expect(accepted.status).toBe(202);
    const again = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 30_000);

    expectOneTerminalLast(again, 'SUCCEEDED');
    expect(again.filter((e) => e.step?.name === 'Change Settings').map((e) => e.step!.status)).toEqual(['SKIPPED']);
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
