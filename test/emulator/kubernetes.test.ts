/**
 * The per-cluster Kubernetes API through the service's own client and token — HttpKubernetes and
 * kubernetesToken from functions/ports — plus raw requests for what the port does not send:
 * endpoint access, token checks, the anonymous user, authorization, patches, nodes from EC2
 * instances, the add-ons' workloads and services, 404/405 for what is not served, Tables and
 * whoami. kubectl itself is in kubernetes-kubectl.test.ts.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AssociateAccessPolicyCommand, CreateAccessEntryCommand, CreateAddonCommand, CreateClusterCommand, CreateFargateProfileCommand, DescribeAddonCommand, CreateNodegroupCommand, DescribeClusterCommand, DescribeNodegroupCommand, DescribeUpdateCommand, EKSClient, UpdateClusterConfigCommand, type CreateClusterCommandInput } from '@aws-sdk/client-eks';
import { load } from 'js-yaml';
import { HttpKubernetes } from '../../functions/kube-agent/http-kubernetes';
import type { ClusterAccess } from '../../functions/ports/kubernetes';
import { kubernetesToken } from '../../functions/ports/kubernetes-token';
import { mergeIdentityMappings } from '../../functions/domain/aws-auth';
import { KubernetesConflictError } from '../../functions/shared/errors';
import { createEksService } from '../../local/emulator/services/eks';
import { createKubernetesService } from '../../local/emulator/services/kubernetes';
import { createStsService } from '../../local/emulator/services/sts';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World, type Instance } from '../../local/emulator/world';
import { rejectionOf } from '../support/rejection';
import { until } from '../support/until';
import { kubeFetch } from '../support/kube-fetch';
import { seedTwoZoneVpc } from '../support/eks-world';

const SCALE = 0.001;
const ACCOUNT = '000000000000';
const POLICY = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;
const AWS_AUTH = '/api/v1/namespaces/kube-system/configmaps/aws-auth';

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
const ADMIN: Keys = { accessKeyId: 'AKIDPLATFORMADMIN', secretAccessKey: 'admin-secret' };
const INTRUDER: Keys = { accessKeyId: 'AKIDINTRUDER', secretAccessKey: 'intruder-secret' };
const VIEWER: Keys = { accessKeyId: 'AKIDVIEWER', secretAccessKey: 'viewer-secret' };
const ARNS = { admin: `arn:aws:iam::${ACCOUNT}:user/platform-admin`, intruder: `arn:aws:iam::${ACCOUNT}:user/intruder`, viewer: `arn:aws:iam::${ACCOUNT}:user/viewer` };

let emulator: RunningEmulator;
let world: World;
let eks: EKSClient;
let previousStsEndpoint: string | undefined;
const net = { subnets: [] as string[] };
let nodeRole = '';
const endpoints: Record<string, ClusterAccess> = {};

function seedAccount(): void {
  net.subnets.push(...seedTwoZoneVpc(world));
  world.iam.roles.set('eks-service-role', { arn: `arn:aws:iam::${ACCOUNT}:role/eks-service-role`, roleName: 'eks-service-role', path: '/', assumeRolePolicyDocument: {}, managedPolicyArns: [], tags: {} });
  nodeRole = `arn:aws:iam::${ACCOUNT}:role/eksp/node-instance-role`;
  world.iam.roles.set('node-instance-role', {
    arn: nodeRole,
    roleName: 'node-instance-role',
    path: '/eksp/',
    assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly'],
    tags: {},
  });
  // A role people of the account may assume (STS evaluates trust policies).
  const operator = { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };
  world.iam.roles.set('k8s-operator', { arn: `arn:aws:iam::${ACCOUNT}:role/k8s-operator`, roleName: 'k8s-operator', path: '/', assumeRolePolicyDocument: operator, managedPolicyArns: [], tags: {} });
}

/** The running instances its Auto Scaling group launched for a nodegroup, sorted by node name. */
function nodegroupInstances(cluster: string, nodegroup: string): Array<{ name: string; ip: string; cidr: string }> {
  return [...world.ec2.instances.values()]
    .filter((i) => i.state === 'running' && i.tags['eks:cluster-name'] === cluster && i.tags['eks:nodegroup-name'] === nodegroup)
    .map((i) => ({ name: i.privateDnsName, ip: i.privateIpAddress, cidr: world.ec2.subnets.get(i.subnetId)!.cidrBlock }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** More EC2 instances tagged as a nodegroup's (one per IP): ones kubectl must not list. */
function putInstances(cluster: string, nodegroup: string, ips: string[], state: Instance['state'] = 'running'): void {
  for (const ip of ips) {
    const instanceId = world.newId('i');
    const subnetId = net.subnets[Number(ip.split('.')[2]) < 32 ? 0 : 1]!;
    const subnet = world.ec2.subnets.get(subnetId)!;
    world.ec2.instances.set(instanceId, {
      instanceId,
      instanceType: 't3.medium',
      imageId: 'ami-0123456789abcdef0',
      vpcId: subnet.vpcId,
      subnetId,
      availabilityZone: subnet.availabilityZone,
      privateIpAddress: ip,
      privateDnsName: `ip-${ip.replace(/\./g, '-')}.ec2.internal`,
      securityGroupIds: [],
      networkInterfaceId: world.newId('eni'),
      launchTime: world.clock.now(),
      state,
      architecture: 'x86_64',
      capacityType: 'ON_DEMAND',
      tags: { 'eks:cluster-name': cluster, 'eks:nodegroup-name': nodegroup, [`kubernetes.io/cluster/${cluster}`]: 'owned', 'aws:autoscaling:groupName': `eks-${nodegroup}-0` },
    });
  }
}

/** The clusters' endpoints: HTTPS on the emulator's port. */
const httpsUrl = () => emulator.url.replace('http:', 'https:');

const tokenFor = (cluster: string, keys: Keys = ADMIN, now?: Date) => kubernetesToken(cluster, 'us-east-1', async () => keys, now);

/** One request to a cluster's API, as kubectl would send it. */
async function kube(cluster: string, method: string, path: string, options: { token?: string; body?: unknown; contentType?: string } = {}) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await kubeFetch(`${httpsUrl()}/k8s/${cluster}${path}`, world.certificates.get().caCertificate, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  return { status: response.status, body: response.json<Record<string, any>>() }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function clusterInput(name: string, overrides: Partial<CreateClusterCommandInput> = {}): CreateClusterCommandInput {
  return { name, version: '1.33', roleArn: `arn:aws:iam::${ACCOUNT}:role/eks-service-role`, resourcesVpcConfig: { subnetIds: net.subnets }, accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' }, ...overrides };
}

async function nodegroupActive(cluster: string, name: string, labels: Record<string, string> = {}, taints: Array<{ key: string; value: string; effect: 'NO_SCHEDULE' }> = []) {
  await eks.send(new CreateNodegroupCommand({ clusterName: cluster, nodegroupName: name, nodeRole, subnets: net.subnets, scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 }, instanceTypes: ['t3.medium'], labels, taints }));
  await until(() => eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: name })).then((r) => r.nodegroup!.status), (s) => s === 'ACTIVE', `nodegroup ${name} ACTIVE`);
}

beforeAll(async () => {
  world = new World({ timeScale: SCALE });
  const credentials = Object.fromEntries([ADMIN, INTRUDER, VIEWER].map((k) => [k.accessKeyId, k.secretAccessKey]));
  const eksService = createEksService(world, { baseUrl: () => emulator.url });
  emulator = await startEmulator(
    {
      timeScale: SCALE,
      services: [
        eksService,
        createStsService(world, { callers: { [ADMIN.accessKeyId]: ARNS.admin, [INTRUDER.accessKeyId]: ARNS.intruder, [VIEWER.accessKeyId]: ARNS.viewer }, credentials }),
        createKubernetesService(world, { eks: eksService, credentials }),
      ],
    },
    world,
  );
  previousStsEndpoint = process.env.AWS_ENDPOINT_URL_STS;
  process.env.AWS_ENDPOINT_URL_STS = emulator.url;
  eks = new EKSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: ADMIN, maxAttempts: 1 });
  seedAccount();

  // The platform admin creates every cluster, so EKS makes it their admin.
  const clusters: Array<[string, Partial<CreateClusterCommandInput>]> = [
    ['main', {}],
    ['legacy', { accessConfig: { authenticationMode: 'CONFIG_MAP' } }],
    ['private-only', { resourcesVpcConfig: { subnetIds: net.subnets, endpointPublicAccess: false, endpointPrivateAccess: true } }],
    ['office-only', { resourcesVpcConfig: { subnetIds: net.subnets, endpointPublicAccess: true, publicAccessCidrs: ['198.51.100.0/24'] } }],
    ['workloads', {}],
    ['serverless', {}],
  ];
  await Promise.all(clusters.map(([name, overrides]) => eks.send(new CreateClusterCommand(clusterInput(name, overrides)))));
  for (const [name] of clusters) {
    const cluster = await until(() => eks.send(new DescribeClusterCommand({ name })).then((r) => r.cluster!), (c) => c.status === 'ACTIVE', `cluster ${name} ACTIVE`);
    endpoints[name] = { name, endpoint: cluster.endpoint!, certificateAuthority: cluster.certificateAuthority!.data! };
  }
});

