/**
 * End to end over HTTP through the `npm start` entry point (startLocal): the REST API, the real
 * state machine and handlers, unchanged SDK clients, the local AWS endpoint. Scenarios run one
 * after another on one local cloud (faults are global), each with its own cluster name.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EKSClient, DescribeClusterCommand, ListClustersCommand, ListFargateProfilesCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalMode } from '../../local/start';

/** ~1,700 emulated seconds per reference provisioning → about 5 s each. */
const TIME_SCALE = 0.003;
const OWNER = 'arn:aws:iam::111122223333:role/platform-portal';
const OTHER = 'arn:aws:iam::111122223333:role/someone-else';
const TERMINAL = ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'];

interface StatusEvent {
  operationId: string;
  eventId: string;
  status: string;
  phase: string;
  time: string;
  step?: { name: string; status: string; resource?: string };
  error?: { code: string; message: string; resource?: string };
  outputs?: Record<string, string>;
}

let local: LocalMode;
let cloudFormation: CloudFormationClient;
let eks: EKSClient;

const reference = (name: string): Record<string, unknown> => ({ ...JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'reference-cluster.json'), 'utf8')), name });

async function call(method: string, path: string, options: { body?: unknown; caller?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${local.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(options.caller ? { 'x-eksp-caller': options.caller } : {}) },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function setFaults(rules: unknown[]): Promise<void> {
  const response = await fetch(`${local.awsUrl}/_local/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules }) });
  expect(response.status).toBe(200);
}

/** Every status event of the operation, in bus order, once its terminal event is there. */
async function eventsUntilTerminal(operationId: string, timeoutMs = 25_000): Promise<StatusEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = (await (await fetch(`${local.awsUrl}/_local/events?source=eks-provisioner`)).json()) as { events: Array<{ detail: StatusEvent }> };
    const events = page.events.map((e) => e.detail).filter((d) => d.operationId === operationId);
    if (events.some((e) => TERMINAL.includes(e.status))) {
      // Let a stray late event (there must be none) show up before judging the order.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const again = (await (await fetch(`${local.awsUrl}/_local/events?source=eks-provisioner`)).json()) as { events: Array<{ detail: StatusEvent }> };
      return again.events.map((e) => e.detail).filter((d) => d.operationId === operationId);
    }
    if (Date.now() > deadline) throw new Error(`no terminal event for ${operationId} after ${timeoutMs} ms; got ${events.map((e) => `${e.status}/${e.phase}`).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function provision(name: string, caller = OWNER, spec = reference(name)): Promise<{ operationId: string; events: StatusEvent[] }> {
  const accepted = await call('POST', '/clusters', { body: spec, caller });
  expect(accepted).toMatchObject({ status: 202, body: { status: 'ACCEPTED' } });
  const operationId = String(accepted.body.operationId);
  return { operationId, events: await eventsUntilTerminal(operationId) };
}

/**
 * EventBridge does not promise delivery order, so consumers order status events by their `time`:
 * ACCEPTED comes first by time. The terminal event is the last one put on the bus, and the only one.
 */
function expectOneTerminalLast(events: StatusEvent[], status: string): StatusEvent {
  const byTime = [...events].sort((a, b) => a.time.localeCompare(b.time));
  expect(byTime[0]).toMatchObject({ status: 'ACCEPTED', phase: 'Accepted' });
  const terminals = events.filter((e) => TERMINAL.includes(e.status));
  if (terminals.length !== 1 || terminals[0]!.status !== status) {
    throw new Error(`expected one terminal event ${status}, got ${JSON.stringify(terminals.map((e) => ({ status: e.status, phase: e.phase, error: e.error })))}`);
  }
  const last = events.at(-1)!;
  expect(last.status).toBe(status);
  return last;
}

/** Nothing of the cluster left in the emulator: no stack, no cluster (so no nodegroups or Fargate profiles). */
async function expectNothingLeft(name: string): Promise<void> {
  const stacks = await cloudFormation.send(new DescribeStacksCommand({ StackName: `eksp-${name}-cluster` })).then(
    (out) => out.Stacks ?? [],
    () => [],
  );
  expect(stacks.filter((s) => s.StackStatus !== 'DELETE_COMPLETE')).toEqual([]);
  expect((await eks.send(new ListClustersCommand({}))).clusters).not.toContain(name);
  await expect(eks.send(new ListNodegroupsCommand({ clusterName: name }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  await expect(eks.send(new ListFargateProfilesCommand({ clusterName: name }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
}

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 2026, quiet: true });
  const client = { endpoint: local.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  cloudFormation = new CloudFormationClient(client);
  eks = new EKSClient(client);
}, 30_000);

afterEach(async () => {
  await fetch(`${local.awsUrl}/_local/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  cloudFormation?.destroy();
  eks?.destroy();
  await local?.stop();
});

describe('local mode, end to end over HTTP', () => {
  it('provisions the reference cluster: events in order, the step timeline, a live EKS cluster', async () => {
    const { operationId, events } = await provision('reference');

    const terminal = expectOneTerminalLast(events, 'SUCCEEDED');
    expect(terminal.outputs).toMatchObject({ clusterName: 'reference', endpoint: expect.stringContaining('/k8s/reference') });
    const phases = [...new Set(events.map((e) => e.phase))];
    expect(phases.indexOf('ClusterStack')).toBeLessThan(phases.indexOf('ComputeAndAccess'));
    expect(phases.indexOf('ComputeAndAccess')).toBeLessThan(phases.indexOf('EndpointAccess'));
    const operation = await call('GET', `/operations/${operationId}`, { caller: OWNER });
    expect(operation).toMatchObject({ status: 200, body: { status: 'SUCCEEDED', phase: 'Completed' } });
    const steps = operation.body.steps as Array<{ name: string; status: string; resource?: string }>;
    expect(steps.filter((s) => s.status === 'SUCCEEDED').map((s) => s.resource)).toEqual(expect.arrayContaining(['nodegroup ng-general', 'nodegroup ng-spot']));
    const cluster = (await eks.send(new DescribeClusterCommand({ name: 'reference' }))).cluster!;
    expect(cluster).toMatchObject({ status: 'ACTIVE', resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] } });
    expect((await eks.send(new ListNodegroupsCommand({ clusterName: 'reference' }))).nodegroups?.sort()).toEqual(['ng-general', 'ng-spot']);
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

  it('rolls back when the endpoint access update fails, naming the update', async () => {
    await setFaults([{ kind: 'update-failure', updateType: 'EndpointAccessUpdate', message: 'Endpoint access could not be updated' }]);

    const { events } = await provision('endpoint-fails');

    const terminal = expectOneTerminalLast(events, 'ROLLED_BACK');
    expect(terminal.error).toMatchObject({ code: 'EndpointUpdateFailedError', resource: expect.stringMatching(/^update /), message: expect.stringMatching(/Failed: .*Endpoint access could not be updated/) });
    expect(terminal.phase).toBe('EndpointAccess');
    await expectNothingLeft('endpoint-fails');
  });

  it('still succeeds when 20% of every AWS call is throttled', async () => {
    await setFaults([{ kind: 'throttle', service: '*', rate: 0.2 }]);

    const { events } = await provision('throttled');

    expectOneTerminalLast(events, 'SUCCEEDED');
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

  it('makes the x-eksp-caller the owner: another caller gets 403 on its operation', async () => {
    const accepted = await call('POST', '/clusters', { body: { name: 'owned' }, caller: OWNER });
    expect(accepted.status).toBe(202);
    const path = `/operations/${String(accepted.body.operationId)}`;

    expect((await call('GET', path, { caller: OTHER })).status).toBe(403);
    expect((await call('GET', path)).status).toBe(403);
    expect(await call('GET', path, { caller: OWNER })).toMatchObject({ status: 200, body: { requestedBy: OWNER } });
    await eventsUntilTerminal(String(accepted.body.operationId));
  });
});
