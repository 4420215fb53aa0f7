/**
 * A guided upgrade end to end in local mode: a cluster made at 1.31 with two nodegroups and three
 * add-ons is upgraded to 1.33 through the API in two control-plane passes, and the AWS CLI and
 * kubectl see the result. An upgrade insight in ERROR stops an upgrade before any change. The
 * third-party checks show as skipped with their reason when the tools are absent (required under
 * CI=true); the API's own answers are checked regardless.
 */
import { DescribeClusterCommand, DescribeUpdateCommand, EKSClient, ListUpdatesCommand } from '@aws-sdk/client-eks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal, type LocalMode } from '../../local/start';
import { localModeShell, spawnCollect } from '../support/aws-tools';
import { expectOneTerminalLast, LocalCloud, type StatusEvent } from '../support/local-cloud';
import { tools, itWith } from '../support/third-party';

/** Creation (~20 emulated minutes) and the upgrade (two passes of 8–12 min, then rolling nodes) take a second or two each here. */
const TIME_SCALE = 0.001;
const NAME = 'upgraded';
const SPEC = {
  name: NAME,
  version: '1.31',
  managedNodeGroups: [{ name: 'ng-a' }, { name: 'ng-b', minSize: 1, desiredSize: 1, maxSize: 2 }],
  addons: [{ name: 'vpc-cni' }, { name: 'kube-proxy' }, { name: 'coredns' }],
};

let local: LocalMode;
let cloud: LocalCloud;
let eks: EKSClient;
let home: string;

/** The AWS CLI or kubectl against the local cloud, as the README sets a shell up; throws with stderr on failure. */
async function tool<T>(command: 'aws' | 'kubectl', args: string[]): Promise<T> {
  const run = await spawnCollect(command, args, localModeShell(local.awsUrl, { HOME: home, KUBECONFIG: join(home, 'kubeconfig') }));
  if (run.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

async function faults(rules?: unknown[]): Promise<void> {
  await fetch(`${local.awsUrl}/_local/faults`, rules ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules }) } : { method: 'DELETE' });
}

/** The cluster's own EKS updates of one type (not its nodegroups' or add-ons'), as EKS lists them. */
async function updatesOfType(type: string): Promise<string[]> {
  const { updateIds = [] } = await eks.send(new ListUpdatesCommand({ name: NAME }));
  const updates = await Promise.all(updateIds.map((updateId) => eks.send(new DescribeUpdateCommand({ name: NAME, updateId }))));
  return updates.filter((u) => u.update?.type === type).map((u) => u.update!.id!);
}

async function controlPlaneVersion(): Promise<string | undefined> {
  return (await eks.send(new DescribeClusterCommand({ name: NAME }))).cluster?.version;
}

async function upgrade(body: unknown, key: string): Promise<StatusEvent[]> {
  const accepted = await cloud.call('POST', `/clusters/${NAME}/upgrade`, { body, headers: { 'Idempotency-Key': key } });
  expect(accepted.status).toBe(202);
  return cloud.eventsUntilTerminal(String(accepted.body.operationId), 90_000);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'eksp-upgrade-'));
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 31, quiet: true });
  cloud = new LocalCloud(local);
  eks = new EKSClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const accepted = await cloud.call('POST', '/clusters', { body: SPEC });
  expect(accepted.status).toBe(202);
  expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000), 'SUCCEEDED');
}, 90_000);

