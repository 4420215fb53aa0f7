/**
 * EKS Auto Mode in the EKS emulator as clients see it: its three switches together at
 * CreateCluster, through CloudFormation's AWS::EKS::Cluster and in UpdateClusterConfig (an
 * AutoModeUpdate), EKS's refusals, DescribeCluster (the SDK and the AWS CLI), the node role's access
 * entry, the node pools' Kubernetes nodes, and the state surviving a save and restore.
 */
import { CreateClusterCommand, DescribeClusterCommand, DescribeUpdateCommand, EKSClient, ListAccessEntriesCommand, UpdateClusterConfigCommand, type CreateClusterCommandInput } from '@aws-sdk/client-eks';
import { createEksService, type EksState } from '../../local/emulator/services/eks';
import { clusterObjects } from '../../local/emulator/services/kubernetes/workloads';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { restoreWorld, snapshotWorld } from '../../local/emulator/persistence';
import { awsCli } from '../support/aws-tools';
import { rejectionOf } from '../support/rejection';
import { itWith, tools } from '../support/third-party';
import { until } from '../support/until';
import { seedRoles, seedTwoZoneVpc } from '../support/eks-world';

const SCALE = 0.001;
const ACCOUNT = '000000000000';
const roleArn = `arn:aws:iam::${ACCOUNT}:role/cluster-role`;
const nodeRoleArn = `arn:aws:iam::${ACCOUNT}:role/auto-node-role`;
const AUTO_MODE_ON = {
  computeConfig: { enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn },
  storageConfig: { blockStorage: { enabled: true } },
  kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
};
const AUTO_MODE_OFF = { computeConfig: { enabled: false }, storageConfig: { blockStorage: { enabled: false } }, kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: false } } };

let emulator: RunningEmulator;
let world: World;
let state: EksState;
let eks: EKSClient;
const subnets: string[] = [];

beforeAll(async () => {
  world = new World({ timeScale: SCALE });
  const service = createEksService(world, { baseUrl: () => emulator.url });
  state = service.state;
  emulator = await startEmulator({ timeScale: SCALE, services: [service] }, world);
  eks = new EKSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDAUTOMODE', secretAccessKey: 'x' }, maxAttempts: 1 });
  subnets.push(...seedTwoZoneVpc(world));
  seedRoles(world, ACCOUNT, { 'cluster-role': ['AmazonEKSClusterPolicy', 'AmazonEKSComputePolicy'], 'auto-node-role': ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'] });
});

afterAll(async () => {
  eks.destroy();
  await emulator.close();
});

const describeCluster = (name: string) => eks.send(new DescribeClusterCommand({ name })).then((r) => r.cluster!);
const clusterActive = (name: string) => until(() => describeCluster(name), (c) => c.status === 'ACTIVE', `cluster ${name} ACTIVE`);
const create = (name: string, extra: Partial<CreateClusterCommandInput>) =>
  eks.send(new CreateClusterCommand({ name, version: '1.33', roleArn, resourcesVpcConfig: { subnetIds: subnets }, accessConfig: { authenticationMode: 'API' }, ...extra }));
const nodesOf = (name: string) => clusterObjects(world, state.clusters.get(name)!).nodes as Array<{ metadata: { name: string; labels: Record<string, string> }; spec: { taints?: unknown[] }; status: { conditions: Array<{ type: string; status: string }> } }>;

describe('CreateCluster', () => {
  it('makes an Auto Mode cluster: DescribeCluster shows the three switches, EKS makes the node role’s access entry, each node pool a Ready node', async () => {
    await create('auto', AUTO_MODE_ON);
    const cluster = await clusterActive('auto');
    const { accessEntries } = await eks.send(new ListAccessEntriesCommand({ clusterName: 'auto' }));
    const nodes = nodesOf('auto');

    expect(cluster).toMatchObject({
      computeConfig: { enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn },
      storageConfig: { blockStorage: { enabled: true } },
      kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
    });
    expect(accessEntries).toContain(nodeRoleArn);
    expect(state.clusters.get('auto')!.accessEntries.get(nodeRoleArn)).toMatchObject({ type: 'EC2', policies: new Map([[expect.stringContaining('AmazonEKSAutoNodePolicy'), expect.anything()]]) });
    expect(nodes.map((n) => n.metadata.labels['karpenter.sh/nodepool'])).toEqual(['general-purpose', 'system']);
    expect(nodes.every((n) => n.metadata.labels['eks.amazonaws.com/compute-type'] === 'auto' && n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'))).toBe(true);
    // The system pool runs critical add-ons only.
    expect(nodes.find((n) => n.metadata.labels['karpenter.sh/nodepool'] === 'system')!.spec.taints).toEqual([{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' }]);
  });

  it('leaves the members out of a cluster that never had Auto Mode, and reports load balancing off', async () => {
    await create('plain', {});
    const cluster = await clusterActive('plain');

    expect(cluster.computeConfig).toBeUndefined();
    expect(cluster.kubernetesNetworkConfig?.elasticLoadBalancing).toEqual({ enabled: false });
    expect(nodesOf('plain')).toEqual([]);
  });

  it('refuses the switches apart, Auto Mode on a CONFIG_MAP cluster, an unknown pool and pools without a node role, as EKS does', async () => {
    const apart = await rejectionOf(create('apart', { computeConfig: AUTO_MODE_ON.computeConfig, storageConfig: AUTO_MODE_ON.storageConfig }));
    const configMap = await rejectionOf(create('config-map', { ...AUTO_MODE_ON, accessConfig: { authenticationMode: 'CONFIG_MAP' } }));
    const unknownPool = await rejectionOf(create('pool', { ...AUTO_MODE_ON, computeConfig: { enabled: true, nodePools: ['gpu'], nodeRoleArn } }));
    const noRole = await rejectionOf(create('no-role', { ...AUTO_MODE_ON, computeConfig: { enabled: true, nodePools: ['system'] } }));

    expect(apart).toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('all either fully enabled or fully disabled') });
    expect(configMap).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/API or API_AND_CONFIG_MAP/) });
    expect(unknownPool).toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('gpu') });
    expect(noRole).toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('nodeRoleArn') });
  });

  it('makes one from CloudFormation’s AWS::EKS::Cluster properties', async () => {
    await world.eks!.createClusterForStack(
      {
        Name: 'from-stack',
        RoleArn: roleArn,
        ResourcesVpcConfig: { SubnetIds: subnets },
        AccessConfig: { AuthenticationMode: 'API_AND_CONFIG_MAP', BootstrapClusterCreatorAdminPermissions: false },
        ComputeConfig: { Enabled: true, NodePools: ['system'], NodeRoleArn: nodeRoleArn },
        StorageConfig: { BlockStorage: { Enabled: true } },
        KubernetesNetworkConfig: { ElasticLoadBalancing: { Enabled: true } },
        BootstrapSelfManagedAddons: false,
      },
      {},
    );

    expect(await describeCluster('from-stack')).toMatchObject({ computeConfig: { enabled: true, nodePools: ['system'] }, storageConfig: { blockStorage: { enabled: true } } });
    expect(nodesOf('from-stack').map((n) => n.metadata.labels['karpenter.sh/nodepool'])).toEqual(['system']);
  });
});

