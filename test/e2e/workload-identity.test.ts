/**
 * Workload identities end to end in local mode, one cluster for all:
 * - POST /clusters with two Pod Identity associations (one with a role the caller made, one with
 *   permissionPolicyArns the allowedPodPolicyArns guardrail lists) and iam.withOIDC: EKS holds
 *   both associations, the eks-pod-identity-agent add-on runs, IAM has the cluster's OIDC provider.
 * - POST /clusters/{name}/pod-identity-associations adds a third, whose role gets a stack of its
 *   own; a policy the guardrail does not list is refused with 422; DELETE …/{namespace}/{sa}
 *   removes it with its stack.
 * - DELETE /clusters/{name} leaves no association, role stack or OIDC provider behind.
 * The AWS CLI checks show as skipped with their reason when it is absent (required under
 * CI=true); the API's own answers and the SDK's view are checked regardless.
 */
import { DescribeAddonCommand, EKSClient, ListPodIdentityAssociationsCommand, DescribePodIdentityAssociationCommand } from '@aws-sdk/client-eks';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { POD_ROLE_PATH, ROLE_PATH } from '../../functions/domain/cluster-template';
import { POD_ROLE_BOUNDARY_DOCUMENT } from '../../functions/domain/permissions-boundary';
import { podIdentityStackName, POD_IDENTITY_AGENT_ADDON } from '../../functions/domain/pod-identity';
import { startLocal, type LocalMode } from '../../local/start';
import { localModeShell, spawnCollect } from '../support/aws-tools';
import { expectOneTerminalLast, LocalCloud } from '../support/local-cloud';
import { tools, itWith } from '../support/third-party';

const TIME_SCALE = 0.001;
const NAME = 'identities';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const SQS_FULL = 'arn:aws:iam::aws:policy/AmazonSQSFullAccess';
const POD_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] };
const SPEC = {
  name: NAME,
  managedNodeGroups: [{ name: 'ng-a', minSize: 1, desiredSize: 1, maxSize: 2 }],
  iam: { withOIDC: true },
  podIdentityAssociations: [
    { namespace: 'ops', serviceAccountName: 'reporter', roleArn: '' },
    { namespace: 'payments', serviceAccountName: 'api', permissionPolicyArns: [S3_READ] },
  ],
};
const LATER = { namespace: 'jobs', serviceAccountName: 'runner', permissionPolicyArns: [S3_READ] };

let local: LocalMode;
let cloud: LocalCloud;
let eks: EKSClient;
let cloudFormation: CloudFormationClient;
let reporterRole = '';
const savedGuardrails = process.env.GUARDRAILS;

