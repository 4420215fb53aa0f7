/** POST /clusters/{name}/upgrade over FakeAws: the body's and the version's checks, the lock, the dry run's plan, and what it starts. */
import { handleEvent, routeRequest } from '../../../functions/api/handler';
import { apiEvent as event, responseBody as body, STRANGER } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';
import { referenceSpec } from '../../support/provision-run';
import { normaliseSpec, type Spec } from '../../../functions/domain/spec';

const NAME = 'reference';
const PATH = `/clusters/${NAME}/upgrade`;

/** A cluster the API created at 1.32 and provisioning finished: registry ACTIVE and unlocked, EKS ACTIVE with a nodegroup and an add-on. */
async function activeCluster(aws: FakeAws): Promise<void> {
  const created = await routeRequest(event('POST', '/clusters', { body: { ...referenceSpec(), version: '1.32' } }), aws.deps());
  expect(created.statusCode).toBe(202);
  const record = aws.clusterRecords.get(NAME)!;
  delete record.lockedBy;
  Object.assign(record, { status: 'ACTIVE', version: record.version + 1 });
  aws.clusters.set(NAME, { name: NAME, arn: `arn:aws:eks:us-east-1:111122223333:cluster/${NAME}`, status: 'ACTIVE', version: '1.32' });
  aws.nodegroups.set(`${NAME}/ng-general`, { nodegroupName: 'ng-general', clusterName: NAME, status: 'ACTIVE', version: '1.32', createdAt: aws.clock(), describesLeft: 0 });
  aws.addons.set(`${NAME}/coredns`, { addonName: 'coredns', clusterName: NAME, status: 'ACTIVE', addonVersion: 'v1.0.0-eksbuild.132', createdAt: aws.clock(), describesLeft: 0 });
  aws.executions.length = 0;
  aws.calls.length = 0;
}

const upgrade = (aws: FakeAws, requestBody: unknown, options: { query?: Record<string, string>; caller?: string } = {}) => routeRequest(event('POST', PATH, { body: requestBody, ...options }), aws.deps());

