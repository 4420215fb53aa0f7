/** POST /operations/{id}/abort: an admin stops an operation; it ends FAILED with one terminal event, its cluster released. */
import { routeRequest } from '../../../functions/api/handler';
import { ADMIN, apiEvent, OWNER, responseBody, STRANGER } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';
import { referenceSpec } from '../../support/provision-run';

async function created(aws: FakeAws): Promise<string> {
  return responseBody(await routeRequest(apiEvent('POST', '/clusters', { body: referenceSpec() }), aws.deps())).operationId;
}

const abort = (aws: FakeAws, id: string, caller: string) => routeRequest(apiEvent('POST', `/operations/${id}/abort`, { caller }), aws.deps());

describe('POST /operations/{id}/abort', () => {
  it('stops the execution, ends the operation FAILED with one terminal event settled by abort, and frees the cluster', async () => {
    const aws = new FakeAws();
    const id = await created(aws);

    const response = await abort(aws, id, ADMIN);

    expect(response.statusCode).toBe(200);
    expect(responseBody(response)).toMatchObject({ operationId: id, status: 'FAILED', settledBy: 'abort', error: { code: 'OperationAborted' } });
    expect(aws.executionEndings.get(id)).toMatchObject({ status: 'ABORTED' });
    expect(aws.operations.get(id)).toMatchObject({ status: 'FAILED', terminalEventSent: true });
    expect(aws.events.map((e) => e.status)).toEqual(['ACCEPTED', 'FAILED']);
    expect(aws.events.at(-1)).toMatchObject({ settledBy: 'abort', error: { code: 'OperationAborted', message: expect.stringContaining(ADMIN) } });
    expect(aws.clusterRecords.get('reference')).toMatchObject({ status: 'FAILED' });
    expect(aws.clusterRecords.get('reference')!.lockedBy).toBeUndefined();
  });

  it('shows the owner the aborted operation with settledBy, and none of the delivery bookkeeping', async () => {
    const aws = new FakeAws();
    const id = await created(aws);
    await abort(aws, id, ADMIN);

    const response = await routeRequest(apiEvent('GET', `/operations/${id}`, { caller: OWNER }), aws.deps());

    expect(responseBody(response)).toMatchObject({ status: 'FAILED', settledBy: 'abort', error: { code: 'OperationAborted' } });
    for (const internal of ['terminalEvent', 'clusterAfter', 'deliveringSince', 'terminalEventSent', 'notStarted']) expect(responseBody(response)).not.toHaveProperty(internal);
  });

  it('refuses the operation’s owner with 403: only admins abort', async () => {
    const aws = new FakeAws();
    const id = await created(aws);

    const response = await abort(aws, id, OWNER);

    expect(response.statusCode).toBe(403);
    expect(aws.operations.get(id)).toMatchObject({ status: 'ACCEPTED' });
    expect(aws.executionEndings.size).toBe(0);
  });

  it('answers a stranger exactly as for an operation that does not exist', async () => {
    const aws = new FakeAws();
    const id = await created(aws);

    const stranger = await abort(aws, id, STRANGER);
    const missing = await abort(aws, 'op-missing', STRANGER);

    expect(stranger.statusCode).toBe(404);
    expect({ ...responseBody(stranger), detail: undefined }).toEqual({ ...responseBody(missing), detail: undefined });
    expect(aws.operations.get(id)).toMatchObject({ status: 'ACCEPTED' });
  });

  it('answers an abort repeated the same, and sends no second terminal event', async () => {
    const aws = new FakeAws();
    const id = await created(aws);
    const first = await abort(aws, id, ADMIN);

    const again = await abort(aws, id, ADMIN);

    expect(again.statusCode).toBe(200);
    expect(responseBody(again)).toEqual(responseBody(first));
    expect(aws.events.filter((e) => e.status === 'FAILED')).toHaveLength(1);
  });

  it('answers 409 for an operation that ended otherwise, and leaves it as it ended', async () => {
    const aws = new FakeAws();
    const id = await created(aws);
    const { reportOutcome } = await import('../../../functions/shared/progress');
    const record = aws.operations.get(id)!;
    await reportOutcome(aws.deps(), { id, type: 'CREATE', cluster: { name: 'reference', region: 'us-east-1', account: '111122223333' }, requestedBy: record.requestedBy, requestedAt: record.requestedAt }, { status: 'SUCCEEDED', phase: 'Completed' }, 'ACTIVE');

    const response = await abort(aws, id, ADMIN);

    expect(response.statusCode).toBe(409);
    expect(aws.operations.get(id)).toMatchObject({ status: 'SUCCEEDED' });
    expect(aws.executionEndings.size).toBe(0);
    expect(aws.events.map((e) => e.status)).toEqual(['ACCEPTED', 'SUCCEEDED']);
  });
});
