/**
 * Who is who in local mode, as AWS would see it: each step runs as its own Lambda role, the API
 * function as its own, CloudFormation as the execution role the service passes it (so the EKS
 * cluster's creator is that role), the Kubernetes API is reached as the assumed execution role,
 * and a human the cluster does not grant is refused by its Kubernetes API.
 */
import { kubernetesToken } from '../../functions/ports/kubernetes-token';
import type { EksState } from '../../local/emulator/services/eks/state';
import { OTHER_DEVELOPER_KEY, startLocal, type LocalMode } from '../../local/start';
import { expectOneTerminalLast, LocalCloud } from '../support/local-cloud';
import { kubeFetch } from '../support/kube-fetch';

const ACCOUNT = '000000000000';
const NAME = 'whoami';
const DEVELOPER = `arn:aws:iam::${ACCOUNT}:user/local-developer`;
const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/eksp-cluster-stack-role`;
/** Lambda's session for a function: its role, the function's name as session name. */
const functionSession = (fn: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${fn}-role/${fn}`;

let local: LocalMode;
let cloud: LocalCloud;
/** world.callPrincipals before the provisioning: what startLocal did (as the deployer) is not looked at. */
let firstCall = 0;

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: 0.003, seed: 77, quiet: true });
  cloud = new LocalCloud(local);
  firstCall = local.world.callPrincipals.length;
  const reply = await cloud.call('POST', '/clusters', {
    body: {
      name: NAME,
      version: '1.33',
      network: { vpc: { cidr: '192.168.0.0/16', azCount: 2, natGateway: 'Single' } },
      authenticationMode: 'API_AND_CONFIG_MAP',
      // The developer gets in because the spec says so, not because anyone created the cluster as them.
      accessEntries: [{ principalArn: DEVELOPER, accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' }] }],
      identityMappings: [{ arn: `arn:aws:iam::${ACCOUNT}:role/legacy-ops`, username: 'legacy-ops', groups: ['ops'] }],
      managedNodeGroups: [],
      addons: [],
    },
  });
  expect(reply.status).toBe(202);
  expectOneTerminalLast(await cloud.eventsUntilTerminal(String(reply.body.operationId), 40_000), 'SUCCEEDED');
}, 60_000);

afterAll(async () => {
  cloud?.destroy();
  await local?.stop();
});

const callsOf = (call: string) => local.world.callPrincipals.slice(firstCall).filter((c) => c.call === call);
const principalsOf = (call: string) => [...new Set(callsOf(call).map((c) => c.principal))].sort();

async function kubernetesAs(keys: { accessKeyId: string; secretAccessKey: string }, path: string): Promise<{ status: number; body: { message?: string; details?: { causes?: Array<{ message: string }> } } }> {
  const token = await kubernetesToken(NAME, 'us-east-1', async () => keys);
  const response = await kubeFetch(`${local.awsUrl.replace('http:', 'https:')}/k8s/${NAME}${path}`, local.world.certificates.get().caCertificate, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  return { status: response.status, body: response.json<{ message?: string; details?: { causes?: Array<{ message: string }> } }>() };
}

describe('principals in local mode', () => {
  it('creates the cluster as the CloudFormation execution role: its session is the creator', async () => {
    const cluster = (local.world.eks as EksState).clusters.get(NAME)!;

    expect(cluster.creatorArn).toBe(EXECUTION_ROLE);
    expect(callsOf('eks:CreateCluster')).toEqual([
      { call: 'eks:CreateCluster', principal: `arn:aws:sts::${ACCOUNT}:assumed-role/eksp-cluster-stack-role/AWSCloudFormation`, invokedBy: 'cloudformation.amazonaws.com', time: expect.any(String) },
    ]);
    const listed = (await (await fetch(`${local.awsUrl}/_local/principals?call=eks:CreateCluster`)).json()) as { calls: unknown[] };
    expect(listed.calls).toEqual(JSON.parse(JSON.stringify(callsOf('eks:CreateCluster'))));
    const role = [...local.world.iam.roles.values()].find((r) => r.arn === EXECUTION_ROLE)!;
    expect(role.assumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com', AWS: [`arn:aws:iam::${ACCOUNT}:role/eksp-check-self-managed-nodegroup-role`, `arn:aws:iam::${ACCOUNT}:role/eksp-map-identities-role`, `arn:aws:iam::${ACCOUNT}:role/eksp-check-nodes-ready-role`, `arn:aws:iam::${ACCOUNT}:role/eksp-change-self-managed-nodegroup-role`, `arn:aws:iam::${ACCOUNT}:role/eksp-change-access-role`, `arn:aws:iam::${ACCOUNT}:role/eksp-upgrade-self-managed-nodegroup-role`] } }],
    });
  });

  it('makes every AWS call of the operation as the function that made it, each its own role', () => {
    expect(principalsOf('states:StartExecution')).toEqual([functionSession('eksp-api')]);
    expect(principalsOf('cloudformation:CreateStack')).toEqual([functionSession('eksp-create-cluster-stack')]);
    expect(principalsOf('cloudformation:DescribeStacks')).toContain(functionSession('eksp-check-cluster-stack'));
    expect(principalsOf('sts:AssumeRole')).toEqual([functionSession('eksp-map-identities')]);
    // aws-auth is written as the cluster creator: the execution role, assumed by Map Identities.
    const kubernetes = local.world.callPrincipals.slice(firstCall).filter((c) => c.call.startsWith('kubernetes:'));
    expect([...new Set(kubernetes.map((c) => c.principal))]).toEqual([`arn:aws:sts::${ACCOUNT}:assumed-role/eksp-cluster-stack-role/eks-provisioner-identities`]);
    // Nothing the service did was done as the developer who asked for it.
    const service = local.world.callPrincipals.slice(firstCall).filter((c) => c.principal !== 'anonymous');
    expect(service.filter((c) => !/^arn:aws:sts::000000000000:assumed-role\/eksp-[a-z-]+-role\//.test(c.principal))).toEqual([]);
  });

  it('refuses another principal at the Kubernetes API (401) while the one the spec grants gets in', async () => {
    const developer = await kubernetesAs({ accessKeyId: 'local', secretAccessKey: 'local' }, '/api/v1/nodes');
    const other = await kubernetesAs(OTHER_DEVELOPER_KEY, '/api/v1/nodes');

    expect(developer.status).toBe(200);
    expect(other.status).toBe(401);
    // kube-apiserver says only "Unauthorized"; the emulator keeps its reason in details.causes.
    expect(other.body.message).toBe('Unauthorized');
    expect(other.body.details?.causes?.[0]?.message).toContain(`arn:aws:iam::${ACCOUNT}:user/other-developer is not mapped to a Kubernetes identity`);
  });
});
