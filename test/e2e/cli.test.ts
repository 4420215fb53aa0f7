/**
 * The eksp CLI against local mode, as a user runs it (issue 13's "done when"): create the cluster
 * of examples/eksctl-cluster.yaml and watch it to SUCCEEDED, write a kubeconfig kubectl uses to
 * list the nodes Ready (through `aws eks get-token`: skipped, with the reason, without kubectl and
 * the AWS CLI; required under CI=true), map an IAM role in aws-auth and read it back, take an
 * add-on and a Pod Identity association through their lifecycle, read the nodegroups' Ready nodes
 * as the workflow last saw them, see a ClusterConfig field the
 * service cannot honour refused by name, then delete the cluster and wait.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal, type LocalMode } from '../../local/start';
import { localModeShell, spawnCollect } from '../support/aws-tools';
import { eksp, fakeIo, type FakeIo } from '../support/cli-harness';
import { LocalCloud } from '../support/local-cloud';
import { itWith, tools } from '../support/third-party';

/** The example cluster (three nodegroups, a Fargate profile, six add-ons) takes ~25 emulated minutes: a few seconds here. */
const TIME_SCALE = 0.001;
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'eksctl-cluster.yaml');
const CLUSTER = 'payments-prod';
/** The example's nodes: managedNodeGroups general (3) and nodeGroups batch (2) and batch-spot (2). */
const NODES = 7;
const LEDGER_ROLE = 'arn:aws:iam::111122223333:role/payments-ledger';
const DEPLOYER = 'arn:aws:iam::000000000000:role/deployer';
const itWithTools = itWith(tools.kubectl && tools.awsCli, 'kubectl and the AWS CLI');

let local: LocalMode;
let cloud: LocalCloud;
let home: string;

/** A pipe, not a terminal: progress comes as eksctl-style lines. */
function io(): FakeIo {
  const made = fakeIo({ env: { EKSP_ENDPOINT: local.apiUrl }, now: () => new Date() });
  made.pollIntervalMs = 50;
  return made;
}

/** Runs eksp; its exit code, stdout's messages without their time stamps, and stderr. */
async function run(...argv: string[]): Promise<{ code: number; messages: string[]; stdout: string; stderr: string }> {
  const streams = io();
  const code = await eksp(streams, ...argv);
  return { code, messages: streams.stdout.lines.map((line) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /, '')), stdout: streams.stdout.text, stderr: streams.stderr.text };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'eksp-cli-e2e-'));
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 11, quiet: true });
  cloud = new LocalCloud(local);
  // The role the example's Pod Identity association names, made and vetted by its team.
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] });
  local.world.iam.roles.set('payments-ledger', { arn: LEDGER_ROLE, roleName: 'payments-ledger', path: '/', assumeRolePolicyDocument: trust, managedPolicyArns: [], tags: {} });
}, 60_000);