describe('POST /clusters/{name}/upgrade', () => {
  it('starts upgrade-cluster with the operation, the registered spec and the request, and locks the cluster', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await upgrade(aws, { version: '1.33' });

    expect(response.statusCode).toBe(202);
    expect(aws.executions).toHaveLength(1);
    expect(aws.executions[0]!.input).toMatchObject({ operation: { type: 'UPGRADE', cluster: { name: NAME } }, spec: { name: NAME, version: '1.32' }, upgrade: { version: '1.33', force: false } });
    expect(aws.clusterRecords.get(NAME)).toMatchObject({ status: 'UPDATING', lockedBy: body(response).operationId });
    expect(aws.operations.get(body(response).operationId)).toMatchObject({ type: 'UPGRADE', stateMachineArn: expect.stringContaining('upgrade-cluster') });
  });

  it.each([
    [{ version: '1.33', force: 'yes' }, '/force', 'must be true or false'],
    [{ version: 'v1.33' }, '/version', 'must be a Kubernetes minor version such as "1.33"'],
    [{ force: true }, '/version', 'must be a Kubernetes minor version such as "1.33"'],
    [{ version: '1.33', drain: true }, '/drain', 'is not an upgrade field (version, force)'],
  ])('answers 422 naming the field for %j, before any AWS call', async (requestBody, pointer, message) => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await upgrade(aws, requestBody);

    expect(response.statusCode).toBe(422);
    expect(body(response).errors).toContainEqual({ pointer, message });
    expect(aws.calls.filter((c) => c.service === 'eks' || c.service === 'states')).toEqual([]);
    expect(aws.executions).toEqual([]);
  });

  it.each([
    ['1.32', 'the cluster already runs Kubernetes 1.32'],
    ['1.31', 'Kubernetes 1.31 is older than the cluster\'s 1.32: EKS cannot downgrade a control plane (make a new cluster at 1.31 instead)'],
    ['1.34', 'Kubernetes 1.34 is not an allowed version (guardrail kubernetesVersions: 1.32, 1.33)'],
  ])('answers 422 for %s: %s', async (version, message) => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await upgrade(aws, { version });

    expect(response.statusCode).toBe(422);
    expect(body(response).errors).toContainEqual({ pointer: '/version', message });
    expect(aws.executions).toEqual([]);
  });

  it('takes the version the cluster runs to catch up a self-managed nodegroup whose nodes were last read on an older kubelet: the dry run lists it, and the upgrade starts', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const record = aws.clusterRecords.get(NAME)!;
    const spec = record.spec as Spec;
    record.spec = { ...spec, selfManagedNodeGroups: normaliseSpec({ ...referenceSpec(), selfManagedNodeGroups: [{ name: 'sm-batch', instanceTypes: ['m6i.large'], minSize: 0, maxSize: 2, desiredSize: 1 }] }, aws.deps().settings.guardrails()).selfManagedNodeGroups };
    record.nodeVersions = { 'sm-batch': { version: '1.31', observedAt: '2026-11-20T09:00:00.000Z' } };

    const dryRun = await upgrade(aws, { version: '1.32' }, { query: { dryRun: 'true' } });

    expect(dryRun.statusCode).toBe(200);
    expect(body(dryRun).plan).toMatchObject({ from: '1.32', to: '1.32', passes: [], canProceed: true, selfManagedNodegroups: [{ name: 'sm-batch', from: '1.31', to: '1.32' }] });
    const started = await upgrade(aws, { version: '1.32' });
    expect(started.statusCode).toBe(202);
    expect(aws.executions[0]!.input).toMatchObject({ upgrade: { version: '1.32' } });
  });

  it('answers 409 while another operation holds the cluster, naming it', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const first = await upgrade(aws, { version: '1.33' });

    const second = await upgrade(aws, { version: '1.33', force: true });

    expect(second.statusCode).toBe(409);
    expect(body(second).runningOperationId).toBe(body(first).operationId);
  });

  it('answers 409 for a cluster that is not ACTIVE', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    aws.clusterRecords.get(NAME)!.status = 'FAILED';

    const response = await upgrade(aws, { version: '1.33' });

    expect(response.statusCode).toBe(409);
    expect(body(response).detail).toBe(`cluster ${NAME} is FAILED; only an ACTIVE cluster can be upgraded`);
  });

  it('answers 404 to a stranger', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    expect((await upgrade(aws, { version: '1.33' }, { caller: STRANGER })).statusCode).toBe(404);
  });

  it('?dryRun=true answers the plan Preflight would make, with insights as they are, and starts nothing', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    aws.insights.push({
      clusterName: NAME, id: 'i-1', name: 'Deprecated APIs removed in Kubernetes v1.33', category: 'UPGRADE_READINESS', kubernetesVersion: '1.33',
      insightStatus: { status: 'ERROR', reason: 'Deprecated API usage detected within the last 30 days.' }, recommendation: 'Update manifests and clients before upgrading.',
    });

    const response = await upgrade(aws, { version: '1.33' }, { query: { dryRun: 'true' } });

    expect(response.statusCode).toBe(200);
    const answer = body(response);
    expect(answer.plan).toMatchObject({
      cluster: NAME, from: '1.32', to: '1.33', passes: ['1.33'], canProceed: false,
      addons: [{ name: 'coredns', from: 'v1.0.0-eksbuild.132', to: 'v1.0.0-eksbuild.133' }],
      nodegroups: [{ name: 'ng-general', from: '1.32', to: '1.33' }],
    });
    expect(answer.blocking).toEqual([expect.objectContaining({ code: 'UpgradeInsightError', resource: 'insight Deprecated APIs removed in Kubernetes v1.33', recommendation: 'Update manifests and clients before upgrading.' })]);
    expect(answer.expected.after).toEqual({ version: '1.33', addons: { coredns: 'v1.0.0-eksbuild.133' }, nodegroups: { 'ng-general': '1.33' }, selfManagedNodegroups: {} });
    expect(aws.callLog((c) => c.operation === 'StartInsightsRefresh' || c.operation.startsWith('Update'))).toEqual([]);
    expect(aws.executions).toEqual([]);
    expect(aws.clusterRecords.get(NAME)!.lockedBy).toBeUndefined();
  });

  it('?dryRun=true answers 409 when EKS does not know the cluster the registry has', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    aws.clusters.delete(NAME);

    const response = await upgrade(aws, { version: '1.33' }, { query: { dryRun: 'true' } });

    expect(response.statusCode).toBe(409);
    expect(body(response).detail).toBe(`cluster ${NAME}: EKS does not know this cluster (DescribeCluster found none)`);
  });

  it('is what an UPGRADE_CLUSTER event asks for', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    aws.clusterRecords.get(NAME)!.owner = 'arn:aws:iam::111122223333:role/portal';

    const result = await handleEvent(
      { version: '0', id: 'evt-1', 'detail-type': 'EKS Cluster Operation Requested', source: 'com.example.portal', account: '111122223333', time: '2026-11-21T10:00:00Z', region: 'us-east-1', resources: [], detail: { operation: 'UPGRADE_CLUSTER', cluster: NAME, body: { version: '1.33' } } },
      aws.deps(),
    );

    expect(result.statusCode).toBe(202);
    expect(aws.executions[0]!.input).toMatchObject({ operation: { type: 'UPGRADE' }, upgrade: { version: '1.33', force: false } });
  });
});
