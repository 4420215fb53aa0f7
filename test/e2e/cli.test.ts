/**
 * The eksp CLI against local mode, as a user runs it: create a cluster from a JSON spec and watch
 * it to SUCCEEDED, write a kubeconfig kubectl uses (through `aws eks get-token`: skipped, with the
 * reason, without kubectl and the AWS CLI; required under CI=true), read its nodegroup's Ready
 * nodes, map an IAM role in aws-auth and read it back, then delete the cluster and wait.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal, type LocalMode } from '../../local/start';
import { localModeShell, spawnCollect } from '../support/aws-tools';
import { eksp, fakeIo, type FakeIo } from '../support/cli-harness';
import { LocalCloud } from '../support/local-cloud';
import { itWith, tools } from '../support/third-party';

/** A cluster with one nodegroup takes ~20 emulated minutes: ~1.2 s here. */
const TIME_SCALE = 0.001;
const CLUSTER = 'cli-demo';
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

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'eksp-cli-e2e-'));
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 11, quiet: true });
  cloud = new LocalCloud(local);
}, 60_000);

afterAll(async () => {
  cloud?.destroy();
  await local?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('eksp against local mode', () => {
  test('create cluster -f spec.json watches the operation to SUCCEEDED and exits 0', async () => {
    const spec = join(home, 'cluster.json');
    writeFileSync(spec, JSON.stringify({ name: CLUSTER, managedNodeGroups: [{ name: 'ng-general', desiredSize: 2, minSize: 1, maxSize: 3 }], addons: [{ name: 'vpc-cni' }] }));
    const run = io();

    const code = await eksp(run, 'create', 'cluster', '-f', spec);

    expect({ code, stderr: run.stderr.text }).toEqual({ code: 0, stderr: '' });
    const messages = run.stdout.lines.map((line) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /, ''));
    expect(messages[0]).toMatch(/^\[ℹ\] {2}create cluster "cli-demo": operation op-/);
    expect(messages).toEqual(expect.arrayContaining(['[ℹ]  creating cluster stack "eksp-cli-demo-cluster"', '[✔]  created cluster stack "eksp-cli-demo-cluster"', '[✔]  created nodegroup "ng-general"', '[✔]  create cluster "cli-demo" SUCCEEDED']));
    expect(messages.indexOf('[ℹ]  creating cluster stack "eksp-cli-demo-cluster"')).toBeLessThan(messages.indexOf('[✔]  created cluster stack "eksp-cli-demo-cluster"'));
  }, 60_000);

  test('get nodegroup shows the nodegroup with its nodes Ready when the workflow last looked', async () => {
    const run = io();

    const code = await eksp(run, 'get', 'nodegroup', '--cluster', CLUSTER);

    expect({ code, stderr: run.stderr.text }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout.lines[0]).toMatch(/^CLUSTER\s+NODEGROUP\s+TYPE\s+STATUS\s+MIN SIZE\s+MAX SIZE\s+DESIRED CAPACITY\s+READY\s+INSTANCE TYPE$/);
    expect(run.stdout.lines[1]).toMatch(/^cli-demo\s+ng-general\s+managed\s+ACTIVE\s+1\s+3\s+2\s+2\/2 \(as of \d{4}-\d\d-\d\dT[\d:.]+Z\)\s+m5\.large$/);
  }, 60_000);

  itWithTools('utils write-kubeconfig --kubeconfig FILE, then kubectl --kubeconfig FILE get nodes lists the nodes', async () => {
    const kubeconfig = join(home, 'kubeconfig');
    const run = io();

    const code = await eksp(run, 'utils', 'write-kubeconfig', '--cluster', CLUSTER, '--kubeconfig', kubeconfig);
    const nodes = await spawnCollect('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'get', 'nodes'], localModeShell(local.awsUrl, { HOME: home }));

    expect(code).toBe(0);
    expect(run.stdout.text).toContain(`[✔]  saved kubeconfig as "${kubeconfig}"`);
    expect(nodes).toMatchObject({ code: 0 });
    expect(nodes.stdout.split('\n').filter((line) => /\sReady\s/.test(line))).toHaveLength(2);
  }, 60_000);

  test('create iamidentitymapping, then get iamidentitymapping shows it', async () => {
    const create = io();
    const get = io();

    const created = await eksp(create, 'create', 'iamidentitymapping', '--cluster', CLUSTER, '--arn', DEPLOYER, '--username', 'deployer', '--group', 'deployers');
    const got = await eksp(get, 'get', 'iamidentitymapping', '--cluster', CLUSTER, '-o', 'json');

    expect({ created, stderr: create.stderr.text }).toEqual({ created: 0, stderr: '' });
    expect(create.stdout.text).toContain('[✔]  ADD_ACCESS_ENTRY on cluster "cli-demo" SUCCEEDED');
    expect(got).toBe(0);
    expect(JSON.parse(get.stdout.text)).toContainEqual({ arn: DEPLOYER, username: 'deployer', groups: ['deployers'] });
  }, 60_000);

  test('create iamidentitymapping --no-duplicate-arns refuses an ARN already mapped, and starts nothing', async () => {
    const run = io();

    const code = await eksp(run, 'create', 'iamidentitymapping', '--cluster', CLUSTER, '--arn', DEPLOYER, '--no-duplicate-arns');
    const operations = io();
    await eksp(operations, 'get', 'operations', '--cluster', CLUSTER, '-o', 'json');

    expect(code).toBe(1);
    expect(run.stderr.text).toBe(`Error: cluster ${CLUSTER} already maps ${DEPLOYER} (--no-duplicate-arns)\n`);
    expect((JSON.parse(operations.stdout.text) as Array<{ type: string; action?: string }>).map((o) => o.action ?? o.type)).toEqual(['ADD_ACCESS_ENTRY', 'CREATE']);
  });

  test('delete cluster --wait waits until everything is gone and exits 0', async () => {
    const run = io();

    const code = await eksp(run, 'delete', 'cluster', '--name', CLUSTER, '--wait');
    const after = io();
    const gone = await eksp(after, 'get', 'cluster', '--name', CLUSTER);

    expect({ code, stderr: run.stderr.text }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout.text).toContain('[✔]  delete cluster "cli-demo" SUCCEEDED');
    expect(gone).toBe(1);
    expect(after.stderr.text).toBe('Error: Cluster not found: no cluster cli-demo\n');
    await cloud.expectNothingLeft(CLUSTER);
  }, 60_000);
});
