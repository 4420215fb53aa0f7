/**
 * The EKS emulator's add-ons as real clients see them: configuration values checked against the
 * add-on's schema (DescribeAddonConfiguration), stored and given back by DescribeAddon, changed by
 * UpdateAddon; DeleteAddon with preserve leaves the add-on's Kubernetes resources running.
 */
import { CreateAddonCommand, CreateClusterCommand, CreateNodegroupCommand, DeleteAddonCommand, DescribeAddonCommand, DescribeAddonConfigurationCommand, DescribeClusterCommand, DescribeNodegroupCommand, EKSClient, UpdateAddonCommand } from '@aws-sdk/client-eks';
import { createEksService, type EksState } from '../../local/emulator/services/eks';
import { clusterObjects } from '../../local/emulator/services/kubernetes/workloads';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { restoreWorld, snapshotWorld } from '../../local/emulator/persistence';
import { rejectionOf } from '../support/rejection';
import { until } from '../support/until';
import { seedRoles, seedTwoZoneVpc } from '../support/eks-world';

const SCALE = 0.001;
const ACCOUNT = '000000000000';

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
  eks = new EKSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDADDONS', secretAccessKey: 'x' }, maxAttempts: 1 });
  subnets.push(...seedTwoZoneVpc(world));
  seedRoles(world, ACCOUNT, { 'cluster-role': ['AmazonEKSClusterPolicy'], 'node-role': ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly'] });
  await eks.send(new CreateClusterCommand({ name: 'addons', version: '1.33', roleArn: `arn:aws:iam::${ACCOUNT}:role/cluster-role`, resourcesVpcConfig: { subnetIds: subnets } }));
  await until(() => eks.send(new DescribeClusterCommand({ name: 'addons' })).then((r) => r.cluster!.status), (s) => s === 'ACTIVE', 'cluster ACTIVE');
  await eks.send(new CreateNodegroupCommand({ clusterName: 'addons', nodegroupName: 'ng', nodeRole: `arn:aws:iam::${ACCOUNT}:role/node-role`, subnets, scalingConfig: { minSize: 1, maxSize: 1, desiredSize: 1 } }));
  await until(() => eks.send(new DescribeNodegroupCommand({ clusterName: 'addons', nodegroupName: 'ng' })).then((r) => r.nodegroup!.status), (s) => s === 'ACTIVE', 'nodegroup ACTIVE');
});

afterAll(async () => {
  eks.destroy();
  emulator.server.closeAllConnections();
  await emulator.close();
});

const addonOf = (name: string) => eks.send(new DescribeAddonCommand({ clusterName: 'addons', addonName: name })).then((r) => r.addon!);
/** The add-on's status, or the error DescribeAddon answers. */
const describedAs = (name: string) => addonOf(name).then((a) => a.status as string, (error: Error) => error.name);
const active = (name: string) => until(() => addonOf(name), (a) => a.status === 'ACTIVE', `${name} ACTIVE`);