afterAll(async () => {
  if (previousStsEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
  else process.env.AWS_ENDPOINT_URL_STS = previousStsEndpoint;
  eks.destroy();
  emulator.server.closeAllConnections();
  await emulator.close();
});

describe('the Kubernetes API of a cluster', () => {
  it('answers /version to anyone, with the cluster version', async () => {
    const { status, body } = await kube('main', 'GET', '/version');

    expect(status).toBe(200);
    expect(body).toMatchObject({ major: '1', minor: '33', gitVersion: expect.stringMatching(/^v1\.33\./) });
  });

  it("lets the cluster creator read and write aws-auth with the service's HttpKubernetes and token", async () => {
    const kubernetes = new HttpKubernetes((name: string) => tokenFor(name));

    const before = await kubernetes.readConfigMap(endpoints.main!, 'kube-system', 'aws-auth');
    await kubernetes.writeConfigMap(endpoints.main!, 'kube-system', 'aws-auth', { mapUsers: `- userarn: ${ARNS.viewer}\n  username: viewer\n` });
    const created = await kubernetes.readConfigMap(endpoints.main!, 'kube-system', 'aws-auth');
    await kubernetes.writeConfigMap(endpoints.main!, 'kube-system', 'aws-auth', { ...created!.data, mapRoles: '[]\n' }, created!.resourceVersion);
    const replaced = await kubernetes.readConfigMap(endpoints.main!, 'kube-system', 'aws-auth');

    expect(before).toBeUndefined();
    expect(created!.data.mapUsers).toContain(ARNS.viewer);
    expect(Number(replaced!.resourceVersion)).toBeGreaterThan(Number(created!.resourceVersion));
    expect(replaced!.data).toEqual({ mapUsers: created!.data.mapUsers, mapRoles: '[]\n' });
    expect(world.calls).toEqual(expect.arrayContaining(['kubernetes:GetConfigMap', 'kubernetes:CreateConfigMap', 'kubernetes:ReplaceConfigMap']));
  });

  it('refuses (401) a token for another cluster, an expired one, a wrongly signed one, a malformed one and an unmapped caller', async () => {
    const forOtherCluster = await kube('main', 'GET', AWS_AUTH, { token: await tokenFor('legacy') });
    const expired = await kube('main', 'GET', AWS_AUTH, { token: await tokenFor('main', ADMIN, new Date(Date.now() - 5 * 60_000)) });
    const badSignature = await kube('main', 'GET', AWS_AUTH, { token: await tokenFor('main', { ...ADMIN, secretAccessKey: 'not-the-secret' }) });
    const padded = await kube('main', 'GET', AWS_AUTH, { token: `${await tokenFor('main')}=` });
    const notAnEksToken = await kube('main', 'GET', AWS_AUTH, { token: 'eyJhbGciOiJSUzI1NiJ9.e30.sig' });
    const unmapped = await kube('main', 'GET', AWS_AUTH, { token: await tokenFor('main', INTRUDER) });

    for (const refused of [forOtherCluster, expired, badSignature, padded, notAnEksToken, unmapped]) {
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    }
    // The message is kube-apiserver's bare "Unauthorized"; the emulator's reason is in the causes.
    expect(unmapped.body.message).toBe('Unauthorized');
    expect(forOtherCluster.body.details.causes[0].message).toMatch(/signature/);
    expect(expired.body.details.causes[0].message).toMatch(/expired/);
    expect(unmapped.body.details.causes[0].message).toContain(ARNS.intruder);
  });

  it('treats a request without a token as system:anonymous, as EKS (anonymous auth on): /version only, 403 elsewhere', async () => {
    const version = await kube('main', 'GET', '/version');
    const discovery = await kube('main', 'GET', '/api');
    const awsAuth = await kube('main', 'GET', AWS_AUTH);

    expect(version.status).toBe(200);
    expect(discovery).toMatchObject({ status: 403, body: { reason: 'Forbidden', message: 'forbidden: User "system:anonymous" cannot get path "/api"' } });
    expect(awsAuth).toMatchObject({
      status: 403,
      body: { reason: 'Forbidden', message: 'configmaps "aws-auth" is forbidden: User "system:anonymous" cannot get resource "configmaps" in API group "" in the namespace "kube-system"' },
    });
  });

  it('lets an AmazonEKSViewPolicy access entry read ConfigMaps in its namespaces, but not write them or list nodes (403)', async () => {
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'main', principalArn: ARNS.viewer, username: 'viewer' }));
    await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'main', principalArn: ARNS.viewer, policyArn: POLICY('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['kube-system'] } }));
    const token = await tokenFor('main', VIEWER);

    const read = await kube('main', 'GET', AWS_AUTH, { token });
    const write = await kube('main', 'PATCH', AWS_AUTH, { token, body: { data: { mapRoles: '' } }, contentType: 'application/merge-patch+json' });
    const nodes = await kube('main', 'GET', '/api/v1/nodes', { token });

    expect(read.status).toBe(200);
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', message: 'configmaps "aws-auth" is forbidden: User "viewer" cannot patch resource "configmaps" in API group "" in the namespace "kube-system"' });
    expect(nodes.status).toBe(403);
  });

  it('accepts an assumed role once its role has a cluster-admin access entry', async () => {
    const sts = new STSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: ADMIN });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/k8s-operator`, RoleSessionName: 'operator' }));
    sts.destroy();
    const assumed: Keys = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };

    const before = await kube('main', 'GET', '/api/v1/nodes', { token: await tokenFor('main', assumed) });
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'main', principalArn: `arn:aws:iam::${ACCOUNT}:role/k8s-operator` }));
    await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'main', principalArn: `arn:aws:iam::${ACCOUNT}:role/k8s-operator`, policyArn: POLICY('AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }));
    const after = await kube('main', 'GET', '/api/v1/nodes', { token: await tokenFor('main', assumed) });
    const wrongSession = await kube('main', 'GET', '/api/v1/nodes', { token: await tokenFor('main', { ...assumed, sessionToken: 'forged' }) });
    const whoami = await kube('main', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { token: await tokenFor('main', assumed), body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });

    expect(before.status).toBe(401);
    expect(after.status).toBe(200);
    expect(after.body.kind).toBe('NodeList');
    expect(wrongSession.status).toBe(401);
    // The access entry's default username for a role is the session ARN form EKS uses.
    expect(whoami).toMatchObject({
      status: 201,
      body: {
        kind: 'SelfSubjectReview',
        status: {
          userInfo: {
            username: `arn:aws:sts::${ACCOUNT}:assumed-role/k8s-operator/operator`,
            uid: expect.stringMatching(new RegExp(`^aws-iam-authenticator:${ACCOUNT}:AROA[A-Z0-9]+$`)),
            groups: ['system:authenticated'],
            extra: { accessKeyId: [assumed.accessKeyId], arn: [`arn:aws:sts::${ACCOUNT}:assumed-role/k8s-operator/operator`], canonicalArn: [`arn:aws:iam::${ACCOUNT}:role/k8s-operator`], sessionName: ['operator'] },
          },
        },
      },
    });
  });

  it('honours endpoint access: a private-only endpoint and CIDRs without the local caller refuse it (403) until opened', async () => {
    const privateOnly = await kube('private-only', 'GET', '/version', { token: await tokenFor('private-only') });
    const officeOnly = await kube('office-only', 'GET', '/version', { token: await tokenFor('office-only') });

    expect(privateOnly.status).toBe(403);
    expect(privateOnly.body.message).toMatch(/private \(endpointPublicAccess=false\)/);
    expect(officeOnly.status).toBe(403);
    expect(officeOnly.body.message).toMatch(/203\.0\.113\.10.*198\.51\.100\.0\/24/);

    const { update } = await eks.send(new UpdateClusterConfigCommand({ name: 'office-only', resourcesVpcConfig: { publicAccessCidrs: ['198.51.100.0/24', '203.0.113.0/24'] } }));
    await until(() => eks.send(new DescribeUpdateCommand({ name: 'office-only', updateId: update!.id })).then((r) => r.update!.status), (s) => s === 'Successful', 'endpoint update');
    expect((await kube('office-only', 'GET', '/version')).status).toBe(200);
  });
});

describe('aws-auth while EKS writes it too (CONFIG_MAP mode)', () => {
  const kubernetes = new HttpKubernetes((name: string) => tokenFor(name));

  it('answers a create that lost the race with 409, so HttpKubernetes raises KubernetesConflictError and a re-read keeps the node role', async () => {
    const read = await kubernetes.readConfigMap(endpoints.legacy!, 'kube-system', 'aws-auth');
    await nodegroupActive('legacy', 'ng-general', { workload: 'general' }, [{ key: 'dedicated', value: 'general', effect: 'NO_SCHEDULE' }]);

    const lost = await rejectionOf(kubernetes.writeConfigMap(endpoints.legacy!, 'kube-system', 'aws-auth', { mapUsers: '[]\n' }, read?.resourceVersion));
    const reread = await kubernetes.readConfigMap(endpoints.legacy!, 'kube-system', 'aws-auth');
    const merged = mergeIdentityMappings(reread!.data, [{ arn: ARNS.intruder, username: 'break-glass', groups: ['system:masters'] }]);
    await kubernetes.writeConfigMap(endpoints.legacy!, 'kube-system', 'aws-auth', merged!, reread!.resourceVersion);
    const final = await kubernetes.readConfigMap(endpoints.legacy!, 'kube-system', 'aws-auth');

    expect(read).toBeUndefined();
    expect(lost).toBeInstanceOf(KubernetesConflictError);
    // EKS maps the role without its path, as an assumed-role session reports it.
    expect(load(final!.data.mapRoles!)).toEqual([{ rolearn: `arn:aws:iam::${ACCOUNT}:role/node-instance-role`, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }]);
    expect(load(final!.data.mapUsers!)).toEqual([{ userarn: ARNS.intruder, username: 'break-glass', groups: ['system:masters'] }]);
  });

  it('gives system:masters in aws-auth cluster-admin, and refuses a replace carrying a stale resourceVersion (409 Conflict)', async () => {
    const token = await tokenFor('legacy', INTRUDER);
    const current = await kube('legacy', 'GET', AWS_AUTH, { token });
    await kube('legacy', 'PATCH', AWS_AUTH, { token, body: { metadata: { annotations: { reviewed: 'yes' } } }, contentType: 'application/merge-patch+json' });

    const stalePut = await kube('legacy', 'PUT', AWS_AUTH, { token, body: current.body });
    const stalePatch = await kube('legacy', 'PATCH', AWS_AUTH, { token, body: { metadata: { resourceVersion: current.body.metadata.resourceVersion }, data: { mapUsers: '[]\n' } }, contentType: 'application/merge-patch+json' });
    const applyPatch = await kube('legacy', 'PATCH', AWS_AUTH, { token, body: { data: {} }, contentType: 'application/apply-patch+yaml' });

    expect(current.status).toBe(200);
    expect(stalePut.status).toBe(409);
    expect(stalePut.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409, details: { name: 'aws-auth', kind: 'configmaps' } });
    expect(stalePatch.status).toBe(409);
    expect(applyPatch).toMatchObject({ status: 415, body: { reason: 'UnsupportedMediaType' } });
    expect((await kube('legacy', 'GET', AWS_AUTH, { token })).body.metadata.annotations).toEqual({ reviewed: 'yes' });
  });

  it("lists a node per running EC2 instance of the cluster's nodegroups, with its nodegroup, labels and taints", async () => {
    const instances = nodegroupInstances('legacy', 'ng-general');
    putInstances('legacy', 'ng-general', ['10.0.5.5'], 'terminated');
    putInstances('main', 'ng-other', ['10.0.6.6']);

    const { status, body } = await kube('legacy', 'GET', '/api/v1/nodes', { token: await tokenFor('legacy') });

    expect(status).toBe(200);
    expect(body.items).toHaveLength(2);
    for (const node of body.items) {
      expect(node.metadata.name).toMatch(/^ip-10-0-\d+-\d+\.ec2\.internal$/);
      expect(node.metadata.labels).toMatchObject({ 'eks.amazonaws.com/nodegroup': 'ng-general', 'eks.amazonaws.com/capacityType': 'ON_DEMAND', 'node.kubernetes.io/instance-type': 't3.medium', workload: 'general' });
      // This cluster has no vpc-cni add-on: the kubelets registered, but their network never gets ready.
      expect(node.spec.taints).toEqual([
        { key: 'dedicated', value: 'general', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      ]);
      expect(node.status.conditions).toContainEqual(
        expect.objectContaining({ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' }),
      );
    }
    expect(instances).toHaveLength(2);
    expect(body.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(instances.map((i) => i.name));
    expect(body.items.map((n: { status: { addresses: Array<{ type: string; address: string }> } }) => n.status.addresses.find((a) => a.type === 'InternalIP')!.address)).toEqual(instances.map((i) => i.ip));
  });
});

describe('what kubectl sees of a cluster', () => {
  const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

  it('answers what it does not serve as kube-apiserver does: 404 for unknown groups, resources and subresources, 405 for unserved verbs and watches', async () => {
    const token = await tokenFor('main');
    const notFound = { status: 404, body: { kind: 'Status', reason: 'NotFound', message: 'the server could not find the requested resource' } };

    expect(await kube('main', 'GET', '/apis/batch/v1/namespaces/default/jobs', { token })).toMatchObject(notFound);
    expect(await kube('main', 'GET', '/apis/batch/v1', { token })).toMatchObject(notFound);
    expect(await kube('main', 'GET', '/api/v1/namespaces/default/secrets', { token })).toMatchObject(notFound);
    expect(await kube('main', 'GET', '/api/v1/namespaces/kube-system/configmaps/aws-auth/status', { token })).toMatchObject(notFound);
    expect(await kube('main', 'GET', '/api/v1/namespaces/default/nodes', { token })).toMatchObject(notFound);
    expect(await kube('main', 'DELETE', '/api/v1/nodes/ip-10-0-0-1.ec2.internal', { token })).toMatchObject({ status: 405, body: { reason: 'MethodNotAllowed' } });
    expect(await kube('main', 'POST', '/api/v1/namespaces/default/pods', { token, body: { metadata: { name: 'x' } } })).toMatchObject({ status: 405, body: { reason: 'MethodNotAllowed' } });
    expect(await kube('main', 'GET', '/api/v1/pods?watch=true', { token })).toMatchObject({ status: 405, body: { reason: 'MethodNotAllowed' } });
    expect(await kube('main', 'GET', '/api/v1/namespaces/default/configmaps/absent', { token })).toMatchObject({ status: 404, body: { message: 'configmaps "absent" not found', details: { name: 'absent', kind: 'configmaps' } } });
  });

  it("derives the system add-ons' objects: DaemonSets on every node, coredns and metrics-server Pending without nodes and Running on them, services on 172.20.0.0/16 for a 10.0.0.0/8 VPC", async () => {
    for (const addonName of ['vpc-cni', 'kube-proxy', 'coredns', 'metrics-server']) await eks.send(new CreateAddonCommand({ clusterName: 'workloads', addonName }));
    // Installed: ACTIVE, or DEGRADED while a Deployment has nowhere to run.
    for (const addonName of ['vpc-cni', 'kube-proxy', 'coredns', 'metrics-server']) {
      await until(() => eks.send(new DescribeAddonCommand({ clusterName: 'workloads', addonName })).then((r) => r.addon!.status), (status) => status === 'ACTIVE' || status === 'DEGRADED', `${addonName} installed`);
    }
    const token = await tokenFor('workloads');
    const before = await kube('workloads', 'GET', '/api/v1/namespaces/kube-system/pods', { token });

    await nodegroupActive('workloads', 'ng-system');
    const [first, second] = nodegroupInstances('workloads', 'ng-system') as [{ name: string; ip: string; cidr: string }, { name: string; ip: string; cidr: string }];
    const pods = await kube('workloads', 'GET', '/api/v1/pods', { token });
    const daemonSets = await kube('workloads', 'GET', '/apis/apps/v1/daemonsets', { token });
    const coredns = await kube('workloads', 'GET', '/apis/apps/v1/namespaces/kube-system/deployments/coredns', { token });
    const replicaSets = await kube('workloads', 'GET', '/apis/apps/v1/namespaces/kube-system/replicasets?labelSelector=k8s-app%3Dkube-dns', { token });
    const services = await kube('workloads', 'GET', '/api/v1/services', { token });

    expect(before.body.items.map((p: { metadata: { name: string }; status: { phase: string } }) => [p.metadata.name.replace(/-[a-z0-9]{10}-[a-z0-9]{5}$/, ''), p.status.phase])).toEqual([
      ['coredns', 'Pending'],
      ['coredns', 'Pending'],
      ['metrics-server', 'Pending'],
      ['metrics-server', 'Pending'],
    ]);
    const placed = pods.body.items.map((p: { metadata: { name: string }; spec: { nodeName: string; hostNetwork?: boolean }; status: { podIP: string; phase: string } }) => ({
      app: p.metadata.name.replace(/(-[a-z0-9]{10})?-[a-z0-9]{5}$/, ''),
      node: p.spec.nodeName,
      ip: p.status.podIP,
      hostNetwork: p.spec.hostNetwork ?? false,
      phase: p.status.phase,
    }));
    expect(placed.filter((p: { app: string }) => p.app !== 'coredns' && p.app !== 'metrics-server')).toEqual(
      expect.arrayContaining([
        { app: 'aws-node', node: first.name, ip: first.ip, hostNetwork: true, phase: 'Running' },
        { app: 'aws-node', node: second.name, ip: second.ip, hostNetwork: true, phase: 'Running' },
        { app: 'kube-proxy', node: first.name, ip: first.ip, hostNetwork: true, phase: 'Running' },
        { app: 'kube-proxy', node: second.name, ip: second.ip, hostNetwork: true, phase: 'Running' },
      ]),
    );
    expect(placed.filter((p: { app: string; phase: string }) => p.app === 'metrics-server' && p.phase === 'Running')).toHaveLength(2);
    const dns = placed.filter((p: { app: string }) => p.app === 'coredns');
    expect(dns.map((p: { node: string }) => p.node).sort()).toEqual([first.name, second.name].sort());
    for (const pod of dns) {
      // The VPC CNI gives a pod a secondary IP of its node's subnet (a /19 here), never the node's own.
      const node = [first, second].find((n) => n.name === pod.node)!;
      const subnetBase = Number(node.cidr.split('.')[2]);
      const third = Number(pod.ip.split('.')[2]);
      expect(pod).toMatchObject({ hostNetwork: false, phase: 'Running' });
      expect(node.cidr).toMatch(/\/19$/);
      expect(third >= subnetBase && third < subnetBase + 32 && ![first.ip, second.ip].includes(pod.ip)).toBe(true);
    }
    expect(daemonSets.body.items.map((d: { metadata: { name: string }; status: { desiredNumberScheduled: number; numberReady: number } }) => [d.metadata.name, d.status.desiredNumberScheduled, d.status.numberReady])).toEqual([
      ['aws-node', 2, 2],
      ['kube-proxy', 2, 2],
    ]);
    expect(coredns.body).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', spec: { replicas: 2 }, status: { readyReplicas: 2, availableReplicas: 2 } });
    expect(replicaSets.body.items).toHaveLength(1);
    expect(services.body.items.map((svc: { metadata: { namespace: string; name: string }; spec: { clusterIP: string } }) => [svc.metadata.namespace, svc.metadata.name, svc.spec.clusterIP])).toEqual([
      ['default', 'kubernetes', '172.20.0.1'],
      ['kube-system', 'kube-dns', '172.20.0.10'],
      ['kube-system', 'metrics-server', expect.stringMatching(/^172\.20\.\d+\.\d+$/)],
    ]);
    const deployments = await kube('workloads', 'GET', '/apis/apps/v1/namespaces/kube-system/deployments', { token });
    expect(deployments.body.items.map((d: { metadata: { name: string }; status: { readyReplicas: number } }) => [d.metadata.name, d.status.readyReplicas])).toEqual([
      ['coredns', 2],
      ['metrics-server', 2],
    ]);
  });

  it('answers kubectl get with the Table the server prints, across namespaces with -A', async () => {
    const token = await tokenFor('workloads');
    const headers = { accept: TABLE, authorization: `Bearer ${token}` };

    const response = await kubeFetch(`${httpsUrl()}/k8s/workloads/apis/apps/v1/daemonsets?limit=500`, world.certificates.get().caCertificate, { headers });
    const table = response.json() as { kind: string; columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[]; object: { metadata: { namespace: string } } }> };

    expect(response.headers.get('content-type')).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector']);
    expect(table.rows.map((r) => [r.object.metadata.namespace, ...r.cells.slice(0, 7)])).toEqual([
      ['kube-system', 'aws-node', 2, 2, 2, 2, 2, '<none>'],
      ['kube-system', 'kube-proxy', 2, 2, 2, 2, 2, '<none>'],
    ]);
  });

  it('runs coredns on Fargate nodes when only a Fargate profile selects its pods', async () => {
    world.iam.roles.set('pod-execution-role', { arn: `arn:aws:iam::${ACCOUNT}:role/pod-execution-role`, roleName: 'pod-execution-role', path: '/', assumeRolePolicyDocument: {}, managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy'], tags: {} });
    await eks.send(new CreateAddonCommand({ clusterName: 'serverless', addonName: 'coredns' }));
    await eks.send(new CreateFargateProfileCommand({ clusterName: 'serverless', fargateProfileName: 'system', podExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/pod-execution-role`, selectors: [{ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }] }));
    const token = await tokenFor('serverless');
    const nodes = await until(() => kube('serverless', 'GET', '/api/v1/nodes', { token }), (r) => r.body.items?.length === 2, 'two Fargate nodes');
    const pods = await kube('serverless', 'GET', '/api/v1/namespaces/kube-system/pods', { token });

    for (const node of nodes.body.items) {
      expect(node.metadata.name).toMatch(/^fargate-ip-10-0-\d+-\d+\.ec2\.internal$/);
      expect(node.metadata.labels).toMatchObject({ 'eks.amazonaws.com/compute-type': 'fargate', 'eks.amazonaws.com/fargate-profile': 'system' });
    }
    expect(pods.body.items.map((p: { spec: { nodeName: string }; status: { podIP: string } }) => [p.spec.nodeName, p.status.podIP]).sort()).toEqual(
      nodes.body.items.map((n: { metadata: { name: string }; status: { addresses: Array<{ type: string; address: string }> } }) => [n.metadata.name, n.status.addresses[0]!.address]).sort(),
    );
  });
});
