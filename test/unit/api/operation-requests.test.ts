/** "EKS Cluster Operation Requested" events: the same routes, checks and idempotency as the REST API. */
import { handleEvent } from '../../../functions/api/handler';
import { eventSourcesFrom, expiryRequestEvent, maintenanceUpgradeEvent, type OperationRequestDetail, type OperationRequestEvent } from '../../../functions/domain/operation-request';
import { watched } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';
import { referenceSpec } from '../../support/provision-run';

const PORTAL = 'com.example.portal';
const PORTAL_ROLE = 'arn:aws:iam::111122223333:role/portal';

function requested(detail: Partial<OperationRequestDetail>, options: { source?: string; id?: string } = {}): OperationRequestEvent {
  return {
    version: '0',
    id: options.id ?? 'evt-0001',
    'detail-type': 'EKS Cluster Operation Requested',
    source: options.source ?? PORTAL,
    account: '111122223333',
    time: '2026-11-21T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: detail as OperationRequestDetail,
  };
}

const create = () => requested({ operation: 'CREATE_CLUSTER', cluster: 'reference', body: referenceSpec() });

describe('operation requested by an event', () => {
  it('creates a cluster owned by the principal configured for its source', async () => {
    const aws = new FakeAws();

    const outcome = await handleEvent(create(), aws.deps());

    expect(outcome.statusCode).toBe(202);
    expect(aws.clusterRecords.get('reference')).toMatchObject({ owner: PORTAL_ROLE, status: 'CREATING' });
    expect(aws.events.map((e) => `${e.status} ${e.requestedBy}`)).toEqual([`ACCEPTED ${PORTAL_ROLE}`]);
    expect(aws.executions).toHaveLength(1);
  });

  it('runs a redelivered event once: the event id is the default idempotency key', async () => {
    const aws = new FakeAws();

    const first = await handleEvent(create(), aws.deps());
    const again = await handleEvent(create(), aws.deps());

    expect(again).toEqual(first);
    expect(aws.executions).toHaveLength(1);
    expect(aws.rejections).toEqual([]);
  });

  it('announces a refusal on the bus with the problem the API would have answered', async () => {
    const aws = new FakeAws();

    const outcome = await handleEvent(requested({ operation: 'DELETE_CLUSTER', cluster: 'nobody' }), aws.deps());

    expect(outcome.statusCode).toBe(404);
    expect(aws.rejections).toEqual([expect.objectContaining({ requestId: 'evt-0001', source: PORTAL, operation: 'DELETE_CLUSTER', cluster: 'nobody', problem: expect.objectContaining({ status: 404, title: 'Cluster not found' }) })]);
  });

  it('fails the invocation, for a retry, when the service could not complete the request', async () => {
    const aws = new FakeAws();
    aws.workflows.start = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };

    await expect(handleEvent(create(), aws.deps())).rejects.toMatchObject({ name: 'OperationRequestFailedError' });
    expect(aws.rejections).toEqual([]);
  });

  it('refuses a source that EVENT_SOURCES does not name, before any registry or AWS call', async () => {
    const aws = new FakeAws();

    const outcome = await handleEvent({ ...create(), source: 'com.example.elsewhere' }, aws.deps());

    expect(outcome.statusCode).toBe(403);
    expect(aws.callLog().filter((c) => !c.startsWith('events:'))).toEqual([]);
  });

  it('refuses a malformed detail naming each field under /detail', async () => {
    const aws = new FakeAws();

    const outcome = await handleEvent(requested({ operation: 'EXPLODE' as never, cluster: '' }), aws.deps());

    expect(outcome.statusCode).toBe(422);
    expect(aws.rejections[0]!.problem).toMatchObject({ errors: expect.arrayContaining([expect.objectContaining({ pointer: '/detail/operation' }), expect.objectContaining({ pointer: '/detail/cluster' })]) });
  });

  it('requires the target of a nodegroup change, and the created cluster named in both places', async () => {
    const aws = new FakeAws();

    const noTarget = await handleEvent(requested({ operation: 'REMOVE_NODEGROUP', cluster: 'reference' }), aws.deps());
    const mismatch = await handleEvent(requested({ operation: 'CREATE_CLUSTER', cluster: 'other', body: referenceSpec() }), aws.deps());

    expect([noTarget.statusCode, mismatch.statusCode]).toEqual([422, 422]);
    expect(aws.rejections.map((r) => (r.problem.errors as Array<{ pointer: string }>)[0]!.pointer)).toEqual(['/detail/target', '/detail/body/name']);
  });

  it('removes a Pod Identity association named <namespace>/<serviceAccount> by the target, as the DELETE route’s two segments', async () => {
    const aws = new FakeAws();
    const spec = { ...referenceSpec(), podIdentityAssociations: [{ namespace: 'jobs', serviceAccountName: 'runner', roleArn: 'arn:aws:iam::111122223333:role/runner' }] };
    await handleEvent(requested({ operation: 'CREATE_CLUSTER', cluster: 'reference', body: spec }), aws.deps());
    Object.assign(aws.clusterRecords.get('reference')!, { lockedBy: undefined, status: 'ACTIVE' });

    const outcome = await handleEvent(requested({ operation: 'REMOVE_POD_IDENTITY_ASSOCIATION', cluster: 'reference', target: 'jobs/runner' }, { id: 'evt-0002' }), aws.deps());
    const unknown = await handleEvent(requested({ operation: 'REMOVE_POD_IDENTITY_ASSOCIATION', cluster: 'reference', target: 'jobs/other' }, { id: 'evt-0003' }), aws.deps());

    expect(outcome.statusCode).toBe(202);
    expect(aws.executions.at(-1)!.input).toMatchObject({ change: { action: 'REMOVE_POD_IDENTITY_ASSOCIATION', target: 'jobs/runner' } });
    expect(unknown.statusCode).toBe(404);
  });

  it("only touches the source principal's own clusters", async () => {
    const aws = new FakeAws();
    await handleEvent(create(), aws.deps());
    Object.assign(aws.clusterRecords.get('reference')!, { owner: 'arn:aws:iam::111122223333:role/someone-else', lockedBy: undefined, status: 'ACTIVE' });

    const outcome = await handleEvent(requested({ operation: 'UPDATE_NODEGROUP', cluster: 'reference', target: 'ng-spot', body: { maxSize: 5 } }, { id: 'evt-0002' }), aws.deps());

    expect(outcome.statusCode).toBe(404);
  });

  it('postpones an expiry that finds its cluster busy, instead of losing it', async () => {
    const aws = new FakeAws();
    await handleEvent(create(), aws.deps());

    const outcome = await handleEvent(expiryRequestEvent('reference', new Date('2026-11-24T10:00:00Z'), 'us-east-1', '111122223333'), aws.deps());

    expect(outcome).toMatchObject({ statusCode: 409, postponedUntil: new Date(aws.clock().getTime() + 10 * 60_000).toISOString() });
    expect(aws.expirySchedules.get('reference')).toEqual(new Date(aws.clock().getTime() + 10 * 60_000));
    expect(aws.rejections).toEqual([]);
  });

  it("deletes an expired cluster for its expiry schedule, whoever owns it", async () => {
    const aws = new FakeAws();
    await handleEvent(create(), aws.deps());
    Object.assign(aws.clusterRecords.get('reference')!, { lockedBy: undefined, status: 'ACTIVE' });

    const outcome = await handleEvent(expiryRequestEvent('reference', new Date('2026-11-24T10:00:00Z'), 'us-east-1', '111122223333'), aws.deps());

    expect(outcome.statusCode).toBe(202);
    expect(aws.clusterRecords.get('reference')).toMatchObject({ status: 'DELETING' });
    expect(aws.executions[aws.executions.length - 1]!.input).toMatchObject({ operation: { type: 'DELETE', requestedBy: 'arn:aws:iam::111122223333:role/eks-provisioner-expiry' } });
  });
});

