/**
 * iam.withOIDC switched on a running cluster end to end in local mode:
 * - a cluster made without it: PATCH /clusters/{name} {"iam":{"withOIDC":true}} makes the IAM
 *   OIDC provider for the cluster's issuer in a stack of its own (eksp-<name>-oidc), which
 *   `aws iam list-open-id-connect-providers` shows; the registry's spec says so; {"withOIDC":false}
 *   deletes that stack and the provider with it;
 * - a cluster made with it (the provider in its cluster stack): PATCH off updates the cluster
 *   stack without the provider, which IAM then no longer has; on again makes the OIDC stack;
 * - DELETE of both leaves no stack and no provider.
 * The AWS CLI checks show as skipped with their reason when it is absent (required under
 * CI=true); the API's own answers and the emulated account are checked regardless.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { clusterStackName, oidcStackName } from '../../functions/domain/naming';
import { startLocal, type LocalMode } from '../../local/start';
import { localModeShell, spawnCollect } from '../support/aws-tools';
import { expectOneTerminalLast, LocalCloud, type StatusEvent } from '../support/local-cloud';
import { tools, itWith } from '../support/third-party';

const TIME_SCALE = 0.001;
const LATE = 'irsa-late';
const BORN = 'irsa-born';
const NODEGROUP = { name: 'ng-a', minSize: 1, desiredSize: 1, maxSize: 2 };

let local: LocalMode;
let cloud: LocalCloud;
let eks: EKSClient;
let cloudFormation: CloudFormationClient;

async function aws<T>(args: string[]): Promise<T> {
  const run = await spawnCollect('aws', args, localModeShell(local.awsUrl));
  if (run.code !== 0) throw new Error(`aws ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const stackStatus = (stackName: string) =>
  cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })).then(
    (r) => r.Stacks?.[0]?.StackStatus,
    () => 'gone',
  );

/** The cluster's issuer without https://, as IAM holds a provider's URL. */
async function issuerHost(name: string): Promise<string> {
  const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
  return cluster!.identity!.oidc!.issuer!.slice('https://'.length);
}

const providerUrls = () => [...local.world.iam.oidcProviders.values()].map((p) => p.url).sort();

async function succeeded(method: string, path: string, body?: unknown): Promise<StatusEvent[]> {
  const accepted = await cloud.call(method, path, body === undefined ? {} : { body });
  expect(accepted.status).toBe(202);
  const events = await cloud.eventsUntilTerminal(String(accepted.body.operationId), 90_000);
  expectOneTerminalLast(events, 'SUCCEEDED');
  return events;
}

const steps = (events: StatusEvent[]) => events.filter((e) => e.step?.status === 'SUCCEEDED').map((e) => e.step!.name);
const withOidc = async (name: string) => ((await cloud.call('GET', `/clusters/${name}`)).body.spec as { iam?: { withOIDC?: boolean } }).iam?.withOIDC;

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 23, quiet: true });
  cloud = new LocalCloud(local);
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  eks = new EKSClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  cloudFormation = new CloudFormationClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials });
  await Promise.all([
    succeeded('POST', '/clusters', { name: LATE, managedNodeGroups: [NODEGROUP] }),
    succeeded('POST', '/clusters', { name: BORN, managedNodeGroups: [NODEGROUP], iam: { withOIDC: true } }),
  ]);
}, 120_000);

afterAll(async () => {
  eks?.destroy();
  cloudFormation?.destroy();
  cloud?.destroy();
  await local?.stop();
});

