/**
 * The Kubernetes API tells in-VPC callers from outside ones, as EKS and the VPC do: a VPC
 * function (the kube agent's shape, deployed by CloudFormation) reaches a private-only endpoint
 * when the control plane's security group admits it on 443, and its connection is dropped (no
 * answer, a diagnostic saying which rule is missing) when not; outside callers get the existing
 * 403. A public-only endpoint sees in-VPC callers at their NAT gateway's Elastic IP. Nodes of a
 * managed nodegroup join only when they reach the endpoint (NodeCreationFailure otherwise).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CreateClusterCommand, CreateNodegroupCommand, DescribeClusterCommand, DescribeNodegroupCommand, type Cluster } from '@aws-sdk/client-eks';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createCloudFormationService, type CloudFormationService } from '../../local/emulator/services/cloudformation';
import { createEc2Service } from '../../local/emulator/services/ec2';
import { createIamService } from '../../local/emulator/services/iam';
import { createKubernetesService } from '../../local/emulator/services/kubernetes';
import { createLambdaService } from '../../local/emulator/services/lambda';
import { createLocalControlService } from '../../local/emulator/services/local-control';
import { installNetworkAgent } from '../../local/runtime/network-agent';
import { NODE_ROLE_ARN, CLUSTER_ROLE_ARN, startEksWorld, type EksWorld } from '../support/eks-world';
import { kubeFetch } from '../support/kube-fetch';
import { until } from '../support/until';
import { AGENT_CODE, NETWORK_TEMPLATE, agentTemplate, deployStack, outputOf } from '../support/vpc-stacks';

const SCALE = 0.0005;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let env: EksWorld;
let cloudFormation: CloudFormationClient;
let lambda: LambdaClient;
let uninstall: () => void;
let network: { vpcId: string; privateSubnets: string[]; natIp: string };
const clusters: Record<string, Cluster> = {};

/** What the stand-in agent answers: the API server's status and body, or the connection error. */
interface Fetched {
  status?: number;
  body?: string;
  error?: string;
}

/** The stand-in for functions/kube-agent/handler.ts: an HTTPS GET of `url` with Node's https.request (no agent), as HttpKubernetes does. */
async function agentCode(event: unknown): Promise<Fetched> {
  const { url, ca } = event as { url: string; ca: string };
  try {
    const response = await kubeFetch(url, ca);
    return { status: response.status, body: response.text };
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}

async function viaAgent(functionName: string, cluster: Cluster, path = '/version'): Promise<Fetched> {
  const result = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify({ url: `${cluster.endpoint}${path}`, ca: Buffer.from(cluster.certificateAuthority!.data!, 'base64').toString() })) }));
  return JSON.parse(Buffer.from(result.Payload!).toString()) as Fetched;
}

async function createCluster(name: string, vpc: { endpointPublicAccess: boolean; endpointPrivateAccess: boolean; publicAccessCidrs?: string[] }): Promise<Cluster> {
  await env.eks.send(new CreateClusterCommand({ name, roleArn: CLUSTER_ROLE_ARN, resourcesVpcConfig: { subnetIds: network.privateSubnets, ...vpc } }));
  return until(async () => (await env.eks.send(new DescribeClusterCommand({ name }))).cluster!, (c) => c.status === 'ACTIVE', `cluster ${name} ACTIVE`);
}

