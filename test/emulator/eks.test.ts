/**
 * The local EKS (restJson1) through the real @aws-sdk/client-eks: status sequences and the rules
 * a provisioner must respect (shared REFERENCE "EKS rules"), and CloudFormation's
 * AWS::EKS::Cluster backend (world.eks).
 */
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  CreateAddonCommand,
  CreateClusterCommand,
  CreateFargateProfileCommand,
  CreateNodegroupCommand,
  DeleteAccessEntryCommand,
  DeleteClusterCommand,
  DeleteFargateProfileCommand,
  DeleteNodegroupCommand,
  DescribeAccessEntryCommand,
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  DisassociateAccessPolicyCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
  ListTagsForResourceCommand,
  ListUpdatesCommand,
  TagResourceCommand,
  UpdateClusterConfigCommand,
  UpdateNodegroupConfigCommand,
  type Cluster,
  type CreateClusterCommandInput,
  type CreateNodegroupCommandInput,
} from '@aws-sdk/client-eks';
import { load } from 'js-yaml';
import { createEksService, type EksState } from '../../local/emulator/services/eks';
import { createStsService } from '../../local/emulator/services/sts';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { rejectionOf } from '../support/rejection';
import { until } from '../support/until';

const SCALE = 0.001;
const ACCOUNT = '000000000000';
const POLICY = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;

let emulator: RunningEmulator;
let world: World;
let state: EksState;
let eks: EKSClient;
const net = { vpcId: '', publicSubnets: [] as string[], privateSubnets: [] as string[], securityGroup: '' };
const roles = { cluster: '', node: '', bareNode: '', fargate: '' };

