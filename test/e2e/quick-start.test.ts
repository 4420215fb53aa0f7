/**
 * The README's quick start, as a new user runs it: `npm start`, POST `{"name":"demo"}`, save the
 * kubeconfig, then the field notes' journey with the real tools — kubectl (through `aws eks
 * get-token`) and the AWS CLI — against the local cloud. Each step needs kubectl or the AWS CLI
 * and shows as skipped, with the reason, when they are absent (required under CI=true).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTHER_DEVELOPER_KEY, startLocal, type LocalMode } from '../../local/start';
import { cidrContains } from '../../local/emulator/ipv4';
import { localModeShell, spawnCollect, type ToolRun } from '../support/aws-tools';
import { expectOneTerminalLast, LocalCloud } from '../support/local-cloud';
import { tools, itWith } from '../support/third-party';

/** The default cluster (a new VPC, 2 × m5.large, eksctl's add-ons) takes ~20 emulated minutes: ~1.2 s here. */
const TIME_SCALE = 0.001;
const LOCAL_DEVELOPER = 'arn:aws:iam::000000000000:user/local-developer';
const itWithTools = itWith(tools.kubectl && tools.awsCli, 'kubectl and the AWS CLI');

let local: LocalMode;
let cloud: LocalCloud;
let home: string;
let kubeconfig: string;

/** Runs a tool as the user would from a shell set up as the README says; never throws. */
function sh(command: string, args: string[], env: Record<string, string> = {}): Promise<ToolRun> {
  return spawnCollect(command, args, localModeShell(local.awsUrl, { HOME: home, AWS_CONFIG_FILE: join(home, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'), KUBECONFIG: kubeconfig, ...env }));
}

async function json<T>(command: string, args: string[], env?: Record<string, string>): Promise<T> {
  const run = await sh(command, args, env);
  if (run.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

interface KubeList<T> {
  items: T[];
}
interface Node {
  metadata: { name: string; labels: Record<string, string> };
  status: { conditions: Array<{ type: string; status: string }>; addresses: Array<{ type: string; address: string }>; nodeInfo: { kubeletVersion: string } };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'eksp-quick-start-'));
  kubeconfig = join(home, 'kubeconfig');
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 7, quiet: true });
  cloud = new LocalCloud(local);
  const accepted = await cloud.call('POST', '/clusters', { body: { name: 'demo' } });
  expect(accepted.status).toBe(202);
  expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000), 'SUCCEEDED');
  const saved = await cloud.call('GET', '/clusters/demo/kubeconfig');
  expect(saved.status).toBe(200);
  writeFileSync(kubeconfig, saved.text);
}, 90_000);

afterAll(async () => {
  cloud?.destroy();
  await local?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the quick start, with kubectl and the AWS CLI', () => {
  itWithTools('kubectl get nodes lists two Ready m5.large nodes, and aws ec2 describe-instances shows their IPs inside their subnets', async () => {
    // Reads only: each is a kubectl (with its aws eks get-token) or aws process, so they run side by side.
    const [table, nodes, { Reservations }] = await Promise.all([
      sh('kubectl', ['get', 'nodes']),
      json<KubeList<Node>>('kubectl', ['get', 'nodes', '-o', 'json']),
      json<{ Reservations: Array<{ Instances: Array<{ PrivateIpAddress: string; SubnetId: string; Placement: { AvailabilityZone: string }; InstanceType: string }> }> }>('aws', ['ec2', 'describe-instances', '--filters', 'Name=tag:eks:cluster-name,Values=demo', 'Name=instance-state-name,Values=running']),
    ]);
    const instances = Reservations.flatMap((r) => r.Instances);
    const { Subnets } = await json<{ Subnets: Array<{ SubnetId: string; CidrBlock: string; AvailabilityZone: string }> }>('aws', ['ec2', 'describe-subnets', '--subnet-ids', ...instances.map((i) => i.SubnetId)]);

    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').filter((line) => /\sReady\s/.test(line))).toHaveLength(2);
    expect(nodes.items).toHaveLength(2);
    for (const node of nodes.items) {
      expect(node.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
      expect(node.metadata.labels).toMatchObject({ 'node.kubernetes.io/instance-type': 'm5.large', 'eks.amazonaws.com/capacityType': 'ON_DEMAND' });
      expect(node.status.nodeInfo.kubeletVersion).toMatch(/^v1\.\d+\.\d+-eks-/);
    }
    const nodeIps = nodes.items.map((n) => n.status.addresses.find((a) => a.type === 'InternalIP')!.address).sort();
    expect(instances.map((i) => i.PrivateIpAddress).sort()).toEqual(nodeIps);
    for (const instance of instances) {
      const subnet = Subnets.find((s) => s.SubnetId === instance.SubnetId)!;
      expect(cidrContains(subnet.CidrBlock, instance.PrivateIpAddress)).toBe(true);
      expect(instance.Placement.AvailabilityZone).toBe(subnet.AvailabilityZone);
      expect(instance.InstanceType).toBe('m5.large');
    }
  });

  itWithTools('kubectl get ds -A shows aws-node and kube-proxy; the add-ons’ pods run', async () => {
    const [daemonSets, pods] = await Promise.all([
      json<KubeList<{ metadata: { name: string; namespace: string } }>>('kubectl', ['get', 'ds', '-A', '-o', 'json']),
      json<KubeList<{ metadata: { name: string }; status: { phase: string } }>>('kubectl', ['get', 'pods', '-A', '-o', 'json']),
    ]);

    expect(daemonSets.items.map((d) => `${d.metadata.namespace}/${d.metadata.name}`)).toEqual(expect.arrayContaining(['kube-system/aws-node', 'kube-system/kube-proxy']));
    expect(pods.items.filter((p) => p.metadata.name.startsWith('coredns-')).map((p) => p.status.phase)).toEqual(['Running', 'Running']);
  });

  itWithTools('kubectl -n kube-system get cm aws-auth -o yaml works, and kubectl auth whoami names the owner', async () => {
    const [awsAuth, whoami] = await Promise.all([
      sh('kubectl', ['-n', 'kube-system', 'get', 'cm', 'aws-auth', '-o', 'yaml']),
      json<{ status: { userInfo: { username: string; extra?: Record<string, string[]> } } }>('kubectl', ['auth', 'whoami', '-o', 'json']),
    ]);

    expect(awsAuth).toMatchObject({ code: 0, stderr: '' });
    expect(awsAuth.stdout).toMatch(/^apiVersion: v1\n[\s\S]*kind: ConfigMap/m);
    expect(JSON.stringify(whoami.status.userInfo)).toContain(LOCAL_DEVELOPER);
  });

  itWithTools('aws eks update-kubeconfig writes a kubeconfig kubectl uses as well', async () => {
    const written = join(home, 'from-cli');
    const update = await sh('aws', ['eks', 'update-kubeconfig', '--name', 'demo', '--kubeconfig', written]);
    const nodes = await json<KubeList<Node>>('kubectl', ['--kubeconfig', written, 'get', 'nodes', '-o', 'json']);

    expect(update.code).toBe(0);
    expect(nodes.items).toHaveLength(2);
  });

  itWithTools('a principal with no access entry is refused, as EKS refuses it', async () => {
    const stranger = await sh('kubectl', ['get', 'nodes'], { AWS_ACCESS_KEY_ID: OTHER_DEVELOPER_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: OTHER_DEVELOPER_KEY.secretAccessKey });

    expect(stranger.code).not.toBe(0);
    expect(stranger.stderr).toMatch(/Unauthorized|must be logged in|Forbidden/);
  });
});