describe('an unattended upgrade, when its schedule fires', () => {
  const MAINTENANCE_ROLE = 'arn:aws:iam::111122223333:role/eks-provisioner-maintenance';

  /** The reference cluster, ACTIVE at 1.32, owned by the portal, with unattended upgrades on Saturday mornings (FakeAws's clock: Saturday 10:00 UTC). */
  async function behindCluster(maintenance: Record<string, unknown> = { autoUpgrade: true, window: 'sat 09:00-12:00 UTC' }) {
    const aws = new FakeAws();
    await handleEvent(create(), aws.deps());
    const record = aws.clusterRecords.get('reference')!;
    Object.assign(record, { lockedBy: undefined, status: 'ACTIVE', spec: { ...(record.spec as object), version: '1.32', maintenance } });
    return aws;
  }
  const fired = (aws: FakeAws, version = '1.33') => maintenanceUpgradeEvent('reference', version, aws.clock(), 'us-east-1', '111122223333');

  it('starts the guided upgrade as the service, whoever owns the cluster', async () => {
    const aws = await behindCluster();

    const outcome = await handleEvent(fired(aws), aws.deps());

    expect(outcome.statusCode).toBe(202);
    expect(aws.clusterRecords.get('reference')).toMatchObject({ status: 'UPDATING' });
    expect(aws.executions.at(-1)!.input).toMatchObject({ operation: { type: 'UPGRADE', requestedBy: MAINTENANCE_ROLE }, upgrade: { version: '1.33', force: false } });
  });

  it('starts it once, however often the schedule delivers it', async () => {
    const aws = await behindCluster();

    const first = await handleEvent(fired(aws), aws.deps());
    const again = await handleEvent(fired(aws), aws.deps());

    expect(again).toEqual(first);
    expect(aws.executions.filter((e) => (e.input as { upgrade?: unknown }).upgrade)).toHaveLength(1);
  });

  it.each([
    ['turned off', { autoUpgrade: false, window: 'sat 09:00-12:00 UTC' }, '1.33', 'no longer enabled'],
    ['moved to another day', { autoUpgrade: true, window: 'sun 09:00-12:00 UTC' }, '1.33', 'outside the maintenance window'],
    ['already done by hand', { autoUpgrade: true, window: 'sat 09:00-12:00 UTC' }, '1.32', 'already runs Kubernetes 1.32'],
  ])('starts nothing and announces nothing when the plan is stale (%s)', async (_case, maintenance, version, reason) => {
    const aws = await behindCluster(maintenance);

    const outcome = await handleEvent(fired(aws, version), aws.deps());

    expect(outcome).toEqual({ statusCode: 200, skipped: expect.stringContaining(reason) });
    expect(aws.clusterRecords.get('reference')).toMatchObject({ status: 'ACTIVE' });
    expect(aws.rejections).toEqual([]);
  });

  it('announces a refusal, such as a cluster busy with another operation, as a rejection event', async () => {
    const aws = await behindCluster();
    Object.assign(aws.clusterRecords.get('reference')!, { lockedBy: 'op-other', status: 'UPDATING' });

    const outcome = await handleEvent(fired(aws), aws.deps());

    expect(outcome.statusCode).toBe(409);
    expect(aws.rejections).toEqual([expect.objectContaining({ source: 'eks-provisioner.maintenance', operation: 'UPGRADE_CLUSTER', cluster: 'reference' })]);
  });
});