afterAll(async () => {
  cloud?.destroy();
  await local?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('eksp against local mode', () => {
  test('create cluster -f with a field the service cannot honour is refused by name, exit 1, nothing created', async () => {
    const config = join(home, 'efa.yaml');
    writeFileSync(config, readFileSync(EXAMPLE, 'utf8').replace('    volumeSize: 100\n', '    volumeSize: 100\n    efaEnabled: true\n'));

    const refused = await run('create', 'cluster', '-f', config);
    const clusters = await run('get', 'clusters');

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: Unsupported ClusterConfig fields: .*\n {2}\/managedNodeGroups\/0\/efaEnabled: Elastic Fabric Adapter is not offered\n$/);
    expect(clusters.stdout).toBe('No clusters found\n');
  });

  test('create cluster -f examples/eksctl-cluster.yaml shows its progress to SUCCEEDED and exits 0', async () => {
    const created = await run('create', 'cluster', '-f', EXAMPLE);

    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    const { messages } = created;
    expect(messages[0]).toMatch(/^\[ℹ\] {2}create cluster "payments-prod": operation op-/);
    expect(messages).toEqual(
      expect.arrayContaining([
        '[ℹ]  creating cluster stack "eksp-payments-prod-cluster"',
        '[✔]  created cluster stack "eksp-payments-prod-cluster"',
        '[✔]  created nodegroup "general"',
        '[✔]  created add-on "vpc-cni"',
        '[✔]  create cluster "payments-prod" SUCCEEDED',
      ]),
    );
    expect(messages.filter((m) => /^\[✔\] {2}created .*"batch(-spot)?"/.test(m))).toHaveLength(2);
    expect(messages.indexOf('[ℹ]  creating cluster stack "eksp-payments-prod-cluster"')).toBeLessThan(messages.indexOf('[✔]  created cluster stack "eksp-payments-prod-cluster"'));
  }, 120_000);

  test('get nodegroup shows each nodegroup, managed and self-managed, with its nodes Ready when the workflow last looked', async () => {
    const got = await run('get', 'nodegroup', '--cluster', CLUSTER);

    expect({ code: got.code, stderr: got.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = got.stdout.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^CLUSTER\s+NODEGROUP\s+TYPE\s+STATUS\s+MIN SIZE\s+MAX SIZE\s+DESIRED CAPACITY\s+READY\s+INSTANCE TYPE$/);
    expect(lines.find((line) => /^payments-prod\s+general\s/.test(line))).toMatch(/\smanaged\s+ACTIVE\s+3\s+6\s+3\s+3\/3 \(as of \d{4}-\d\d-\d\dT[\d:.]+Z\)\s/);
    expect(lines.find((line) => /^payments-prod\s+batch\s/.test(line))).toMatch(/\sself-managed\s.*\s2\/2 \(as of /);
  }, 60_000);

  itWithTools('utils write-kubeconfig --kubeconfig FILE, then kubectl --kubeconfig FILE get nodes lists every node Ready', async () => {
    const kubeconfig = join(home, 'kubeconfig');

    const written = await run('utils', 'write-kubeconfig', '--cluster', CLUSTER, '--kubeconfig', kubeconfig);
    const nodes = await spawnCollect('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'get', 'nodes', '--no-headers'], localModeShell(local.awsUrl, { HOME: home }));

    expect(written.code).toBe(0);
    expect(written.stdout).toContain(`[✔]  saved kubeconfig as "${kubeconfig}"`);
    expect(nodes).toMatchObject({ code: 0 });
    const lines = nodes.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(NODES);
    expect(lines.filter((line) => /^\S+\s+Ready\s/.test(line))).toHaveLength(NODES);
  }, 60_000);

  test('create iamidentitymapping, then get iamidentitymapping shows it beside the example’s own', async () => {
    const created = await run('create', 'iamidentitymapping', '--cluster', CLUSTER, '--arn', DEPLOYER, '--username', 'deployer', '--group', 'deployers');
    const got = await run('get', 'iamidentitymapping', '--cluster', CLUSTER);

    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(created.messages).toContain('[✔]  ADD_ACCESS_ENTRY on cluster "payments-prod" SUCCEEDED');
    expect(got.code).toBe(0);
    expect(got.stdout.split('\n').map((line) => line.split(/\s+/).filter(Boolean))).toEqual(
      expect.arrayContaining([
        ['arn:aws:iam::111122223333:role/payments-ci', 'payments-ci', 'payments-deployers'],
        [DEPLOYER, 'deployer', 'deployers'],
      ]),
    );
  }, 60_000);

  test('create iamidentitymapping --no-duplicate-arns refuses an ARN already mapped, and starts nothing', async () => {
    const refused = await run('create', 'iamidentitymapping', '--cluster', CLUSTER, '--arn', DEPLOYER, '--no-duplicate-arns');
    const operations = await run('get', 'operations', '--cluster', CLUSTER, '-o', 'json');

    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`Error: cluster ${CLUSTER} already maps ${DEPLOYER} (--no-duplicate-arns)\n`);
    expect((JSON.parse(operations.stdout) as Array<{ type: string; action?: string }>).map((o) => o.action ?? o.type)).toEqual(['ADD_ACCESS_ENTRY', 'CREATE']);
  });

  test('an add-on: delete addon, create addon at an older version with configuration values, update addon, as get addon shows', async () => {
    const removed = await run('delete', 'addon', '--cluster', CLUSTER, '--name', 'metrics-server', '--wait');
    const afterRemoval = await run('get', 'addons', '--cluster', CLUSTER, '-o', 'json');
    const created = await run('create', 'addon', '--cluster', CLUSTER, '--name', 'metrics-server', '--version', 'v0.7.2-eksbuild.3', '--configuration-values', '{"replicas": 2}', '--wait');
    const updated = await run('update', 'addon', '--cluster', CLUSTER, '--name', 'metrics-server', '--version', 'v0.8.0-eksbuild.1', '--wait');
    const got = await run('get', 'addon', '--cluster', CLUSTER, '--name', 'metrics-server', '-o', 'json');

    for (const step of [removed, created, updated]) expect({ code: step.code, stderr: step.stderr }).toEqual({ code: 0, stderr: '' });
    expect(removed.messages).toContain('[✔]  REMOVE_ADDON on cluster "payments-prod" SUCCEEDED');
    expect((JSON.parse(afterRemoval.stdout) as Array<{ name: string }>).map((a) => a.name)).not.toContain('metrics-server');
    expect(created.messages).toContain('[✔]  ADD_ADDON on cluster "payments-prod" SUCCEEDED');
    expect(updated.messages).toContain('[✔]  UPDATE_ADDON on cluster "payments-prod" SUCCEEDED');
    expect(JSON.parse(got.stdout)).toEqual([{ name: 'metrics-server', version: 'v0.8.0-eksbuild.1', configurationValues: '{"replicas": 2}' }]);
  }, 60_000);

  test('a Pod Identity association: create podidentityassociation, get shows it, delete podidentityassociation removes it', async () => {
    const created = await run('create', 'podidentityassociation', '--cluster', CLUSTER, '--namespace', 'payments', '--service-account-name', 'reports', '--role-arn', LEDGER_ROLE);
    const got = await run('get', 'podidentityassociation', '--cluster', CLUSTER, '--namespace', 'payments');
    const removed = await run('delete', 'podidentityassociation', '--cluster', CLUSTER, '--namespace', 'payments', '--service-account-name', 'reports', '--wait');
    const after = await run('get', 'podidentityassociation', '--cluster', CLUSTER, '-o', 'json');

    for (const step of [created, removed]) expect({ code: step.code, stderr: step.stderr }).toEqual({ code: 0, stderr: '' });
    expect(created.messages).toContain('[✔]  ADD_POD_IDENTITY_ASSOCIATION on cluster "payments-prod" SUCCEEDED');
    expect(got.stdout.split('\n').map((line) => line.split(/\s+/).filter(Boolean))).toEqual(expect.arrayContaining([['payments', 'ledger', LEDGER_ROLE], ['payments', 'reports', LEDGER_ROLE]]));
    expect(JSON.parse(after.stdout)).toEqual([{ namespace: 'payments', serviceAccountName: 'ledger', roleArn: LEDGER_ROLE }]);
  }, 60_000);

  test('a self-managed nodegroup: create nodegroup --managed=false waits for its nodes Ready, scale nodegroup resizes it, delete nodegroup --wait drains and removes it', async () => {
    const created = await run('create', 'nodegroup', '--cluster', CLUSTER, '--name', 'ng-self', '--managed=false', '--node-type', 'm5.large', '--nodes', '1', '--nodes-max', '2', '-P');
    const scaled = await run('scale', 'nodegroup', '--cluster', CLUSTER, '--name', 'ng-self', '--nodes', '2');
    const listed = await run('get', 'nodegroup', '--cluster', CLUSTER, '--name', 'ng-self');
    const removed = await run('delete', 'nodegroup', '--cluster', CLUSTER, '--name', 'ng-self', '--wait');
    const after = await run('get', 'nodegroup', '--cluster', CLUSTER, '-o', 'json');

    for (const step of [created, scaled, removed]) expect({ code: step.code, stderr: step.stderr }).toEqual({ code: 0, stderr: '' });
    expect(created.messages).toContain('[✔]  ADD_NODEGROUP on cluster "payments-prod" SUCCEEDED');
    expect(listed.stdout).toMatch(/ng-self\s+self-managed\s.*\s2\/2 \(as of /);
    expect(removed.messages).toContain('[✔]  REMOVE_NODEGROUP on cluster "payments-prod" SUCCEEDED');
    expect((JSON.parse(after.stdout) as Array<{ name: string }>).map((ng) => ng.name)).not.toContain('ng-self');
  }, 90_000);

  test('delete cluster --wait waits until everything is gone and exits 0', async () => {
    const deleted = await run('delete', 'cluster', '--name', CLUSTER, '--wait');
    const gone = await run('get', 'cluster', '--name', CLUSTER);

    expect({ code: deleted.code, stderr: deleted.stderr }).toEqual({ code: 0, stderr: '' });
    expect(deleted.messages).toContain('[✔]  delete cluster "payments-prod" SUCCEEDED');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`Error: Cluster not found: no cluster ${CLUSTER}\n`);
    await cloud.expectNothingLeft(CLUSTER);
  }, 120_000);
});