async function aws<T>(args: string[]): Promise<T> {
  const run = await spawnCollect('aws', args, localModeShell(local.awsUrl));
  if (run.code !== 0) throw new Error(`aws ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Service account → role, as EKS holds the cluster's associations. */
async function associations(): Promise<Record<string, string>> {
  const { associations: listed = [] } = await eks.send(new ListPodIdentityAssociationsCommand({ clusterName: NAME }));
  const entries = await Promise.all(listed.map(async (a) => [`${a.namespace}/${a.serviceAccount}`, (await eks.send(new DescribePodIdentityAssociationCommand({ clusterName: NAME, associationId: a.associationId }))).association!.roleArn!] as const));
  return Object.fromEntries(entries);
}

/** A role the service made for an association: under the pod roles' path, bounded by the pod role boundary local mode deployed (not the node roles'). */
function expectPodRoleBounds(role: { path: string; permissionsBoundary?: string }): void {
  expect(role.path).toBe(POD_ROLE_PATH);
  expect(role.permissionsBoundary).toBe(process.env.POD_ROLE_BOUNDARY_ARN);
  expect(role.permissionsBoundary).not.toBe(process.env.PERMISSIONS_BOUNDARY_ARN);
  expect(local.world.iam.policies.get(role.permissionsBoundary ?? '')?.document).toEqual(POD_ROLE_BOUNDARY_DOCUMENT);
}

const stackStatus = (stackName: string) =>
  cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })).then(
    (r) => r.Stacks?.[0]?.StackStatus,
    () => 'gone',
  );

beforeAll(async () => {
  // The platform team lets pods read S3, nothing else.
  process.env.GUARDRAILS = JSON.stringify({ allowedPodPolicyArns: [S3_READ] });
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 11, quiet: true });
  cloud = new LocalCloud(local);
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  eks = new EKSClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  cloudFormation = new CloudFormationClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  // A role the caller's team made and vetted for its reporter, trusting EKS Pod Identity.
  reporterRole = `arn:aws:iam::${local.world.account}:role/reporter`;
  local.world.iam.roles.set('reporter', { arn: reporterRole, roleName: 'reporter', path: '/', assumeRolePolicyDocument: POD_TRUST, managedPolicyArns: [], tags: {} });
  const spec = { ...SPEC, podIdentityAssociations: [{ ...SPEC.podIdentityAssociations[0], roleArn: reporterRole }, SPEC.podIdentityAssociations[1]] };
  const accepted = await cloud.call('POST', '/clusters', { body: spec });
  expect(accepted.status).toBe(202);
  expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000), 'SUCCEEDED');
}, 90_000);

afterAll(async () => {
  eks?.destroy();
  cloudFormation?.destroy();
  cloud?.destroy();
  await local?.stop();
  if (savedGuardrails === undefined) delete process.env.GUARDRAILS;
  else process.env.GUARDRAILS = savedGuardrails;
});

describe('a cluster made with workload identities', () => {
  it('has both associations: the caller’s role, and a bounded role the cluster stack made', async () => {
    const held = await associations();

    expect(held['ops/reporter']).toBe(reporterRole);
    expect(held['payments/api']).toMatch(/^arn:aws:iam::\d{12}:role\/eks-provisioner\/pod-identity\//);
    const made = [...local.world.iam.roles.values()].find((r) => r.arn === held['payments/api'])!;
    expect(made.managedPolicyArns).toEqual([S3_READ]);
    expectPodRoleBounds(made);
  });

  it('runs the eks-pod-identity-agent add-on, which the registry’s spec lists', async () => {
    const { addon } = await eks.send(new DescribeAddonCommand({ clusterName: NAME, addonName: POD_IDENTITY_AGENT_ADDON }));
    const cluster = await cloud.call('GET', `/clusters/${NAME}`);

    expect(addon?.status).toBe('ACTIVE');
    expect((cluster.body.spec as { addons: Array<{ name: string }> }).addons.map((a) => a.name)).toContain(POD_IDENTITY_AGENT_ADDON);
  });

  it('has an IAM OIDC provider for its issuer (withOIDC)', async () => {
    const { cluster } = await import('@aws-sdk/client-eks').then(({ DescribeClusterCommand }) => eks.send(new DescribeClusterCommand({ name: NAME })));
    const issuer = cluster!.identity!.oidc!.issuer!;

    expect([...local.world.iam.oidcProviders.values()].map((p) => p.url)).toEqual([issuer.slice('https://'.length)]);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws eks list-pod-identity-associations shows them', async () => {
    const listed = await aws<{ associations: Array<{ namespace: string; serviceAccount: string }> }>(['eks', 'list-pod-identity-associations', '--cluster-name', NAME]);

    expect(listed.associations.map((a) => `${a.namespace}/${a.serviceAccount}`).sort()).toEqual(['ops/reporter', 'payments/api']);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws iam get-role shows the role made for payments/api under the pod roles\' path, with the pod role boundary', async () => {
    const roleName = (await associations())['payments/api']!.split('/').pop()!;
    const { Role: role } = await aws<{ Role: { Path: string; PermissionsBoundary?: { PermissionsBoundaryArn: string } } }>(['iam', 'get-role', '--role-name', roleName]);

    expect(role.Path).toBe(POD_ROLE_PATH);
    expect(role.PermissionsBoundary?.PermissionsBoundaryArn).toBe(process.env.POD_ROLE_BOUNDARY_ARN);
  });
});

describe('adding and removing an association through the routes', () => {
  const laterStack = podIdentityStackName(NAME, LATER);

  it('refuses a policy the guardrail does not list, naming it in the body', async () => {
    const refused = await cloud.call('POST', `/clusters/${NAME}/pod-identity-associations`, { body: { ...LATER, permissionPolicyArns: [SQS_FULL] } });

    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ pointer: '/permissionPolicyArns/0', message: expect.stringContaining(`${SQS_FULL} is not a policy pods may have`) }]);
  });

  it('adds one whose role gets a stack of its own', async () => {
    const accepted = await cloud.call('POST', `/clusters/${NAME}/pod-identity-associations`, { body: LATER });
    expect(accepted.status).toBe(202);
    expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000), 'SUCCEEDED');

    const held = await associations();
    expect(await stackStatus(laterStack)).toBe('CREATE_COMPLETE');
    expect(held['jobs/runner']).toMatch(/^arn:aws:iam::\d{12}:role\/eks-provisioner\/pod-identity\//);
    expectPodRoleBounds([...local.world.iam.roles.values()].find((r) => r.arn === held['jobs/runner'])!);
  }, 90_000);

  itWith(tools.awsCli, 'the AWS CLI')('aws eks list-pod-identity-associations finds it by namespace and service account', async () => {
    const listed = await aws<{ associations: Array<{ serviceAccount: string }> }>(['eks', 'list-pod-identity-associations', '--cluster-name', NAME, '--namespace', 'jobs', '--service-account', 'runner']);

    expect(listed.associations.map((a) => a.serviceAccount)).toEqual(['runner']);
  });

  it('removes it with its stack; an unknown one is 404', async () => {
    const accepted = await cloud.call('DELETE', `/clusters/${NAME}/pod-identity-associations/jobs/runner`);
    expect(accepted.status).toBe(202);
    expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId), 60_000), 'SUCCEEDED');
    const unknown = await cloud.call('DELETE', `/clusters/${NAME}/pod-identity-associations/jobs/runner`);

    expect(Object.keys(await associations()).sort()).toEqual(['ops/reporter', 'payments/api']);
    expect(await stackStatus(laterStack)).toBe('gone');
    expect(unknown.status).toBe(404);
  }, 90_000);
});

describe('deleting the cluster', () => {
  it('leaves no association, role stack or OIDC provider behind', async () => {
    const added = await cloud.call('POST', `/clusters/${NAME}/pod-identity-associations`, { body: LATER });
    expectOneTerminalLast(await cloud.eventsUntilTerminal(String(added.body.operationId), 60_000), 'SUCCEEDED');

    const accepted = await cloud.call('DELETE', `/clusters/${NAME}`);
    expect(accepted.status).toBe(202);
    expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId), 90_000), 'SUCCEEDED');

    expect(await stackStatus(podIdentityStackName(NAME, LATER))).toBe('gone');
    expect(local.world.iam.oidcProviders.size).toBe(0);
    expect([...local.world.iam.roles.values()].filter((r) => r.path.startsWith(ROLE_PATH) && r.managedPolicyArns.includes(S3_READ))).toEqual([]);
  }, 180_000);
});
