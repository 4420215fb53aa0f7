/**
 * "A cluster you can use", in local mode over HTTP: a spec with just a name gets eksctl's default
 * nodegroup and add-ons, its owner gets cluster-admin through an access entry, and the service
 * keeps no access of its own — not even after an aws-auth write, for which it holds cluster-admin
 * only while it writes (the emulator's Kubernetes API authorizes that write like EKS does).
 */
import { DescribeAccessEntryCommand, DescribeClusterCommand, DescribeNodegroupCommand, ListAccessEntriesCommand, ListAddonsCommand, ListAssociatedAccessPoliciesCommand } from '@aws-sdk/client-eks';
import { defaultNodegroupName } from '../../functions/domain/eksctl-defaults';
import { startLocal, type LocalMode } from '../../local/start';
import { expectOneTerminalLast, LocalCloud, type Reply } from '../support/local-cloud';

const TIME_SCALE = 0.001;
const NAME = 'demo';
/** A portal's session: the owner is its role. */
const CALLER = 'arn:aws:sts::111122223333:assumed-role/platform-portal/portal-session';
const OWNER = 'arn:aws:iam::111122223333:role/platform-portal';
const CLUSTER_ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/**
 * Whom Map Identities and Change Access reach the Kubernetes API as: the role in
 * KUBERNETES_ACCESS_ROLE_ARN, the CloudFormation execution role, as CDK wires it and local mode
 * does (docs/local-mode.md, "Who is who locally"). It is also the cluster's creator.
 */
const SERVICE_PRINCIPAL = 'arn:aws:iam::000000000000:role/eksp-cluster-stack-role';

let local: LocalMode;
let cloud: LocalCloud;

async function succeeded(reply: Reply): Promise<void> {
  expect(reply).toMatchObject({ status: 202, body: { status: 'ACCEPTED' } });
  expectOneTerminalLast(await cloud.eventsUntilTerminal(String(reply.body.operationId)), 'SUCCEEDED');
}

const accessEntries = async () => (await cloud.eks.send(new ListAccessEntriesCommand({ clusterName: NAME }))).accessEntries ?? [];

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 1234, quiet: true });
  cloud = new LocalCloud(local);
}, 30_000);

afterAll(async () => {
  cloud?.destroy();
  await local?.stop();
});

describe('a spec with just a name', () => {
  it('makes a cluster with the default nodegroup and add-ons, cluster-admin for its owner and no standing access for the service', async () => {
    await succeeded(await cloud.call('POST', '/clusters', { body: { name: NAME }, caller: CALLER }));

    const nodegroup = (await cloud.eks.send(new DescribeNodegroupCommand({ clusterName: NAME, nodegroupName: defaultNodegroupName(NAME) }))).nodegroup!;
    expect(nodegroup).toMatchObject({ status: 'ACTIVE', amiType: 'AL2023_x86_64_STANDARD', scalingConfig: { desiredSize: 2, minSize: 2, maxSize: 2 } });
    // The one default type is in the nodegroup's launch template (where a new version can change it), so EKS lists no instanceTypes; its nodes run it.
    expect(nodegroup.instanceTypes).toBeUndefined();
    const nodes = [...local.world.ec2.instances.values()].filter((i) => i.state === 'running' && i.tags['eks:nodegroup-name'] === defaultNodegroupName(NAME));
    expect(nodes.map((i) => i.instanceType)).toEqual(['m5.large', 'm5.large']);
    expect((await cloud.eks.send(new ListAddonsCommand({ clusterName: NAME }))).addons?.sort()).toEqual(['coredns', 'kube-proxy', 'metrics-server', 'vpc-cni']);

    expect((await cloud.eks.send(new DescribeAccessEntryCommand({ clusterName: NAME, principalArn: OWNER }))).accessEntry).toMatchObject({ type: 'STANDARD' });
    const policies = (await cloud.eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: NAME, principalArn: OWNER }))).associatedAccessPolicies ?? [];
    expect(policies.map((p) => [p.policyArn, p.accessScope?.type])).toEqual([[CLUSTER_ADMIN, 'cluster']]);

    const cluster = (await cloud.eks.send(new DescribeClusterCommand({ name: NAME }))).cluster!;
    expect(cluster.accessConfig).toEqual({ authenticationMode: 'API_AND_CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: false });
    expect(await accessEntries()).not.toContain(SERVICE_PRINCIPAL);
  });

  it('writes aws-auth with cluster-admin held only for that time, and leaves no access entry of its own', async () => {
    const mapping = { arn: 'arn:aws:iam::111122223333:role/legacy-ops', username: 'legacy-ops', groups: ['ops'] };

    await succeeded(await cloud.call('POST', `/clusters/${NAME}/access-entries`, { body: mapping, caller: CALLER }));

    expect(await accessEntries()).not.toContain(SERVICE_PRINCIPAL);
    expect(local.world.calls.filter((call) => /^eks:(Create|Delete)AccessEntry$/.test(call)).slice(-2)).toEqual(['eks:CreateAccessEntry', 'eks:DeleteAccessEntry']);
  });
});
