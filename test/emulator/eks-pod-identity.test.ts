/**
 * EKS Pod Identity associations and the IAM OIDC provider of a cluster's issuer, as real clients
 * see them: the SDK (create, describe, list with filters, update, delete, EKS's refusals), the
 * AWS CLI's `eks list-pod-identity-associations` and `iam list-open-id-connect-providers`, the
 * associations gone with their cluster, and both kept by persistence.
 */
import {
  CreateClusterCommand,
  CreatePodIdentityAssociationCommand,
  DeleteClusterCommand,
  DeletePodIdentityAssociationCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  ListPodIdentityAssociationsCommand,
  UpdatePodIdentityAssociationCommand,
} from '@aws-sdk/client-eks';
import { createCloudFormationService, type CloudFormationService } from '../../local/emulator/services/cloudformation';
import { createEksService } from '../../local/emulator/services/eks';
import { createIamService } from '../../local/emulator/services/iam';
import { restoreWorld, snapshotWorld } from '../../local/emulator/persistence';
import { World } from '../../local/emulator/world';
import { awsCli, queryPost } from '../support/aws-tools';
import { ACCOUNT, CLUSTER_ROLE_ARN, startEksWorld, type EksWorld } from '../support/eks-world';
import { rejectionOf } from '../support/rejection';
import { tools, itWith } from '../support/third-party';
import { until } from '../support/until';