beforeAll(async () => {
  uninstall = installNetworkAgent();
  let cfn!: CloudFormationService;
  env = await startEksWorld({
    scale: SCALE,
    accessKeyId: 'local',
    more: (world, eks) => {
      cfn = createCloudFormationService(world);
      return [cfn, createKubernetesService(world, { eks }), createEc2Service(world), createLambdaService(world), createIamService(world), createLocalControlService(world)];
    },
    ready: () => cfn.warmUp(),
  });
  env.world.functions.registerCode(AGENT_CODE, agentCode);
  cloudFormation = new CloudFormationClient({ endpoint: env.emulator.url, region: 'us-east-1', credentials });
  lambda = new LambdaClient({ endpoint: env.emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const stack = await deployStack(cloudFormation, 'network', NETWORK_TEMPLATE);
  expect(stack.StackStatus).toBe('CREATE_COMPLETE');
  network = { vpcId: outputOf(stack, 'VpcId'), privateSubnets: outputOf(stack, 'PrivateSubnets').split(','), natIp: outputOf(stack, 'NatIp') };
  const [privateOnly, publicNat, publicOther] = await Promise.all([
    createCluster('private-only', { endpointPublicAccess: false, endpointPrivateAccess: true }),
    createCluster('public-nat', { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: [`${network.natIp}/32`] }),
    createCluster('public-other', { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['198.51.100.0/24'] }),
  ]);
  Object.assign(clusters, { privateOnly, publicNat, publicOther });
  const controlPlaneSecurityGroupId = privateOnly!.resourcesVpcConfig!.clusterSecurityGroupId!;
  const [admitted, unadmitted] = await Promise.all([
    deployStack(cloudFormation, 'agent', agentTemplate({ functionName: 'eksp-kube-agent-private-only', vpcId: network.vpcId, subnetIds: network.privateSubnets, controlPlaneSecurityGroupId })),
    deployStack(cloudFormation, 'agent-without-ingress', agentTemplate({ functionName: 'eksp-kube-agent-no-ingress', vpcId: network.vpcId, subnetIds: network.privateSubnets })),
  ]);
  expect([admitted.StackStatus, unadmitted.StackStatus]).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE']);
}, 60_000);

afterAll(async () => {
  cloudFormation?.destroy();
  lambda?.destroy();
  await env?.stop();
  uninstall?.();
});

describe('a private-only endpoint', () => {
  it('answers the in-VPC agent whose security group the control plane admits on 443', async () => {
    const fetched = await viaAgent('eksp-kube-agent-private-only', clusters.privateOnly!);

    expect(fetched.status).toBe(200);
    expect(JSON.parse(fetched.body!)).toMatchObject({ major: '1' });
  });

  it('refuses the same call from outside the VPC with 403', async () => {
    const ca = Buffer.from(clusters.privateOnly!.certificateAuthority!.data!, 'base64').toString();

    const response = await kubeFetch(`${clusters.privateOnly!.endpoint}/version`, ca);

    expect(response.status).toBe(403);
    expect(response.text).toContain('is private (endpointPublicAccess=false)');
  });

  it('drops the connection of an agent no ingress rule admits, and the diagnostic names the missing rule', async () => {
    const before = env.world.network.drops.length;

    const fetched = await viaAgent('eksp-kube-agent-no-ingress', clusters.privateOnly!);

    expect(fetched.status).toBeUndefined();
    expect(fetched.error).toMatch(/ECONNRESET|socket hang up/);
    const drops = env.world.network.drops.slice(before);
    expect(drops).toHaveLength(1);
    expect(drops[0]!.source).toContain('function eksp-kube-agent-no-ingress');
    expect(drops[0]!.reason).toContain(`admits TCP 443`);
    expect(drops[0]!.reason).toContain(`add an ingress rule to ${clusters.privateOnly!.resourcesVpcConfig!.clusterSecurityGroupId}`);
    const served = (await (await fetch(`${env.emulator.url}/_local/network-drops?after=${before}`)).json()) as { drops: unknown[] };
    expect(served.drops).toEqual(JSON.parse(JSON.stringify(drops)));
  });
});

describe('a public-only endpoint restricted to CIDRs', () => {
  it('admits an in-VPC caller whose NAT gateway Elastic IP a CIDR contains', async () => {
    const fetched = await viaAgent('eksp-kube-agent-private-only', clusters.publicNat!);

    expect(fetched.status).toBe(200);
  });

  it('refuses it when no CIDR contains that address, naming the address', async () => {
    const fetched = await viaAgent('eksp-kube-agent-private-only', clusters.publicOther!);

    expect(fetched.status).toBe(403);
    expect(fetched.body).toContain(`does not accept ${network.natIp} (the Elastic IP of nat-`);
  });

  it('still checks outside callers at their own address', async () => {
    const ca = Buffer.from(clusters.publicNat!.certificateAuthority!.data!, 'base64').toString();

    const response = await kubeFetch(`${clusters.publicNat!.endpoint}/version`, ca);

    expect(response.status).toBe(403);
    expect(response.text).toContain('does not accept 203.0.113.10: it is not in publicAccessCidrs');
  });
});

describe('managed nodes of a public-only endpoint', () => {
  async function nodegroupOf(cluster: string) {
    await env.eks.send(new CreateNodegroupCommand({ clusterName: cluster, nodegroupName: 'workers', nodeRole: NODE_ROLE_ARN, subnets: network.privateSubnets, scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 } }));
    return until(async () => (await env.eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: 'workers' }))).nodegroup!, (ng) => ng.status !== 'CREATING', `nodegroup of ${cluster} created`);
  }

  it('fail to join when the CIDRs exclude their NAT gateway address: CREATE_FAILED NodeCreationFailure, no Kubernetes nodes', async () => {
    const nodegroup = await nodegroupOf('public-other');

    expect(nodegroup.status).toBe('CREATE_FAILED');
    const instanceIds = [...env.world.ec2.instances.values()].filter((i) => i.tags['eks:cluster-name'] === 'public-other' && i.state === 'running').map((i) => i.instanceId);
    expect(instanceIds).toHaveLength(2);
    expect(nodegroup.health?.issues).toEqual([{ code: 'NodeCreationFailure', message: 'Instances failed to join the kubernetes cluster', resourceIds: expect.arrayContaining(instanceIds) }]);
    const { clusterObjects } = await import('../../local/emulator/services/kubernetes/workloads');
    const nodes = clusterObjects(env.world, env.state.clusters.get('public-other')!).nodes;
    expect(nodes).toEqual([]);
  });

  it('join when a CIDR contains it: ACTIVE with registered nodes (NotReady: this cluster has no vpc-cni add-on)', async () => {
    const nodegroup = await nodegroupOf('public-nat');

    expect(nodegroup.status).toBe('ACTIVE');
    expect(nodegroup.health?.issues ?? []).toEqual([]);
    const { clusterObjects } = await import('../../local/emulator/services/kubernetes/workloads');
    const nodes = clusterObjects(env.world, env.state.clusters.get('public-nat')!).nodes as Array<{ status: { conditions: Array<{ type: string; status: string }> } }>;
    expect(nodes).toHaveLength(2);
    // Their kubelets registered; without the VPC CNI their network never gets ready.
    for (const node of nodes) expect(node.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }));
  });
});
