/**
 * A cluster's whole life in local mode, over HTTP and the bus (issue: cluster lifecycle API):
 * create → get → scale → add a Fargate profile → add and remove an access entry → private-only
 * endpoint → kubeconfig → delete, with nothing left in the emulator and exactly one terminal
 * event per operation; plus concurrency (409), idempotent replay, ownership (404 to others), unknown
 * clusters (404), deleting a retained failure, ttl expiry and event-triggered operations.
 */
import { DescribeAccessEntryCommand, DescribeClusterCommand, DescribeNodegroupCommand, DescribeUpdateCommand, ListFargateProfilesCommand, UpdateClusterConfigCommand } from '@aws-sdk/client-eks';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_CALLER } from '../../local/runtime/api-server';
import { LOCAL_EVENT_SOURCE, startLocal, type LocalMode } from '../../local/start';
import { expectOneTerminalLast, LocalCloud, TERMINAL, type Reply, type StatusEvent } from '../support/local-cloud';
import { until } from '../support/until';

const TIME_SCALE = 0.001;
const OWNER = 'arn:aws:iam::111122223333:role/platform-portal';
const OTHER = 'arn:aws:iam::111122223333:role/someone-else';
const DEVELOPER = 'arn:aws:iam::111122223333:role/developer';
/** For scenarios about something else: no default nodegroup or add-ons to wait for. */
const NO_COMPUTE = { managedNodeGroups: [], addons: [] };

let local: LocalMode;
let cloud: LocalCloud;
let bus: EventBridgeClient;

/** The reference cluster without Fargate: a profile added later needs a role stack of its own. */
const spec = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => {
  const { fargate: _fargate, ...reference } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'reference-cluster.json'), 'utf8')) as Record<string, unknown>;
  return { ...reference, name, ...extra };
};

const call = (method: string, path: string, body?: unknown, options: { caller?: string; headers?: Record<string, string> } = {}) => cloud.call(method, path, { caller: options.caller ?? OWNER, ...(body === undefined ? {} : { body }), ...(options.headers ? { headers: options.headers } : {}) });

/** The operation an accepted request started, run to its one terminal event. */
async function completed(reply: Reply, status = 'SUCCEEDED'): Promise<StatusEvent[]> {
  expect(reply).toMatchObject({ status: 202, body: { status: 'ACCEPTED' } });
  const events = await cloud.eventsUntilTerminal(String(reply.body.operationId));
  expectOneTerminalLast(events, status);
  return events;
}

const describeCluster = async (name: string) => (await cloud.eks.send(new DescribeClusterCommand({ name }))).cluster!;

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 4242, quiet: true });
  cloud = new LocalCloud(local);
  bus = new EventBridgeClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 30_000);

