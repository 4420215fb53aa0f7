import { clusterStackName, idempotencyToken } from '../../../functions/domain/naming';
import type { ClusterChange } from '../../../functions/generated/types';
import { changeEndpointAccess } from '../../../functions/steps/change-endpoint-access';
import { CLUSTER, rejectionOf, specOf } from './step-inputs';
import { provisionedAws, stepEvents, UPDATE_OPERATION, updateInput } from './update-inputs';

const SET: ClusterChange = { action: 'SET_ENDPOINT_ACCESS', endpointAccess: { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] } };
const before = specOf();
const after = specOf({ endpointAccess: { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] } });

describe('Change Endpoint Access', () => {
  it('sends the spec’s access with a token when it differs from the cluster’s, and follows the update', async () => {
    const aws = provisionedAws(before);
    const update = jest.spyOn(aws.eks, 'updateEndpointAccess');

    const poll = await changeEndpointAccess(updateInput(SET, after), aws.deps());

    expect(update).toHaveBeenCalledWith(CLUSTER, { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] }, idempotencyToken(UPDATE_OPERATION.id, 'set-endpoint-access'));
    expect(poll).toMatchObject({ ready: false, waitSeconds: 240, stage: 'endpointUpdate', updateId: expect.any(String) });
    expect(stepEvents(aws)).toEqual([`Change Endpoint Access cluster ${CLUSTER} STARTED`, `Switch Endpoint Access cluster ${CLUSTER} STARTED`]);
  });

  it("adds the VPC's NAT addresses (the cluster stack's NatPublicIps) to a public-only endpoint restricted to CIDRs", async () => {
    const aws = provisionedAws(before);
    aws.stacks.get(clusterStackName(CLUSTER))!.outputs.NatPublicIps = '198.51.100.7,198.51.100.8';
    const update = jest.spyOn(aws.eks, 'updateEndpointAccess');
    const publicOnly: ClusterChange = { action: 'SET_ENDPOINT_ACCESS', endpointAccess: { public: true, private: false, publicAccessCidrs: ['203.0.113.0/24'] } };

    await changeEndpointAccess(updateInput(publicOnly, specOf({ endpointAccess: publicOnly.endpointAccess })), aws.deps());

    expect(update).toHaveBeenCalledWith(CLUSTER, { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['203.0.113.0/24', '198.51.100.7/32', '198.51.100.8/32'] }, expect.any(String));
  });

  it('skips an access the cluster already has: no UpdateClusterConfig, which EKS would reject', async () => {
    const aws = provisionedAws(after);

    const poll = await changeEndpointAccess(updateInput(SET, after), aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0, stage: 'unchanged' });
    expect(aws.callLog((c) => c.operation === 'UpdateClusterConfig')).toEqual([]);
  });

  it('lets UpdateInProgressError through while another update runs, reporting nothing', async () => {
    const aws = provisionedAws(before, { faults: { updateInProgressTimes: 1 } });

    const error = await rejectionOf(changeEndpointAccess(updateInput(SET, after), aws.deps()));

    expect(error.name).toBe('UpdateInProgressError');
    expect(aws.events).toEqual([]);
  });

  it('is done when the update is Successful', async () => {
    const aws = provisionedAws(before);
    const started = await changeEndpointAccess(updateInput(SET, after), aws.deps());
    aws.updates.get(started.updateId!)!.describesLeft = 0;

    const poll = await changeEndpointAccess(updateInput(SET, after, started), aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0, stage: 'applied' });
    expect(aws.clusters.get(CLUSTER)!.resourcesVpcConfig).toMatchObject({ endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] });
  });

  it('fails with EKS’s message when the update fails', async () => {
    const aws = provisionedAws(before, { faults: { updateFailure: { message: 'Subnet has no free addresses' } } });
    const started = await changeEndpointAccess(updateInput(SET, after), aws.deps());
    aws.updates.get(started.updateId!)!.describesLeft = 0;

    const error = await rejectionOf(changeEndpointAccess(updateInput(SET, after, started), aws.deps()));

    expect(error.name).toBe('EndpointUpdateFailedError');
    expect(error.message).toBe(`cluster ${CLUSTER}: update Failed: Unknown: Subnet has no free addresses (${CLUSTER})`);
  });
});