describe('hostile operation requests', () => {
  const deep = (depth: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  };

  it.each([
    ['a 20,000-deep body', { operation: 'ADD_NODEGROUP', cluster: 'reference', body: { name: deep(20_000) } }, 400, '/detail/body'],
    ['a 5,000-character cluster', { operation: 'DELETE_CLUSTER', cluster: 'a'.repeat(5000) }, 422, '/detail/cluster'],
    ['a cluster name no cluster can have', { operation: 'DELETE_CLUSTER', cluster: 'Bad\tName' }, 400, '/detail/cluster'],
    ['a 5,000-character target', { operation: 'REMOVE_NODEGROUP', cluster: 'reference', target: 'n'.repeat(5000) }, 422, '/detail/target'],
    ['a target with a newline', { operation: 'REMOVE_NODEGROUP', cluster: 'reference', target: 'ng\nx' }, 400, '/detail/target'],
    ['an ARN target with a space', { operation: 'REMOVE_ACCESS_ENTRY', cluster: 'reference', target: 'arn:aws:iam::111122223333:role/a b' }, 400, '/detail/target'],
    ['a 10,000-character idempotency key', { operation: 'DELETE_CLUSTER', cluster: 'reference', idempotencyKey: 'k'.repeat(10_000) }, 422, '/detail/idempotencyKey'],
    ['an idempotency key with a tab', { operation: 'DELETE_CLUSTER', cluster: 'reference', idempotencyKey: 'a\tb' }, 422, '/detail/idempotencyKey'],
    ['a body above the size limit', { operation: 'SET_ENDPOINT_ACCESS', cluster: 'reference', body: { public: true, padding: 'x'.repeat(70_000) } }, 413, ''],
  ] as const)('rejects %s with a rejection event naming the field, before any registry or AWS call', async (_name, detail, status, pointer) => {
    const aws = new FakeAws();
    const { deps, touched } = watched(aws.deps());

    const outcome = await handleEvent(requested(detail as Partial<OperationRequestDetail>), deps);

    expect(outcome.statusCode).toBe(status);
    expect(aws.rejections).toHaveLength(1);
    expect(aws.rejections[0]!.problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
    expect(touched).toEqual(['events.publishRejection']);
  });
});

describe('allowed event sources', () => {
  it('takes sources mapped to IAM principals', () => {
    expect(eventSourcesFrom({ 'com.example.portal': PORTAL_ROLE })).toEqual({ 'com.example.portal': PORTAL_ROLE });
  });

  it('refuses a source mapped to something else, and the reserved sources', () => {
    expect(() => eventSourcesFrom({ 'com.example.portal': 'portal' })).toThrow('com.example.portal must map to an IAM principal ARN, got "portal"');
    expect(() => eventSourcesFrom({ 'eks-provisioner.expiry': PORTAL_ROLE })).toThrow('sources aws.* and eks-provisioner* are reserved');
    expect(() => eventSourcesFrom(['x'])).toThrow('must be a JSON object');
  });
});
