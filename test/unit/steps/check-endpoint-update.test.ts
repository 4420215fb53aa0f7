import type { Update } from '../../../functions/ports/eks';
import { checkEndpointUpdate } from '../../../functions/steps/check-endpoint-update';
import type { FakeAws } from '../../support/fake-aws';
import { at, CLUSTER, depsAt, fakeAws, provisionState, rejectionOf, specOf, T0 } from './step-inputs';

const UPDATE_ID = 'update-1234abcd';
const input = (updateId: string | undefined = UPDATE_ID) => provisionState(specOf(), { endpoint: { ready: false, waitSeconds: 60, ...(updateId ? { updateId } : {}) } });

function withUpdate(aws: FakeAws, update: Partial<Update>, describesLeft = Number.MAX_SAFE_INTEGER): FakeAws {
  aws.clusters.set(CLUSTER, { name: CLUSTER, status: 'ACTIVE', resourcesVpcConfig: { endpointPublicAccess: true } });
  aws.updates.set(UPDATE_ID, { id: UPDATE_ID, type: 'EndpointAccessUpdate', status: 'InProgress', createdAt: T0, clusterName: CLUSTER, describesLeft, config: { endpointPrivateAccess: true }, ...update });
  return aws;
}

describe('Check Endpoint Update', () => {
  it('waits coarsely while the update is young', async () => {
    const aws = withUpdate(fakeAws(), {});

    const result = await checkEndpointUpdate(input(), aws.deps());

    // One describe, 60 s in; endpoint updates take 5–7 minutes and are rarely done before 240 s.
    expect(result).toEqual({ ready: false, waitSeconds: 180, updateId: UPDATE_ID, status: 'InProgress', startedAt: T0.toISOString() });
  });

  it('throws EndpointUpdateNotReadyError for the state machine Retry near the expected finish', async () => {
    const aws = withUpdate(fakeAws(), {});

    const error = await rejectionOf(checkEndpointUpdate(input(), depsAt(aws, at(5 * 60))));

    expect(error.name).toBe('EndpointUpdateNotReadyError');
    expect(error.message).toBe(`update ${UPDATE_ID}: InProgress`);
  });

  it('reports the switch SUCCEEDED once EKS says Successful', async () => {
    const aws = withUpdate(fakeAws(), {}, 0);

    const result = await checkEndpointUpdate(input(), aws.deps());

    expect(result).toMatchObject({ ready: true, waitSeconds: 0, updateId: UPDATE_ID, status: 'Successful' });
    expect(aws.events).toEqual([expect.objectContaining({ phase: 'EndpointAccess', step: expect.objectContaining({ name: 'Switch Endpoint Access', status: 'SUCCEEDED', resource: `update ${UPDATE_ID}` }) })]);
  });

  it("fails a Failed update with EndpointUpdateFailedError carrying EKS's errors", async () => {
    const aws = withUpdate(fakeAws(), {
      status: 'Failed',
      errors: [
        { errorCode: 'InsufficientFreeAddresses', errorMessage: 'One or more of the subnets has too few free addresses', resourceIds: ['subnet-0aaa0000000000001'] },
        { errorCode: 'AccessDenied', errorMessage: 'not authorized to perform ec2:CreateNetworkInterface' },
      ],
    });

    const error = await rejectionOf(checkEndpointUpdate(input(), aws.deps()));

    expect(error.name).toBe('EndpointUpdateFailedError');
    expect(error.message).toBe(
      `update ${UPDATE_ID}: Failed: InsufficientFreeAddresses: One or more of the subnets has too few free addresses (subnet-0aaa0000000000001); AccessDenied: not authorized to perform ec2:CreateNetworkInterface`,
    );
  });

  it('fails a Cancelled update even when EKS gives no reason', async () => {
    const aws = withUpdate(fakeAws(), { status: 'Cancelled' });

    const error = await rejectionOf(checkEndpointUpdate(input(), aws.deps()));

    expect(error.name).toBe('EndpointUpdateFailedError');
    expect(error.message).toBe(`update ${UPDATE_ID}: Cancelled: EKS gave no reason`);
  });

  it('fails with EndpointUpdateFailedError when EKS does not know the update', async () => {
    const aws = fakeAws();

    const error = await rejectionOf(checkEndpointUpdate(input(), aws.deps()));

    expect(error.name).toBe('EndpointUpdateFailedError');
    expect(error.message).toBe(`update ${UPDATE_ID}: EKS does not know this update`);
  });

  it('fails with EndpointUpdateFailedError when the workflow state carries no update id', async () => {
    const aws = fakeAws();

    const error = await rejectionOf(checkEndpointUpdate(input(''), aws.deps()));

    expect(error.name).toBe('EndpointUpdateFailedError');
    expect(error.message).toBe('endpoint access: no update id in the workflow state');
    expect(aws.calls).toEqual([]);
  });
});
