/** The cluster lifecycle routes (docs/api.md) over FakeAws: ownership, lock, idempotency, validation, and what each starts. */
import { load } from 'js-yaml';
import { routeRequest } from '../../../functions/api/handler';
import { resolveGuardrails } from '../../../functions/domain/guardrails';
import { ADMIN, apiEvent as event, OWNER, responseBody as body, STRANGER } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';
import { referenceSpec } from '../../support/provision-run';

const NAME = 'reference';

/** A cluster the API created and provisioning finished: registry ACTIVE and unlocked, EKS ACTIVE. */
async function activeCluster(aws: FakeAws, spec: Record<string, unknown> = referenceSpec()): Promise<string> {
  const created = await routeRequest(event('POST', '/clusters', { body: spec }), aws.deps());
  expect(created.statusCode).toBe(202);
  const name = spec.name as string;
  const record = aws.clusterRecords.get(name)!;
  delete record.lockedBy;
  Object.assign(record, { status: 'ACTIVE', version: record.version + 1 });
  aws.clusters.set(name, {
    name,
    arn: `arn:aws:eks:us-east-1:111122223333:cluster/${name}`,
    status: 'ACTIVE',
    version: '1.33',
    endpoint: `https://${name.toUpperCase()}.gr7.us-east-1.eks.amazonaws.com`,
    certificateAuthority: { data: 'LS0tLS1CRUdJTi0tLS0t' },
    resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] },
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
  });
  return body(created).operationId;
}

/** The execution input the last accepted request started. */
const lastExecution = (aws: FakeAws) => aws.executions[aws.executions.length - 1]!.input as { operation: { type: string; action?: string }; change?: Record<string, unknown>; spec: Record<string, unknown> };

describe('GET /clusters', () => {
  it("lists the caller's own clusters and every cluster for an admin", async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    await activeCluster(aws, { ...referenceSpec(), name: 'strangers' }).catch(() => undefined);
    aws.clusterRecords.get('strangers')!.owner = STRANGER;

    const own = body(await routeRequest(event('GET', '/clusters'), aws.deps()));
    const all = body(await routeRequest(event('GET', '/clusters', { caller: ADMIN }), aws.deps()));

    expect(own.clusters.map((c: { name: string }) => c.name)).toEqual([NAME]);
    expect(own.clusters[0]).toMatchObject({ name: NAME, status: 'ACTIVE', kubernetesVersion: '1.33', currentOperation: null, links: { self: '/clusters/reference' } });
    expect(all.clusters.map((c: { name: string }) => c.name).sort()).toEqual([NAME, 'strangers']);
  });

  it('answers 400 naming the parameter for a page size out of range', async () => {
    const response = await routeRequest(event('GET', '/clusters', { query: { limit: '1000' } }), new FakeAws().deps());

    expect(response.statusCode).toBe(400);
    expect(body(response).errors).toEqual([{ pointer: '/query/limit', message: 'must be an integer from 1 to 100' }]);
  });
});

