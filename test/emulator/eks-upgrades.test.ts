/**
 * Kubernetes version upgrades on the local EKS through @aws-sdk/client-eks: the version calendar
 * (DescribeClusterVersions, support phases moving with emulated time), UpdateClusterVersion's
 * skew rule and the control plane's /version, UpdateNodegroupVersion rolling the nodegroup's
 * instances batch by batch (nodes' kubelet versions follow), PodEvictionFailure, UpdateAddon,
 * and the upgrade insights.
 */
import {
  CreateAddonCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeInsightCommand,
  DescribeInsightsRefreshCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListInsightsCommand,
  ListUpdatesCommand,
  StartInsightsRefreshCommand,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
  type Update,
} from '@aws-sdk/client-eks';
import type { EksState } from '../../local/emulator/services/eks';
import { createKubernetesService } from '../../local/emulator/services/kubernetes';
import { instanceNodes } from '../../local/emulator/services/kubernetes/nodes';
import type { RunningEmulator } from '../../local/emulator/server';
import type { World } from '../../local/emulator/world';
import { kubeFetch } from '../support/kube-fetch';
import { rejectionOf } from '../support/rejection';
import { until } from '../support/until';
import { ACCOUNT, NODE_ROLE_ARN, startEksWorld, type EksWorld } from '../support/eks-world';
import { addLaunchTemplateVersion, createLaunchTemplate } from '../../local/emulator/services/ec2/state';
import { awsCli } from '../support/aws-tools';
import { itWith, tools } from '../support/third-party';

const DAY_MS = 24 * 60 * 60 * 1000;

let fixture: EksWorld;
let emulator: RunningEmulator;
let world: World;
let state: EksState;
let eks: EKSClient;
let subnets: string[];
const nodeRole = NODE_ROLE_ARN;

beforeAll(async () => {
  fixture = await startEksWorld({ scale: 0.001, accessKeyId: 'AKIDUPGRADES', more: (w, service) => [createKubernetesService(w, { eks: service })] });
  ({ emulator, world, state, eks, subnets } = fixture);
});

afterAll(() => fixture.stop());

afterEach(() => world.faults.clear());

const clusterOf = (name: string) => eks.send(new DescribeClusterCommand({ name })).then((r) => r.cluster!);
const nodegroupOf = (cluster: string, nodegroup: string) => eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: nodegroup })).then((r) => r.nodegroup!);

async function activeCluster(name: string, version: string): Promise<void> {
  await eks.send(new CreateClusterCommand({ name, version, roleArn: `arn:aws:iam::${ACCOUNT}:role/cluster-role`, resourcesVpcConfig: { subnetIds: subnets } }));
  await until(() => clusterOf(name), (c) => c.status === 'ACTIVE', `cluster ${name} ACTIVE`);
}

async function activeNodegroup(cluster: string, name: string, size: number, extra: { version?: string; releaseVersion?: string; updateConfig?: { maxUnavailable?: number; maxUnavailablePercentage?: number } } = {}): Promise<void> {
  await eks.send(new CreateNodegroupCommand({ clusterName: cluster, nodegroupName: name, nodeRole, subnets, scalingConfig: { minSize: size, maxSize: size, desiredSize: size }, ...extra }));
  await until(() => nodegroupOf(cluster, name), (n) => n.status === 'ACTIVE', `nodegroup ${name} ACTIVE`);
}

const updateDone = (cluster: string, id: string, target: { nodegroupName?: string; addonName?: string }) =>
  until(
    () => eks.send(new DescribeUpdateCommand({ name: cluster, updateId: id, ...target })).then((r) => r.update!),
    (u: Update) => u.status !== 'InProgress',
    `update ${id} done`,
    15_000,
  );

