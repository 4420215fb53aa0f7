/**
 * The service's promises under faults, end to end over HTTP in local mode: the registry's outcome
 * is the truth, the terminal event is the last and only one and agrees with it and with the
 * cluster, whatever crashes or fails on the way; the reconciler (on the emulated clock) settles
 * what the workflow could not. Small clusters, one local cloud, scenarios one after another.
 */
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { startLocal, type LocalMode } from '../../local/start';
import { expectOneTerminalLast, LocalCloud, TERMINAL, type StatusEvent } from '../support/local-cloud';
import { until } from '../support/until';

const TIME_SCALE = 0.0015;
const ADMIN = 'arn:aws:iam::111122223333:role/platform-admin';
let local: LocalMode;
let cloud: LocalCloud;
let previousAdmins: string | undefined;

/** A cluster with the aws-auth mapping that makes the workflow switch its endpoint access at the end. */
const spec = (name: string) => ({
  name,
  managedNodeGroups: [{ name: 'ng-1', desiredSize: 1, minSize: 1, maxSize: 1 }],
  identityMappings: [{ arn: 'arn:aws:iam::111122223333:role/legacy-ops', username: 'legacy-ops', groups: ['ops'] }],
  endpointAccess: { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] },
});

async function setFaults(rules: unknown[]): Promise<void> {
  const response = await fetch(`${local.awsUrl}/_local/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules }) });
  expect(response.status).toBe(200);
}
const clearFaults = () => fetch(`${local.awsUrl}/_local/faults`, { method: 'DELETE' });

async function accept(name: string, headers: Record<string, string> = {}): Promise<string> {
  const accepted = await cloud.call('POST', '/clusters', { body: spec(name), headers });
  expect(accepted).toMatchObject({ status: 202, body: { status: 'ACCEPTED' } });
  return String(accepted.body.operationId);
}

const operation = async (id: string) => (await cloud.call('GET', `/operations/${id}`)).body as { status: string; phase: string; executionArn?: string };
const eventsOf = async (id: string): Promise<StatusEvent[]> => (await cloud.busEvents()).filter((e) => e.operationId === id);

/** The operation's execution, to wait on while the registry may be unreachable. */
async function executionOf(id: string): Promise<string> {
  return (await until(() => operation(id), (o) => Boolean(o.executionArn), `the execution of ${id}`, 10_000)).executionArn!;
}
const executionEnded = async (id: string) => local.executions.settled(await executionOf(id));

beforeAll(async () => {
  previousAdmins = process.env.ADMIN_PRINCIPAL_ARNS;
  process.env.ADMIN_PRINCIPAL_ARNS = ADMIN;
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 7, quiet: true });
  cloud = new LocalCloud(local);
}, 30_000);

afterEach(async () => {
  await clearFaults();
});

afterAll(async () => {
  cloud?.destroy();
  await local?.stop();
  if (previousAdmins === undefined) delete process.env.ADMIN_PRINCIPAL_ARNS;
  else process.env.ADMIN_PRINCIPAL_ARNS = previousAdmins;
});

describe('terminal truth under faults', () => {
  it('never rolls back a SUCCEEDED cluster when Finalize crashes after its commit on every try', async () => {
    await setFaults([{ kind: 'step-crash', state: 'Finalize', count: 9 }]);
    const id = await accept('finalize-crashes');

    await executionEnded(id);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const events = await eventsOf(id);
    expectOneTerminalLast(events, 'SUCCEEDED');
    expect(events.filter((e) => e.phase === 'Rollback' || e.phase === 'Diagnose')).toEqual([]);
    expect(await operation(id)).toMatchObject({ status: 'SUCCEEDED', phase: 'Completed' });
    expect(await cloud.call('GET', '/clusters/finalize-crashes')).toMatchObject({ status: 200, body: { status: 'ACTIVE', currentOperation: null } });
    expect((await cloud.eks.send(new DescribeClusterCommand({ name: 'finalize-crashes' }))).cluster?.status).toBe('ACTIVE');
  });

  it('settles an operation and frees its cluster after DynamoDB failed long enough to end the execution', async () => {
    const id = await accept('registry-outage');
    const execution = await executionOf(id);
    await until(() => operation(id), (o) => o.phase === 'ClusterStack', `${id} in ClusterStack`, 10_000);
    await setFaults([{ kind: 'server-error', service: 'dynamodb', rate: 1 }]);

    await local.executions.settled(execution);
    await clearFaults();
    const events = await cloud.eventsUntilTerminal(id, 20_000);

    const terminal = expectOneTerminalLast(events, 'FAILED');
    expect(terminal.settledBy).toBe('reconciler');
    expect(await operation(id)).toMatchObject({ status: 'FAILED' });
    expect(await cloud.call('GET', '/clusters/registry-outage')).toMatchObject({ status: 200, body: { status: 'FAILED', currentOperation: null } });
  });

  it('finishes a cluster SUCCEEDED, announced once the bus is back, when PutEvents fails while compute and identities are added', async () => {
    const id = await accept('bus-outage');
    await until(() => operation(id), (o) => o.phase === 'ComputeAndAccess', `${id} in ComputeAndAccess`, 15_000);
    await setFaults([{ kind: 'server-error', service: 'events', operation: 'PutEvents', rate: 1 }]);

    await until(() => operation(id), (o) => TERMINAL.includes(o.status), `${id} ended`, 20_000);
    expect(await operation(id)).toMatchObject({ status: 'SUCCEEDED' });
    await clearFaults();
    const events = await cloud.eventsUntilTerminal(id, 10_000);

    expectOneTerminalLast(events, 'SUCCEEDED');
    expect((await cloud.eks.send(new DescribeClusterCommand({ name: 'bus-outage' }))).cluster?.status).toBe('ACTIVE');
  });

  it('lets an admin abort a running operation: one FAILED event settled by abort, the cluster released', async () => {
    const id = await accept('aborted');
    await until(() => operation(id), (o) => o.phase === 'ClusterStack', `${id} in ClusterStack`, 10_000);

    const refused = await cloud.call('POST', `/operations/${id}/abort`);
    const aborted = await cloud.call('POST', `/operations/${id}/abort`, { caller: ADMIN });
    await executionEnded(id);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(refused.status).toBe(403);
    expect(aborted).toMatchObject({ status: 200, body: { status: 'FAILED', settledBy: 'abort' } });
    const terminal = expectOneTerminalLast(await eventsOf(id), 'FAILED');
    expect(terminal).toMatchObject({ settledBy: 'abort', error: { code: 'OperationAborted' } });
    expect(await cloud.call('GET', '/clusters/aborted')).toMatchObject({ status: 200, body: { status: 'FAILED', currentOperation: null } });
  });
});
