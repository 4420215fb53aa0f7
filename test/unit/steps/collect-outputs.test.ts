import { collectOutputs } from '../../../functions/steps/collect-outputs';
import { CLUSTER, completeStack, fakeAws, operation, provisionState, specOf, STACK } from './step-inputs';

const ARN = `arn:aws:eks:us-east-1:111122223333:cluster/${CLUSTER}`;
const input = () => provisionState(specOf(), { stack: completeStack(specOf()) });

function withCluster() {
  const aws = fakeAws();
  aws.clusters.set(CLUSTER, { name: CLUSTER, arn: ARN, status: 'ACTIVE', version: '1.33', endpoint: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com' });
  return aws;
}

describe('Collect Outputs', () => {
  it('gathers what a caller needs to use the cluster, and sends nothing: Finalize commits and announces it', async () => {
    const aws = withCluster();

    const outputs = await collectOutputs(input(), aws.deps());

    expect(outputs).toEqual({
      clusterName: CLUSTER,
      clusterArn: ARN,
      endpoint: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com',
      kubernetesVersion: '1.33',
      stackName: STACK,
      kubeconfig: `aws eks update-kubeconfig --name ${CLUSTER} --region us-east-1`,
    });
    expect(aws.events).toEqual([]);
    expect(aws.operations.get(operation.id)).toMatchObject({ status: 'ACCEPTED' });
  });

  it('schedules the deletion of a cluster with a ttl, counted from the request, and says when', async () => {
    const aws = withCluster();
    const state = provisionState(specOf({ ttl: '72h' }), { stack: completeStack(specOf()) });

    const outputs = await collectOutputs(state, aws.deps());

    const expected = new Date(new Date(operation.requestedAt).getTime() + 72 * 3600_000);
    expect(aws.expirySchedules.get(CLUSTER)).toEqual(expected);
    expect(outputs.expiresAt).toBe(expected.toISOString());
  });

  it('still succeeds when Scheduler refuses the expiry, saying so in the outputs (a ready cluster is not rolled back for it)', async () => {
    const aws = withCluster();
    aws.schedules.scheduleExpiry = async () => {
      throw Object.assign(new Error('not authorized to perform scheduler:CreateSchedule'), { name: 'AccessDeniedException', $fault: 'client' });
    };

    const outputs = await collectOutputs(provisionState(specOf({ ttl: '72h' }), { stack: completeStack(specOf()) }), aws.deps());

    expect(outputs.expiresAt).toBeUndefined();
    expect(outputs.expiryError).toMatch(/could not be scheduled \(AwsRequestError: .*AccessDeniedException/);
  });

  it('lets the ASL retry a throttled expiry', async () => {
    const aws = withCluster();
    aws.schedules.scheduleExpiry = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };

    await expect(collectOutputs(provisionState(specOf({ ttl: '72h' }), { stack: completeStack(specOf()) }), aws.deps())).rejects.toMatchObject({ name: 'ThrottlingError' });
  });

  it('schedules nothing for a cluster without a ttl', async () => {
    const aws = withCluster();

    await collectOutputs(input(), aws.deps());

    expect(aws.expirySchedules.size).toBe(0);
  });

  it('falls back to the stack outputs when DescribeCluster finds nothing', async () => {
    const aws = fakeAws();

    const outputs = await collectOutputs(input(), aws.deps());

    expect(outputs).toMatchObject({ clusterArn: ARN, endpoint: `https://${CLUSTER}.gr7.us-east-1.eks.amazonaws.com`, kubernetesVersion: '' });
  });
});