describe('configuration values', () => {
  it('DescribeAddonConfiguration gives the add-on’s JSON schema as a string', async () => {
    const answer = await eks.send(new DescribeAddonConfigurationCommand({ addonName: 'coredns', addonVersion: 'v1.11.4-eksbuild.14' }));
    const unknownVersion = await rejectionOf(eks.send(new DescribeAddonConfigurationCommand({ addonName: 'coredns', addonVersion: 'v9.9.9' })));

    expect(answer).toMatchObject({ addonName: 'coredns', addonVersion: 'v1.11.4-eksbuild.14', podIdentityConfiguration: [] });
    expect(JSON.parse(answer.configurationSchema!)).toMatchObject({ type: 'object', properties: { replicaCount: { type: 'integer' } } });
    expect(unknownVersion.name).toBe('InvalidParameterException');
  });

  it('CreateAddon stores values the schema allows (JSON or YAML) and DescribeAddon gives them back; values it does not allow are refused as EKS words it', async () => {
    const unknownField = await rejectionOf(eks.send(new CreateAddonCommand({ clusterName: 'addons', addonName: 'metrics-server', configurationValues: '{"replicas": 1, "colour": "blue"}' })));
    const wrongType = await rejectionOf(eks.send(new CreateAddonCommand({ clusterName: 'addons', addonName: 'metrics-server', configurationValues: 'replicas: two' })));
    await eks.send(new CreateAddonCommand({ clusterName: 'addons', addonName: 'metrics-server', configurationValues: 'replicas: 1' }));
    const created = await active('metrics-server');

    expect(unknownField).toMatchObject({ name: 'InvalidParameterException', message: 'ConfigurationValue provided in request is not supported: Json schema validation failed with error: [$.colour: is not defined in the schema and the schema does not allow additional properties]' });
    expect(wrongType).toMatchObject({ name: 'InvalidParameterException', message: 'ConfigurationValue provided in request is not supported: Json schema validation failed with error: [$.replicas: must be integer]' });
    expect(created.configurationValues).toBe('replicas: 1');
  });

  it('UpdateAddon changes only the configuration values when only they are given, refuses ones the schema does not allow, and takes about a minute', async () => {
    await eks.send(new CreateAddonCommand({ clusterName: 'addons', addonName: 'coredns', addonVersion: 'v1.11.4-eksbuild.14' }));
    await active('coredns');
    const refused = await rejectionOf(eks.send(new UpdateAddonCommand({ clusterName: 'addons', addonName: 'coredns', configurationValues: '{"replicaCount": 0}' })));

    const { update } = await eks.send(new UpdateAddonCommand({ clusterName: 'addons', addonName: 'coredns', configurationValues: '{"replicaCount": 3}', resolveConflicts: 'PRESERVE' }));
    const during = await addonOf('coredns');
    const after = await active('coredns');

    expect(refused.message).toBe('ConfigurationValue provided in request is not supported: Json schema validation failed with error: [$.replicaCount: must be >= 1]');
    expect(update!.params).toContainEqual({ type: 'ConfigurationValues', value: '{"replicaCount": 3}' });
    expect(during.status).toBe('UPDATING');
    expect(after).toMatchObject({ addonVersion: 'v1.11.4-eksbuild.14', configurationValues: '{"replicaCount": 3}' });
    const took = world.durations.samples.filter((s) => s.kind === 'addonUpdate').at(-1)!.seconds;
    expect(took).toBeGreaterThanOrEqual(30);
  });
});

describe('DeleteAddon', () => {
  const objectsNamed = (name: string) => {
    const objects = clusterObjects(world, state.clusters.get('addons')!);
    return [...objects.daemonsets, ...objects.deployments].map((o) => (o.metadata as { name: string }).name).filter((n) => n === name);
  };

  it('with preserve leaves the add-on’s workloads running though EKS no longer knows it; without, they go; a saved world keeps them', async () => {
    await eks.send(new CreateAddonCommand({ clusterName: 'addons', addonName: 'kube-proxy' }));
    await active('kube-proxy');
    await eks.send(new CreateAddonCommand({ clusterName: 'addons', addonName: 'vpc-cni' }));
    await active('vpc-cni');

    await eks.send(new DeleteAddonCommand({ clusterName: 'addons', addonName: 'kube-proxy', preserve: true }));
    await eks.send(new DeleteAddonCommand({ clusterName: 'addons', addonName: 'vpc-cni' }));
    await until(() => describedAs('kube-proxy'), (said) => said === 'ResourceNotFoundException', 'kube-proxy gone');
    await until(() => describedAs('vpc-cni'), (said) => said === 'ResourceNotFoundException', 'vpc-cni gone');

    expect(objectsNamed('kube-proxy')).toEqual(['kube-proxy']);
    expect(objectsNamed('aws-node')).toEqual([]);
    const next = new World({ timeScale: SCALE });
    const restored = createEksService(next, { baseUrl: () => emulator.url }).state;
    restoreWorld(next, JSON.parse(JSON.stringify(snapshotWorld(world))));
    expect([...restored.clusters.get('addons')!.preservedAddons!.keys()]).toEqual(['kube-proxy']);
  });
});
