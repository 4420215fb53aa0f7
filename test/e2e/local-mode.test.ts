/**
 * End to end over HTTP through the `npm start` entry point (startLocal): the REST API, the real
 * state machine and handlers, unchanged SDK clients, the local AWS endpoint. Scenarios run one
 * after another on one local cloud (faults are global), each with its own cluster name.
 */
import { DescribeClusterCommand, ListNodegroupsCommand, type EKSClient } from '@aws-sdk/client-eks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalMode } from '../../local/start';
import { expectOneTerminalLast, LocalCloud, type StatusEvent } from '../support/local-cloud';

/** ~1,700 emulated seconds per reference provisioning → under 2 s of waiting each. */
// Its throttling and crash cases race real retries and real timers: they need more real time per emulated second than the other suites.
const TIME_SCALE = 0.003;
const OWNER = 'arn:aws:iam::111122223333:role/platform-portal';
const OTHER = 'arn:aws:iam::111122223333:role/someone-else';
let local: LocalMode;
let cloud: LocalCloud;
let eks: EKSClient;

const reference = (name: string): Record<string, unknown> => ({ ...JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'reference-cluster.json'), 'utf8')), name });

const call = (method: string, path: string, options: { body?: unknown; caller?: string } = {}) => cloud.call(method, path, options);

async function setFaults(rules: unknown[]): Promise<void> {
  const response = await fetch(`${local.awsUrl}/_local/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules }) });
  expect(response.status).toBe(200);
}

const eventsUntilTerminal = (operationId: string) => cloud.eventsUntilTerminal(operationId);

async function provision(name: string, caller = OWNER, spec = reference(name)): Promise<{ operationId: string; events: StatusEvent[] }> {
  const accepted = await call('POST', '/clusters', { body: spec, caller });
  expect(accepted).toMatchObject({ status: 202, body: { status: 'ACCEPTED' } });
  const operationId = String(accepted.body.operationId);
  return { operationId, events: await eventsUntilTerminal(operationId) };
}

const expectNothingLeft = (name: string) => cloud.expectNothingLeft(name);

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 2026, quiet: true });
  cloud = new LocalCloud(local);
  eks = cloud.eks;
}, 30_000);

afterEach(async () => {
  await fetch(`${local.awsUrl}/_local/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  cloud?.destroy();
  await local?.stop();
});

