/**
 * Kubernetes version upgrades on the local EKS through third-party clients: the AWS CLI
 * (describe-cluster-versions, update-nodegroup-version, describe-update, update-addon,
 * list-insights, describe-insight) and boto3 (its nodegroup_active and addon_active waiters through
 * the updates, the insights refresh). They ship with the machine image; without them these tests
 * skip with the reason in their names, except under CI=true, where they are required.
 */
import { CreateAddonCommand, CreateClusterCommand, CreateNodegroupCommand, DescribeAddonCommand, DescribeClusterCommand, DescribeNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import type { RunningEmulator } from '../../local/emulator/server';
import type { World } from '../../local/emulator/world';
import { awsCli, python } from '../support/aws-tools';
import { tools, itWith } from '../support/third-party';
import { until } from '../support/until';
import { CLUSTER_ROLE_ARN, NODE_ROLE_ARN, startEksWorld, type EksWorld } from '../support/eks-world';

let fixture: EksWorld;
let emulator: RunningEmulator;
let world: World;
let eks: EKSClient;
let subnets: string[];

beforeAll(async () => {
  fixture = await startEksWorld({ scale: 0.001, accessKeyId: 'AKIDCONFORMANCE' });
  ({ emulator, world, eks, subnets } = fixture);
});

afterAll(() => fixture.stop());

afterEach(() => world.faults.clear());

/** An ACTIVE cluster at `version` with an ACTIVE two-node nodegroup `ng` at `nodegroupVersion`. */
async function clusterWithNodegroup(name: string, version: string, nodegroupVersion: string): Promise<void> {
  await eks.send(new CreateClusterCommand({ name, version, roleArn: CLUSTER_ROLE_ARN, resourcesVpcConfig: { subnetIds: subnets } }));
  await until(() => eks.send(new DescribeClusterCommand({ name })).then((r) => r.cluster!.status), (s) => s === 'ACTIVE', `cluster ${name} ACTIVE`, 20_000);
  await eks.send(new CreateNodegroupCommand({ clusterName: name, nodegroupName: 'ng', version: nodegroupVersion, nodeRole: NODE_ROLE_ARN, subnets, scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 } }));
  await until(() => eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: 'ng' })).then((r) => r.nodegroup!.status), (s) => s === 'ACTIVE', `nodegroup ${name}/ng ACTIVE`, 20_000);
}

async function addonActive(cluster: string, addonName: string, addonVersion: string): Promise<void> {
  await eks.send(new CreateAddonCommand({ clusterName: cluster, addonName, addonVersion }));
  await until(() => eks.send(new DescribeAddonCommand({ clusterName: cluster, addonName })).then((r) => r.addon!.status), (s) => s === 'ACTIVE', `${addonName} ACTIVE`, 20_000);
}

