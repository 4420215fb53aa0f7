/**
 * EKS Auto Mode end to end in local mode:
 * - a cluster made with `autoMode` and no nodegroup provisions SUCCEEDED; EKS reports compute,
 *   block storage and load balancing on, and the Kubernetes API lists one Ready node per built-in
 *   node pool (no nodegroup made);
 * - a plain cluster is switched on with PATCH /clusters/{name}: the cluster stack's cluster role
 *   gets the Auto Mode policies (an in-place UpdateStack), the node role comes from a new stack
 *   eksp-<name>-automode, then one UpdateClusterConfig; DescribeCluster shows it and the nodes
 *   appear;
 * - DELETE of both leaves nothing, the Auto Mode stack included.
 * The AWS CLI checks show as skipped with their reason when it is absent (required under
 * CI=true); the API's answers, the SDK's view and the Kubernetes API are checked regardless.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClusterCommand, EKSClient, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import { kubernetesToken } from '../../functions/ports/kubernetes-token';
import { startLocal, type LocalMode } from '../../local/start';
import { localModeShell, spawnCollect } from '../support/aws-tools';
import { kubeFetch } from '../support/kube-fetch';
import { expectOneTerminalLast, LocalCloud, type StatusEvent } from '../support/local-cloud';
import { itWith, tools } from '../support/third-party';

const TIME_SCALE = 0.001;
const BORN = 'auto-born';
const SWITCHED = 'auto-switched';
const AUTO_MODE_POLICIES = ['AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy'];

let local: LocalMode;
let cloud: LocalCloud;
let eks: EKSClient;
let cloudFormation: CloudFormationClient;

interface Node {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: Array<{ key: string; effect: string }> };
  status: { conditions: Array<{ type: string; status: string }> };
}

async function operation(method: string, path: string, body?: unknown): Promise<StatusEvent[]> {
  const reply = await cloud.call(method, path, body === undefined ? {} : { body });
  expect({ path, status: reply.status, body: reply.body }).toMatchObject({ path, status: 202 });
  return cloud.eventsUntilTerminal(String(reply.body.operationId), 60_000);
}

/** The cluster's nodes as its Kubernetes API lists them, asked as the local developer (its owner). */
async function nodes(name: string): Promise<Node[]> {
  const token = await kubernetesToken(name, 'us-east-1', async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }));
  const response = await kubeFetch(`${local.awsUrl.replace('http:', 'https:')}/k8s/${name}/api/v1/nodes`, local.world.certificates.get().caCertificate, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return response.json<{ items: Node[] }>().items;
}