describe('GET /clusters/{name}', () => {
  it('shows the owner the spec with the live state from EKS', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    await aws.eks.createNodegroup({ clusterName: NAME, nodegroupName: 'ng-general', nodeRole: 'arn:aws:iam::111122223333:role/node', subnets: ['subnet-1'], scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 } });

    const response = await routeRequest(event('GET', `/clusters/${NAME}`), aws.deps());

    expect(response.statusCode).toBe(200);
    const cluster = body(response);
    expect(cluster).toMatchObject({ name: NAME, status: 'ACTIVE', owner: OWNER, spec: { name: NAME, version: '1.33' } });
    expect(cluster.live).toMatchObject({
      status: 'ACTIVE',
      endpoint: 'https://REFERENCE.gr7.us-east-1.eks.amazonaws.com',
      endpointAccess: { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] },
      nodegroups: [{ name: 'ng-general', scaling: { minSize: 2, maxSize: 2, desiredSize: 2 } }],
      fargateProfiles: [],
      accessEntries: [],
    });
  });

  it("shows each nodegroup's Ready nodes as the workflow last saw them, only for nodegroups the spec still has", async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const general = { ready: 2, desired: 2, observedAt: '2026-11-21T10:20:00.000Z' };
    await aws.deps().registry.recordReadyNodes(NAME, { 'ng-general': general, 'ng-removed': { ready: 1, desired: 1, observedAt: '2026-11-20T09:00:00.000Z' } });

    const cluster = body(await routeRequest(event('GET', `/clusters/${NAME}`), aws.deps()));

    // ng-spot is in the spec but was not waited for yet: absent, not 0.
    expect(cluster.readyNodes).toEqual({ 'ng-general': general });
  });

  it('answers an empty readyNodes before any wait for nodes', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    expect(body(await routeRequest(event('GET', `/clusters/${NAME}`), aws.deps())).readyNodes).toEqual({});
  });

  it('shows the running operation while one holds the cluster', async () => {
    const aws = new FakeAws();
    const operationId = body(await routeRequest(event('POST', '/clusters', { body: referenceSpec() }), aws.deps())).operationId;

    const cluster = body(await routeRequest(event('GET', `/clusters/${NAME}`), aws.deps()));

    expect(cluster).toMatchObject({ status: 'CREATING', currentOperation: { id: operationId, link: `/operations/${operationId}` }, live: null });
  });

  it('answers 404 for an unknown cluster and to a principal that is neither owner nor admin', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    expect((await routeRequest(event('GET', '/clusters/nobody'), aws.deps())).statusCode).toBe(404);
    expect((await routeRequest(event('GET', `/clusters/${NAME}`, { caller: STRANGER }), aws.deps())).statusCode).toBe(404);
    expect((await routeRequest(event('GET', `/clusters/${NAME}`, { caller: ADMIN }), aws.deps())).statusCode).toBe(200);
  });
});

describe('GET /clusters/{name}/kubeconfig', () => {
  it('answers YAML with the endpoint, the CA and the aws eks get-token exec plugin, and no credentials', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('GET', `/clusters/${NAME}/kubeconfig`), aws.deps());

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/yaml');
    const config = load(response.body) as { clusters: Array<{ cluster: Record<string, string> }>; users: Array<{ user: { exec: { command: string; args: string[]; apiVersion: string } } }> };
    expect(config.clusters[0]!.cluster).toEqual({ server: 'https://REFERENCE.gr7.us-east-1.eks.amazonaws.com', 'certificate-authority-data': 'LS0tLS1CRUdJTi0tLS0t' });
    expect(config.users[0]!.user.exec).toMatchObject({ apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['--region', 'us-east-1', 'eks', 'get-token', '--cluster-name', NAME, '--output', 'json'] });
    expect(response.body).not.toMatch(/token:|password|secret/i);
  });

  it('answers 409 while the cluster has no endpoint yet', async () => {
    const aws = new FakeAws();
    await routeRequest(event('POST', '/clusters', { body: referenceSpec() }), aws.deps());

    const response = await routeRequest(event('GET', `/clusters/${NAME}/kubeconfig`), aws.deps());

    expect(response.statusCode).toBe(409);
    expect(body(response).detail).toMatch(/no API endpoint yet \(CREATING\)/);
  });
});

