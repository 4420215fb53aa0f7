/**
 * The Kubernetes API from inside the VPC, end to end in local mode:
 * - a private-only cluster with aws-auth mappings is created private and stays private: every
 *   DescribeCluster the emulator answers during the run shows no public endpoint, and no
 *   UpdateClusterConfig is ever made; the mappings are written by the cluster's kube agent (a
 *   Lambda function in its private subnets), which the emulated API admits as an in-VPC caller
 *   while an outside caller is refused;
 * - a mapping added to it later and removed again goes the same way;
 * - a public-only cluster restricted to CIDRs is created with its NAT gateway's address admitted,
 *   so its nodes join and its kube agent reaches the endpoint through the NAT gateway;
 * - a fully private cluster (no NAT gateway, private-only endpoint) gets the VPC endpoints its
 *   nodes need, so its private nodes join with no internet path, and its kube agent writes
 *   aws-auth with none either.
 * The AWS CLI checks show as skipped with their reason when it is absent (required under CI=true).
 */
import type { EksState } from '../../local/emulator/services/eks/state';
import type { Cluster } from '../../local/emulator/services/eks/model';
import { startLocal, type LocalMode } from '../../local/start';
import { localModeShell, spawnCollect } from '../support/aws-tools';
import { kubeFetch } from '../support/kube-fetch';
import { expectOneTerminalLast, LocalCloud } from '../support/local-cloud';
import { itWith, tools } from '../support/third-party';
import { kubernetesToken } from '../../functions/ports/kubernetes-token';
import { parse } from 'yaml';

const ACCOUNT = '000000000000';
const HIDDEN = 'hidden';
const NARROW = 'narrow';
const SEALED = 'sealed';
const OPS = `arn:aws:iam::${ACCOUNT}:role/legacy-ops`;
const AUDITOR = `arn:aws:iam::${ACCOUNT}:role/auditor`;
const NODEGROUP = { name: 'ng', minSize: 1, desiredSize: 1, maxSize: 2 };

let local: LocalMode;
let cloud: LocalCloud;
/** The endpoint access of each cluster every time the emulator answered a DescribeCluster. */
const described = new Map<string, Array<Pick<Cluster['vpc'], 'endpointPublicAccess' | 'endpointPrivateAccess' | 'publicAccessCidrs'>>>();

const eks = () => local.world.eks as EksState;
const mapRolesOf = (name: string) => parse(eks().clusters.get(name)!.kube.getConfigMap('kube-system', 'aws-auth')?.data?.mapRoles ?? '[]') as Array<{ rolearn: string }>;
const agentInvocations = (name: string) => local.world.functions.invocations.filter((i) => i.functionArn.endsWith(`:function:eksp-kube-agent-${name}`));

async function operation(method: string, path: string, body?: unknown): Promise<void> {
  const reply = await cloud.call(method, path, body === undefined ? {} : { body });
  expect({ path, status: reply.status }).toEqual({ path, status: 202 });
  expectOneTerminalLast(await cloud.eventsUntilTerminal(String(reply.body.operationId), 60_000), 'SUCCEEDED');
}

/** A GET of the cluster's Kubernetes API from outside its VPC, as the local developer. */
async function fromOutside(name: string, path: string): Promise<number> {
  const token = await kubernetesToken(name, 'us-east-1', async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }));
  const response = await kubeFetch(`${local.awsUrl.replace('http:', 'https:')}/k8s/${name}${path}`, local.world.certificates.get().caCertificate, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: 0.002, seed: 11, quiet: true });
  cloud = new LocalCloud(local);
  // At every DescribeCluster the emulator answers (whoever asks: the steps, CloudFormation; the
  // call log names no cluster), the endpoint access of every cluster it holds.
  const calls = local.world.calls;
  const push = calls.push.bind(calls);
  calls.push = (...items: string[]) => {
    if (items.some((item) => item.startsWith('eks:DescribeCluster'))) {
      for (const cluster of eks().clusters.values()) {
        described.set(cluster.name, [...(described.get(cluster.name) ?? []), { endpointPublicAccess: cluster.vpc.endpointPublicAccess, endpointPrivateAccess: cluster.vpc.endpointPrivateAccess, publicAccessCidrs: [...cluster.vpc.publicAccessCidrs] }]);
      }
    }
    return push(...items);
  };
  await Promise.all([
    operation('POST', '/clusters', { name: HIDDEN, endpointAccess: { public: false, private: true }, identityMappings: [{ arn: OPS, username: 'legacy-ops', groups: ['ops'] }], managedNodeGroups: [NODEGROUP], addons: [{ name: 'vpc-cni' }] }),
    operation('POST', '/clusters', { name: NARROW, endpointAccess: { public: true, private: false, publicAccessCidrs: ['198.51.100.0/24'] }, managedNodeGroups: [NODEGROUP], addons: [{ name: 'vpc-cni' }], authenticationMode: 'CONFIG_MAP' }),
    operation('POST', '/clusters', { name: SEALED, network: { vpc: { natGateway: 'Disable' } }, endpointAccess: { public: false, private: true }, identityMappings: [{ arn: OPS, username: 'legacy-ops', groups: ['ops'] }], managedNodeGroups: [NODEGROUP], addons: [{ name: 'vpc-cni' }] }),
  ]);
}, 120_000);

afterAll(async () => {
  cloud?.destroy();
  await local?.stop();
});