/** What a cluster stack leaves in the account: a VPC over two AZs and the IAM roles. */
function seedAccount(): void {
  net.vpcId = world.newId('vpc');
  world.ec2.vpcs.set(net.vpcId, { vpcId: net.vpcId, cidrBlock: '10.0.0.0/16', tags: {} });
  ['a', 'b'].forEach((zone, i) => {
    for (const [kind, offset] of [['public', 0], ['private', 128]] as const) {
      const subnetId = world.newId('subnet');
      world.ec2.subnets.set(subnetId, { subnetId, vpcId: net.vpcId, cidrBlock: `10.0.${offset + i * 32}.0/19`, availabilityZone: `us-east-1${zone}`, mapPublicIpOnLaunch: kind === 'public', tags: {} });
      (kind === 'public' ? net.publicSubnets : net.privateSubnets).push(subnetId);
    }
  });
  net.securityGroup = world.newId('sg');
  world.ec2.securityGroups.set(net.securityGroup, { groupId: net.securityGroup, vpcId: net.vpcId, description: 'control plane', tags: {} });
  const role = (name: string, service: string, policies: string[]) => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/${name}`;
    world.iam.roles.set(name, { arn, roleName: name, path: '/', assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] }, managedPolicyArns: policies.map((p) => `arn:aws:iam::aws:policy/${p}`), tags: {} });
    return arn;
  };
  roles.cluster = role('eks-service-role', 'eks.amazonaws.com', ['AmazonEKSClusterPolicy']);
  roles.node = role('node-instance-role', 'ec2.amazonaws.com', ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonEKS_CNI_Policy']);
  roles.bareNode = role('bare-node-role', 'ec2.amazonaws.com', []);
  roles.fargate = role('fargate-pod-execution-role', 'eks-fargate-pods.amazonaws.com', ['AmazonEKSFargatePodExecutionRolePolicy']);
}

/** The error name a call fails with, or 'ok': for polling until something is gone. */
const outcome = (call: Promise<unknown>) => call.then(() => 'ok', (error: Error) => error.name);
const describe_ = (name: string) => eks.send(new DescribeClusterCommand({ name })).then((r) => r.cluster!);
const clusterActive = (name: string) => until(() => describe_(name), (c) => c.status === 'ACTIVE', `cluster ${name} ACTIVE`);
const nodegroupOf = (cluster: string, nodegroup: string) => eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: nodegroup })).then((r) => r.nodegroup!);

function clusterInput(name: string, overrides: Partial<CreateClusterCommandInput> = {}): CreateClusterCommandInput {
  return {
    name,
    version: '1.33',
    roleArn: roles.cluster,
    resourcesVpcConfig: { subnetIds: [...net.publicSubnets, ...net.privateSubnets], securityGroupIds: [net.securityGroup], endpointPublicAccess: true, endpointPrivateAccess: false },
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    ...overrides,
  };
}

function nodegroupInput(cluster: string, name: string, overrides: Partial<CreateNodegroupCommandInput> = {}): CreateNodegroupCommandInput {
  return { clusterName: cluster, nodegroupName: name, nodeRole: roles.node, subnets: net.privateSubnets, scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 }, instanceTypes: ['m5.large'], ...overrides };
}

async function activeCluster(name: string, overrides: Partial<CreateClusterCommandInput> = {}): Promise<Cluster> {
  await eks.send(new CreateClusterCommand(clusterInput(name, overrides)));
  return clusterActive(name);
}

beforeAll(async () => {
  world = new World({ timeScale: SCALE });
  const service = createEksService(world, { baseUrl: () => emulator.url });
  state = service.state;
  emulator = await startEmulator({ timeScale: SCALE, services: [service, createStsService(world)] }, world);
  eks = new EKSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEKSTEST', secretAccessKey: 'not-checked' }, maxAttempts: 1 });
  seedAccount();
});

afterAll(async () => {
  eks.destroy();
  emulator.server.closeAllConnections();
  await emulator.close();
});

afterEach(() => world.faults.clear());

describe('clusters', () => {
  it('moves CREATING → ACTIVE and only then has an HTTPS endpoint under /k8s/<name> and a CA, with epoch-second timestamps', async () => {
    const before = world.clock.now().getTime();
    const { cluster } = await eks.send(new CreateClusterCommand(clusterInput('lifecycle')));
    const after = world.clock.now().getTime();

    expect(cluster).toMatchObject({ name: 'lifecycle', status: 'CREATING', arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/lifecycle`, version: '1.33' });
    expect(cluster!.endpoint).toBeUndefined();
    // Emulated time runs 1/SCALE as fast as real time: bound createdAt by clock readings around the call (1 s for epoch-second rounding).
    expect(cluster!.createdAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(cluster!.createdAt!.getTime()).toBeLessThanOrEqual(after + 1000);

    const active = await clusterActive('lifecycle');
    expect(active.endpoint).toBe(`${emulator.url.replace('http:', 'https:')}/k8s/lifecycle`);
    expect(Buffer.from(active.certificateAuthority!.data!, 'base64').toString()).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(active.resourcesVpcConfig).toMatchObject({ vpcId: net.vpcId, endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] });
    expect(world.ec2.securityGroups.get(active.resourcesVpcConfig!.clusterSecurityGroupId!)?.tags['aws:eks:cluster-name']).toBe('lifecycle');
    expect((await eks.send(new ListClustersCommand({}))).clusters).toContain('lifecycle');
    expect(world.calls).toEqual(expect.arrayContaining(['eks:CreateCluster', 'eks:DescribeCluster', 'eks:ListClusters']));
  });

  it('refuses a duplicate name (409), both endpoints off, an unknown role and subnets in a single AZ (400)', async () => {
    await eks.send(new CreateClusterCommand(clusterInput('dupe')));

    const duplicate = await rejectionOf(eks.send(new CreateClusterCommand(clusterInput('dupe'))));
    const closed = await rejectionOf(eks.send(new CreateClusterCommand(clusterInput('closed', { resourcesVpcConfig: { subnetIds: net.privateSubnets, endpointPublicAccess: false, endpointPrivateAccess: false } }))));
    const noRole = await rejectionOf(eks.send(new CreateClusterCommand(clusterInput('norole', { roleArn: `arn:aws:iam::${ACCOUNT}:role/missing` }))));
    const oneAz = await rejectionOf(eks.send(new CreateClusterCommand(clusterInput('oneaz', { resourcesVpcConfig: { subnetIds: [net.privateSubnets[0]!] } }))));

    expect(duplicate).toMatchObject({ name: 'ResourceInUseException', $metadata: { httpStatusCode: 409 } });
    expect(closed).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    expect(noRole.name).toBe('InvalidParameterException');
    expect(noRole.message).toContain('role/missing');
    expect(oneAz.message).toMatch(/two different AZs/);
  });

  it('answers a missing cluster with 404 ResourceNotFoundException and an unknown route with a typed 404, never HTML', async () => {
    const missing = await rejectionOf(eks.send(new DescribeClusterCommand({ name: 'nope' })));
    const response = await fetch(`${emulator.url}/clusters/x/not-an-operation`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/eks/aws4_request, SignedHeaders=host, Signature=0' } });

    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('throttles with a 429 ThrottlingException when a throttle fault matches', async () => {
    world.faults.add([{ kind: 'throttle', service: 'eks', operation: 'ListClusters', rate: 1 }]);

    const error = await rejectionOf(eks.send(new ListClustersCommand({})));

    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
  });
});

describe('cluster config updates', () => {
  beforeAll(async () => {
    await activeCluster('updates');
  });

  it('runs one update at a time: a second gets 409 naming the running update; the same token returns the same update', async () => {
    const token = 'switch-endpoint-1';
    const { update } = await eks.send(new UpdateClusterConfigCommand({ name: 'updates', resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] }, clientRequestToken: token }));

    const second = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'updates', logging: { clusterLogging: [{ types: ['api'], enabled: true }] } })));
    const retried = await eks.send(new UpdateClusterConfigCommand({ name: 'updates', resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] }, clientRequestToken: token }));

    expect(update).toMatchObject({ status: 'InProgress', type: 'EndpointAccessUpdate' });
    expect(update!.params).toEqual(expect.arrayContaining([{ type: 'EndpointPrivateAccess', value: 'true' }, { type: 'PublicAccessCidrs', value: '["203.0.113.0/24"]' }]));
    expect((await describe_('updates')).status).toBe('UPDATING');
    expect(second).toMatchObject({ name: 'ResourceInUseException', $metadata: { httpStatusCode: 409 } });
    expect(second.message).toBe(`Cluster has update ${update!.id} in progress`);
    expect(retried.update!.id).toBe(update!.id);

    const done = await until(() => eks.send(new DescribeUpdateCommand({ name: 'updates', updateId: update!.id })).then((r) => r.update!), (u) => u.status !== 'InProgress', 'update');
    expect(done.status).toBe('Successful');
    const cluster = await describe_('updates');
    expect(cluster.status).toBe('ACTIVE');
    expect(cluster.resourcesVpcConfig).toMatchObject({ endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] });
    expect((await eks.send(new ListUpdatesCommand({ name: 'updates' }))).updateIds).toContain(update!.id);
  });

  it('rejects an update that changes nothing (CIDRs compared as sets), two update types at once, and both endpoints off', async () => {
    await until(() => describe_('updates'), (c) => c.status === 'ACTIVE', 'no update running');

    const noop = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'updates', resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] } })));
    const twoTypes = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'updates', resourcesVpcConfig: { endpointPrivateAccess: false }, logging: { clusterLogging: [{ types: ['audit'], enabled: true }] } })));
    const closed = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'updates', resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: false } })));

    expect(noop).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    expect(noop.message).toMatch(/already at the desired configuration/);
    expect(twoTypes.message).toBe('Only one type of update can be allowed.');
    expect(closed.name).toBe('InvalidParameterException');
  });

  it('fails an update an update-failure fault names, with its errors, and leaves the config as it was', async () => {
    world.faults.add([{ kind: 'update-failure', updateType: 'LoggingUpdate', message: 'CloudWatch Logs is unavailable in this region' }]);

    const { update } = await eks.send(new UpdateClusterConfigCommand({ name: 'updates', logging: { clusterLogging: [{ types: ['api', 'audit'], enabled: true }] } }));
    const done = await until(() => eks.send(new DescribeUpdateCommand({ name: 'updates', updateId: update!.id })).then((r) => r.update!), (u) => u.status !== 'InProgress', 'update');

    expect(done.status).toBe('Failed');
    expect(done.errors).toEqual([{ errorCode: 'Unknown', errorMessage: 'CloudWatch Logs is unavailable in this region', resourceIds: ['updates'] }]);
    expect((await describe_('updates')).logging!.clusterLogging).toEqual([{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }]);
  });

  it('moves the authentication mode forward only, one step at a time, and gives the creator an admin access entry when entries switch on', async () => {
    await activeCluster('ladder', { accessConfig: { authenticationMode: 'CONFIG_MAP' } });
    const entriesOff = await rejectionOf(eks.send(new ListAccessEntriesCommand({ clusterName: 'ladder' })));
    const skip = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'ladder', accessConfig: { authenticationMode: 'API' } })));

    const { update } = await eks.send(new UpdateClusterConfigCommand({ name: 'ladder', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }));
    await until(() => eks.send(new DescribeUpdateCommand({ name: 'ladder', updateId: update!.id })).then((r) => r.update!), (u) => u.status === 'Successful', 'auth mode update');
    const back = await rejectionOf(eks.send(new UpdateClusterConfigCommand({ name: 'ladder', accessConfig: { authenticationMode: 'CONFIG_MAP' } })));
    const creator = `arn:aws:iam::${ACCOUNT}:user/local-developer`;

    expect(entriesOff).toMatchObject({ name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    expect(skip.name).toBe('InvalidParameterException');
    expect(update).toMatchObject({ type: 'AccessConfigUpdate', params: [{ type: 'AuthenticationMode', value: 'API_AND_CONFIG_MAP' }] });
    expect((await describe_('ladder')).accessConfig?.authenticationMode).toBe('API_AND_CONFIG_MAP');
    expect(back.name).toBe('InvalidParameterException');
    expect((await eks.send(new ListAccessEntriesCommand({ clusterName: 'ladder' }))).accessEntries).toEqual([creator]);
    expect((await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'ladder', principalArn: creator }))).associatedAccessPolicies).toEqual([
      expect.objectContaining({ policyArn: POLICY('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster', namespaces: [] } }),
    ]);
  });
});