describe('DELETE /clusters/{name}', () => {
  it('locks the cluster as DELETING and starts delete-cluster with the registered spec', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps());

    expect(response.statusCode).toBe(202);
    expect(aws.clusterRecords.get(NAME)).toMatchObject({ status: 'DELETING', lockedBy: body(response).operationId });
    expect(lastExecution(aws)).toMatchObject({ operation: { type: 'DELETE', cluster: { name: NAME } }, spec: { name: NAME } });
    expect(aws.events.map((e) => `${e.operation} ${e.status}`)).toContain('DELETE ACCEPTED');
  });

  it('deletes a failed provisioning that was retained', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    aws.clusterRecords.get(NAME)!.status = 'FAILED';

    expect((await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps())).statusCode).toBe(202);
  });

  it('answers 409 naming the running operation while another holds the cluster', async () => {
    const aws = new FakeAws();
    const creating = body(await routeRequest(event('POST', '/clusters', { body: referenceSpec() }), aws.deps())).operationId;

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps());

    expect(response.statusCode).toBe(409);
    expect(body(response)).toMatchObject({ title: 'Cluster busy', runningOperationId: creating });
  });

  it('answers a non-owner 404, as for a missing cluster, and starts nothing', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const executions = aws.executions.length;

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}`, { caller: STRANGER }), aws.deps());

    expect(response.statusCode).toBe(404);
    expect(aws.executions).toHaveLength(executions);
  });

  it('gives the lock back and sends no terminal event when the execution cannot start: the answer asks for a retry', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    aws.workflows.start = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps());

    expect(response.statusCode).toBe(503);
    expect(aws.clusterRecords.get(NAME)).toMatchObject({ status: 'ACTIVE' });
    expect(aws.clusterRecords.get(NAME)!.lockedBy).toBeUndefined();
    expect(aws.events.filter((e) => e.operation === 'DELETE').map((e) => e.status)).toEqual(['ACCEPTED']);
    expect([...aws.operations.values()].filter((o) => o.type === 'DELETE')).toEqual([expect.objectContaining({ status: 'ACCEPTED', notStarted: true, clusterStatusBefore: 'ACTIVE' })]);
  });
});

describe('accepting an operation when a write fails', () => {
  it('gives the lock back and announces nothing when the operation record cannot be written', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const events = aws.events.length;
    aws.registry.putOperation = async () => {
      throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingError' });
    };

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps());

    expect(response.statusCode).toBe(503);
    expect(aws.clusterRecords.get(NAME)).toMatchObject({ status: 'ACTIVE' });
    expect(aws.clusterRecords.get(NAME)!.lockedBy).toBeUndefined();
    expect(aws.events).toHaveLength(events);
  });

  it('starts the operation even when ACCEPTED cannot be announced: a bus outage fails nothing', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const publish = aws.statusEvents.publish;
    aws.statusEvents.publish = async (e) => {
      if (e.status === 'ACCEPTED') throw Object.assign(new Error('PutEvents failed'), { name: 'AwsUnavailableError' });
      return publish(e);
    };

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps());

    expect(response.statusCode).toBe(202);
    const { operationId } = JSON.parse(response.body);
    expect(aws.clusterRecords.get(NAME)!.lockedBy).toBe(operationId);
    expect(aws.executions.map((e) => e.name)).toContain(operationId);
  });

  it('answers 202 when the execution started but its ARN could not be recorded: it runs and holds the lock', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    aws.registry.setExecution = async () => {
      throw Object.assign(new Error('timeout'), { name: 'AwsUnavailableError' });
    };

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps());

    expect(response.statusCode).toBe(202);
    expect(aws.clusterRecords.get(NAME)).toMatchObject({ status: 'DELETING', lockedBy: body(response).operationId });
  });
});

describe('update routes', () => {
  it('PATCH nodegroups/{ng} starts UPDATE_NODEGROUP with the whole desired spec', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { maxSize: 5, desiredSize: 4 } }), aws.deps());

    expect(response.statusCode).toBe(202);
    const input = lastExecution(aws);
    expect(input.operation).toMatchObject({ type: 'UPDATE', action: 'UPDATE_NODEGROUP' });
    expect(input.change).toEqual({ action: 'UPDATE_NODEGROUP', target: 'ng-spot', update: { scaling: { maxSize: 5, desiredSize: 4 } } });
    expect(input.spec.managedNodeGroups).toContainEqual(expect.objectContaining({ name: 'ng-spot', minSize: 1, maxSize: 5, desiredSize: 4 }));
    expect(aws.clusterRecords.get(NAME)).toMatchObject({ status: 'UPDATING' });
  });

  it('answers 422 at the body pointer when the new sizes break min ≤ desired ≤ max', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { desiredSize: 9 } }), aws.deps());

    expect(response.statusCode).toBe(422);
    expect(body(response).errors).toEqual([expect.objectContaining({ pointer: '/desiredSize' })]);
    expect(aws.executions).toHaveLength(1);
  });

  it('PATCH nodegroups/{ng} takes labels, taints, updateConfig and releaseVersion into the desired spec and the change', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const asked = { labels: { team: 'b' }, taints: [{ key: 'dedicated', effect: 'NoSchedule' }], updateConfig: { maxUnavailable: 2 }, releaseVersion: '1.33.5-20251101' };

    const response = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: asked }), aws.deps());

    expect(response.statusCode).toBe(202);
    const input = lastExecution(aws);
    expect(input.change).toEqual({ action: 'UPDATE_NODEGROUP', target: 'ng-spot', update: asked });
    expect(input.spec.managedNodeGroups).toContainEqual(expect.objectContaining({ name: 'ng-spot', ...asked }));
  });

  it('answers 422 at the body pointer for an updateConfig that is not exactly one of its two fields, or a malformed release version', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const both = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { updateConfig: { maxUnavailable: 1, maxUnavailablePercentage: 10 } } }), aws.deps());
    const tooMany = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { updateConfig: { maxUnavailable: 101 } } }), aws.deps());
    const release = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { releaseVersion: 'latest' } }), aws.deps());

    expect([both, tooMany, release].map((r) => r.statusCode)).toEqual([422, 422, 422]);
    expect(body(both).errors).toEqual([expect.objectContaining({ pointer: '/updateConfig' })]);
    expect(body(tooMany).errors).toEqual([expect.objectContaining({ pointer: '/updateConfig/maxUnavailable' })]);
    expect(body(release).errors).toEqual([expect.objectContaining({ pointer: '/releaseVersion' })]);
  });

  it('answers 422 for fields a running nodegroup cannot change', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { amiType: 'BOTTLEROCKET_x86_64' } }), aws.deps());

    expect(response.statusCode).toBe(422);
    expect(body(response).errors).toEqual([
      { pointer: '/amiType', message: 'is not changeable on a running nodegroup (minSize, maxSize, desiredSize, labels, taints, updateConfig, releaseVersion, instanceTypes, ami)' },
    ]);
  });

  it('accepts one new instance type: the change carries it and the spec has it', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { instanceTypes: ['t3.large'] } }), aws.deps());

    expect(response.statusCode).toBe(202);
    const input = lastExecution(aws);
    expect(input.change).toEqual({ action: 'UPDATE_NODEGROUP', target: 'ng-spot', update: { instanceTypes: ['t3.large'] } });
    expect(input.spec.managedNodeGroups).toContainEqual(expect.objectContaining({ name: 'ng-spot', instanceTypes: ['t3.large'] }));
  });

  it('answers 422 for several instance types, and for a nodegroup made with several: EKS never changes those', async () => {
    const aws = new FakeAws();
    const spec = referenceSpec();
    (spec.managedNodeGroups as Array<Record<string, unknown>>)[1]!.instanceTypes = ['t3.medium', 't3a.medium'];
    await activeCluster(aws, spec);

    const several = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-general`, { body: { instanceTypes: ['m5.large', 'm5.xlarge'] } }), aws.deps());
    const madeWithSeveral = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { instanceTypes: ['t3.large'] } }), aws.deps());

    expect(several.statusCode).toBe(422);
    expect(body(several).errors).toEqual([{ pointer: '/instanceTypes', message: expect.stringMatching(/one instance type only.*add a nodegroup with the new instance types and remove ng-general/) }]);
    expect(madeWithSeveral.statusCode).toBe(422);
    expect(body(madeWithSeveral).errors).toEqual([{ pointer: '/instanceTypes', message: expect.stringMatching(/ng-spot was created with several instance types \(t3.medium, t3a.medium\), which EKS never changes/) }]);
  });

  it('answers 404 for a nodegroup, profile or access entry the cluster does not have', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const nodegroup = await routeRequest(event('DELETE', `/clusters/${NAME}/nodegroups/ng-none`), aws.deps());
    const profile = await routeRequest(event('DELETE', `/clusters/${NAME}/fargate-profiles/fp-none`), aws.deps());
    const entry = await routeRequest(event('DELETE', `/clusters/${NAME}/access-entries/${encodeURIComponent('arn:aws:iam::111122223333:role/none')}`), aws.deps());

    expect([nodegroup, profile, entry].map((r) => r.statusCode)).toEqual([404, 404, 404]);
    expect(body(nodegroup)).toMatchObject({ title: 'Nodegroup not found', detail: 'cluster reference has no nodegroup ng-none' });
  });

  it('POST nodegroups validates the new nodegroup as part of the cluster (duplicate names, guardrails) and normalises it', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const duplicate = await routeRequest(event('POST', `/clusters/${NAME}/nodegroups`, { body: { name: 'ng-spot' } }), aws.deps());
    const added = await routeRequest(event('POST', `/clusters/${NAME}/nodegroups`, { body: { name: 'ng-new', instanceTypes: ['m5.xlarge'] } }), aws.deps());

    expect(duplicate.statusCode).toBe(422);
    expect(body(duplicate).errors[0]).toMatchObject({ pointer: '/name' });
    expect(added.statusCode).toBe(202);
    expect(lastExecution(aws).change).toMatchObject({ action: 'ADD_NODEGROUP', target: 'ng-new', item: { name: 'ng-new', instanceTypes: ['m5.xlarge'], minSize: 2, desiredSize: 2, maxSize: 2, volumeType: 'gp3' } });
  });

  it('POST fargate-profiles and DELETE fargate-profiles/{fp} start their changes; removing fp-default turns the fargate shorthand off', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const added = await routeRequest(event('POST', `/clusters/${NAME}/fargate-profiles`, { body: { name: 'fp-batch', selectors: [{ namespace: 'batch' }] } }), aws.deps());
    expect(added.statusCode).toBe(202);
    expect(lastExecution(aws).change).toMatchObject({ action: 'ADD_FARGATE_PROFILE', target: 'fp-batch', item: { name: 'fp-batch' } });
    aws.clusterRecords.get(NAME)!.lockedBy = undefined;
    aws.clusterRecords.get(NAME)!.status = 'ACTIVE';

    const removed = await routeRequest(event('DELETE', `/clusters/${NAME}/fargate-profiles/fp-default`), aws.deps());

    expect(removed.statusCode).toBe(202);
    expect(lastExecution(aws).spec).toMatchObject({ fargate: false, fargateProfiles: [] });
  });

  it('POST access-entries takes an access entry or an aws-auth mapping, and refuses a body that is neither', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const unlock = () => Object.assign(aws.clusterRecords.get(NAME)!, { lockedBy: undefined, status: 'ACTIVE' });

    const DEV = 'arn:aws:iam::111122223333:role/dev';
    const OPS = 'arn:aws:iam::111122223333:role/ops';

    const entry = await routeRequest(event('POST', `/clusters/${NAME}/access-entries`, { body: { principalArn: DEV, accessPolicies: [{ policy: 'AmazonEKSEditPolicy', scope: 'namespace', namespaces: ['dev'] }] } }), aws.deps());
    expect(entry.statusCode).toBe(202);
    // The item as the desired spec has it, defaults filled in: an access entry (principalArn), not a mapping.
    const entryChange = lastExecution(aws).change!;
    expect(entryChange).toEqual({ action: 'ADD_ACCESS_ENTRY', target: DEV, item: { principalArn: DEV, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [{ policy: 'AmazonEKSEditPolicy', scope: 'namespace', namespaces: ['dev'] }] } });
    expect(lastExecution(aws).spec.accessEntries).toContainEqual(entryChange.item);
    unlock();
    const mapping = await routeRequest(event('POST', `/clusters/${NAME}/access-entries`, { body: { arn: OPS, username: 'ops', groups: ['ops'] } }), aws.deps());
    expect(mapping.statusCode).toBe(202);
    // An item with an arn: an aws-auth identity mapping.
    const mappingChange = lastExecution(aws).change!;
    expect(mappingChange).toEqual({ action: 'ADD_ACCESS_ENTRY', target: OPS, item: { arn: OPS, username: 'ops', groups: ['ops'] } });
    expect(lastExecution(aws).spec.identityMappings).toContainEqual(mappingChange.item);
    unlock();
    const neither = await routeRequest(event('POST', `/clusters/${NAME}/access-entries`, { body: { username: 'x' } }), aws.deps());
    expect(neither.statusCode).toBe(422);
  });

  it('DELETE access-entries/{arn} takes the ARN percent-encoded or with its slashes', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const encoded = await routeRequest(event('DELETE', `/clusters/${NAME}/access-entries/${encodeURIComponent('arn:aws:iam::111122223333:role/deployer')}`), aws.deps());
    Object.assign(aws.clusterRecords.get(NAME)!, { lockedBy: undefined, status: 'ACTIVE' });
    const raw = await routeRequest(event('DELETE', `/clusters/${NAME}/access-entries/arn:aws:iam::111122223333:role/legacy-ops`), aws.deps());

    expect([encoded.statusCode, raw.statusCode]).toEqual([202, 202]);
    expect(lastExecution(aws).change).toEqual({ action: 'REMOVE_ACCESS_ENTRY', target: 'arn:aws:iam::111122223333:role/legacy-ops' });
    expect(lastExecution(aws).spec.identityMappings).toEqual([]);
  });

  it('PUT endpoint-access checks the public CIDRs like a new spec, pointing into the body', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const bad = await routeRequest(event('PUT', `/clusters/${NAME}/endpoint-access`, { body: { public: false, private: false } }), aws.deps());
    const good = await routeRequest(event('PUT', `/clusters/${NAME}/endpoint-access`, { body: { public: false, private: true } }), aws.deps());

    expect(bad.statusCode).toBe(422);
    expect(body(bad).errors[0].pointer).toBe('');
    expect(good.statusCode).toBe(202);
    // The endpoint access as normalised: what the desired spec has.
    expect(lastExecution(aws).change).toEqual({ action: 'SET_ENDPOINT_ACCESS', endpointAccess: { public: false, private: true, publicAccessCidrs: [] } });
    expect(lastExecution(aws).spec.endpointAccess).toEqual({ public: false, private: true, publicAccessCidrs: [] });
  });

  it('answers 409 to a second change while one runs, and replays an Idempotency-Key', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const headers = { 'Idempotency-Key': 'scale-1' };

    const first = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { maxSize: 4 }, headers }), aws.deps());
    const replay = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { maxSize: 4 }, headers }), aws.deps());
    const other = await routeRequest(event('DELETE', `/clusters/${NAME}/nodegroups/ng-spot`), aws.deps());

    expect(first.statusCode).toBe(202);
    expect(replay.statusCode).toBe(202);
    expect(body(replay).operationId).toBe(body(first).operationId);
    expect(other.statusCode).toBe(409);
    expect(body(other).runningOperationId).toBe(body(first).operationId);
  });

  it('answers a replay with the same operation after it ended, even when the request would now fail', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const headers = { 'Idempotency-Key': 'add-ng-1' };
    const first = await routeRequest(event('POST', `/clusters/${NAME}/nodegroups`, { body: { name: 'ng-new' }, headers }), aws.deps());
    // The update finished: the registry's spec now has ng-new, so the same body is a duplicate name.
    const record = aws.clusterRecords.get(NAME)!;
    Object.assign(record, { lockedBy: undefined, status: 'ACTIVE', spec: lastExecution(aws).spec });
    aws.operations.get(body(first).operationId)!.status = 'SUCCEEDED';

    const replay = await routeRequest(event('POST', `/clusters/${NAME}/nodegroups`, { body: { name: 'ng-new' }, headers, caller: OWNER.replace('session-1', 'session-2') }), aws.deps());

    expect(replay.statusCode).toBe(202);
    expect(body(replay)).toMatchObject({ operationId: body(first).operationId, status: 'SUCCEEDED' });
    expect(aws.executions).toHaveLength(2);
  });

  it('refuses to change a cluster that is not ACTIVE (a retained failure can only be deleted)', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    aws.clusterRecords.get(NAME)!.status = 'FAILED';

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}/nodegroups/ng-spot`), aws.deps());

    expect(response.statusCode).toBe(409);
    expect(body(response).detail).toMatch(/is FAILED/);
  });
});

describe('guardrails on changes', () => {
  /** Tightened since the reference cluster was made: 1.33 is no longer allowed, nor ng-spot's maxSize 3. */
  const TIGHTER = { kubernetesVersions: ['1.32'], defaultKubernetesVersion: '1.32', maxNodesPerNodegroup: 2, maxNodesPerCluster: 5, instanceTypes: ['m5.*'], publicAccessCidrs: ['203.0.113.0/24'] };
  const tighter = (aws: FakeAws) => aws.deps({ guardrails: () => TIGHTER });

  it('lets a cluster that broke tightened guardrails still shrink into them', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const removed = await routeRequest(event('DELETE', `/clusters/${NAME}/nodegroups/ng-spot`), tighter(aws));

    expect(removed.statusCode).toBe(202);
  });

  it('holds what a change adds, scales or sets to them, naming each guardrail at its pointer in the body', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const scaled = await routeRequest(event('PATCH', `/clusters/${NAME}/nodegroups/ng-spot`, { body: { maxSize: 4 } }), tighter(aws));
    const added = await routeRequest(event('POST', `/clusters/${NAME}/nodegroups`, { body: { name: 'ng-big', instanceTypes: ['p4d.24xlarge'], maxSize: 2, minSize: 1, desiredSize: 1 } }), tighter(aws));
    const opened = await routeRequest(event('PUT', `/clusters/${NAME}/endpoint-access`, { body: { public: true, private: true, publicAccessCidrs: ['0.0.0.0/0'] } }), tighter(aws));

    // ng-spot's t3.medium broke the instance types before: scaling it does not make it worse.
    expect(body(scaled).errors).toEqual([expect.objectContaining({ pointer: '/maxSize', message: expect.stringContaining('maxNodesPerNodegroup') }), expect.objectContaining({ pointer: '/managedNodeGroups', message: expect.stringContaining('adds up to 6') })]);
    expect(body(added).errors).toEqual([expect.objectContaining({ pointer: '/instanceTypes/0' }), expect.objectContaining({ pointer: '/managedNodeGroups', message: expect.stringContaining('maxNodesPerCluster') })]);
    expect(body(opened).errors).toEqual([expect.objectContaining({ pointer: '/publicAccessCidrs/0' })]);
    expect(aws.executions).toHaveLength(1);
  });
});

describe('node policies of an added nodegroup', () => {
  it('answers 422 at the policy in the body to a nodegroup asking for AdministratorAccess, and starts nothing', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const calls = aws.calls.length;
    const deps = aws.deps({ guardrails: () => resolveGuardrails({}).guardrails! });

    const added = await routeRequest(event('POST', `/clusters/${NAME}/nodegroups`, { body: { name: 'ng-admin', iam: { additionalPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] } } }), deps);
    const callsOfRefused = aws.calls.slice(calls);
    const allowed = await routeRequest(event('POST', `/clusters/${NAME}/nodegroups`, { body: { name: 'ng-ssm', iam: { additionalPolicyArns: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'] } } }), deps);

    expect(added.statusCode).toBe(422);
    expect(body(added).errors).toEqual([{ pointer: '/iam/additionalPolicyArns/0', message: expect.stringContaining('AdministratorAccess is not a policy nodes may have') }]);
    expect(callsOfRefused).toEqual([]);
    expect(allowed.statusCode).toBe(202);
    expect(aws.executions).toHaveLength(2);
  });
});

describe('GET /operations/{id}', () => {
  it("shows the cluster's owner an operation an admin started on it, and names the cluster as the lists do", async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    const byAdmin = body(await routeRequest(event('DELETE', `/clusters/${NAME}`, { caller: ADMIN }), aws.deps())).operationId;

    const response = await routeRequest(event('GET', `/operations/${byAdmin}`), aws.deps());
    const stranger = await routeRequest(event('GET', `/operations/${byAdmin}`, { caller: STRANGER }), aws.deps());

    expect(response.statusCode).toBe(200);
    expect(body(response)).toMatchObject({ id: byAdmin, cluster: NAME, type: 'DELETE', requestedBy: ADMIN });
    expect(stranger.statusCode).toBe(404);
  });
});

describe('GET /operations?cluster=', () => {
  it("lists the cluster's operations newest first for its owner, and requires the cluster", async () => {
    const aws = new FakeAws();
    const created = await activeCluster(aws);
    const deleted = body(await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps())).operationId;

    const response = await routeRequest(event('GET', '/operations', { query: { cluster: NAME } }), aws.deps());
    const missing = await routeRequest(event('GET', '/operations'), aws.deps());
    const stranger = await routeRequest(event('GET', '/operations', { query: { cluster: NAME }, caller: STRANGER }), aws.deps());

    expect(response.statusCode).toBe(200);
    expect(body(response).operations.map((o: { id: string; type: string }) => `${o.type} ${o.id}`)).toEqual([`DELETE ${deleted}`, `CREATE ${created}`]);
    expect(missing.statusCode).toBe(400);
    expect(stranger.statusCode).toBe(404);
  });
});

describe('GET /openapi.json', () => {
  it('describes every route with its parameters, bodies and problem answers', async () => {
    const response = await routeRequest(event('GET', '/openapi.json'), new FakeAws().deps());

    const document = body(response);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/clusters', '/clusters/{name}', '/clusters/{name}/nodegroups/{nodegroup}', '/clusters/{name}/access-entries/{principalArn}', '/operations', '/operations/{id}']));
    expect(document.paths['/clusters/{name}/nodegroups'].post.requestBody.content['application/json'].schema).toEqual({ oneOf: [{ $ref: '#/components/schemas/ManagedNodeGroup' }, { $ref: '#/components/schemas/SelfManagedNodeGroup' }] });
    expect(document.components.schemas.ManagedNodeGroup).toBeDefined();
    expect(document.components.schemas.SelfManagedNodeGroup).toBeDefined();
    expect(JSON.stringify(document)).not.toMatch(/#\/definitions\//);
  });
});

describe('a reused cluster name', () => {
  it("keeps the earlier owner's operations to them, and the new owner's to the new owner", async () => {
    const aws = new FakeAws();
    const first = await activeCluster(aws);
    const deleted = body(await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps())).operationId;
    Object.assign(aws.clusterRecords.get(NAME)!, { lockedBy: undefined, status: 'DELETED' });
    const reused = body(await routeRequest(event('POST', '/clusters', { body: referenceSpec(), caller: STRANGER }), aws.deps())).operationId;

    const forNewOwner = body(await routeRequest(event('GET', '/operations', { query: { cluster: NAME }, caller: STRANGER }), aws.deps()));
    const forOldOwner = body(await routeRequest(event('GET', '/operations', { query: { cluster: NAME } }), aws.deps()));
    const oldRead = await routeRequest(event('GET', `/operations/${first}`, { caller: STRANGER }), aws.deps());

    expect(forNewOwner.operations.map((o: { id: string }) => o.id)).toEqual([reused]);
    expect(forOldOwner.operations.map((o: { id: string }) => o.id).sort()).toEqual([first, deleted].sort());
    expect(oldRead.statusCode).toBe(404);
  });
});
