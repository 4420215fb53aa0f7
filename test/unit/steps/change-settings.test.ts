import type { ClusterChange, Poll } from '../../../functions/generated/types';
import { changeSettings } from '../../../functions/steps/change-settings';
import { CLUSTER, rejectionOf, specOf } from './step-inputs';
import { provisionedAws, stepEvents, updateInput } from './update-inputs';

const before = specOf();
const ARN = `arn:aws:eks:us-east-1:111122223333:cluster/${CLUSTER}`;

/** Runs the step as the ASL loop does until it is done (or `limit` looks), feeding each Poll back. */
async function runToEnd(change: ClusterChange, aws: ReturnType<typeof provisionedAws>, limit = 20): Promise<Poll> {
  let progress: Poll | undefined;
  for (let look = 0; look < limit; look++) {
    try {
      progress = await changeSettings(updateInput(change, before, progress), aws.deps());
    } catch (error) {
      // The ASL's Retry: look again with the same input.
      if ((error as Error).name === 'SettingsUpdateNotReadyError') continue;
      throw error;
    }
    if (progress.ready) return progress;
  }
  throw new Error('not done');
}

describe('Change Settings', () => {
  it('makes one UpdateClusterConfig per setting, each followed to Successful before the next, and reports each', async () => {
    const aws = provisionedAws(before);
    const change: ClusterChange = { action: 'UPDATE_SETTINGS', settings: { logging: ['api'], deletionProtection: true, zonalShift: { enabled: true } } };

    const done = await runToEnd(change, aws);

    expect(done).toEqual({ ready: true, waitSeconds: 0, stage: 'applied' });
    expect(aws.callLog((c) => c.operation === 'UpdateClusterConfig')).toEqual([`eks:UpdateClusterConfig ${CLUSTER} logging`, `eks:UpdateClusterConfig ${CLUSTER} deletionProtection`, `eks:UpdateClusterConfig ${CLUSTER} zonalShift`]);
    expect(aws.clusters.get(CLUSTER)).toMatchObject({ deletionProtection: true, zonalShiftConfig: { enabled: true }, logging: { clusterLogging: [{ types: ['api'], enabled: true }] } });
    expect(stepEvents(aws).filter((e) => e.endsWith('SUCCEEDED'))).toEqual([
      `Update Logging cluster ${CLUSTER} SUCCEEDED`,
      `Update Deletion Protection cluster ${CLUSTER} SUCCEEDED`,
      `Update Zonal Shift cluster ${CLUSTER} SUCCEEDED`,
      `Change Settings cluster ${CLUSTER} SUCCEEDED`,
    ]);
  });

  it('skips settings the cluster already has: nothing reaches EKS', async () => {
    const aws = provisionedAws(before);

    const poll = await changeSettings(updateInput({ action: 'UPDATE_SETTINGS', settings: { deletionProtection: false, zonalShift: { enabled: false }, logging: [] } }, before), aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0, stage: 'unchanged' });
    expect(aws.callLog((c) => c.operation === 'UpdateClusterConfig' || c.operation === 'UpdateStack')).toEqual([]);
    expect(stepEvents(aws)).toEqual([`Change Settings cluster ${CLUSTER} SKIPPED`]);
  });

  it('re-tags the stack keeping its ownership tags, then the cluster', async () => {
    const aws = provisionedAws(before);
    aws.clusters.get(CLUSTER)!.tags = { 'eks-provisioner:cluster': CLUSTER, old: 'x' };
    const ownership = { ...aws.stacks.get(`eksp-${CLUSTER}-cluster`)!.tags };

    await runToEnd({ action: 'UPDATE_SETTINGS', settings: { tags: { team: 'green' } } }, aws);

    expect(aws.stacks.get(`eksp-${CLUSTER}-cluster`)!.tags).toEqual({ ...ownership, team: 'green' });
    expect(aws.callLog((c) => c.service === 'eks' && /^(Tag|Untag)Resource$/.test(c.operation))).toEqual([`eks:UntagResource ${ARN} old`, `eks:TagResource ${ARN} team`]);
    expect(aws.clusters.get(CLUSTER)!.tags).toEqual({ 'eks-provisioner:cluster': CLUSTER, team: 'green' });
  });

  it("rewrites the user's tags in the stack's resources (its current template), not only the stack tags, in one UpdateStack", async () => {
    const aws = provisionedAws(before);
    const stack = aws.stacks.get(`eksp-${CLUSTER}-cluster`)!;
    const tagsOf = (id: string) => Object.fromEntries((stack.template.Resources[id]?.Properties?.Tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]));
    // As created with {old: 'x'}: on the stack and in every resource's own Tags, with the ownership tags.
    stack.tags = { ...stack.tags, old: 'x' };
    for (const resource of Object.values(stack.template.Resources)) {
      const tags = resource.Properties?.Tags;
      if (Array.isArray(tags)) tags.push({ Key: 'eks-provisioner:cluster', Value: CLUSTER }, { Key: 'old', Value: 'x' });
    }
    const vpcName = tagsOf('VPC').Name;

    await runToEnd({ action: 'UPDATE_SETTINGS', settings: { tags: { team: 'green' } } }, aws);

    expect(aws.callLog((c) => c.operation === 'UpdateStack')).toHaveLength(1);
    expect(tagsOf('VPC')).toMatchObject({ Name: vpcName, team: 'green', 'eks-provisioner:cluster': CLUSTER });
    expect(tagsOf('VPC')).not.toHaveProperty('old');
    expect(tagsOf('NodeInstanceRole')).toMatchObject({ team: 'green' });
    expect(tagsOf('SubnetPublic1')).toMatchObject({ team: 'green', 'kubernetes.io/role/elb': '1' });
    expect(stack.tags).not.toHaveProperty('old');
    // Everything is as asked now: another look changes nothing.
    const again = await changeSettings(updateInput({ action: 'UPDATE_SETTINGS', settings: { tags: { team: 'green' } } }, before), aws.deps());
    expect(again).toMatchObject({ ready: true, stage: 'unchanged' });
    expect(aws.callLog((c) => c.operation === 'UpdateStack')).toHaveLength(1);
  });

  it('switches iam.withOIDC on with the OIDC stack for the issuer DescribeCluster reports, made by the CloudFormation role; off deletes it', async () => {
    const aws = provisionedAws(before);
    const issuer = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
    aws.clusters.get(CLUSTER)!.identity = { oidc: { issuer } };
    const createStack = jest.spyOn(aws.cloudFormation, 'createStack');
    const deleteStack = jest.spyOn(aws.cloudFormation, 'deleteStack');

    const on = await runToEnd({ action: 'UPDATE_SETTINGS', settings: { iam: { withOIDC: true } } }, aws);
    const off = await runToEnd({ action: 'UPDATE_SETTINGS', settings: { iam: { withOIDC: false } } }, aws);

    expect(on).toMatchObject({ ready: true, stage: 'applied' });
    expect(createStack.mock.calls.map(([request]) => [request.stackName, request.roleArn, JSON.parse(request.templateBody).Resources.OIDCProvider.Properties.Url])).toEqual([[`eksp-${CLUSTER}-oidc`, 'arn:aws:iam::111122223333:role/eksp-cloudformation', issuer]]);
    expect(off).toMatchObject({ ready: true, stage: 'applied' });
    expect(deleteStack.mock.calls.map(([stackName]) => stackName)).toEqual([`eksp-${CLUSTER}-oidc`]);
    expect(aws.stacks.has(`eksp-${CLUSTER}-oidc`)).toBe(false);
    expect(stepEvents(aws).filter((e) => e.endsWith('SUCCEEDED'))).toEqual([
      `Create OIDC Provider IAM OIDC provider of cluster ${CLUSTER} (stack eksp-${CLUSTER}-oidc) SUCCEEDED`,
      `Change Settings cluster ${CLUSTER} SUCCEEDED`,
      `Delete OIDC Provider IAM OIDC provider of cluster ${CLUSTER} (stack eksp-${CLUSTER}-oidc or eksp-${CLUSTER}-cluster) SUCCEEDED`,
      `Change Settings cluster ${CLUSTER} SUCCEEDED`,
    ]);
  });

  it('fails with EKS’s errors when an update fails', async () => {
    const aws = provisionedAws(before, { faults: { updateFailure: { message: 'KMS key is disabled' } } });

    const error = await rejectionOf(runToEnd({ action: 'UPDATE_SETTINGS', settings: { deletionProtection: true } }, aws));

    expect(error).toMatchObject({ name: 'SettingsUpdateFailedError', message: expect.stringContaining('KMS key is disabled') });
  });
});