/** The kubelet versions the Kubernetes API's nodes of a nodegroup report, by node name. */
function kubelets(cluster: string, nodegroup: string): Record<string, string> {
  const record = state.cluster(cluster);
  return Object.fromEntries(
    instanceNodes(world, record)
      .filter((n) => (n.object.metadata as { labels: Record<string, string> }).labels['eks.amazonaws.com/nodegroup'] === nodegroup)
      .map((n) => [n.name, (n.object.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion]),
  );
}

/** Whether each node of a nodegroup is cordoned (spec.unschedulable), with its kubelet version. */
function cordoning(cluster: string, nodegroup: string): Array<[kubelet: string, cordoned: boolean]> {
  return instanceNodes(world, state.cluster(cluster))
    .filter((n) => (n.object.metadata as { labels: Record<string, string> }).labels['eks.amazonaws.com/nodegroup'] === nodegroup)
    .map((n) => [(n.object.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion, (n.object.spec as { unschedulable?: boolean }).unschedulable === true]);
}

describe('the version calendar', () => {
  it('lists the supported versions newest first with their real dates, 1.33 the default, in the phases they had on 2025-10-15', async () => {
    const { clusterVersions } = await eks.send(new DescribeClusterVersionsCommand({}));
    const shift = world.calendarEpoch - Date.parse('2025-10-15T00:00:00Z');
    const day = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + shift);

    expect(clusterVersions!.map((v) => v.clusterVersion)).toEqual(['1.34', '1.33', '1.32', '1.31', '1.30', '1.29', '1.28']);
    expect(clusterVersions!.filter((v) => v.defaultVersion).map((v) => v.clusterVersion)).toEqual(['1.33']);
    const v133 = clusterVersions!.find((v) => v.clusterVersion === '1.33')!;
    expect(v133).toMatchObject({ clusterType: 'eks', versionStatus: 'STANDARD_SUPPORT', status: 'standard-support', kubernetesPatchVersion: '1.33.5' });
    expect(v133.releaseDate).toEqual(day('2025-05-29'));
    expect(v133.endOfStandardSupportDate).toEqual(day('2026-07-29'));
    expect(v133.endOfExtendedSupportDate).toEqual(day('2027-07-29'));
    expect(Object.fromEntries(clusterVersions!.map((v) => [v.clusterVersion, v.versionStatus]))).toEqual({
      '1.34': 'STANDARD_SUPPORT',
      '1.33': 'STANDARD_SUPPORT',
      '1.32': 'STANDARD_SUPPORT',
      '1.31': 'STANDARD_SUPPORT',
      '1.30': 'EXTENDED_SUPPORT',
      '1.29': 'EXTENDED_SUPPORT',
      '1.28': 'EXTENDED_SUPPORT',
    });
  });

  it('filters by defaultOnly, versionStatus and clusterVersions, and pages with maxResults', async () => {
    const defaults = await eks.send(new DescribeClusterVersionsCommand({ defaultOnly: true }));
    const extended = await eks.send(new DescribeClusterVersionsCommand({ versionStatus: 'EXTENDED_SUPPORT' }));
    const named = await eks.send(new DescribeClusterVersionsCommand({ clusterVersions: ['1.31', '1.29'] }));
    const first = await eks.send(new DescribeClusterVersionsCommand({ maxResults: 4 }));
    const rest = await eks.send(new DescribeClusterVersionsCommand({ maxResults: 4, nextToken: first.nextToken }));

    expect(defaults.clusterVersions!.map((v) => v.clusterVersion)).toEqual(['1.33']);
    expect(extended.clusterVersions!.map((v) => v.clusterVersion)).toEqual(['1.30', '1.29', '1.28']);
    expect(named.clusterVersions!.map((v) => v.clusterVersion)).toEqual(['1.31', '1.29']);
    expect([...first.clusterVersions!, ...rest.clusterVersions!].map((v) => v.clusterVersion)).toHaveLength(7);
    expect(rest.nextToken).toBeUndefined();
  });

  it('moves versions through their phases as emulated time passes, and refuses to create an unsupported one', async () => {
    const epoch = world.calendarEpoch;
    try {
      // 45 days on: the calendar's offset is the same as a clock 45 days later (1.28's extended support ended 2025-11-26, 1.31's standard support the same day).
      world.calendarEpoch = epoch - 45 * DAY_MS;
      const listed = await eks.send(new DescribeClusterVersionsCommand({}));
      const all = await eks.send(new DescribeClusterVersionsCommand({ includeAll: true }));
      const refused = await rejectionOf(eks.send(new CreateClusterCommand({ name: 'too-old', version: '1.28', roleArn: `arn:aws:iam::${ACCOUNT}:role/cluster-role`, resourcesVpcConfig: { subnetIds: subnets } })));

      expect(listed.clusterVersions!.map((v) => v.clusterVersion)).not.toContain('1.28');
      expect(all.clusterVersions!.find((v) => v.clusterVersion === '1.28')).toMatchObject({ versionStatus: 'UNSUPPORTED', status: 'unsupported' });
      expect(all.clusterVersions!.find((v) => v.clusterVersion === '1.31')!.versionStatus).toBe('EXTENDED_SUPPORT');
      expect(refused).toMatchObject({ name: 'InvalidParameterException', message: 'unsupported Kubernetes version 1.28' });
    } finally {
      world.calendarEpoch = epoch;
    }
  });
});

describe('UpdateClusterVersion', () => {
  it('takes the control plane one minor up in 8–12 emulated minutes; /version follows once Successful', async () => {
    await activeCluster('cp', '1.32');
    const version = () => kubeFetch(`${emulator.url.replace('http:', 'https:')}/k8s/cp/version`, world.certificates.get().caCertificate).then((r) => r.json<{ gitVersion: string; minor: string }>());
    const before = await version();

    const { update } = await eks.send(new UpdateClusterVersionCommand({ name: 'cp', version: '1.33' }));
    const during = await version();
    const done = await updateDone('cp', update!.id!, {});
    const after = await version();

    expect(update).toMatchObject({ type: 'VersionUpdate', status: 'InProgress', params: expect.arrayContaining([{ type: 'Version', value: '1.33' }]) });
    expect(before.gitVersion).toBe('v1.32.9-eks-2ea9a15');
    expect(during.gitVersion).toBe('v1.32.9-eks-2ea9a15');
    expect(done.status).toBe('Successful');
    expect(after).toMatchObject({ minor: '33', gitVersion: 'v1.33.5-eks-2ea9a15' });
    const took = world.durations.samples.find((s) => s.kind === 'versionUpdate' && s.resource === 'cluster/cp:VersionUpdate')!.seconds;
    expect(took).toBeGreaterThanOrEqual(480);
    expect(took).toBeLessThanOrEqual(720);
  });

  it('is blocked by an upgrade insight in ERROR for the target version unless forced', async () => {
    await activeCluster('blocked', '1.32');
    world.faults.add([{ kind: 'insight', name: 'Ingress NGINX retirement', status: 'ERROR', kubernetesVersion: '1.33', cluster: 'blocked' }]);

    const refused = await rejectionOf(eks.send(new UpdateClusterVersionCommand({ name: 'blocked', version: '1.33' })));
    const { update } = await eks.send(new UpdateClusterVersionCommand({ name: 'blocked', version: '1.33', force: true }));

    expect(refused.name).toBe('InvalidRequestException');
    expect(refused.message).toMatch(/blocked by upgrade insights in ERROR status: Ingress NGINX retirement/);
    expect(update!.params).toContainEqual({ type: 'Force', value: 'true' });
    expect((await updateDone('blocked', update!.id!, {})).status).toBe('Successful');
  });

  it('refuses an upgrade that would leave a nodegroup more than three minors behind', async () => {
    await activeCluster('skew', '1.31');
    await activeNodegroup('skew', 'old', 1, { version: '1.28' });

    const refused = await rejectionOf(eks.send(new UpdateClusterVersionCommand({ name: 'skew', version: '1.32' })));

    expect(refused.name).toBe('InvalidParameterException');
    expect(refused.message).toMatch(/Nodegroup\(s\) \[old\].*1\.28.*more than 3 minor versions behind cluster version 1\.32/);
  });
});

describe('UpdateNodegroupVersion', () => {
  it('rolls the nodes one batch (maxUnavailable) at a time; replaced nodes run the new kubelet; version and release change when Successful', async () => {
    await activeCluster('roll', '1.32');
    await activeNodegroup('roll', 'ng-1', 3, { version: '1.31' });
    await eks.send(new UpdateClusterVersionCommand({ name: 'roll', version: '1.33' })).then((r) => updateDone('roll', r.update!.id!, {}));
    const before = kubelets('roll', 'ng-1');

    const { update } = await eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'roll', nodegroupName: 'ng-1' }));
    // Part way: some nodes already replaced, the others still on the old kubelet.
    const midway = await until(
      async () => cordoning('roll', 'ng-1'),
      (nodes) => nodes.some(([k]) => k === 'v1.33.5-eks-113cf36') && nodes.some(([k]) => k === 'v1.31.12-eks-113cf36'),
      'a nodegroup half rolled',
      15_000,
    );
    const midwayStatus = (await nodegroupOf('roll', 'ng-1')).status;
    const done = await updateDone('roll', update!.id!, { nodegroupName: 'ng-1' });
    const nodegroup = await nodegroupOf('roll', 'ng-1');
    const after = kubelets('roll', 'ng-1');
    const listed = await eks.send(new ListUpdatesCommand({ name: 'roll', nodegroupName: 'ng-1' }));

    expect(Object.values(before)).toEqual(['v1.31.12-eks-113cf36', 'v1.31.12-eks-113cf36', 'v1.31.12-eks-113cf36']);
    expect(update).toMatchObject({ type: 'VersionUpdate', status: 'InProgress', params: [{ type: 'Version', value: '1.33' }, { type: 'ReleaseVersion', value: '1.33.5-20250915' }] });
    expect(midway).toHaveLength(3);
    // The nodes still to replace are cordoned (kubectl: SchedulingDisabled); their replacements are not.
    for (const [kubelet, cordoned] of midway) expect(cordoned).toBe(kubelet === 'v1.31.12-eks-113cf36');
    expect(midwayStatus).toBe('UPDATING');
    expect(done.status).toBe('Successful');
    expect(nodegroup).toMatchObject({ status: 'ACTIVE', version: '1.33', releaseVersion: '1.33.5-20250915' });
    expect(Object.values(after)).toEqual(['v1.33.5-eks-113cf36', 'v1.33.5-eks-113cf36', 'v1.33.5-eks-113cf36']);
    expect(cordoning('roll', 'ng-1').filter(([, cordoned]) => cordoned)).toEqual([]);
    // Every node was replaced: none of the old names remain.
    expect(Object.keys(after).filter((n) => n in before)).toEqual([]);
    expect(listed.updateIds).toContain(update!.id);
    // Three nodes, one at a time: three batches and the finish.
    expect(world.durations.samples.filter((s) => s.kind === 'nodegroupUpgradeBatch' && s.resource === 'nodegroup/roll/ng-1:VersionUpdate')).toHaveLength(4);
  });

  describe('with a launch template version carrying a new instance type', () => {
    /** A nodegroup whose type its launch template carries (CreateNodegroup without instanceTypes), then version 2 of that template with `next`. */
    async function typedNodegroup(cluster: string, next: string): Promise<string> {
      await activeCluster(cluster, '1.33');
      const template = createLaunchTemplate(world, { name: `${cluster}-nodes`, data: { InstanceType: 'm5.large' }, createdBy: `arn:aws:iam::${ACCOUNT}:root` });
      await eks.send(new CreateNodegroupCommand({ clusterName: cluster, nodegroupName: 'ng-1', nodeRole, subnets, launchTemplate: { id: template.id }, scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 } }));
      await until(() => nodegroupOf(cluster, 'ng-1'), (n) => n.status === 'ACTIVE', 'nodegroup ng-1 ACTIVE');
      // What CloudFormation does for a changed LaunchTemplateData: a new version, latest and default.
      addLaunchTemplateVersion(world.ec2.other.get(template.id)!, { InstanceType: next }, world.clock.now());
      return template.id;
    }
    const nodeTypes = (cluster: string) =>
      instanceNodes(world, state.cluster(cluster)).map((n) => (n.object.metadata as { labels: Record<string, string> }).labels['node.kubernetes.io/instance-type']);

    it('reports no instanceTypes, launches the template’s type, then rolls every node to the new version’s type; launchTemplate.version follows', async () => {
      const id = await typedNodegroup('retype', 'm5.xlarge');
      const created = await nodegroupOf('retype', 'ng-1');
      const before = nodeTypes('retype');

      const { update } = await eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'retype', nodegroupName: 'ng-1', launchTemplate: { id, version: '2' } }));
      const done = await updateDone('retype', update!.id!, { nodegroupName: 'ng-1' });
      const nodegroup = await nodegroupOf('retype', 'ng-1');
      const instances = [...world.ec2.instances.values()].filter((i) => i.state !== 'terminated' && i.tags['eks:cluster-name'] === 'retype');

      expect(created.instanceTypes).toBeUndefined();
      expect(created.launchTemplate).toEqual({ id, version: '1' });
      expect(before).toEqual(['m5.large', 'm5.large']);
      expect(update!.params).toContainEqual({ type: 'LaunchTemplateVersion', value: '2' });
      expect(done.status).toBe('Successful');
      expect(nodegroup).toMatchObject({ status: 'ACTIVE', launchTemplate: { id, version: '2' } });
      expect(nodeTypes('retype')).toEqual(['m5.xlarge', 'm5.xlarge']);
      expect(instances.map((i) => i.instanceType)).toEqual(['m5.xlarge', 'm5.xlarge']);
    });

    it('refuses a version the template does not have, another template, both id and name, and instanceTypes beside a typed template', async () => {
      const id = await typedNodegroup('retype-refused', 'c5.large');
      const update = (launchTemplate: { id?: string; name?: string; version?: string }) => rejectionOf(eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'retype-refused', nodegroupName: 'ng-1', launchTemplate })));

      const missing = await update({ id, version: '3' });
      const other = await update({ id: 'lt-0000000000000000', version: '2' });
      const both = await update({ id, name: 'retype-refused-nodes', version: '2' });
      const typedTwice = await rejectionOf(eks.send(new CreateNodegroupCommand({ clusterName: 'retype-refused', nodegroupName: 'ng-2', nodeRole, subnets, launchTemplate: { id }, instanceTypes: ['m5.large'] })));

      expect(missing).toMatchObject({ name: 'InvalidParameterException', message: `Launch template version 3 does not exist for launch template ${id}.` });
      expect(other).toMatchObject({ name: 'InvalidParameterException' });
      expect(both).toMatchObject({ name: 'InvalidParameterException', message: 'Either provide launch template ID or launch template name in the request.' });
      expect(typedTwice).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/Instance type specified in both launch template and nodegroup/) });
      expect(await nodegroupOf('retype-refused', 'ng-1')).toMatchObject({ status: 'ACTIVE', launchTemplate: { id, version: '1' } });
    });

    itWith(tools.awsCli, 'the AWS CLI')('aws eks update-nodegroup-version --launch-template id=…,version=2, then aws eks describe-nodegroup shows version 2 and no instanceTypes; the nodes run the new type', async () => {
      const id = await typedNodegroup('retype-cli', 't3.large');

      const started = await awsCli(emulator.url, 'eks', 'update-nodegroup-version', '--cluster-name', 'retype-cli', '--nodegroup-name', 'ng-1', '--launch-template', `id=${id},version=2`);
      const updateId = (started.json as { update: { id: string } }).update.id;
      await updateDone('retype-cli', updateId, { nodegroupName: 'ng-1' });
      const described = await awsCli(emulator.url, 'eks', 'describe-nodegroup', '--cluster-name', 'retype-cli', '--nodegroup-name', 'ng-1');

      expect(started).toMatchObject({ code: 0 });
      expect((described.json as { nodegroup: Record<string, unknown> }).nodegroup).toMatchObject({ launchTemplate: { id, version: '2' } });
      expect((described.json as { nodegroup: Record<string, unknown> }).nodegroup).not.toHaveProperty('instanceTypes');
      expect(nodeTypes('retype-cli')).toEqual(['t3.large', 't3.large']);
    });
  });

  it('replaces maxUnavailablePercentage of the nodes per batch', async () => {
    await activeCluster('pct', '1.33');
    await activeNodegroup('pct', 'wide', 4, { version: '1.32', updateConfig: { maxUnavailablePercentage: 50 } });

    const { update } = await eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'pct', nodegroupName: 'wide', version: '1.33' }));
    await updateDone('pct', update!.id!, { nodegroupName: 'wide' });

    // Four nodes, two at a time: two batches and the finish.
    expect(world.durations.samples.filter((s) => s.resource === 'nodegroup/pct/wide:VersionUpdate')).toHaveLength(3);
    expect(Object.values(kubelets('pct', 'wide'))).toEqual(Array(4).fill('v1.33.5-eks-113cf36'));
  });

  it('refuses to take an Amazon Linux 2 nodegroup to 1.33, which has no AL2 AMIs', async () => {
    await activeCluster('al2', '1.33');
    await eks.send(new CreateNodegroupCommand({ clusterName: 'al2', nodegroupName: 'legacy', nodeRole, subnets, version: '1.32', amiType: 'AL2_x86_64', scalingConfig: { minSize: 1, maxSize: 1, desiredSize: 1 } }));
    await until(() => nodegroupOf('al2', 'legacy'), (n) => n.status === 'ACTIVE', 'legacy ACTIVE');

    const refused = await rejectionOf(eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'al2', nodegroupName: 'legacy' })));
    const insights = (await eks.send(new ListInsightsCommand({ clusterName: 'al2', filter: { statuses: ['ERROR'] } }))).insights!;

    expect(refused).toMatchObject({ name: 'InvalidParameterException', message: 'AMI Type AL2_x86_64 is only supported for kubernetes versions 1.32 or earlier' });
    // Upgrading the cluster to 1.34 is then blocked by the Amazon Linux 2 insight (and not by skew).
    expect(insights.map((i) => i.name)).toEqual(['Amazon Linux 2 compatibility']);
  });

  it('refuses a version newer than the cluster, a no-op, an unknown release, a rollback of the AMI and a second update at once', async () => {
    await activeCluster('rules', '1.33');
    await activeNodegroup('rules', 'ng', 1, { releaseVersion: '1.33.5-20250904' });
    const current = await nodegroupOf('rules', 'ng');

    const newer = await rejectionOf(eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'rules', nodegroupName: 'ng', version: '1.34' })));
    const same = await rejectionOf(eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'rules', nodegroupName: 'ng', releaseVersion: '1.33.5-20250904' })));
    const badRelease = await rejectionOf(eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'rules', nodegroupName: 'ng', releaseVersion: '1.33.5-20990101' })));
    // A newer release of the same version is an update of its own.
    const { update } = await eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'rules', nodegroupName: 'ng', releaseVersion: '1.33.5-20250915' }));
    const second = await rejectionOf(eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'rules', nodegroupName: 'ng', releaseVersion: '1.33.5-20250915' })));
    await updateDone('rules', update!.id!, { nodegroupName: 'ng' });
    // EKS never rolls a nodegroup back to an older AMI release.
    const rollback = await rejectionOf(eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'rules', nodegroupName: 'ng', releaseVersion: '1.33.5-20250904' })));

    expect(current).toMatchObject({ version: '1.33', releaseVersion: '1.33.5-20250904' });
    expect(newer).toMatchObject({ name: 'InvalidParameterException', message: 'Nodegroup Kubernetes version should be equal to Cluster kubernetes version' });
    expect(same.name).toBe('InvalidParameterException');
    expect(badRelease).toMatchObject({ name: 'InvalidParameterException', message: 'Requested release version 1.33.5-20990101 is not valid for kubernetes version 1.33.' });
    expect(second.name).toBe('ResourceInUseException');
    expect((await nodegroupOf('rules', 'ng')).releaseVersion).toBe('1.33.5-20250915');
    expect(rollback).toMatchObject({ name: 'InvalidParameterException', message: 'Requested Nodegroup release version 1.33.5-20250904 is invalid. Allowed release version is 1.33.5-20250915' });
  });

  it('refuses a pod-eviction-failure or insight fault rule that misses what it needs', () => {
    expect(() => world.faults.add([{ kind: 'pod-eviction-failure', nodegroup: 'ng-1', podDisruptionBudget: 'web-pdb' }])).toThrow('rules[0].pod must be a string');
    expect(() => world.faults.add([{ kind: 'insight', name: 'x', status: 'BROKEN', kubernetesVersion: '1.34' }])).toThrow('rules[0].status must be PASSING, WARNING, ERROR or UNKNOWN');
    expect(world.faults.list()).toEqual([]);
  });

  it('fails with PodEvictionFailure naming the pod and its PodDisruptionBudget unless forced; the nodegroup stays on its version', async () => {
    await activeCluster('pdb', '1.33');
    await activeNodegroup('pdb', 'ng-1', 2, { version: '1.32' });
    const before = kubelets('pdb', 'ng-1');
    world.faults.add([{ kind: 'pod-eviction-failure', nodegroup: 'ng-1', pod: 'web-7d9c', namespace: 'default', podDisruptionBudget: 'web-pdb' }]);

    const blocked = await eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'pdb', nodegroupName: 'ng-1' }));
    const failed = await updateDone('pdb', blocked.update!.id!, { nodegroupName: 'ng-1' });
    const afterFailure = await nodegroupOf('pdb', 'ng-1');
    const kubeletsAfterFailure = kubelets('pdb', 'ng-1');
    const forced = await eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'pdb', nodegroupName: 'ng-1', force: true }));
    const succeeded = await updateDone('pdb', forced.update!.id!, { nodegroupName: 'ng-1' });

    expect(failed.status).toBe('Failed');
    expect(failed.errors).toEqual([
      {
        errorCode: 'PodEvictionFailure',
        errorMessage: expect.stringMatching(/^Reached max retries while trying to evict pods from nodes in node group ng-1: pod default\/web-7d9c is protected by PodDisruptionBudget web-pdb/),
        resourceIds: [Object.keys(before)[0]],
      },
    ]);
    expect(afterFailure).toMatchObject({ status: 'ACTIVE', version: '1.32' });
    expect(kubeletsAfterFailure).toEqual(before);
    expect(world.durations.samples.find((s) => s.kind === 'podEvictionRetries')!.seconds).toBeGreaterThanOrEqual(900);
    expect(forced.update!.params).toContainEqual({ type: 'Force', value: 'true' });
    expect(succeeded.status).toBe('Successful');
    expect((await nodegroupOf('pdb', 'ng-1')).version).toBe('1.33');
  });
});