const POD_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] };
const EC2_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-v2`;
const NODE_TRUST_ROLE = `arn:aws:iam::${ACCOUNT}:role/ec2-only`;

let env: EksWorld;
let cloudFormation: CloudFormationService;

beforeAll(async () => {
  env = await startEksWorld({
    scale: 0.001,
    accessKeyId: 'AKIDPODIDENTITY',
    more: (world) => {
      cloudFormation = createCloudFormationService(world);
      return [cloudFormation, createIamService(world)];
    },
    ready: () => cloudFormation.warmUp(),
  });
  for (const [name, arn, trust] of [['app', APP_ROLE, POD_TRUST], ['app-v2', OTHER_ROLE, POD_TRUST], ['ec2-only', NODE_TRUST_ROLE, EC2_TRUST]] as const) {
    env.world.iam.roles.set(name, { arn, roleName: name, path: '/', assumeRolePolicyDocument: trust, managedPolicyArns: [], tags: {} });
  }
  await createCluster('pods');
}, 30_000);

afterAll(() => env.stop());

async function createCluster(name: string): Promise<void> {
  await env.eks.send(new CreateClusterCommand({ name, version: '1.33', roleArn: CLUSTER_ROLE_ARN, resourcesVpcConfig: { subnetIds: env.subnets } }));
  await until(() => env.eks.send(new DescribeClusterCommand({ name })).then((r) => r.cluster!.status), (s) => s === 'ACTIVE', `${name} ACTIVE`);
}

const create = (namespace: string, serviceAccount: string, roleArn = APP_ROLE, clusterName = 'pods', clientRequestToken?: string) =>
  env.eks.send(new CreatePodIdentityAssociationCommand({ clusterName, namespace, serviceAccount, roleArn, tags: { team: 'payments' }, ...(clientRequestToken ? { clientRequestToken } : {}) }));

describe('Pod Identity associations over the SDK', () => {
  it('creates one per service account, describes it and lists it with exact namespace and service account filters', async () => {
    const { association } = await create('payments', 'api');
    await create('payments', 'api-worker');
    await create('ops', 'api');

    const described = await env.eks.send(new DescribePodIdentityAssociationCommand({ clusterName: 'pods', associationId: association!.associationId }));
    const byNamespace = await env.eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'pods', namespace: 'payments' }));
    const exact = await env.eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'pods', namespace: 'payments', serviceAccount: 'api' }));

    expect(association).toMatchObject({ clusterName: 'pods', namespace: 'payments', serviceAccount: 'api', roleArn: APP_ROLE, tags: { team: 'payments' } });
    expect(association!.associationId).toMatch(/^a-[0-9a-z]{17}$/);
    expect(association!.associationArn).toBe(`arn:aws:eks:us-east-1:${ACCOUNT}:podidentityassociation/pods/${association!.associationId}`);
    expect(described.association).toEqual(association);
    expect(byNamespace.associations!.map((a) => a.serviceAccount)).toEqual(['api', 'api-worker']);
    expect(exact.associations).toEqual([{ clusterName: 'pods', namespace: 'payments', serviceAccount: 'api', associationArn: association!.associationArn, associationId: association!.associationId }]);
  });

  it('answers a retry with the same token with the same association, and a second association for the service account with ResourceInUse', async () => {
    const first = await create('jobs', 'runner', APP_ROLE, 'pods', 'token-1');
    const again = await create('jobs', 'runner', APP_ROLE, 'pods', 'token-1');
    const second = await rejectionOf(create('jobs', 'runner', OTHER_ROLE));

    expect(again.association!.associationId).toBe(first.association!.associationId);
    expect(second.name).toBe('ResourceInUseException');
  });

  it('refuses a role that does not exist or does not trust pods.eks.amazonaws.com, as EKS words it', async () => {
    const missing = await rejectionOf(create('jobs', 'a', `arn:aws:iam::${ACCOUNT}:role/nobody`));
    const untrusting = await rejectionOf(create('jobs', 'b', NODE_TRUST_ROLE));
    const notARole = await rejectionOf(create('jobs', 'c', `arn:aws:iam::${ACCOUNT}:user/bob`));
    const badNamespace = await rejectionOf(create('Jobs', 'd'));
    const noCluster = await rejectionOf(create('jobs', 'e', APP_ROLE, 'nowhere'));

    expect([missing, untrusting, notARole, badNamespace].map((e) => e.name)).toEqual(Array(4).fill('InvalidParameterException'));
    expect(untrusting.message).toBe('Trust policy of the role provided is invalid. Follow the official documentation to resolve the issue.');
    expect(noCluster.name).toBe('ResourceNotFoundException');
  });

  it('updates the role (checked again) and deletes; an unknown id is ResourceNotFound', async () => {
    const { association } = await create('billing', 'api');
    const id = association!.associationId!;

    const updated = await env.eks.send(new UpdatePodIdentityAssociationCommand({ clusterName: 'pods', associationId: id, roleArn: OTHER_ROLE }));
    const refused = await rejectionOf(env.eks.send(new UpdatePodIdentityAssociationCommand({ clusterName: 'pods', associationId: id, roleArn: NODE_TRUST_ROLE })));
    const deleted = await env.eks.send(new DeletePodIdentityAssociationCommand({ clusterName: 'pods', associationId: id }));
    const gone = await rejectionOf(env.eks.send(new DescribePodIdentityAssociationCommand({ clusterName: 'pods', associationId: id })));

    expect(updated.association!.roleArn).toBe(OTHER_ROLE);
    expect(refused.name).toBe('InvalidParameterException');
    expect(deleted.association!.associationId).toBe(id);
    expect(gone.name).toBe('ResourceNotFoundException');
  });

  it('keeps associations across a save and restore', () => {
    const restored = new World({ timeScale: 0.001 });
    const service = createEksService(restored, { baseUrl: () => env.emulator.url });
    const saved = env.state.clusters.get('pods')!.podIdentityAssociations!;
    restoreWorld(restored, JSON.parse(JSON.stringify(snapshotWorld(env.world))));

    const again = service.state.clusters.get('pods')!.podIdentityAssociations!;
    expect([...again.keys()]).toEqual([...saved.keys()]);
    expect(again.get([...saved.keys()][0]!)!.roleArn).toBe(APP_ROLE);
  });

  it('deletes a cluster’s associations with the cluster', async () => {
    await createCluster('short-lived');
    await create('payments', 'api', APP_ROLE, 'short-lived');

    await env.eks.send(new DeleteClusterCommand({ name: 'short-lived' }));
    await until(() => rejectionOf(env.eks.send(new DescribeClusterCommand({ name: 'short-lived' }))).then((e) => e.name).catch(() => 'still there'), (n) => n === 'ResourceNotFoundException', 'cluster gone');
    await createCluster('short-lived');

    expect((await env.eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'short-lived' }))).associations).toEqual([]);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws eks list-pod-identity-associations and describe-pod-identity-association parse as AWS’s', async () => {
    const listed = await awsCli(env.emulator.url, 'eks', 'list-pod-identity-associations', '--cluster-name', 'pods', '--namespace', 'payments', '--service-account', 'api');
    const associations = (listed.json as { associations: Array<{ associationId: string; serviceAccount: string }> }).associations;
    const described = await awsCli(env.emulator.url, 'eks', 'describe-pod-identity-association', '--cluster-name', 'pods', '--association-id', associations[0]!.associationId);
    const refused = await awsCli(env.emulator.url, 'eks', 'create-pod-identity-association', '--cluster-name', 'pods', '--namespace', 'x', '--service-account', 'y', '--role-arn', NODE_TRUST_ROLE);

    expect(listed.code).toBe(0);
    expect(associations.map((a) => a.serviceAccount)).toEqual(['api']);
    expect((described.json as { association: { roleArn: string; createdAt: unknown } }).association).toMatchObject({ roleArn: APP_ROLE });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('(InvalidParameterException) when calling the CreatePodIdentityAssociation operation: Trust policy of the role provided is invalid');
  });
});

describe('the IAM OIDC provider of a cluster’s issuer', () => {
  const iam = (action: string, params: Record<string, string> = {}) => queryPost(env.emulator.url, 'iam', { Action: action, Version: '2010-05-08', ...params });
  let issuer = '';
  let providerArn = '';

  beforeAll(async () => {
    issuer = (await env.eks.send(new DescribeClusterCommand({ name: 'pods' }))).cluster!.identity!.oidc!.issuer!;
    const template = { Resources: { OIDCProvider: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: issuer, ClientIdList: ['sts.amazonaws.com'], Tags: [{ Key: 'team', Value: 'platform' }] } } }, Outputs: { Arn: { Value: { Ref: 'OIDCProvider' } } } };
    const stack = cloudFormation.engine.createStack({ stackName: 'oidc', templateBody: JSON.stringify(template), parameters: [], tags: [], capabilities: [], notificationArns: [], enableTerminationProtection: false });
    await stack.work;
    expect(stack.status).toBe('CREATE_COMPLETE');
    providerArn = stack.outputs.find((o) => o.OutputKey === 'Arn')!.OutputValue!;
  }, 30_000);

  it('DescribeCluster names an issuer of EKS’s form, and the provider’s ARN is named by it', () => {
    expect(issuer).toMatch(/^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    expect(providerArn).toBe(`arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer.slice('https://'.length)}`);
  });

  it('GetOpenIDConnectProvider and ListOpenIDConnectProviders answer it; an unknown ARN is NoSuchEntity', async () => {
    const got = await iam('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: providerArn });
    const listed = await iam('ListOpenIDConnectProviders');
    const unknown = await iam('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/example.com` });

    expect(got.status).toBe(200);
    expect(got.text('Url')).toBe(issuer.slice('https://'.length));
    expect(got.all('member')).toContain('sts.amazonaws.com');
    expect(listed.all('Arn')).toEqual([providerArn]);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('<Code>NoSuchEntity</Code>');
  });

  it('is kept across a save and restore', () => {
    const restored = new World({ timeScale: 0.001 });
    restoreWorld(restored, JSON.parse(JSON.stringify(snapshotWorld(env.world))));

    expect(restored.iam.oidcProviders.get(providerArn)).toMatchObject({ url: issuer.slice('https://'.length), clientIds: ['sts.amazonaws.com'] });
  });

  it('refuses a second provider for the same issuer, as IAM does', async () => {
    const template = { Resources: { Again: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: issuer, ClientIdList: ['sts.amazonaws.com'] } } } };
    const stack = cloudFormation.engine.createStack({ stackName: 'oidc-again', templateBody: JSON.stringify(template), parameters: [], tags: [], capabilities: [], notificationArns: [], enableTerminationProtection: false });
    await stack.work;

    expect(stack.status).toBe('ROLLBACK_COMPLETE');
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws iam list-open-id-connect-providers and get-open-id-connect-provider parse as AWS’s', async () => {
    const listed = await awsCli(env.emulator.url, 'iam', 'list-open-id-connect-providers');
    const got = await awsCli(env.emulator.url, 'iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn);

    expect(listed.json).toEqual({ OpenIDConnectProviderList: [{ Arn: providerArn }] });
    expect(got.json).toMatchObject({ Url: issuer.slice('https://'.length), ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [], Tags: expect.arrayContaining([{ Key: 'team', Value: 'platform' }]) });
  });
});
