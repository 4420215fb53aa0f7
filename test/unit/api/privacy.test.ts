/**
 * Nobody learns what other teams have: on every route, another principal's cluster (or operation)
 * is answered exactly as a missing one is, and a taken name says only that it is taken. The owner
 * and admins still see everything.
 */
import { routeRequest } from '../../../functions/api/handler';
import { ROUTES } from '../../../functions/api/routes';
import { ADMIN, apiEvent, OWNER, responseBody, STRANGER, type EventOptions } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';
import { referenceSpec } from '../../support/provision-run';

const NAME = 'reference';

/** OWNER's ACTIVE cluster, with EKS knowing it: its id of the create operation. */
async function ownersCluster(aws: FakeAws): Promise<string> {
  const created = await routeRequest(apiEvent('POST', '/clusters', { body: referenceSpec() }), aws.deps());
  Object.assign(aws.clusterRecords.get(NAME)!, { lockedBy: undefined, status: 'ACTIVE' });
  aws.clusters.set(NAME, { name: NAME, arn: `arn:aws:eks:us-east-1:111122223333:cluster/${NAME}`, status: 'ACTIVE', endpoint: 'https://x.eks.amazonaws.com', certificateAuthority: { data: 'LS0t' } });
  return responseBody(created).operationId;
}

/** A request on the cluster for each route that names one, as a stranger would send it (valid, so only ownership can refuse it). */
const CLUSTER_REQUESTS: Array<{ operationId: string; method: string; path: string; options?: EventOptions }> = [
  { operationId: 'getCluster', method: 'GET', path: `/clusters/${NAME}` },
  { operationId: 'deleteCluster', method: 'DELETE', path: `/clusters/${NAME}` },
  { operationId: 'updateClusterSettings', method: 'PATCH', path: `/clusters/${NAME}`, options: { body: { deletionProtection: true } } },
  { operationId: 'setEndpointAccess', method: 'PUT', path: `/clusters/${NAME}/endpoint-access`, options: { body: { public: true, private: true } } },
  { operationId: 'addNodegroup', method: 'POST', path: `/clusters/${NAME}/nodegroups`, options: { body: { name: 'ng-new', instanceType: 'm5.large', minSize: 1, maxSize: 2, desiredSize: 1 } } },
  { operationId: 'updateNodegroup', method: 'PATCH', path: `/clusters/${NAME}/nodegroups/ng-spot`, options: { body: { desiredSize: 1 } } },
  { operationId: 'removeNodegroup', method: 'DELETE', path: `/clusters/${NAME}/nodegroups/ng-spot` },
  { operationId: 'addFargateProfile', method: 'POST', path: `/clusters/${NAME}/fargate-profiles`, options: { body: { name: 'fp-new', selectors: [{ namespace: 'jobs' }] } } },
  { operationId: 'removeFargateProfile', method: 'DELETE', path: `/clusters/${NAME}/fargate-profiles/fp-default` },
  { operationId: 'addAccessEntry', method: 'POST', path: `/clusters/${NAME}/access-entries`, options: { body: { principalArn: 'arn:aws:iam::111122223333:role/dev' } } },
  { operationId: 'removeAccessEntry', method: 'DELETE', path: `/clusters/${NAME}/access-entries/${encodeURIComponent('arn:aws:iam::111122223333:role/dev')}` },
  { operationId: 'addAddon', method: 'POST', path: `/clusters/${NAME}/addons`, options: { body: { name: 'metrics-server' } } },
  { operationId: 'updateAddon', method: 'PATCH', path: `/clusters/${NAME}/addons/coredns`, options: { body: { configurationValues: '{}' } } },
  { operationId: 'removeAddon', method: 'DELETE', path: `/clusters/${NAME}/addons/coredns` },
  { operationId: 'addPodIdentityAssociation', method: 'POST', path: `/clusters/${NAME}/pod-identity-associations`, options: { body: { namespace: 'payments', serviceAccountName: 'api', roleArn: 'arn:aws:iam::111122223333:role/payments-api' } } },
  { operationId: 'removePodIdentityAssociation', method: 'DELETE', path: `/clusters/${NAME}/pod-identity-associations/payments/api` },
  { operationId: 'getKubeconfig', method: 'GET', path: `/clusters/${NAME}/kubeconfig` },
  { operationId: 'upgradeCluster', method: 'POST', path: `/clusters/${NAME}/upgrade`, options: { body: { version: '1.33' } } },
  { operationId: 'listOperations', method: 'GET', path: '/operations', options: { query: { cluster: NAME } } },
];

