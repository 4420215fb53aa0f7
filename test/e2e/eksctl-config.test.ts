/**
 * An eksctl ClusterConfig posted to the local service over HTTP, as a user would with curl:
 * examples/eksctl-cluster.yaml as YAML gets its plan from ?dryRun=true, and a ClusterConfig with a
 * field the service cannot honour gets a 422 naming it, creating nothing; and the example, posted
 * for real, is created in full (its Pod Identity role made first, as its team would have).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeFargateProfileCommand, DescribeNodegroupCommand, ListClustersCommand } from '@aws-sdk/client-eks';
import { startLocal, type LocalMode } from '../../local/start';
import { expectOneTerminalLast, LocalCloud } from '../support/local-cloud';

const EXAMPLE = readFileSync(join(__dirname, '..', '..', 'examples', 'eksctl-cluster.yaml'), 'utf8');

let local: LocalMode;
let cloud: LocalCloud;

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: 0.001, seed: 11, quiet: true });
  cloud = new LocalCloud(local);
}, 30_000);

afterAll(async () => {
  cloud?.destroy();
  await local?.stop();
});

/** POST /clusters with a raw body, as curl --data-binary sends it. */
async function postClusters(query: string, body: string, contentType: string): Promise<{ status: number; contentType: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${local.apiUrl}/clusters${query}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

it('answers the dry run of examples/eksctl-cluster.yaml, sent as YAML, with the plan', async () => {
  const reply = await postClusters('?dryRun=true', EXAMPLE, 'application/yaml');

  expect(reply.status).toBe(200);
  const plan = reply.body as { spec: Record<string, unknown>; stackName: string; steps: string[]; template: { Resources: Record<string, { Type: string }> } };
  expect(plan.stackName).toBe('eksp-payments-prod-cluster');
  expect(plan.spec).toMatchObject({ name: 'payments-prod', network: { vpc: { natGateway: 'HighlyAvailable', azCount: 3 } } });
  expect(plan.steps).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^Create nodegroup general \(m6i\.large ON_DEMAND, 3\/3\/6\)/),
      expect.stringContaining('batch-spot'),
      expect.stringContaining('fp-jobs'),
    ]),
  );
  expect(plan.template.Resources.ControlPlane!.Type).toBe('AWS::EKS::Cluster');
  expect((await cloud.eks.send(new ListClustersCommand({}))).clusters).toEqual([]);
});

it('answers a ClusterConfig with a field it cannot honour with a 422 naming the field', async () => {
  const config = EXAMPLE.replace('    volumeSize: 100\n', '    volumeSize: 100\n    efaEnabled: true\n');
  expect(config).not.toBe(EXAMPLE);

  const reply = await postClusters('', config, 'application/yaml');

  expect(reply.status).toBe(422);
  expect(reply.contentType).toBe('application/problem+json');
  expect(reply.body).toMatchObject({ title: 'Unsupported ClusterConfig fields', errors: [{ pointer: '/managedNodeGroups/0/efaEnabled', message: 'Elastic Fabric Adapter is not offered' }] });
  expect((await cloud.eks.send(new ListClustersCommand({}))).clusters).toEqual([]);
});

it('creates the example, sent as YAML, with every nodegroup, the Fargate profile and the add-ons it lists', async () => {
  // The role the example's Pod Identity association names, made and vetted by its team.
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] });
  local.world.iam.roles.set('payments-ledger', { arn: 'arn:aws:iam::111122223333:role/payments-ledger', roleName: 'payments-ledger', path: '/', assumeRolePolicyDocument: trust, managedPolicyArns: [], tags: {} });

  const reply = await postClusters('', EXAMPLE, 'application/yaml');

  expect(reply.status).toBe(202);
  expectOneTerminalLast(await cloud.eventsUntilTerminal(String(reply.body.operationId), 90_000), 'SUCCEEDED');
  const general = (await cloud.eks.send(new DescribeNodegroupCommand({ clusterName: 'payments-prod', nodegroupName: 'general' }))).nodegroup!;
  expect(general).toMatchObject({ scalingConfig: { desiredSize: 3, minSize: 3, maxSize: 6 }, labels: { workload: 'general' } });
  expect((await cloud.eks.send(new DescribeFargateProfileCommand({ clusterName: 'payments-prod', fargateProfileName: 'fp-jobs' }))).fargateProfile!.selectors).toEqual([{ namespace: 'jobs', labels: { runtime: 'fargate' } }]);
  for (const nodegroup of ['batch', 'batch-spot']) {
    const stack = (await cloud.cloudFormation.send(new DescribeStacksCommand({ StackName: `eksp-payments-prod-nodegroup-${nodegroup}` }))).Stacks![0]!;
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
  }
}, 120_000);