/** Node pool → whether its node is Ready, for the Auto Mode nodes. */
const autoModePools = (list: Node[]) =>
  Object.fromEntries(
    list
      .filter((n) => n.metadata.labels['eks.amazonaws.com/compute-type'] === 'auto')
      .map((n) => [n.metadata.labels['karpenter.sh/nodepool'], n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')]),
  );

async function awsJson<T>(args: string[]): Promise<T> {
  const run = await spawnCollect('aws', args, localModeShell(local.awsUrl));
  if (run.code !== 0) throw new Error(`aws ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

async function stackStatus(name: string): Promise<string | undefined> {
  return cloudFormation.send(new DescribeStacksCommand({ StackName: name })).then(
    (out) => out.Stacks?.[0]?.StackStatus,
    () => undefined,
  );
}

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 5, quiet: true });
  cloud = new LocalCloud(local);
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  eks = new EKSClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  cloudFormation = new CloudFormationClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
}, 30_000);

afterAll(async () => {
  eks?.destroy();
  cloudFormation?.destroy();
  cloud?.destroy();
  await local?.stop();
});

describe('a cluster made in Auto Mode, with no nodegroup', () => {
  let events: StatusEvent[];

  beforeAll(async () => {
    events = await operation('POST', '/clusters', { name: BORN, autoMode: { enabled: true } });
  }, 90_000);

  it('provisions SUCCEEDED, with no nodegroup and only metrics-server of the default add-ons', async () => {
    expectOneTerminalLast(events, 'SUCCEEDED');
    const { nodegroups } = await eks.send(new ListNodegroupsCommand({ clusterName: BORN }));
    const registered = await cloud.call('GET', `/clusters/${BORN}`);

    expect(nodegroups).toEqual([]);
    expect(registered.body).toMatchObject({ status: 'ACTIVE', spec: { autoMode: { enabled: true, nodePools: ['general-purpose', 'system'] }, managedNodeGroups: [], addons: [{ name: 'metrics-server' }] } });
  });

  it('EKS has compute, block storage and load balancing on, with the stack’s node role', async () => {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: BORN }));
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: `eksp-${BORN}-cluster` }));
    const nodeRole = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'AutoModeNodeRoleArn')?.OutputValue;

    expect(nodeRole).toMatch(/^arn:aws:iam::\d{12}:role\/eks-provisioner\//);
    expect(cluster).toMatchObject({
      computeConfig: { enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn: nodeRole },
      storageConfig: { blockStorage: { enabled: true } },
      kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
    });
  });

  it('the Kubernetes API lists one Ready node per built-in node pool, the system one tainted CriticalAddonsOnly', async () => {
    const list = await nodes(BORN);

    expect(autoModePools(list)).toEqual({ 'general-purpose': true, system: true });
    expect(list.find((n) => n.metadata.labels['karpenter.sh/nodepool'] === 'system')?.spec.taints).toContainEqual(expect.objectContaining({ key: 'CriticalAddonsOnly' }));
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws eks describe-cluster shows computeConfig, storageConfig and elasticLoadBalancing', async () => {
    const { cluster } = await awsJson<{ cluster: { computeConfig: unknown; storageConfig: unknown; kubernetesNetworkConfig: { elasticLoadBalancing: unknown } } }>(['eks', 'describe-cluster', '--name', BORN]);

    expect(cluster.computeConfig).toMatchObject({ enabled: true, nodePools: ['general-purpose', 'system'] });
    expect(cluster.storageConfig).toEqual({ blockStorage: { enabled: true } });
    expect(cluster.kubernetesNetworkConfig.elasticLoadBalancing).toEqual({ enabled: true });
  });

  it('DELETE leaves nothing', async () => {
    expectOneTerminalLast(await operation('DELETE', `/clusters/${BORN}`), 'SUCCEEDED');

    await cloud.expectNothingLeft(BORN);
  }, 90_000);
});

describe('a plain cluster switched to Auto Mode with PATCH', () => {
  let events: StatusEvent[];

  beforeAll(async () => {
    expectOneTerminalLast(await operation('POST', '/clusters', { name: SWITCHED }), 'SUCCEEDED');
    events = await operation('PATCH', `/clusters/${SWITCHED}`, { autoMode: { enabled: true } });
  }, 120_000);

  it('succeeds: the Auto Mode roles (cluster stack updated, the Auto Mode stack made), then one Auto Mode update', async () => {
    expectOneTerminalLast(events, 'SUCCEEDED');
    const succeeded = events.filter((e) => e.step?.status === 'SUCCEEDED').map((e) => e.step!.name);

    expect(succeeded).toEqual(['Make Auto Mode Roles', 'Update Auto Mode', 'Change Settings']);
    expect(await stackStatus(`eksp-${SWITCHED}-cluster`)).toBe('UPDATE_COMPLETE');
    expect(await stackStatus(`eksp-${SWITCHED}-automode`)).toBe('CREATE_COMPLETE');
  });

  it('the cluster role has the four Auto Mode policies, attached in place (the same role)', async () => {
    const cluster = (await eks.send(new DescribeClusterCommand({ name: SWITCHED }))).cluster!;
    const roleName = cluster.roleArn!.split('/').at(-1)!;
    const attached = local.world.iam.roles.get(roleName)!.managedPolicyArns.map((arn) => arn.split('/').at(-1));

    expect(attached).toEqual(expect.arrayContaining(['AmazonEKSClusterPolicy', ...AUTO_MODE_POLICIES]));
  });

  it('DescribeCluster shows Auto Mode on with the Auto Mode stack’s node role, and the registry has it', async () => {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: SWITCHED }));
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: `eksp-${SWITCHED}-automode` }));
    const nodeRole = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'AutoModeNodeRoleArn')?.OutputValue;
    const registered = await cloud.call('GET', `/clusters/${SWITCHED}`);

    expect(nodeRole).toBeDefined();
    expect(cluster).toMatchObject({ computeConfig: { enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn: nodeRole }, storageConfig: { blockStorage: { enabled: true } }, kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } } });
    expect(registered.body).toMatchObject({ status: 'ACTIVE', spec: { autoMode: { enabled: true } } });
  });

  it('the Auto Mode nodes appear beside the nodegroup’s', async () => {
    const list = await nodes(SWITCHED);

    expect(autoModePools(list)).toEqual({ 'general-purpose': true, system: true });
    expect(list.filter((n) => n.metadata.labels['eks.amazonaws.com/nodegroup'] !== undefined).length).toBeGreaterThan(0);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws eks describe-cluster shows computeConfig; aws iam list-attached-role-policies the cluster role’s Auto Mode policies', async () => {
    const { cluster } = await awsJson<{ cluster: { roleArn: string; computeConfig: { enabled: boolean; nodePools: string[]; nodeRoleArn: string } } }>(['eks', 'describe-cluster', '--name', SWITCHED]);
    const { AttachedPolicies } = await awsJson<{ AttachedPolicies: Array<{ PolicyName: string }> }>(['iam', 'list-attached-role-policies', '--role-name', cluster.roleArn.split('/').at(-1)!]);

    expect(cluster.computeConfig).toMatchObject({ enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn: expect.stringContaining(':role/eks-provisioner/') });
    expect(AttachedPolicies.map((p) => p.PolicyName)).toEqual(expect.arrayContaining(AUTO_MODE_POLICIES));
  });

  it('DELETE leaves nothing, the Auto Mode stack included', async () => {
    const deleted = await operation('DELETE', `/clusters/${SWITCHED}`);

    expectOneTerminalLast(deleted, 'SUCCEEDED');
    await cloud.expectNothingLeft(SWITCHED);
    expect(await stackStatus(`eksp-${SWITCHED}-automode`)).toBeUndefined();
  }, 90_000);
});
