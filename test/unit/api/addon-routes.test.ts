/** The add-on routes (docs/api.md, "Add-ons"): what each starts, and the 4xx answers that name the field. */
import { routeRequest } from '../../../functions/api/handler';
import { apiEvent as event, responseBody as body } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';
import { referenceSpec } from '../../support/provision-run';

const NAME = 'reference';

/** A cluster the API created and provisioning finished (registry ACTIVE and unlocked); its spec lists vpc-cni, coredns and kube-proxy. */
async function activeCluster(aws: FakeAws): Promise<void> {
  const created = await routeRequest(event('POST', '/clusters', { body: referenceSpec() }), aws.deps());
  expect(created.statusCode).toBe(202);
  const record = aws.clusterRecords.get(NAME)!;
  delete record.lockedBy;
  Object.assign(record, { status: 'ACTIVE', version: record.version + 1 });
}

const lastExecution = (aws: FakeAws) => aws.executions[aws.executions.length - 1]!.input as { operation: { action?: string }; change?: Record<string, unknown>; spec: { addons: unknown[] } };

describe('POST /clusters/{name}/addons', () => {
  it('starts ADD_ADDON with the add-on as normalised and the spec listing it', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('POST', `/clusters/${NAME}/addons`, { body: { name: 'metrics-server', configurationValues: '{"replicas":1}' } }), aws.deps());

    expect(response.statusCode).toBe(202);
    const input = lastExecution(aws);
    expect(input.operation).toMatchObject({ action: 'ADD_ADDON' });
    expect(input.change).toEqual({ action: 'ADD_ADDON', target: 'metrics-server', item: { name: 'metrics-server', configurationValues: '{"replicas":1}' } });
    expect(input.spec.addons).toEqual([{ name: 'vpc-cni' }, { name: 'coredns' }, { name: 'kube-proxy' }, { name: 'metrics-server', configurationValues: '{"replicas":1}' }]);
  });

  it('answers 422 at /name for an add-on the spec already has, and for a malformed one', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const duplicate = await routeRequest(event('POST', `/clusters/${NAME}/addons`, { body: { name: 'coredns' } }), aws.deps());
    const malformed = await routeRequest(event('POST', `/clusters/${NAME}/addons`, { body: { name: 'coredns', version: '1.11' } }), aws.deps());

    expect(duplicate.statusCode).toBe(422);
    expect(body(duplicate).errors).toEqual([expect.objectContaining({ pointer: '/name' })]);
    expect(malformed.statusCode).toBe(422);
    expect(body(malformed).errors).toContainEqual(expect.objectContaining({ pointer: '/version' }));
    expect(aws.executions).toHaveLength(1);
  });
});

describe('PATCH /clusters/{name}/addons/{addon}', () => {
  it('starts UPDATE_ADDON with only the fields given', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('PATCH', `/clusters/${NAME}/addons/coredns`, { body: { configurationValues: '{"replicaCount":3}' } }), aws.deps());

    expect(response.statusCode).toBe(202);
    expect(lastExecution(aws).change).toEqual({ action: 'UPDATE_ADDON', target: 'coredns', changes: { configurationValues: '{"replicaCount":3}' } });
    expect(lastExecution(aws).spec.addons).toContainEqual({ name: 'coredns', configurationValues: '{"replicaCount":3}' });
  });

  it('answers 422 naming each field that is not version or configurationValues, and for an empty body', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const unknown = await routeRequest(event('PATCH', `/clusters/${NAME}/addons/coredns`, { body: { version: 'v1.11.4-eksbuild.14', serviceAccountRoleArn: 'arn:aws:iam::111122223333:role/x' } }), aws.deps());
    const empty = await routeRequest(event('PATCH', `/clusters/${NAME}/addons/coredns`, { body: {} }), aws.deps());

    expect(unknown.statusCode).toBe(422);
    expect(body(unknown).errors).toEqual([{ pointer: '/serviceAccountRoleArn', message: 'is not changeable on an add-on (version, configurationValues)' }]);
    expect(empty.statusCode).toBe(422);
    expect(body(empty).errors).toEqual([{ pointer: '', message: 'must give at least one of version, configurationValues' }]);
  });

  it('answers 404 for an add-on the spec does not have', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('PATCH', `/clusters/${NAME}/addons/aws-ebs-csi-driver`, { body: { version: 'v1.40.0-eksbuild.1' } }), aws.deps());

    expect(response.statusCode).toBe(404);
    expect(body(response)).toMatchObject({ title: 'Add-on not found', detail: 'cluster reference has no add-on aws-ebs-csi-driver' });
  });
});

describe('DELETE /clusters/{name}/addons/{addon}', () => {
  it('starts REMOVE_ADDON, with preserve only when ?preserve=true', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const removed = await routeRequest(event('DELETE', `/clusters/${NAME}/addons/kube-proxy`, { query: { preserve: 'true' } }), aws.deps());

    expect(removed.statusCode).toBe(202);
    expect(lastExecution(aws).change).toEqual({ action: 'REMOVE_ADDON', target: 'kube-proxy', preserve: true });
    expect(lastExecution(aws).spec.addons).toEqual([{ name: 'vpc-cni' }, { name: 'coredns' }]);
  });

  it('answers 400 naming a preserve that is not a boolean, and 404 for an add-on the spec does not have', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const badQuery = await routeRequest(event('DELETE', `/clusters/${NAME}/addons/kube-proxy`, { query: { preserve: 'yes' } }), aws.deps());
    const missing = await routeRequest(event('DELETE', `/clusters/${NAME}/addons/aws-ebs-csi-driver`), aws.deps());

    expect(badQuery.statusCode).toBe(400);
    expect(body(badQuery).errors).toEqual([expect.objectContaining({ pointer: expect.stringContaining('preserve') })]);
    expect(missing.statusCode).toBe(404);
  });
});

describe('the VPC CNI that nodegroups need, after creation', () => {
  const cniProblem = { pointer: '/addons', message: expect.stringContaining('add {"name": "vpc-cni"} to addons') };

  it('answers 422 at /addons to removing vpc-cni while the cluster has nodegroups, and starts nothing', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}/addons/vpc-cni`), aws.deps());

    expect(response.statusCode).toBe(422);
    expect(body(response).errors).toEqual([cniProblem]);
    expect(aws.executions).toHaveLength(1);
  });

  it('answers 422 at /addons to a nodegroup added to a cluster without vpc-cni, and takes it once vpc-cni is there', async () => {
    const aws = new FakeAws();
    const created = await routeRequest(event('POST', '/clusters', { body: { name: 'serverless', fargate: true, addons: [] } }), aws.deps());
    expect(created.statusCode).toBe(202);
    Object.assign(aws.clusterRecords.get('serverless')!, { status: 'ACTIVE', lockedBy: undefined });

    const refused = await routeRequest(event('POST', '/clusters/serverless/nodegroups', { body: { name: 'ng-1' } }), aws.deps());
    Object.assign(aws.clusterRecords.get('serverless')!.spec as object, { addons: [{ name: 'vpc-cni' }] });
    const accepted = await routeRequest(event('POST', '/clusters/serverless/nodegroups', { body: { name: 'ng-1' } }), aws.deps());

    expect(refused.statusCode).toBe(422);
    expect(body(refused).errors).toEqual([cniProblem]);
    expect(accepted.statusCode).toBe(202);
  });
});