describe('a cluster made without an IAM OIDC provider', () => {
  let on: StatusEvent[];

  beforeAll(async () => {
    on = await succeeded('PATCH', `/clusters/${LATE}`, { iam: { withOIDC: true } });
  }, 120_000);

  it('gets one for its issuer in a stack of its own, reported as a step; the cluster stack is not touched', async () => {
    const host = await issuerHost(LATE);

    expect(steps(on)).toEqual(['Create OIDC Provider', 'Change Settings']);
    expect(await stackStatus(oidcStackName(LATE))).toBe('CREATE_COMPLETE');
    expect(await stackStatus(clusterStackName(LATE))).toBe('CREATE_COMPLETE');
    expect(providerUrls()).toContain(host);
    expect([...local.world.iam.oidcProviders.values()].find((p) => p.url === host)).toMatchObject({ clientIds: ['sts.amazonaws.com'], tags: expect.objectContaining({ 'eks-provisioner:cluster': LATE }) });
    expect(await withOidc(LATE)).toBe(true);
  });

  itWith(tools.awsCli, 'the AWS CLI')('aws iam list-open-id-connect-providers shows it, named by the cluster’s issuer', async () => {
    const host = await issuerHost(LATE);
    const listed = await aws<{ OpenIDConnectProviderList: Array<{ Arn: string }> }>(['iam', 'list-open-id-connect-providers']);

    expect(listed.OpenIDConnectProviderList.map((p) => p.Arn)).toContain(`arn:aws:iam::${local.world.account}:oidc-provider/${host}`);
  });

  it('asked again, is already there: no stack made or changed', async () => {
    const again = await succeeded('PATCH', `/clusters/${LATE}`, { iam: { withOIDC: true } });

    expect(steps(again)).not.toContain('Create OIDC Provider');
    expect(await stackStatus(oidcStackName(LATE))).toBe('CREATE_COMPLETE');
  }, 120_000);

  it('switched off, loses it with its stack', async () => {
    const host = await issuerHost(LATE);

    const off = await succeeded('PATCH', `/clusters/${LATE}`, { iam: { withOIDC: false } });

    expect(steps(off)).toEqual(['Delete OIDC Provider', 'Change Settings']);
    expect(await stackStatus(oidcStackName(LATE))).toBe('gone');
    expect(providerUrls()).not.toContain(host);
    expect(await withOidc(LATE)).toBe(false);
  }, 120_000);

  itWith(tools.awsCli, 'the AWS CLI')('aws iam list-open-id-connect-providers no longer shows it', async () => {
    const host = await issuerHost(LATE);
    const listed = await aws<{ OpenIDConnectProviderList: Array<{ Arn: string }> }>(['iam', 'list-open-id-connect-providers']);

    expect(listed.OpenIDConnectProviderList.map((p) => p.Arn)).not.toContain(`arn:aws:iam::${local.world.account}:oidc-provider/${host}`);
  });
});

describe('a cluster made with an IAM OIDC provider (in its cluster stack)', () => {
  it('switched off, loses it through an update of the cluster stack, which no longer declares it or its output', async () => {
    const host = await issuerHost(BORN);
    expect(providerUrls()).toContain(host);

    const off = await succeeded('PATCH', `/clusters/${BORN}`, { iam: { withOIDC: false } });

    expect(steps(off)).toEqual(['Delete OIDC Provider', 'Change Settings']);
    expect(providerUrls()).not.toContain(host);
    const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: clusterStackName(BORN) }));
    expect(Stacks[0]).toMatchObject({ StackStatus: 'UPDATE_COMPLETE' });
    expect((Stacks[0]!.Outputs ?? []).map((o) => o.OutputKey)).not.toContain('OIDCProviderArn');
    const { TemplateBody = '{}' } = await cloudFormation.send(new GetTemplateCommand({ StackName: clusterStackName(BORN) }));
    expect(Object.keys((JSON.parse(TemplateBody) as { Resources: object }).Resources)).not.toContain('OIDCProvider');
    expect(await stackStatus(oidcStackName(BORN))).toBe('gone');
    expect(await withOidc(BORN)).toBe(false);
  }, 120_000);

  it('switched on again, gets it back in a stack of its own', async () => {
    const on = await succeeded('PATCH', `/clusters/${BORN}`, { iam: { withOIDC: true } });

    expect(steps(on)).toEqual(['Create OIDC Provider', 'Change Settings']);
    expect(await stackStatus(oidcStackName(BORN))).toBe('CREATE_COMPLETE');
    expect(providerUrls()).toContain(await issuerHost(BORN));
  }, 120_000);
});

describe('deleting the clusters', () => {
  it('leaves no stack of theirs and no OIDC provider behind', async () => {
    await succeeded('PATCH', `/clusters/${LATE}`, { iam: { withOIDC: true } });

    await Promise.all([succeeded('DELETE', `/clusters/${LATE}`), succeeded('DELETE', `/clusters/${BORN}`)]);

    for (const name of [LATE, BORN]) {
      expect(await stackStatus(oidcStackName(name))).toBe('gone');
      expect(await stackStatus(clusterStackName(name))).toBe('gone');
    }
    expect(local.world.iam.oidcProviders.size).toBe(0);
  }, 240_000);
});