describe('UpdateAddon', () => {
  it('moves an add-on to a compatible version as an AddonUpdate (UPDATING → ACTIVE), refuses incompatible versions, and accepts a no-op as EKS does', async () => {
    await activeCluster('addons', '1.33');
    await activeNodegroup('addons', 'ng', 1);
    await eks.send(new CreateAddonCommand({ clusterName: 'addons', addonName: 'coredns', addonVersion: 'v1.11.4-eksbuild.14' }));
    await until(() => eks.send(new DescribeAddonCommand({ clusterName: 'addons', addonName: 'coredns' })).then((r) => r.addon!.status), (s) => s === 'ACTIVE', 'coredns ACTIVE');

    const incompatible = await rejectionOf(eks.send(new UpdateAddonCommand({ clusterName: 'addons', addonName: 'coredns', addonVersion: 'v1.10.1-eksbuild.18' })));
    const noop = (await eks.send(new UpdateAddonCommand({ clusterName: 'addons', addonName: 'coredns', addonVersion: 'v1.11.4-eksbuild.14' }))).update!;
    const noopDone = await updateDone('addons', noop.id!, { addonName: 'coredns' });
    const { update } = await eks.send(new UpdateAddonCommand({ clusterName: 'addons', addonName: 'coredns', addonVersion: 'v1.12.1-eksbuild.2', resolveConflicts: 'OVERWRITE', configurationValues: '{"replicaCount": 3}' }));
    const during = (await eks.send(new DescribeAddonCommand({ clusterName: 'addons', addonName: 'coredns' }))).addon!;
    const done = await updateDone('addons', update!.id!, { addonName: 'coredns' });
    const after = (await eks.send(new DescribeAddonCommand({ clusterName: 'addons', addonName: 'coredns' }))).addon!;
    const listed = await eks.send(new ListUpdatesCommand({ name: 'addons', addonName: 'coredns' }));

    expect(incompatible.name).toBe('InvalidParameterException');
    expect(noopDone).toMatchObject({ type: 'AddonUpdate', status: 'Successful', params: [{ type: 'AddonVersion', value: 'v1.11.4-eksbuild.14' }] });
    expect(update).toMatchObject({
      type: 'AddonUpdate',
      params: [
        { type: 'AddonVersion', value: 'v1.12.1-eksbuild.2' },
        { type: 'ConfigurationValues', value: '{"replicaCount": 3}' },
        { type: 'ResolveConflicts', value: 'OVERWRITE' },
      ],
    });
    expect(during.status).toBe('UPDATING');
    expect(done.status).toBe('Successful');
    expect(after).toMatchObject({ status: 'ACTIVE', addonVersion: 'v1.12.1-eksbuild.2', configurationValues: '{"replicaCount": 3}' });
    expect(listed.updateIds).toEqual([noop.id, update!.id]);
    expect((await clusterOf('addons')).status).toBe('ACTIVE');
  });
});