describe('UpdateClusterConfig', () => {
  it('switches Auto Mode on and off with one AutoModeUpdate each, followed with DescribeUpdate; refuses the switches apart and a no-op', async () => {
    await create('switch', {});
    await clusterActive('switch');

    const apart = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'switch', computeConfig: AUTO_MODE_ON.computeConfig })));
    const alsoLogging = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'switch', ...AUTO_MODE_ON, logging: { clusterLogging: [{ types: ['api'], enabled: true }] } })));
    const { update: on } = await eks.send(new UpdateClusterConfigCommand({ name: 'switch', ...AUTO_MODE_ON }));
    const onDone = await until(() => eks.send(new DescribeUpdateCommand({ name: 'switch', updateId: on!.id! })).then((r) => r.update!), (u) => u.status !== 'InProgress', 'on');
    const enabled = await clusterActive('switch');
    const nodesWhenOn = nodesOf('switch').length;
    const again = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'switch', ...AUTO_MODE_ON })));
    const { update: off } = await eks.send(new UpdateClusterConfigCommand({ name: 'switch', ...AUTO_MODE_OFF }));
    await until(() => eks.send(new DescribeUpdateCommand({ name: 'switch', updateId: off!.id! })).then((r) => r.update!), (u) => u.status !== 'InProgress', 'off');
    const disabled = await clusterActive('switch');

    expect(apart).toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('all either fully enabled or fully disabled') });
    expect(alsoLogging).toMatchObject({ name: 'InvalidParameterException', message: 'Only one type of update can be allowed.' });
    expect(on).toMatchObject({ type: 'AutoModeUpdate', status: 'InProgress', params: expect.arrayContaining([{ type: 'ComputeConfig', value: expect.stringContaining('"enabled":true') }]) });
    expect(onDone.status).toBe('Successful');
    expect(enabled).toMatchObject({ computeConfig: { enabled: true, nodeRoleArn }, storageConfig: { blockStorage: { enabled: true } }, kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } } });
    expect(nodesWhenOn).toBe(2);
    expect(again).toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('already at the desired configuration') });
    expect(off).toMatchObject({ type: 'AutoModeUpdate' });
    expect(disabled).toMatchObject({ computeConfig: { enabled: false }, storageConfig: { blockStorage: { enabled: false } }, kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: false } } });
    expect(nodesOf('switch')).toEqual([]);
  });
});

describe('persistence', () => {
  it('keeps a cluster’s Auto Mode and its nodes across a save and restore', () => {
    const next = new World({ timeScale: SCALE });
    const restored = createEksService(next, { baseUrl: () => emulator.url }).state;
    restoreWorld(next, JSON.parse(JSON.stringify(snapshotWorld(world))));

    expect(restored.clusters.get('auto')!.autoMode).toEqual(state.clusters.get('auto')!.autoMode);
    expect(clusterObjects(next, restored.clusters.get('auto')!).nodes.map((n) => (n.metadata as { name: string }).name)).toEqual(nodesOf('auto').map((n) => n.metadata.name));
  });
});

describe('through the AWS CLI', () => {
  itWith(tools.awsCli, 'the AWS CLI')('`aws eks describe-cluster` shows computeConfig, storageConfig and elasticLoadBalancing', async () => {
    const run = await awsCli(emulator.url, 'eks', 'describe-cluster', '--name', 'auto');

    expect(run.code).toBe(0);
    expect((run.json as { cluster: Record<string, unknown> }).cluster).toMatchObject({
      computeConfig: { enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn },
      storageConfig: { blockStorage: { enabled: true } },
      kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
    });
  });
});