describe('local mode, end to end over HTTP', () => {
  it('provisions the reference cluster: events in order, the step timeline, a live EKS cluster', async () => {
    const { operationId, events } = await provision('reference');

    const terminal = expectOneTerminalLast(events, 'SUCCEEDED');
    expect(terminal.outputs).toMatchObject({ clusterName: 'reference', endpoint: expect.stringContaining('/k8s/reference') });
    const phases = [...new Set(events.map((e) => e.phase))];
    expect(phases.indexOf('ClusterStack')).toBeLessThan(phases.indexOf('ComputeAndAccess'));
    expect(phases.indexOf('ComputeAndAccess')).toBeLessThan(phases.indexOf('Completed'));
    // Created with its final endpoint access: no endpoint phase, no update.
    expect(phases).not.toContain('EndpointAccess');
    expect(local.world.calls.filter((c) => c.startsWith('eks:UpdateClusterConfig'))).toEqual([]);
    const operation = await call('GET', `/operations/${operationId}`, { caller: OWNER });
    expect(operation).toMatchObject({ status: 200, body: { status: 'SUCCEEDED', phase: 'Completed' } });
    const steps = operation.body.steps as Array<{ name: string; status: string; resource?: string }>;
    expect(steps.filter((s) => s.status === 'SUCCEEDED').map((s) => s.resource)).toEqual(expect.arrayContaining(['nodegroup ng-general', 'nodegroup ng-spot']));
    const cluster = (await eks.send(new DescribeClusterCommand({ name: 'reference' }))).cluster!;
    expect(cluster).toMatchObject({ status: 'ACTIVE', resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] } });
    expect((await eks.send(new ListNodegroupsCommand({ clusterName: 'reference' }))).nodegroups?.sort()).toEqual(['ng-general', 'ng-spot']);
    // Every role the stack made is bounded by the boundary local mode deployed, as the execution role demands in AWS.
    const roles = [...local.world.iam.roles.values()].filter((role) => role.path === '/eks-provisioner/');
    expect(roles.length).toBeGreaterThan(0);
    expect(new Set(roles.map((role) => role.permissionsBoundary))).toEqual(new Set([process.env.PERMISSIONS_BOUNDARY_ARN]));
    expect(local.world.iam.policies.has(process.env.PERMISSIONS_BOUNDARY_ARN ?? '')).toBe(true);
  });

  it('rolls back a stack whose NAT gateway fails, naming the resource, and leaves nothing behind', async () => {
    await setFaults([{ kind: 'stack-resource-failure', logicalId: 'NATGateway1', reason: 'The maximum number of addresses has been reached.' }]);

    const { events } = await provision('nat-fails');

    const terminal = expectOneTerminalLast(events, 'ROLLED_BACK');
    expect(terminal.error).toMatchObject({ code: 'StackFailedError', resource: 'stack eksp-nat-fails-cluster', message: expect.stringMatching(/NATGateway1 \(AWS::EC2::NatGateway\) CREATE_FAILED: The maximum number of addresses has been reached/) });
    await expectNothingLeft('nat-fails');
  });

  it('rolls back when a nodegroup fails, naming it, and deletes everything made', async () => {
    await setFaults([{ kind: 'nodegroup-failure', nodegroup: 'ng-spot', code: 'AsgInstanceLaunchFailures', message: 'Could not launch Spot Instances. UnfulfillableCapacity' }]);

    const { events } = await provision('spot-fails');

    const terminal = expectOneTerminalLast(events, 'ROLLED_BACK');
    expect(terminal.error).toMatchObject({ code: 'NodegroupFailedError', resource: 'nodegroup ng-spot', message: expect.stringMatching(/CREATE_FAILED: AsgInstanceLaunchFailures/) });
    await expectNothingLeft('spot-fails');
  });

  it("rolls back when the cluster's Kubernetes API fails every aws-auth call, naming it, and leaves nothing behind", async () => {
    await setFaults([{ kind: 'server-error', service: 'kubernetes', rate: 1 }]);

    const { events } = await provision('kube-fails');

    const terminal = expectOneTerminalLast(events, 'ROLLED_BACK');
    expect(terminal.error).toMatchObject({ code: 'AwsUnavailableError', message: expect.stringMatching(/Kubernetes API of kube-fails answered 500/) });
    expect(terminal.phase).toBe('ComputeAndAccess');
    await expectNothingLeft('kube-fails');
  });

  it('still succeeds when 20% of every AWS call is throttled', async () => {
    await setFaults([{ kind: 'throttle', service: '*', rate: 0.2 }]);

    const { events } = await provision('throttled');

    expectOneTerminalLast(events, 'SUCCEEDED');
    // The check's own call must not meet the injected throttling: the service's calls are what is tested.
    await fetch(`${local.awsUrl}/_local/faults`, { method: 'DELETE' });
    expect((await eks.send(new DescribeClusterCommand({ name: 'throttled' }))).cluster?.status).toBe('ACTIVE');
  });

  it('retries a step that crashes after its side effect without making anything twice', async () => {
    await setFaults([{ kind: 'step-crash', state: 'Create Nodegroup', count: 1 }]);

    const { operationId, events } = await provision('crashes');

    expectOneTerminalLast(events, 'SUCCEEDED');
    const operation = await call('GET', `/operations/${operationId}`, { caller: OWNER });
    const history = local.executions.history(String(operation.body.executionArn));
    expect(history.filter((e) => e.type === 'LambdaFunctionFailed').map((e) => e.details?.error)).toContain('Lambda.ServiceException');
    expect((await eks.send(new ListNodegroupsCommand({ clusterName: 'crashes' }))).nodegroups?.sort()).toEqual(['ng-general', 'ng-spot']);
  });

  it('makes the x-eksp-caller the owner: to another caller its operation does not exist (404)', async () => {
    const accepted = await call('POST', '/clusters', { body: { name: 'owned', managedNodeGroups: [], addons: [] }, caller: OWNER });
    expect(accepted.status).toBe(202);
    const path = `/operations/${String(accepted.body.operationId)}`;

    expect((await call('GET', path, { caller: OTHER })).status).toBe(404);
    expect((await call('GET', path)).status).toBe(404);
    expect(await call('GET', path, { caller: OWNER })).toMatchObject({ status: 200, body: { requestedBy: OWNER } });
    await eventsUntilTerminal(String(accepted.body.operationId));
  });
});
