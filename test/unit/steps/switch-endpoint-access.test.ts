import { idempotencyToken } from '../../../functions/domain/naming';
import { switchEndpointAccess } from '../../../functions/steps/switch-endpoint-access';
import type { FakeAws } from '../../support/fake-aws';
import { CLUSTER, fakeAws, operation, provisionState, rejectionOf, specOf, T0 } from './step-inputs';

const FINAL_ACCESS = { endpointAccess: { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24', '198.51.100.0/24'] } };

function withCluster(aws: FakeAws, live: { endpointPublicAccess: boolean; endpointPrivateAccess: boolean; publicAccessCidrs?: string[] }): FakeAws {
  aws.clusters.set(CLUSTER, { name: CLUSTER, status: 'ACTIVE', resourcesVpcConfig: live });
  return aws;
}

describe('Switch Endpoint Access', () => {
  it('reports SKIPPED and sends no update when the live access already matches (CIDRs compared as sets)', async () => {
    const aws = withCluster(fakeAws(), { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['198.51.100.0/24', '203.0.113.0/24'] });

    const result = await switchEndpointAccess(provisionState(specOf(FINAL_ACCESS)), aws.deps());

    expect(result).toEqual({ ready: true, waitSeconds: 0, startedAt: T0.toISOString() });
    expect(aws.callLog((c) => c.operation === 'UpdateClusterConfig')).toEqual([]);
    expect(aws.events).toEqual([expect.objectContaining({ phase: 'EndpointAccess', step: expect.objectContaining({ name: 'Switch Endpoint Access', status: 'SKIPPED' }) })]);
  });

  it('sends the final access with an idempotency token and reports the update STARTED', async () => {
    const aws = withCluster(fakeAws(), { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] });
    const update = jest.spyOn(aws.eks, 'updateEndpointAccess');

    const result = await switchEndpointAccess(provisionState(specOf(FINAL_ACCESS)), aws.deps());

    expect(update).toHaveBeenCalledWith(CLUSTER, { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24', '198.51.100.0/24'] }, idempotencyToken(operation.id, 'switch-endpoint-access'));
    expect(result).toEqual({ ready: false, waitSeconds: 240, updateId: expect.any(String), startedAt: T0.toISOString() });
    expect(aws.events).toEqual([expect.objectContaining({ step: expect.objectContaining({ name: 'Switch Endpoint Access', status: 'STARTED', resource: `update ${result.updateId}` }) })]);
  });

  it('sends no CIDRs when switching to a private-only endpoint', async () => {
    const aws = withCluster(fakeAws(), { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] });
    const update = jest.spyOn(aws.eks, 'updateEndpointAccess');

    await switchEndpointAccess(provisionState(specOf({ endpointAccess: { public: false, private: true } })), aws.deps());

    expect(update.mock.calls[0]![1]).toEqual({ endpointPublicAccess: false, endpointPrivateAccess: true });
  });

  it('starts one update only when run twice with the same input', async () => {
    const aws = withCluster(fakeAws(), { endpointPublicAccess: true, endpointPrivateAccess: false });
    const input = provisionState(specOf(FINAL_ACCESS));

    const first = await switchEndpointAccess(input, aws.deps());
    const second = await switchEndpointAccess(input, aws.deps());

    expect(second.updateId).toBe(first.updateId);
    expect(aws.updates.size).toBe(1);
  });

  it('lets the retryable UpdateInProgressError through while another update runs', async () => {
    const aws = withCluster(fakeAws({ faults: { updateInProgressTimes: 1 } }), { endpointPublicAccess: true, endpointPrivateAccess: false });

    const error = await rejectionOf(switchEndpointAccess(provisionState(specOf(FINAL_ACCESS)), aws.deps()));

    expect(error.name).toBe('UpdateInProgressError');
    expect(aws.events).toEqual([]);
  });

  it('fails with EndpointUpdateFailedError when the cluster no longer exists', async () => {
    const aws = fakeAws();

    const error = await rejectionOf(switchEndpointAccess(provisionState(specOf(FINAL_ACCESS)), aws.deps()));

    expect(error.name).toBe('EndpointUpdateFailedError');
    expect(error.message).toBe(`cluster ${CLUSTER}: the cluster no longer exists`);
  });
});