afterEach(async () => {
  await fetch(`${local.awsUrl}/_local/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  bus?.destroy();
  cloud?.destroy();
  await local?.stop();
});

describe('a cluster from creation to deletion, through the API', () => {
  const NAME = 'life';
  const operations: string[] = [];
  const accepted = (reply: Reply) => {
    operations.push(String(reply.body.operationId));
    return reply;
  };

  it('creates the cluster and shows it with its live state', async () => {
    await completed(accepted(await call('POST', '/clusters', spec(NAME))));

    const cluster = await call('GET', `/clusters/${NAME}`);

    expect(cluster.status).toBe(200);
    expect(cluster.body).toMatchObject({ name: NAME, status: 'ACTIVE', owner: OWNER, currentOperation: null, live: { status: 'ACTIVE', endpointAccess: { public: true, private: true } } });
    expect((cluster.body.live as { nodegroups: Array<{ name: string }> }).nodegroups.map((n) => n.name).sort()).toEqual(['ng-general', 'ng-spot']);
    const listed = await call('GET', '/clusters');
    expect((listed.body.clusters as Array<{ name: string }>).map((c) => c.name)).toContain(NAME);
    expect((await call('GET', '/openapi.json')).body).toMatchObject({ openapi: '3.1.0' });
  });

  it('answers 404 for an unknown cluster, and the same 404 to another principal', async () => {
    expect((await call('GET', '/clusters/no-such-cluster')).status).toBe(404);
    expect((await call('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { maxSize: 9 }, { caller: OTHER })).status).toBe(404);
    expect((await call('DELETE', `/clusters/${NAME}`, undefined, { caller: OTHER })).status).toBe(404);
  });

  it('scales a nodegroup while a second operation on the cluster is refused with 409', async () => {
    const [scale, other] = await Promise.all([call('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { maxSize: 5, desiredSize: 3 }), call('DELETE', `/clusters/${NAME}/nodegroups/ng-general`)]);
    const [winner, loser] = scale.status === 202 ? [scale, other] : [other, scale];

    expect(loser.status).toBe(409);
    expect(loser.body.runningOperationId).toBe(winner.body.operationId);
    // The winner is whichever request locked first; make sure the scale happens either way.
    await completed(accepted(winner));
    if (winner !== scale) await completed(accepted(await call('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { maxSize: 5, desiredSize: 3 })));
    const nodegroup = (await cloud.eks.send(new DescribeNodegroupCommand({ clusterName: NAME, nodegroupName: 'ng-spot' }))).nodegroup!;
    expect(nodegroup.scalingConfig).toEqual({ minSize: 1, maxSize: 5, desiredSize: 3 });
  });

  it('adds a Fargate profile once, however often the request is replayed with its Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': 'add-fp-batch-1' };
    const profile = { name: 'fp-batch', selectors: [{ namespace: 'batch' }] };

    const first = accepted(await call('POST', `/clusters/${NAME}/fargate-profiles`, profile, { headers }));
    const replay = await call('POST', `/clusters/${NAME}/fargate-profiles`, profile, { headers });
    const misuse = await call('POST', `/clusters/${NAME}/fargate-profiles`, { ...profile, name: 'fp-other' }, { headers });

    expect(replay).toMatchObject({ status: 202, body: { operationId: first.body.operationId } });
    expect(misuse.status).toBe(422);
    await completed(first);
    expect((await cloud.eks.send(new ListFargateProfilesCommand({ clusterName: NAME }))).fargateProfileNames).toEqual(['fp-batch']);
    // Made without Fargate: the pod execution role came with a stack of its own, which delete removes.
    expect((await cloud.cloudFormation.send(new DescribeStacksCommand({ StackName: `eksp-${NAME}-fargate` }))).Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
  });

  it('adds an access entry and removes it again', async () => {
    const entry = { principalArn: DEVELOPER, accessPolicies: [{ policy: 'AmazonEKSEditPolicy', scope: 'namespace', namespaces: ['dev'] }] };

    await completed(accepted(await call('POST', `/clusters/${NAME}/access-entries`, entry)));
    const added = await cloud.eks.send(new DescribeAccessEntryCommand({ clusterName: NAME, principalArn: DEVELOPER }));
    await completed(accepted(await call('DELETE', `/clusters/${NAME}/access-entries/${encodeURIComponent(DEVELOPER)}`)));

    expect(added.accessEntry?.principalArn).toBe(DEVELOPER);
    await expect(cloud.eks.send(new DescribeAccessEntryCommand({ clusterName: NAME, principalArn: DEVELOPER }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('switches the endpoint to private only', async () => {
    await completed(accepted(await call('PUT', `/clusters/${NAME}/endpoint-access`, { public: false, private: true })));

    expect((await describeCluster(NAME)).resourcesVpcConfig).toMatchObject({ endpointPublicAccess: false, endpointPrivateAccess: true });
  });

  it('waits out an endpoint update started outside the service (as by aws eks update-cluster-config), then makes the asked change', async () => {
    // `aws eks update-cluster-config` back to public and private: in progress, the cluster still reads private only.
    const { update } = await cloud.eks.send(new UpdateClusterConfigCommand({ name: NAME, resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true } }));
    expect((await describeCluster(NAME)).resourcesVpcConfig).toMatchObject({ endpointPublicAccess: false, endpointPrivateAccess: true });

    const events = await completed(accepted(await call('PUT', `/clusters/${NAME}/endpoint-access`, { public: false, private: true })));

    expect(events.at(-1)).toMatchObject({ outputs: { action: 'SET_ENDPOINT_ACCESS', result: 'applied' } });
    expect((await cloud.eks.send(new DescribeUpdateCommand({ name: NAME, updateId: update!.id }))).update?.status).toBe('Successful');
    expect(await describeCluster(NAME)).toMatchObject({ status: 'ACTIVE', resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true } });
  });

  it('hands out a kubeconfig for the cluster', async () => {
    const reply = await call('GET', `/clusters/${NAME}/kubeconfig`);

    expect(reply.status).toBe(200);
    const config = load(reply.text) as { clusters: Array<{ cluster: { server: string } }>; users: Array<{ user: { exec: { args: string[] } } }> };
    expect(config.clusters[0]!.cluster.server).toBe((await describeCluster(NAME)).endpoint);
    expect(config.users[0]!.user.exec.args).toEqual(['--region', 'us-east-1', 'eks', 'get-token', '--cluster-name', NAME, '--output', 'json']);
  });

  it('deletes the cluster and leaves nothing of it in the emulator', async () => {
    await completed(accepted(await call('DELETE', `/clusters/${NAME}`)));

    await cloud.expectNothingLeft(NAME);
    expect((await call('GET', `/clusters/${NAME}`)).status).toBe(404);
  });

  it('ended every operation with exactly one terminal event, and lists them all', async () => {
    const events = await cloud.busEvents();
    for (const id of operations) expect(events.filter((e) => e.operationId === id && TERMINAL.includes(e.status))).toHaveLength(1);
    const history = await call('GET', `/operations?cluster=${NAME}`);
    const listed = (history.body.operations as Array<{ id: string }>).map((o) => o.id);
    expect(listed).toEqual(expect.arrayContaining(operations));
  });
});

describe('other lives', () => {
  it('deletes a failed provisioning that was retained (onFailure: retain)', async () => {
    const name = 'kept';
    await fetch(`${local.awsUrl}/_local/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ kind: 'nodegroup-failure', nodegroup: 'ng-spot', code: 'AsgInstanceLaunchFailures', message: 'no capacity' }] }) });
    await completed(await call('POST', '/clusters', spec(name, { onFailure: 'retain' })), 'FAILED');
    await fetch(`${local.awsUrl}/_local/faults`, { method: 'DELETE' });
    expect((await call('GET', `/clusters/${name}`)).body).toMatchObject({ status: 'FAILED' });

    await completed(await call('DELETE', `/clusters/${name}`));

    await cloud.expectNothingLeft(name);
  });

  it('deletes a cluster when its ttl expires', async () => {
    const name = 'short-lived';
    const created = await completed(await call('POST', '/clusters', { name, ttl: '45m', ...NO_COMPUTE }));
    expect(created.at(-1)!.outputs?.expiresAt).toBeDefined();

    // 45 emulated minutes after the request: a few real seconds at this time scale.
    const deletion = await until(
      async () => ((await call('GET', `/operations?cluster=${name}`)).body.operations as Array<{ type: string; status: string; requestedBy: string }>).find((o) => o.type === 'DELETE'),
      (operation) => operation !== undefined && TERMINAL.includes(operation.status),
      'the expiry deletion',
      30_000,
    );

    expect(deletion).toMatchObject({ status: 'SUCCEEDED', requestedBy: expect.stringContaining('eks-provisioner-expiry') });
    await cloud.expectNothingLeft(name);
  });

  it('creates and deletes a cluster requested as events on the bus, owned by the source principal', async () => {
    const name = 'from-events';
    const request = async (detail: Record<string, unknown>) => {
      const out = await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: 'eks-provisioner', Source: LOCAL_EVENT_SOURCE, DetailType: 'EKS Cluster Operation Requested', Detail: JSON.stringify(detail) }] }));
      expect(out.FailedEntryCount).toBe(0);
    };
    const finished = (type: string) =>
      until(
        async () => ((await call('GET', `/operations?cluster=${name}`, undefined, { caller: LOCAL_CALLER })).body.operations as Array<{ type: string; status: string }> | undefined)?.find((o) => o.type === type),
        (operation) => operation !== undefined && TERMINAL.includes(operation.status),
        `the ${type} requested by event`,
        30_000,
      );

    await request({ operation: 'CREATE_CLUSTER', cluster: name, body: { name, ...NO_COMPUTE } });
    expect(await finished('CREATE')).toMatchObject({ status: 'SUCCEEDED' });
    expect((await call('GET', `/clusters/${name}`, undefined, { caller: LOCAL_CALLER })).body).toMatchObject({ owner: LOCAL_CALLER, status: 'ACTIVE' });
    await request({ operation: 'DELETE_CLUSTER', cluster: name });
    expect(await finished('DELETE')).toMatchObject({ status: 'SUCCEEDED' });

    await cloud.expectNothingLeft(name);
  });

  it('ends an operation whose execution an operator stopped with one FAILED event, and the cluster can be deleted', async () => {
    const name = 'stopped';
    const accepted = await call('POST', '/clusters', { name, ...NO_COMPUTE });
    const operationId = String(accepted.body.operationId);
    const { executionArn } = (await call('GET', `/operations/${operationId}`)).body as { executionArn: string };
    const sfn = new SFNClient({ endpoint: local.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stuck, stopped by hand' }));
    } finally {
      sfn.destroy();
    }

    const events = await cloud.eventsUntilTerminal(operationId);

    expect(expectOneTerminalLast(events, 'FAILED').error).toMatchObject({ code: 'ExecutionAborted', message: expect.stringContaining('stuck, stopped by hand') });
    expect((await call('GET', `/clusters/${name}`)).body).toMatchObject({ status: 'FAILED', currentOperation: null });
    await completed(await call('DELETE', `/clusters/${name}`));
    await cloud.expectNothingLeft(name);
  });

  it('announces an event request it refuses', async () => {
    await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: 'eks-provisioner', Source: LOCAL_EVENT_SOURCE, DetailType: 'EKS Cluster Operation Requested', Detail: JSON.stringify({ operation: 'DELETE_CLUSTER', cluster: 'never-made' }) }] }));

    const rejections = await until(
      () => cloud.busEvents<{ cluster: string; problem: { status: number } }>('EKS Cluster Operation Request Rejected'),
      (found) => found.some((r) => r.cluster === 'never-made'),
      'the rejection event',
    );

    expect(rejections.find((r) => r.cluster === 'never-made')!.problem.status).toBe(404);
  });
});