describe('nodegroups', () => {
  beforeAll(async () => {
    await activeCluster('compute');
  });

  it('validates sizes, reserved label prefixes, the node role and launch-template exclusions', async () => {
    const create = (name: string, overrides: Partial<CreateNodegroupCommandInput>) => rejectionOf(eks.send(new CreateNodegroupCommand(nodegroupInput('compute', name, overrides))));

    const sizes = await create('bad-sizes', { scalingConfig: { minSize: 3, maxSize: 4, desiredSize: 2 } });
    const label = await create('bad-label', { labels: { 'node.kubernetes.io/role': 'x' } });
    const missingRole = await create('no-role', { nodeRole: `arn:aws:iam::${ACCOUNT}:role/ghost-node-role` });
    const barePolicies = await create('bare', { nodeRole: roles.bareNode });
    const diskWithTemplate = await create('lt-disk', { launchTemplate: { id: 'lt-0123456789abcdef0', version: '1' }, diskSize: 80 });

    expect(sizes).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    expect(label.message).toMatch(/node\.kubernetes\.io\/role/);
    expect(missingRole.message).toContain('ghost-node-role');
    expect(barePolicies.message).toContain('AmazonEKSWorkerNodePolicy');
    expect(diskWithTemplate.message).toMatch(/launch template/);
    expect((await eks.send(new ListNodegroupsCommand({ clusterName: 'compute' }))).nodegroups).toEqual([]);
  });

  it('creates CREATING → ACTIVE; EKS then gives the node role an EC2_LINUX access entry and an aws-auth mapping', async () => {
    const { nodegroup } = await eks.send(
      new CreateNodegroupCommand(nodegroupInput('compute', 'ng-general', { launchTemplate: { id: 'lt-0123456789abcdef0', version: '1' }, labels: { role: 'general' }, clientRequestToken: 'ng-general-1' })),
    );
    const retried = await eks.send(new CreateNodegroupCommand(nodegroupInput('compute', 'ng-general', { launchTemplate: { id: 'lt-0123456789abcdef0', version: '1' }, clientRequestToken: 'ng-general-1' })));
    const duplicate = await rejectionOf(eks.send(new CreateNodegroupCommand(nodegroupInput('compute', 'ng-general'))));

    expect(nodegroup).toMatchObject({ status: 'CREATING', launchTemplate: { id: 'lt-0123456789abcdef0', version: '1' }, scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 } });
    expect(retried.nodegroup!.nodegroupArn).toBe(nodegroup!.nodegroupArn);
    expect(duplicate.name).toBe('ResourceInUseException');

    const active = await until(() => nodegroupOf('compute', 'ng-general'), (n) => n.status === 'ACTIVE', 'nodegroup ACTIVE');
    expect(active.resources?.autoScalingGroups?.[0]?.name).toMatch(/^eks-ng-general-/);
    const { accessEntry } = await eks.send(new DescribeAccessEntryCommand({ clusterName: 'compute', principalArn: roles.node }));
    expect(accessEntry).toMatchObject({ type: 'EC2_LINUX', username: 'system:node:{{EC2PrivateDNSName}}', kubernetesGroups: ['system:nodes'] });
    const mapRoles = load(state.cluster('compute').kube.getConfigMap('kube-system', 'aws-auth')!.data!.mapRoles!) as Array<{ rolearn: string; groups: string[] }>;
    expect(mapRoles).toEqual([{ rolearn: roles.node, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }]);
  });

  it('scales with UpdateNodegroupConfig (UPDATING → ACTIVE) and rejects a size outside min..max and a no-op', async () => {
    await until(() => nodegroupOf('compute', 'ng-general'), (n) => n.status === 'ACTIVE', 'nodegroup ACTIVE');

    const tooBig = await rejectionOf(eks.send(new UpdateNodegroupConfigCommand({ clusterName: 'compute', nodegroupName: 'ng-general', scalingConfig: { desiredSize: 5 } })));
    const noop = await rejectionOf(eks.send(new UpdateNodegroupConfigCommand({ clusterName: 'compute', nodegroupName: 'ng-general', scalingConfig: { desiredSize: 2 } })));
    const { update } = await eks.send(new UpdateNodegroupConfigCommand({ clusterName: 'compute', nodegroupName: 'ng-general', scalingConfig: { desiredSize: 3 }, taints: { addOrUpdateTaints: [{ key: 'dedicated', value: 'batch', effect: 'NO_SCHEDULE' }] } }));

    expect(tooBig.message).toMatch(/can't be greater than max size 3/);
    expect(noop.name).toBe('InvalidParameterException');
    expect((await nodegroupOf('compute', 'ng-general')).status).toBe('UPDATING');
    // ListUpdates as EKS scopes it: a nodegroup's updates with nodegroupName, the cluster's own without.
    expect((await eks.send(new ListUpdatesCommand({ name: 'compute', nodegroupName: 'ng-general' }))).updateIds).toEqual([update!.id]);
    expect((await eks.send(new ListUpdatesCommand({ name: 'compute' }))).updateIds).not.toContain(update!.id);
    expect(await rejectionOf(eks.send(new ListUpdatesCommand({ name: 'compute', nodegroupName: 'ng-missing' })))).toMatchObject({ name: 'ResourceNotFoundException' });
    const done = await until(() => eks.send(new DescribeUpdateCommand({ name: 'compute', updateId: update!.id, nodegroupName: 'ng-general' })).then((r) => r.update!), (u) => u.status !== 'InProgress', 'nodegroup update');
    expect(done).toMatchObject({ status: 'Successful', type: 'ConfigUpdate' });
    expect(await nodegroupOf('compute', 'ng-general')).toMatchObject({ status: 'ACTIVE', scalingConfig: { desiredSize: 3 }, taints: [{ key: 'dedicated', value: 'batch', effect: 'NO_SCHEDULE' }] });
  });

  it('ends CREATE_FAILED with the health issue a nodegroup-failure fault describes', async () => {
    world.faults.add([{ kind: 'nodegroup-failure', nodegroup: 'ng-doomed', code: 'AsgInstanceLaunchFailures', message: 'Could not launch On-Demand Instances. InsufficientInstanceCapacity' }]);

    await eks.send(new CreateNodegroupCommand(nodegroupInput('compute', 'ng-doomed')));
    const failed = await until(() => nodegroupOf('compute', 'ng-doomed'), (n) => n.status !== 'CREATING', 'nodegroup settled');

    expect(failed.status).toBe('CREATE_FAILED');
    expect(failed.health!.issues).toEqual([{ code: 'AsgInstanceLaunchFailures', message: 'Could not launch On-Demand Instances. InsufficientInstanceCapacity', resourceIds: [failed.resources!.autoScalingGroups![0]!.name] }]);
    await eks.send(new DeleteNodegroupCommand({ clusterName: 'compute', nodegroupName: 'ng-doomed' }));
  });
});