describe('upgrade insights', () => {
  it('reports the built-in UPGRADE_READINESS checks for the next version, passing on a cluster ready for it', async () => {
    await activeCluster('ready', '1.31');
    await activeNodegroup('ready', 'ng', 1);

    const { insights } = await eks.send(new ListInsightsCommand({ clusterName: 'ready' }));
    const deprecated = insights!.find((i) => i.name === 'Deprecated APIs removed in Kubernetes v1.32')!;
    const detail = (await eks.send(new DescribeInsightCommand({ clusterName: 'ready', id: deprecated.id }))).insight!;

    expect(insights!.map((i) => [i.name, i.category, i.kubernetesVersion, i.insightStatus!.status])).toEqual([
      ['Kubelet version skew', 'UPGRADE_READINESS', '1.32', 'PASSING'],
      ['EKS add-on version compatibility', 'UPGRADE_READINESS', '1.32', 'PASSING'],
      ['Cluster health issues', 'UPGRADE_READINESS', '1.32', 'PASSING'],
      ['Amazon Linux 2 compatibility', 'UPGRADE_READINESS', '1.32', 'PASSING'],
      ['Deprecated APIs removed in Kubernetes v1.32', 'UPGRADE_READINESS', '1.32', 'PASSING'],
    ]);
    expect(detail.recommendation).toMatch(/before upgrading to Kubernetes v1.32/);
    expect(detail.categorySpecificSummary!.deprecationDetails!.map((d) => d.usage)).toContain('/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas');
  });

  it('computes the skew and add-on checks, refreshes IN_PROGRESS → COMPLETED, and adds insights from the insight fault', async () => {
    await activeCluster('lagging', '1.33');
    await activeNodegroup('lagging', 'old', 1, { version: '1.30' });
    await eks.send(new CreateAddonCommand({ clusterName: 'lagging', addonName: 'vpc-cni', addonVersion: 'v1.19.2-eksbuild.1' }));
    await until(() => eks.send(new DescribeAddonCommand({ clusterName: 'lagging', addonName: 'vpc-cni' })).then((r) => r.addon!.status), (s) => s === 'ACTIVE', 'vpc-cni ACTIVE');
    world.faults.add([{ kind: 'insight', name: 'Ingress NGINX retirement', status: 'ERROR', kubernetesVersion: '1.34', description: 'ingress-nginx is retired', recommendation: 'Move to the Gateway API' }]);

    const started = await eks.send(new StartInsightsRefreshCommand({ clusterName: 'lagging' }));
    const running = await eks.send(new DescribeInsightsRefreshCommand({ clusterName: 'lagging' }));
    await until(() => eks.send(new DescribeInsightsRefreshCommand({ clusterName: 'lagging' })), (r) => r.status === 'COMPLETED', 'insights refreshed');
    const errors = (await eks.send(new ListInsightsCommand({ clusterName: 'lagging', filter: { statuses: ['ERROR'], kubernetesVersions: ['1.34'], categories: ['UPGRADE_READINESS'] } }))).insights!;
    const skewId = errors.find((i) => i.name === 'Kubelet version skew')!.id;
    const addonsId = errors.find((i) => i.name === 'EKS add-on version compatibility')!.id;
    const skew = (await eks.send(new DescribeInsightCommand({ clusterName: 'lagging', id: skewId }))).insight!;
    const addons = (await eks.send(new DescribeInsightCommand({ clusterName: 'lagging', id: addonsId }))).insight!;
    const missing = await rejectionOf(eks.send(new DescribeInsightCommand({ clusterName: 'lagging', id: '00000000-0000-0000-0000-000000000000' })));

    expect(started).toMatchObject({ status: 'IN_PROGRESS' });
    expect(running.status).toBe('IN_PROGRESS');
    expect(errors.map((i) => i.name).sort()).toEqual(['EKS add-on version compatibility', 'Ingress NGINX retirement', 'Kubelet version skew']);
    expect(skew.resources![0]).toMatchObject({ insightStatus: { status: 'ERROR' }, kubernetesResourceUri: expect.stringMatching(/^\/api\/v1\/nodes\/ip-/) });
    expect(addons.categorySpecificSummary!.addonCompatibilityDetails).toEqual([{ name: 'vpc-cni', compatibleVersions: ['v1.19.5-eksbuild.3'] }]);
    expect(missing.name).toBe('ResourceNotFoundException');
  });
});