describe('a private-only cluster with aws-auth mappings', () => {
  it('is never public: every DescribeCluster during the run shows a private-only endpoint, and no endpoint update is made', () => {
    const seen = described.get(HIDDEN) ?? [];

    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((access) => access.endpointPublicAccess || !access.endpointPrivateAccess)).toEqual([]);
    expect(local.world.calls.filter((call) => call.startsWith('eks:UpdateClusterConfig'))).toEqual([]);
  });

  it('has its mapping written by its kube agent, from inside the VPC', () => {
    expect(mapRolesOf(HIDDEN)).toContainEqual(expect.objectContaining({ rolearn: OPS }));
    expect(agentInvocations(HIDDEN).map((i) => (i.event as { action: string }).action)).toEqual(expect.arrayContaining(['readAwsAuth', 'writeAwsAuth']));
    expect(agentInvocations(HIDDEN).every((i) => i.status === 'SUCCEEDED')).toBe(true);
  });

  it('refuses the same Kubernetes API to a caller outside the VPC', async () => {
    expect(await fromOutside(HIDDEN, '/api/v1/namespaces/kube-system/configmaps/aws-auth')).toBe(403);
  });

  it('takes a mapping added later and removes it again, still private', async () => {
    await operation('POST', `/clusters/${HIDDEN}/access-entries`, { arn: AUDITOR, username: 'auditor', groups: ['auditors'] });
    expect(mapRolesOf(HIDDEN)).toContainEqual(expect.objectContaining({ rolearn: AUDITOR }));

    await operation('DELETE', `/clusters/${HIDDEN}/access-entries/${encodeURIComponent(AUDITOR)}`);
    expect(mapRolesOf(HIDDEN).map((r) => r.rolearn)).not.toContain(AUDITOR);
    expect(mapRolesOf(HIDDEN)).toContainEqual(expect.objectContaining({ rolearn: OPS }));
    expect((described.get(HIDDEN) ?? []).every((access) => !access.endpointPublicAccess)).toBe(true);
  }, 120_000);

  itWith(tools.awsCli, 'the AWS CLI')('shows the kube agent to the AWS CLI: a VPC function of the cluster, Active', async () => {
    const run = await spawnCollect('aws', ['lambda', 'get-function', '--function-name', `eksp-kube-agent-${HIDDEN}`, '--region', 'us-east-1'], localModeShell(local.awsUrl));
    expect(run.stderr).toBe('');
    const fn = JSON.parse(run.stdout) as { Configuration: { State: string; VpcConfig: { SubnetIds: string[]; SecurityGroupIds: string[] } } };

    expect(fn.Configuration.State).toBe('Active');
    expect(fn.Configuration.VpcConfig.SubnetIds).toHaveLength(2);
    expect(fn.Configuration.VpcConfig.SecurityGroupIds).toHaveLength(1);
  });
});

describe('a public-only cluster restricted to CIDRs', () => {
  it("is created admitting its NAT gateway's address besides the asked CIDRs, with no update", () => {
    const cluster = eks().clusters.get(NARROW)!;
    const natIps = [...local.world.ec2.other.values()].filter((o) => o.type === 'AWS::EC2::EIP').map((o) => String(o.properties.PublicIp));

    expect(cluster.vpc.endpointPrivateAccess).toBe(false);
    expect(cluster.vpc.publicAccessCidrs[0]).toBe('198.51.100.0/24');
    expect(cluster.vpc.publicAccessCidrs.slice(1)).toEqual([expect.stringMatching(/\/32$/)]);
    expect(natIps.map((ip) => `${ip}/32`)).toEqual(expect.arrayContaining(cluster.vpc.publicAccessCidrs.slice(1)));
    expect(local.world.calls.filter((call) => call.startsWith('eks:UpdateClusterConfig'))).toEqual([]);
  });

  it('has its nodes joined, and its aws-auth (CONFIG_MAP) written by its kube agent through the NAT gateway', () => {
    expect([...eks().clusters.get(NARROW)!.nodegroups.values()].map((ng) => ng.status)).toEqual(['ACTIVE']);
    expect(agentInvocations(NARROW).length).toBeGreaterThan(0);
    expect(agentInvocations(NARROW).every((i) => i.status === 'SUCCEEDED')).toBe(true);
  });

  it('refuses an outside caller whose address the CIDRs do not admit', async () => {
    expect(await fromOutside(NARROW, '/version')).toBe(403);
  });
});

describe('a fully private cluster', () => {
  it('has the VPC endpoints its nodes need and no internet path, and its private nodes joined', () => {
    const cluster = eks().clusters.get(SEALED)!;
    const endpoints = [...local.world.ec2.other.values()].filter((o) => o.type === 'AWS::EC2::VPCEndpoint' && o.properties.VpcId === cluster.vpc.vpcId);
    const services = endpoints.map((o) => String(o.properties.ServiceName).split('.').slice(3).join('.')).sort();

    expect(services).toEqual(expect.arrayContaining(['ec2', 'ecr.api', 'ecr.dkr', 's3', 'sts']));
    expect([...local.world.ec2.other.values()].filter((o) => o.type === 'AWS::EC2::NatGateway' && o.properties.VpcId === cluster.vpc.vpcId)).toEqual([]);
    expect([...cluster.nodegroups.values()].map((ng) => ng.status)).toEqual(['ACTIVE']);
  });

  it('has aws-auth written by its kube agent, which needs no internet path either', () => {
    expect(mapRolesOf(SEALED)).toContainEqual(expect.objectContaining({ rolearn: OPS }));
    expect(agentInvocations(SEALED).length).toBeGreaterThan(0);
    expect(agentInvocations(SEALED).every((i) => i.status === 'SUCCEEDED')).toBe(true);
  });
});
