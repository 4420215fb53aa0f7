import { settledCluster } from '../../../functions/step-support/settled';
import { CLUSTER, fakeAws, rejectionOf, T0 } from './step-inputs';

function withCluster(status = 'ACTIVE') {
  const aws = fakeAws();
  aws.clusters.set(CLUSTER, { name: CLUSTER, status: status as never, resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: false } });
  return aws;
}

describe('settledCluster', () => {
  it('answers the cluster when no update of any origin is in progress', async () => {
    const aws = withCluster();
    aws.updates.set('done-1', { id: 'done-1', type: 'EndpointAccessUpdate', status: 'Successful', createdAt: T0, clusterName: CLUSTER, describesLeft: 0, config: {} });

    const settled = await settledCluster(aws.deps(), CLUSTER);

    expect(settled).toEqual({ cluster: expect.objectContaining({ name: CLUSTER, status: 'ACTIVE' }) });
    expect(aws.callLog()).toEqual([`eks:DescribeCluster ${CLUSTER}`, `eks:ListUpdates ${CLUSTER}`, 'eks:DescribeUpdate done-1']);
  });

  it('waits while an update someone else started is in progress, naming it', async () => {
    const aws = withCluster();
    const id = aws.startUpdateElsewhere(CLUSTER, { endpointPrivateAccess: true }, 5);

    const error = await rejectionOf(settledCluster(aws.deps(), CLUSTER));

    expect(error).toMatchObject({ name: 'UpdateInProgressError', resource: `cluster ${CLUSTER}` });
    expect(error.message).toBe(`cluster ${CLUSTER}: update ${id} (EndpointAccessUpdate) in progress: waiting for it to finish before comparing with the spec`);
  });

  it('waits while the cluster is UPDATING though no update is listed yet', async () => {
    const error = await rejectionOf(settledCluster(withCluster('UPDATING').deps(), CLUSTER));

    expect(error).toMatchObject({ name: 'UpdateInProgressError', message: expect.stringContaining('UPDATING') });
  });

  it('waits while the nodegroup has an update in progress (a version or config update)', async () => {
    const aws = withCluster();
    aws.updates.set('ng-update', { id: 'ng-update', type: 'VersionUpdate', status: 'InProgress', createdAt: T0, clusterName: CLUSTER, nodegroupName: 'ng-1', describesLeft: 5, config: {} });

    await expect(settledCluster(aws.deps(), CLUSTER)).resolves.toBeDefined();
    const error = await rejectionOf(settledCluster(aws.deps(), CLUSTER, { nodegroup: 'ng-1' }));

    expect(error).toMatchObject({ name: 'UpdateInProgressError', resource: 'nodegroup ng-1', message: expect.stringContaining('update ng-update (VersionUpdate) in progress') });
  });

  it('follows the one update in progress that the step accepts, instead of waiting', async () => {
    const aws = withCluster();
    const id = aws.startUpdateElsewhere(CLUSTER, { endpointPrivateAccess: true }, 5);

    const settled = await settledCluster(aws.deps(), CLUSTER, { follow: (update) => update.id === id });

    expect(settled?.following).toMatchObject({ id, status: 'InProgress' });
  });

  it('answers undefined for a cluster that does not exist', async () => {
    await expect(settledCluster(fakeAws().deps(), CLUSTER)).resolves.toBeUndefined();
  });
});
