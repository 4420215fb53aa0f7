/** PATCH /clusters/{name} (the cluster's settings) and DELETE's deletion protection rule. */
import { routeRequest } from '../../../functions/api/handler';
import { apiEvent as event, responseBody as body } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';
import { referenceSpec } from '../../support/provision-run';

const NAME = 'reference';
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** A cluster the API created and provisioning finished: registry ACTIVE and unlocked, EKS ACTIVE. */
async function activeCluster(aws: FakeAws, spec: Record<string, unknown> = referenceSpec()): Promise<void> {
  const created = await routeRequest(event('POST', '/clusters', { body: spec }), aws.deps());
  expect(created.statusCode).toBe(202);
  const record = aws.clusterRecords.get(NAME)!;
  delete record.lockedBy;
  Object.assign(record, { status: 'ACTIVE', version: record.version + 1 });
  aws.clusters.set(NAME, { name: NAME, arn: `arn:aws:eks:us-east-1:111122223333:cluster/${NAME}`, status: 'ACTIVE', version: '1.33', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' }, deletionProtection: spec.deletionProtection === true });
}

const lastExecution = (aws: FakeAws) => aws.executions[aws.executions.length - 1]!.input as { change?: Record<string, unknown>; spec: Record<string, unknown>; disableDeletionProtection?: boolean };
const patch = (aws: FakeAws, settings: unknown) => routeRequest(event('PATCH', `/clusters/${NAME}`, { body: settings }), aws.deps());

describe('PATCH /clusters/{name}', () => {
  it('starts UPDATE_SETTINGS with only the settings given, and the whole desired spec (tags replaced, not merged)', async () => {
    const aws = new FakeAws();
    await activeCluster(aws, { ...referenceSpec(), tags: { team: 'blue', 'cost-center': '42' } });

    const response = await patch(aws, { logging: ['api'], deletionProtection: true, tags: { team: 'green' }, upgradePolicy: { supportType: 'STANDARD' }, zonalShift: { enabled: true } });

    expect(response.statusCode).toBe(202);
    const input = lastExecution(aws);
    expect(input.change).toEqual({ action: 'UPDATE_SETTINGS', settings: { logging: ['api'], deletionProtection: true, tags: { team: 'green' }, upgradePolicy: { supportType: 'STANDARD' }, zonalShift: { enabled: true } } });
    expect(input.spec).toMatchObject({ logging: ['api'], deletionProtection: true, tags: { team: 'green' }, upgradePolicy: { supportType: 'STANDARD' }, zonalShift: { enabled: true } });
    expect(aws.clusterRecords.get(NAME)).toMatchObject({ status: 'UPDATING' });
  });

  it('answers 422 naming each field that is not a setting, and for an empty body', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const unknown = await patch(aws, { version: '1.34', managedNodeGroups: [], logging: ['api'] });
    const empty = await patch(aws, {});

    expect(unknown.statusCode).toBe(422);
    expect(body(unknown).errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/version', '/managedNodeGroups']);
    expect(empty.statusCode).toBe(422);
    expect(body(empty).errors).toEqual([expect.objectContaining({ pointer: '' })]);
    expect(aws.executions).toHaveLength(1);
  });

  it('answers 422 at the pointer for a value the spec refuses', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await patch(aws, { logging: ['everything'], upgradePolicy: { supportType: 'FOREVER' } });

    expect(response.statusCode).toBe(422);
    expect(body(response).errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/logging/0', '/upgradePolicy/supportType']));
  });

  it('switches iam.withOIDC; a value not a boolean is 422 at /iam/withOIDC, another iam field at its own pointer', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const on = await patch(aws, { iam: { withOIDC: true } });
    const onInput = lastExecution(aws);
    const bad = await patch(aws, { iam: { withOIDC: 'yes' } });
    const other = await patch(aws, { iam: { withOIDC: true, serviceAccounts: [] } });

    expect(on.statusCode).toBe(202);
    expect(onInput.change).toEqual({ action: 'UPDATE_SETTINGS', settings: { iam: { withOIDC: true } } });
    expect(onInput.spec).toMatchObject({ iam: { withOIDC: true } });
    expect(bad.statusCode).toBe(422);
    expect(body(bad).errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/iam/withOIDC']);
    expect(other.statusCode).toBe(422);
    expect(body(other).errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/iam/serviceAccounts']);
  });

  it('keeps withOIDC as it is when iam is given without it', async () => {
    const aws = new FakeAws();
    await activeCluster(aws, { ...referenceSpec(), iam: { withOIDC: true } });

    const response = await patch(aws, { iam: {} });

    expect(response.statusCode).toBe(202);
    expect(lastExecution(aws).change).toEqual({ action: 'UPDATE_SETTINGS', settings: { iam: { withOIDC: true } } });
  });

  it('answers 422 for authentication moving back, and for secrets encryption changed or removed (EKS rules)', async () => {
    const aws = new FakeAws();
    await activeCluster(aws, { ...referenceSpec(), secretsEncryption: { kmsKeyArn: KEY } });

    const back = await patch(aws, { authenticationMode: 'CONFIG_MAP' });
    const rekeyed = await patch(aws, { secretsEncryption: { kmsKeyArn: KEY.replace('1234abcd', 'ffffffff') } });

    expect(back.statusCode).toBe(422);
    expect(body(back).errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/authenticationMode', message: expect.stringContaining('can only move forward') })]));
    expect(rekeyed.statusCode).toBe(422);
    expect(body(rekeyed).errors).toEqual([expect.objectContaining({ pointer: '/secretsEncryption' })]);
  });

  it('lets authentication move forward two steps in one PATCH (the workflow makes them in order)', async () => {
    const aws = new FakeAws();
    await activeCluster(aws, { ...referenceSpec(), authenticationMode: 'API_AND_CONFIG_MAP', identityMappings: [] });

    const response = await patch(aws, { authenticationMode: 'API' });

    expect(response.statusCode).toBe(202);
    expect(lastExecution(aws).change).toEqual({ action: 'UPDATE_SETTINGS', settings: { authenticationMode: 'API' } });
  });
});

describe('DELETE /clusters/{name} and deletion protection', () => {
  it('answers 409 for a protected cluster, saying how to go on', async () => {
    const aws = new FakeAws();
    await activeCluster(aws, { ...referenceSpec(), deletionProtection: true });

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps());

    expect(response.statusCode).toBe(409);
    expect(body(response).detail).toBe(`cluster ${NAME} has deletion protection; PATCH it off first, or DELETE with ?disableDeletionProtection=true`);
    expect(aws.executions).toHaveLength(1);
  });

  it('the live cluster decides: protection set outside the service is refused too', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);
    aws.clusters.get(NAME)!.deletionProtection = true;

    expect((await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps())).statusCode).toBe(409);
  });

  it('with ?disableDeletionProtection=true starts delete-cluster asked to turn protection off first', async () => {
    const aws = new FakeAws();
    await activeCluster(aws, { ...referenceSpec(), deletionProtection: true });

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}`, { query: { disableDeletionProtection: 'true' } }), aws.deps());

    expect(response.statusCode).toBe(202);
    expect(lastExecution(aws).disableDeletionProtection).toBe(true);
  });

  it('deletes an unprotected cluster as before, without the flag in its input', async () => {
    const aws = new FakeAws();
    await activeCluster(aws);

    const response = await routeRequest(event('DELETE', `/clusters/${NAME}`), aws.deps());

    expect(response.statusCode).toBe(202);
    expect(lastExecution(aws)).not.toHaveProperty('disableDeletionProtection');
  });
});