const answer = (response: { statusCode: number; headers?: Record<string, unknown>; body: string }) => ({ status: response.statusCode, contentType: response.headers?.['content-type'], body: responseBody(response) });

describe("another principal's cluster", () => {
  it('covers every route that names a cluster', () => {
    const naming = ROUTES.filter((route) => route.path.includes('{name}') || route.query?.some((q) => q.name === 'cluster')).map((route) => route.operationId);

    expect(CLUSTER_REQUESTS.map((r) => r.operationId).sort()).toEqual(naming.sort());
  });

  it.each(CLUSTER_REQUESTS.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: a stranger gets exactly the answer for a missing cluster', async (_name, request) => {
    const existing = new FakeAws();
    await ownersCluster(existing);
    const executions = existing.executions.length;
    const missing = new FakeAws();

    const toStranger = await routeRequest(apiEvent(request.method, request.path, { ...request.options, caller: STRANGER }), existing.deps());
    const forMissing = await routeRequest(apiEvent(request.method, request.path, { ...request.options, caller: STRANGER }), missing.deps());

    expect(answer(toStranger)).toEqual(answer(forMissing));
    expect(toStranger.statusCode).toBe(404);
    expect(toStranger.body).not.toMatch(/owner|another principal|forbidden|platform-portal/i);
    expect(existing.executions).toHaveLength(executions);
  });

  it.each(CLUSTER_REQUESTS.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: an admin still reaches it', async (_name, request) => {
    const aws = new FakeAws();
    await ownersCluster(aws);

    const response = await routeRequest(apiEvent(request.method, request.path, { ...request.options, caller: ADMIN }), aws.deps());

    // What the cluster has decides the answer (202, or 404 for an access entry it lacks), never "no cluster".
    expect(response.body).not.toMatch(/Cluster not found/);
    expect(response.statusCode).toBeLessThan(500);
  });
});

describe("another principal's operation", () => {
  it('GET /operations/{id}: a stranger gets exactly the answer for a missing operation; the owner and an admin read it', async () => {
    const existing = new FakeAws();
    const id = await ownersCluster(existing);

    const toStranger = await routeRequest(apiEvent('GET', `/operations/${id}`, { caller: STRANGER }), existing.deps());
    const forMissing = await routeRequest(apiEvent('GET', `/operations/${id}`, { caller: STRANGER }), new FakeAws().deps());
    const toOwner = await routeRequest(apiEvent('GET', `/operations/${id}`), existing.deps());
    const toAdmin = await routeRequest(apiEvent('GET', `/operations/${id}`, { caller: ADMIN }), existing.deps());

    expect(answer(toStranger)).toEqual(answer(forMissing));
    expect(toStranger.statusCode).toBe(404);
    expect([toOwner.statusCode, toAdmin.statusCode]).toEqual([200, 200]);
  });
});

describe('POST /clusters with a taken name', () => {
  it("tells a stranger only that the name is taken: no status, owner or running operation", async () => {
    const aws = new FakeAws();
    await routeRequest(apiEvent('POST', '/clusters', { body: referenceSpec() }), aws.deps());
    const busy = await routeRequest(apiEvent('POST', '/clusters', { body: referenceSpec(), caller: STRANGER }), aws.deps());
    Object.assign(aws.clusterRecords.get(NAME)!, { lockedBy: undefined, status: 'ACTIVE' });
    const active = await routeRequest(apiEvent('POST', '/clusters', { body: referenceSpec(), caller: STRANGER }), aws.deps());

    expect(answer(busy)).toEqual(answer(active));
    expect(answer(busy)).toEqual({ status: 409, contentType: 'application/problem+json', body: { type: 'https://eks-provisioner.dev/problems/cluster-exists', status: 409, title: 'Cluster exists', detail: `the name ${NAME} is taken; choose another` } });
    expect(aws.executions).toHaveLength(1);
  });

  it('still names the running operation to the owner and to an admin', async () => {
    const aws = new FakeAws();
    const running = responseBody(await routeRequest(apiEvent('POST', '/clusters', { body: referenceSpec() }), aws.deps())).operationId;

    const toOwner = await routeRequest(apiEvent('POST', '/clusters', { body: referenceSpec(), caller: OWNER.replace('session-1', 'session-2') }), aws.deps());
    const toAdmin = await routeRequest(apiEvent('POST', '/clusters', { body: referenceSpec(), caller: ADMIN }), aws.deps());

    expect(responseBody(toOwner)).toMatchObject({ status: 409, title: 'Cluster busy', runningOperationId: running });
    expect(responseBody(toAdmin)).toMatchObject({ status: 409, title: 'Cluster busy', runningOperationId: running });
  });
});