describe('Fargate profiles', () => {
  beforeAll(async () => {
    await activeCluster('serverless', { accessConfig: { authenticationMode: 'API' } });
  });

  it('allows one profile CREATING or DELETING per cluster, 1–5 selectors and private subnets only; EKS adds a FARGATE_LINUX entry', async () => {
    const profile = (name: string, extra: object = {}) => new CreateFargateProfileCommand({ clusterName: 'serverless', fargateProfileName: name, podExecutionRoleArn: roles.fargate, subnets: net.privateSubnets, selectors: [{ namespace: 'default' }], ...extra });
    const noSelectors = await rejectionOf(eks.send(profile('none', { selectors: [] })));
    const sixSelectors = await rejectionOf(eks.send(profile('six', { selectors: ['a', 'b', 'c', 'd', 'e', 'f'].map((namespace) => ({ namespace })) })));
    const publicSubnet = await rejectionOf(eks.send(profile('public', { subnets: net.publicSubnets })));

    const { fargateProfile } = await eks.send(profile('fp-a'));
    const whileCreating = await rejectionOf(eks.send(profile('fp-b')));

    expect(noSelectors.name).toBe('InvalidParameterException');
    expect(sixSelectors.name).toBe('InvalidParameterException');
    expect(publicSubnet.message).toMatch(/not a private subnet/);
    expect(fargateProfile).toMatchObject({ status: 'CREATING', selectors: [{ namespace: 'default' }] });
    expect(whileCreating).toMatchObject({ name: 'ResourceInUseException', $metadata: { httpStatusCode: 409 } });
    expect(whileCreating.message).toContain('fp-a');

    await until(() => eks.send(new DescribeFargateProfileCommand({ clusterName: 'serverless', fargateProfileName: 'fp-a' })).then((r) => r.fargateProfile!), (p) => p.status === 'ACTIVE', 'profile ACTIVE');
    expect((await eks.send(new DescribeAccessEntryCommand({ clusterName: 'serverless', principalArn: roles.fargate }))).accessEntry).toMatchObject({ type: 'FARGATE_LINUX', username: 'system:node:{{SessionName}}' });
    expect(state.cluster('serverless').kube.getConfigMap('kube-system', 'aws-auth')).toBeUndefined();

    await eks.send(new DeleteFargateProfileCommand({ clusterName: 'serverless', fargateProfileName: 'fp-a' }));
    const whileDeleting = await rejectionOf(eks.send(profile('fp-b')));
    expect(whileDeleting.name).toBe('ResourceInUseException');
    await until(() => outcome(eks.send(new DescribeFargateProfileCommand({ clusterName: 'serverless', fargateProfileName: 'fp-a' }))), (e) => e === 'ResourceNotFoundException', 'profile gone');
  });
});