describe('EKS upgrades with third-party clients', () => {
  itWith(tools.awsCli, 'the AWS CLI')('`aws eks describe-cluster-versions` lists the calendar and filters it (--default-only, --version-status)', async () => {
    const [all, defaults, extended] = await Promise.all([
      awsCli(emulator.url, 'eks', 'describe-cluster-versions'),
      awsCli(emulator.url, 'eks', 'describe-cluster-versions', '--default-only'),
      awsCli(emulator.url, 'eks', 'describe-cluster-versions', '--version-status', 'EXTENDED_SUPPORT'),
    ]);

    type Versions = { clusterVersions: Array<Record<string, unknown>> };
    expect(all.code).toBe(0);
    expect((all.json as Versions).clusterVersions.map((v) => v.clusterVersion)).toEqual(['1.34', '1.33', '1.32', '1.31', '1.30', '1.29', '1.28']);
    expect((defaults.json as Versions).clusterVersions).toEqual([expect.objectContaining({ clusterVersion: '1.33', defaultVersion: true, versionStatus: 'STANDARD_SUPPORT', kubernetesPatchVersion: '1.33.5' })]);
    expect((extended.json as Versions).clusterVersions.map((v) => v.clusterVersion)).toEqual(['1.30', '1.29', '1.28']);
  });

  itWith(tools.awsCli, 'the AWS CLI')('`aws eks update-nodegroup-version`, `describe-update`, `update-addon`, `list-insights` and `describe-insight` carry the upgrade through', async () => {
    await clusterWithNodegroup('cli', '1.33', '1.32');
    await Promise.all([addonActive('cli', 'kube-proxy', 'v1.33.0-eksbuild.3'), addonActive('cli', 'coredns', 'v1.11.4-eksbuild.14')]);

    const newer = await awsCli(emulator.url, 'eks', 'update-nodegroup-version', '--cluster-name', 'cli', '--nodegroup-name', 'ng', '--kubernetes-version', '1.34');
    const started = await awsCli(emulator.url, 'eks', 'update-nodegroup-version', '--cluster-name', 'cli', '--nodegroup-name', 'ng');
    const updateId = (started.json as { update: { id: string } }).update.id;
    await until(() => eks.send(new DescribeNodegroupCommand({ clusterName: 'cli', nodegroupName: 'ng' })).then((r) => r.nodegroup!.status), (s) => s === 'ACTIVE', 'ng ACTIVE again', 20_000);
    const [described, addonUpdate] = await Promise.all([
      awsCli(emulator.url, 'eks', 'describe-update', '--name', 'cli', '--update-id', updateId, '--nodegroup-name', 'ng'),
      awsCli(emulator.url, 'eks', 'update-addon', '--cluster-name', 'cli', '--addon-name', 'kube-proxy', '--addon-version', 'v1.33.0-minimal-eksbuild.3', '--resolve-conflicts', 'PRESERVE'),
    ]);
    const insights = await awsCli(emulator.url, 'eks', 'list-insights', '--cluster-name', 'cli', '--filter', 'statuses=ERROR,kubernetesVersions=1.34');
    const errorInsight = (insights.json as { insights: Array<{ id: string; name: string }> }).insights[0]!;
    const detail = await awsCli(emulator.url, 'eks', 'describe-insight', '--cluster-name', 'cli', '--id', errorInsight.id);

    expect(newer.code).toBe(255);
    expect(newer.stderr).toMatch(/InvalidParameterException.*Nodegroup Kubernetes version should be equal to Cluster kubernetes version/);
    expect(started.json).toMatchObject({ update: { type: 'VersionUpdate', status: 'InProgress', params: [{ type: 'Version', value: '1.33' }, { type: 'ReleaseVersion', value: '1.33.5-20250915' }] } });
    expect(described.json).toMatchObject({ update: { id: updateId, status: 'Successful', errors: [] } });
    expect(addonUpdate.json).toMatchObject({ update: { type: 'AddonUpdate', status: 'InProgress', params: [{ type: 'AddonVersion', value: 'v1.33.0-minimal-eksbuild.3' }, { type: 'ResolveConflicts', value: 'PRESERVE' }] } });
    // coredns v1.11 does not run on 1.34 and blocks the upgrade; kube-proxy follows the skew policy and does not.
    expect((insights.json as { insights: Array<{ name: string }> }).insights.map((i) => i.name)).toEqual(['EKS add-on version compatibility']);
    expect(detail.json).toMatchObject({ insight: { name: 'EKS add-on version compatibility', kubernetesVersion: '1.34', insightStatus: { status: 'ERROR', reason: expect.stringContaining('coredns v1.11.4-eksbuild.14') } } });
    expect((detail.json as { insight: { insightStatus: { reason: string } } }).insight.insightStatus.reason).not.toContain('kube-proxy');
    expect((detail.json as { insight: { categorySpecificSummary: { addonCompatibilityDetails: unknown[] } } }).insight.categorySpecificSummary.addonCompatibilityDetails).toContainEqual({ name: 'coredns', compatibleVersions: ['v1.12.1-eksbuild.2'] });
  });

  itWith(tools.boto3, 'python3 with boto3')('boto3 parses the version dates, waits through UpdateNodegroupVersion and UpdateAddon with its waiters, and sees PodEvictionFailure and the insights refresh', async () => {
    await clusterWithNodegroup('py', '1.33', '1.32');
    await addonActive('py', 'coredns', 'v1.11.4-eksbuild.14');
    world.faults.add([{ kind: 'pod-eviction-failure', nodegroup: 'ng', pod: 'web-7d9c', namespace: 'shop', podDisruptionBudget: 'web-pdb', count: 1 }]);
    const script = [
      'import json, os, time, boto3',
      "eks = boto3.client('eks', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')",
      // Waiters poll every 0.2 s (botocore sleeps Delay seconds; EKS's own 30 s would outlast the run).
      "fast = {'Delay': 0.2, 'MaxAttempts': 300}",
      "versions = eks.describe_cluster_versions(clusterVersions=['1.33'])['clusterVersions']",
      "out = {'endOfStandardSupport': versions[0]['endOfStandardSupportDate'].isoformat(), 'status': versions[0]['versionStatus']}",
      "blocked = eks.update_nodegroup_version(clusterName='py', nodegroupName='ng')['update']",
      "while eks.describe_update(name='py', updateId=blocked['id'], nodegroupName='ng')['update']['status'] == 'InProgress': time.sleep(0.2)",
      "out['blocked'] = eks.describe_update(name='py', updateId=blocked['id'], nodegroupName='ng')['update']['errors']",
      "forced = eks.update_nodegroup_version(clusterName='py', nodegroupName='ng', force=True)['update']",
      "out['during'] = eks.describe_nodegroup(clusterName='py', nodegroupName='ng')['nodegroup']['status']",
      "eks.get_waiter('nodegroup_active').wait(clusterName='py', nodegroupName='ng', WaiterConfig=fast)",
      "ng = eks.describe_nodegroup(clusterName='py', nodegroupName='ng')['nodegroup']",
      "out['nodegroup'] = [ng['version'], ng['releaseVersion']]",
      "eks.update_addon(clusterName='py', addonName='coredns', addonVersion='v1.12.1-eksbuild.2')",
      "eks.get_waiter('addon_active').wait(clusterName='py', addonName='coredns', WaiterConfig=fast)",
      "out['addon'] = eks.describe_addon(clusterName='py', addonName='coredns')['addon']['addonVersion']",
      "out['refresh'] = eks.start_insights_refresh(clusterName='py')['status']",
      "while eks.describe_insights_refresh(clusterName='py')['status'] == 'IN_PROGRESS': time.sleep(0.2)",
      "out['insights'] = sorted((i['name'], i['insightStatus']['status']) for i in eks.list_insights(clusterName='py', filter={'categories': ['UPGRADE_READINESS']})['insights'])",
      'print(json.dumps(out))',
    ].join('\n');

    const out = await python<Record<string, unknown>>(emulator.url, script);

    const shift = world.calendarEpoch - Date.parse('2025-10-15T00:00:00Z');
    expect(Date.parse(String(out.endOfStandardSupport))).toBe(Date.parse('2026-07-29T00:00:00Z') + shift);
    expect(out.status).toBe('STANDARD_SUPPORT');
    expect(out.blocked).toEqual([{ errorCode: 'PodEvictionFailure', errorMessage: expect.stringContaining('pod shop/web-7d9c is protected by PodDisruptionBudget web-pdb'), resourceIds: [expect.stringMatching(/^ip-/)] }]);
    expect(out.during).toBe('UPDATING');
    expect(out.nodegroup).toEqual(['1.33', '1.33.5-20250915']);
    expect(out.addon).toBe('v1.12.1-eksbuild.2');
    expect(out.refresh).toBe('IN_PROGRESS');
    expect(out.insights).toEqual([
      ['Amazon Linux 2 compatibility', 'PASSING'],
      ['Cluster health issues', 'PASSING'],
      ['EKS add-on version compatibility', 'PASSING'],
      ['Kubelet version skew', 'PASSING'],
    ]);
  });
});