afterAll(async () => {
  eks?.destroy();
  cloud?.destroy();
  await local?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('upgrading a cluster from 1.31 to 1.33', () => {
  // First: after the insight below, EKS keeps reporting it until the next refresh, and a dry run does not refresh.
  it('answers the plan of a dry run: two passes, every add-on and nodegroup', async () => {
    const plan = await cloud.call('POST', `/clusters/${NAME}/upgrade?dryRun=true`, { body: { version: '1.33' } });

    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ plan: { from: '1.31', to: '1.33', passes: ['1.32', '1.33'], canProceed: true } });
    const { addons, nodegroups } = (plan.body as { plan: { addons: Array<{ name: string }>; nodegroups: Array<{ name: string; to: string }> } }).plan;
    expect(addons.map((a) => a.name).sort()).toEqual(['coredns', 'kube-proxy', 'vpc-cni']);
    expect(nodegroups).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'ng-a', to: '1.33' }), expect.objectContaining({ name: 'ng-b', to: '1.33' })]));
  });

  it('stops before any change when an upgrade insight is in ERROR, naming it', async () => {
    await faults([{ kind: 'insight', status: 'ERROR', name: 'Deprecated APIs removed in Kubernetes v1.32', kubernetesVersion: '1.32', recommendation: 'Move flowcontrol.apiserver.k8s.io/v1beta3 clients to v1' }]);
    try {
      const terminal = expectOneTerminalLast(await upgrade({ version: '1.33' }, 'upgrade-insight'), 'FAILED');

      expect(terminal.error).toMatchObject({ code: 'UpgradeRefusedError', message: expect.stringContaining('Deprecated APIs removed in Kubernetes v1.32') });
      expect(terminal.error?.message).toContain('Move flowcontrol.apiserver.k8s.io/v1beta3 clients to v1');
      expect(await updatesOfType('VersionUpdate')).toEqual([]);
      expect(await controlPlaneVersion()).toBe('1.31');
    } finally {
      await faults();
    }
  }, 120_000);

  describe('the upgrade itself', () => {
    let events: StatusEvent[];

    beforeAll(async () => {
      events = await upgrade({ version: '1.33' }, 'upgrade-1.33');
    }, 120_000);

    it('ends with exactly one terminal event listing every version before and after', () => {
      const terminal = expectOneTerminalLast(events, 'SUCCEEDED');

      expect(terminal.outputs).toMatchObject({ version: '1.31 → 1.33', 'nodegroup/ng-a': '1.31 → 1.33', 'nodegroup/ng-b': '1.31 → 1.33' });
      for (const addon of SPEC.addons) expect(terminal.outputs?.[`addon/${addon.name}`]).toMatch(/^v\S+ → v\S+$/);
    });

    it('moves the control plane one minor at a time, each pass reported', async () => {
      const passes = events.filter((e) => e.step?.name.startsWith('Control Plane') && e.step.status === 'SUCCEEDED').map((e) => e.step!.name);

      expect(passes).toEqual(['Control Plane 1.32', 'Control Plane 1.33']);
      expect(await updatesOfType('VersionUpdate')).toHaveLength(2);
    });

    it('records the new version in the registry', async () => {
      const cluster = await cloud.call('GET', `/clusters/${NAME}`);

      expect(cluster.body).toMatchObject({ status: 'ACTIVE', spec: { version: '1.33' } });
    });

    itWith(tools.awsCli, 'the AWS CLI')('aws eks describe-cluster, describe-nodegroup and describe-addon show 1.33 and its default add-on versions', async () => {
      // Nine reads, one AWS CLI process each: they run side by side.
      const [{ cluster }, nodegroups, addons] = await Promise.all([
        tool<{ cluster: { version: string; status: string } }>('aws', ['eks', 'describe-cluster', '--name', NAME]),
        Promise.all(SPEC.managedNodeGroups.map((ng) => tool<{ nodegroup: { version: string; status: string } }>('aws', ['eks', 'describe-nodegroup', '--cluster-name', NAME, '--nodegroup-name', ng.name]))),
        Promise.all(
          SPEC.addons.map(({ name }) =>
            Promise.all([
              tool<{ addon: { addonVersion: string; status: string } }>('aws', ['eks', 'describe-addon', '--cluster-name', NAME, '--addon-name', name]),
              tool<{ addons: Array<{ addonVersions: Array<{ addonVersion: string; compatibilities: Array<{ clusterVersion: string; defaultVersion: boolean }> }> }> }>('aws', ['eks', 'describe-addon-versions', '--addon-name', name, '--kubernetes-version', '1.33']),
            ]),
          ),
        ),
      ]);
      expect(cluster).toMatchObject({ version: '1.33', status: 'ACTIVE' });
      expect(nodegroups).toHaveLength(SPEC.managedNodeGroups.length);
      for (const { nodegroup } of nodegroups) expect(nodegroup).toMatchObject({ version: '1.33', status: 'ACTIVE' });
      expect(addons).toHaveLength(SPEC.addons.length);
      for (const [{ addon }, { addons: versions }] of addons) {
        const defaultFor133 = versions[0]!.addonVersions.find((v) => v.compatibilities.some((c) => c.clusterVersion === '1.33' && c.defaultVersion))?.addonVersion;
        expect(addon).toMatchObject({ addonVersion: defaultFor133, status: 'ACTIVE' });
      }
    });

    itWith(tools.kubectl && tools.awsCli, 'kubectl and the AWS CLI')('kubectl shows every node at v1.33', async () => {
      const kubeconfig = await cloud.call('GET', `/clusters/${NAME}/kubeconfig`);
      writeFileSync(join(home, 'kubeconfig'), kubeconfig.text);
      const nodes = await tool<{ items: Array<{ status: { nodeInfo: { kubeletVersion: string } } }> }>('kubectl', ['get', 'nodes', '-o', 'json']);

      expect(nodes.items).toHaveLength(3);
      for (const node of nodes.items) expect(node.status.nodeInfo.kubeletVersion).toMatch(/^v1\.33\./);
    });
  });
});