describe('add-ons', () => {
  it('lists versions per add-on with their compatibilities and the default for each cluster version', async () => {
    const { addons } = await eks.send(new DescribeAddonVersionsCommand({ addonName: 'coredns', kubernetesVersion: '1.33' }));
    const all = await eks.send(new DescribeAddonVersionsCommand({ kubernetesVersion: '1.33' }));

    expect(addons).toHaveLength(1);
    const defaults = addons![0]!.addonVersions!.filter((v) => v.compatibilities!.some((c) => c.defaultVersion));
    expect(defaults.map((v) => v.addonVersion)).toEqual(['v1.11.4-eksbuild.14']);
    expect(addons![0]!.addonVersions!.every((v) => v.compatibilities!.every((c) => c.clusterVersion === '1.33'))).toBe(true);
    expect(all.addons!.map((a) => a.addonName).sort()).toEqual(['aws-ebs-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'metrics-server', 'vpc-cni']);
  });

  it('keeps coredns DEGRADED until a nodegroup is ACTIVE, while kube-proxy goes ACTIVE; rejects an unsupported version', async () => {
    await activeCluster('addons');
    const badVersion = await rejectionOf(eks.send(new CreateAddonCommand({ clusterName: 'addons', addonName: 'coredns', addonVersion: 'v1.10.1-eksbuild.18' })));
    await eks.send(new CreateAddonCommand({ clusterName: 'addons', addonName: 'coredns' }));
    await eks.send(new CreateAddonCommand({ clusterName: 'addons', addonName: 'kube-proxy' }));
    const addon = (name: string) => eks.send(new DescribeAddonCommand({ clusterName: 'addons', addonName: name })).then((r) => r.addon!);

    expect(badVersion.name).toBe('InvalidParameterException');
    const degraded = await until(() => addon('coredns'), (a) => a.status !== 'CREATING', 'coredns settled');
    expect(degraded.status).toBe('DEGRADED');
    expect(degraded.addonVersion).toBe('v1.11.4-eksbuild.14');
    expect(degraded.health!.issues![0]!.code).toBe('InsufficientNumberOfReplicas');
    expect((await until(() => addon('kube-proxy'), (a) => a.status !== 'CREATING', 'kube-proxy settled')).status).toBe('ACTIVE');

    await eks.send(new CreateNodegroupCommand(nodegroupInput('addons', 'ng-1')));
    const healthy = await until(() => addon('coredns'), (a) => a.status === 'ACTIVE', 'coredns ACTIVE');
    expect(healthy.health!.issues).toEqual([]);
  });
});

describe('access entries', () => {
  const admin = `arn:aws:iam::${ACCOUNT}:role/platform-admin`;
  const viewer = `arn:aws:iam::111122223333:user/auditor`;

  beforeAll(async () => {
    await activeCluster('access');
  });

  it('creates, refuses duplicates and system: groups, associates policies with scopes, lists, disassociates and deletes', async () => {
    const { accessEntry } = await eks.send(new CreateAccessEntryCommand({ clusterName: 'access', principalArn: admin, kubernetesGroups: ['platform'], tags: { team: 'platform' } }));
    const duplicate = await rejectionOf(eks.send(new CreateAccessEntryCommand({ clusterName: 'access', principalArn: admin })));
    const masters = await rejectionOf(eks.send(new CreateAccessEntryCommand({ clusterName: 'access', principalArn: viewer, kubernetesGroups: ['system:masters'] })));
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'access', principalArn: viewer }));

    await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'access', principalArn: admin, policyArn: POLICY('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }));
    const noNamespaces = await rejectionOf(eks.send(new AssociateAccessPolicyCommand({ clusterName: 'access', principalArn: viewer, policyArn: POLICY('AmazonEKSViewPolicy'), accessScope: { type: 'namespace' } })));
    const unknownPolicy = await rejectionOf(eks.send(new AssociateAccessPolicyCommand({ clusterName: 'access', principalArn: viewer, policyArn: POLICY('AmazonEKSRootPolicy'), accessScope: { type: 'cluster' } })));
    const scoped = await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'access', principalArn: viewer, policyArn: POLICY('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['apps'] } }));

    expect(accessEntry).toMatchObject({ principalArn: admin, type: 'STANDARD', kubernetesGroups: ['platform'], username: `arn:aws:sts::${ACCOUNT}:assumed-role/platform-admin/{{SessionName}}` });
    expect(duplicate).toMatchObject({ name: 'ResourceInUseException', $metadata: { httpStatusCode: 409 } });
    expect(masters.message).toMatch(/system:masters/);
    expect(noNamespaces.name).toBe('InvalidParameterException');
    expect(unknownPolicy.name).toBe('InvalidParameterException');
    expect(scoped.associatedAccessPolicy).toMatchObject({ policyArn: POLICY('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['apps'] } });
    expect((await eks.send(new ListAccessEntriesCommand({ clusterName: 'access', associatedPolicyArn: POLICY('AmazonEKSClusterAdminPolicy') }))).accessEntries!.sort()).toEqual(
      [admin, `arn:aws:iam::${ACCOUNT}:user/local-developer`].sort(),
    );

    await eks.send(new DisassociateAccessPolicyCommand({ clusterName: 'access', principalArn: viewer, policyArn: POLICY('AmazonEKSViewPolicy') }));
    expect((await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'access', principalArn: viewer }))).associatedAccessPolicies).toEqual([]);
    await eks.send(new DeleteAccessEntryCommand({ clusterName: 'access', principalArn: viewer }));
    expect((await rejectionOf(eks.send(new DescribeAccessEntryCommand({ clusterName: 'access', principalArn: viewer })))).name).toBe('ResourceNotFoundException');
  });

  it('tags clusters and access entries by ARN', async () => {
    const { accessEntry } = await eks.send(new DescribeAccessEntryCommand({ clusterName: 'access', principalArn: admin }));
    const cluster = await describe_('access');

    await eks.send(new TagResourceCommand({ resourceArn: cluster.arn, tags: { owner: 'team-a' } }));

    expect((await eks.send(new ListTagsForResourceCommand({ resourceArn: cluster.arn }))).tags).toEqual({ owner: 'team-a' });
    expect((await eks.send(new ListTagsForResourceCommand({ resourceArn: accessEntry!.accessEntryArn }))).tags).toEqual({ team: 'platform' });
  });
});

describe('deletion order', () => {
  it('refuses to delete a cluster while nodegroups or Fargate profiles remain, then DELETING → gone', async () => {
    await activeCluster('teardown');
    await eks.send(new CreateNodegroupCommand(nodegroupInput('teardown', 'ng-1')));
    await eks.send(new CreateFargateProfileCommand({ clusterName: 'teardown', fargateProfileName: 'fp', podExecutionRoleArn: roles.fargate, selectors: [{ namespace: 'kube-system' }] }));

    const withNodegroup = await rejectionOf(eks.send(new DeleteClusterCommand({ name: 'teardown' })));
    const creatingNodegroup = await rejectionOf(eks.send(new DeleteNodegroupCommand({ clusterName: 'teardown', nodegroupName: 'ng-1' })));
    await until(() => nodegroupOf('teardown', 'ng-1'), (n) => n.status === 'ACTIVE', 'nodegroup ACTIVE');
    expect((await eks.send(new DeleteNodegroupCommand({ clusterName: 'teardown', nodegroupName: 'ng-1' }))).nodegroup!.status).toBe('DELETING');
    await until(() => eks.send(new ListNodegroupsCommand({ clusterName: 'teardown' })), (r) => r.nodegroups!.length === 0, 'nodegroup gone');
    const withProfile = await rejectionOf(eks.send(new DeleteClusterCommand({ name: 'teardown' })));
    await until(() => eks.send(new DescribeFargateProfileCommand({ clusterName: 'teardown', fargateProfileName: 'fp' })).then((r) => r.fargateProfile!), (p) => p.status === 'ACTIVE', 'profile ACTIVE');
    await eks.send(new DeleteFargateProfileCommand({ clusterName: 'teardown', fargateProfileName: 'fp' }));
    await until(() => outcome(eks.send(new DescribeFargateProfileCommand({ clusterName: 'teardown', fargateProfileName: 'fp' }))), (e) => e === 'ResourceNotFoundException', 'profile gone');

    const { cluster } = await eks.send(new DeleteClusterCommand({ name: 'teardown' }));

    expect(withNodegroup).toMatchObject({ name: 'ResourceInUseException', $metadata: { httpStatusCode: 409 } });
    expect(withNodegroup.message).toMatch(/nodegroups/);
    expect(creatingNodegroup.name).toBe('ResourceInUseException');
    expect(withProfile.message).toMatch(/fargate profiles/);
    expect(cluster!.status).toBe('DELETING');
    await until(() => outcome(describe_('teardown')), (e) => e === 'ResourceNotFoundException', 'cluster gone');
    expect(world.ec2.securityGroups.has(cluster!.resourcesVpcConfig!.clusterSecurityGroupId!)).toBe(false);
  });
});

describe('the AWS::EKS::Cluster backend', () => {
  const properties = () => ({
    Name: 'from-stack',
    Version: '1.32',
    RoleArn: roles.cluster,
    ResourcesVpcConfig: { SubnetIds: [...net.publicSubnets, ...net.privateSubnets], SecurityGroupIds: [net.securityGroup], EndpointPublicAccess: true, EndpointPrivateAccess: 'false', PublicAccessCidrs: ['0.0.0.0/0'] },
    AccessConfig: { AuthenticationMode: 'API_AND_CONFIG_MAP', BootstrapClusterCreatorAdminPermissions: true },
    Logging: { ClusterLogging: { EnabledTypes: [{ Type: 'api' }, { Type: 'audit' }] } },
    Tags: [{ Key: 'eks-provisioner:cluster', Value: 'from-stack' }],
  });

  it('resolves with the attributes once ACTIVE, the stack role as creator, and deletes only when compute is gone', async () => {
    const stackRole = `arn:aws:iam::${ACCOUNT}:role/eksp-cluster-stack-role`;

    const attributes = await state.createClusterForStack(properties(), { 'aws:cloudformation:stack-name': 'eksp-from-stack-cluster' }, { creatorArn: stackRole });

    expect(attributes).toMatchObject({ name: 'from-stack', arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/from-stack`, endpoint: `${emulator.url.replace('http:', 'https:')}/k8s/from-stack`, Endpoint: `${emulator.url.replace('http:', 'https:')}/k8s/from-stack` });
    expect(Buffer.from(attributes.certificateAuthorityData, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    const cluster = await describe_('from-stack');
    expect(cluster).toMatchObject({ status: 'ACTIVE', version: '1.32', tags: { 'eks-provisioner:cluster': 'from-stack', 'aws:cloudformation:stack-name': 'eksp-from-stack-cluster' }, logging: { clusterLogging: [{ types: ['api', 'audit'], enabled: true }, expect.anything()] } });
    expect((await eks.send(new ListAccessEntriesCommand({ clusterName: 'from-stack' }))).accessEntries).toEqual([stackRole]);

    await eks.send(new CreateNodegroupCommand(nodegroupInput('from-stack', 'ng')));
    await expect(state.deleteClusterForStack('from-stack')).rejects.toMatchObject({ code: 'ResourceInUseException' });
    await until(() => nodegroupOf('from-stack', 'ng'), (n) => n.status === 'ACTIVE', 'nodegroup ACTIVE');
    await eks.send(new DeleteNodegroupCommand({ clusterName: 'from-stack', nodegroupName: 'ng' }));
    await until(() => eks.send(new ListNodegroupsCommand({ clusterName: 'from-stack' })), (r) => r.nodegroups!.length === 0, 'nodegroup gone');
    await state.deleteClusterForStack('from-stack');
    expect(state.clusters.has('from-stack')).toBe(false);
  });

  it('rejects with the reason AWS gives when the properties are wrong', async () => {
    await expect(state.createClusterForStack({ ...properties(), Name: 'bad-stack', RoleArn: `arn:aws:iam::${ACCOUNT}:role/not-there` }, {})).rejects.toMatchObject({
      code: 'InvalidParameterException',
      message: expect.stringContaining('role/not-there'),
    });
  });
});
