import { load } from 'js-yaml';
import { nodegroupStackName } from '../../../functions/domain/naming';
import type { SelfManagedNodegroupSpec, Spec } from '../../../functions/domain/spec';
import type { SelfManagedNodegroupItem } from '../../../functions/generated/types';
import { checkSelfManagedNodegroup } from '../../../functions/steps/check-self-managed-nodegroup';
import { createSelfManagedNodegroup } from '../../../functions/steps/create-self-managed-nodegroup';
import { rollBack } from '../../../functions/steps/roll-back';
import type { FakeAws } from '../../support/fake-aws';
import { CLUSTER, completeStack, failureState, fakeAws, lambdaCause, operation, putStack, rejectionOf, specOf, STACK } from './step-inputs';

const NG_STACK = nodegroupStackName(CLUSTER, 'self');
const AMI_PARAMETER = '/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id';

function specWith(mode: Spec['authenticationMode'], nodegroup: Record<string, unknown> = {}): Spec {
  return specOf({ authenticationMode: mode, selfManagedNodeGroups: [{ name: 'self', ...nodegroup }] });
}

function itemOf(spec: Spec): SelfManagedNodegroupItem {
  return { operation, stack: completeStack(spec), spec, item: spec.selfManagedNodeGroups[0] as SelfManagedNodegroupSpec };
}

/** A fake whose cluster stack is complete (so DescribeCluster answers with an endpoint, CA and service CIDR). */
async function withCluster(): Promise<FakeAws> {
  const aws = fakeAws();
  await aws.cloudFormation.createStack({ stackName: STACK, templateBody: JSON.stringify({ Resources: { ControlPlane: { Type: 'AWS::EKS::Cluster', Properties: { Name: CLUSTER, Version: '1.33' } } } }), tags: {}, clientRequestToken: 't', onFailure: 'ROLLBACK' });
  aws.stacks.get(STACK)!.describesLeft = 0;
  await aws.cloudFormation.describeStack(STACK);
  aws.calls.length = 0;
  aws.events.length = 0;
  return aws;
}

/** Runs the check as the ASL's Retry does until it returns or fails terminally. */
async function checkUntilDone(aws: FakeAws, item: SelfManagedNodegroupItem, attempts = 20) {
  for (let i = 0; i < attempts; i++) {
    try {
      return await checkSelfManagedNodegroup(item, aws.deps());
    } catch (error) {
      if ((error as Error).name !== 'NodegroupNotReadyError') throw error;
    }
  }
  throw new Error('not ready');
}

describe('Create Self-managed Nodegroup', () => {
  it("creates the nodegroup's stack with the EKS optimized AMI SSM names and nodeadm user data for the cluster", async () => {
    const aws = await withCluster();
    const item = itemOf(specWith('API'));

    const poll = await createSelfManagedNodegroup(item, aws.deps());

    // The first look comes at the schedule's earliest finish (two minutes), less what the step itself took.
    expect(poll.ready).toBe(false);
    expect(poll.waitSeconds).toBeGreaterThan(0);
    expect(poll.waitSeconds).toBeLessThanOrEqual(120);
    expect(aws.callLog((c) => c.service !== 'dynamodb' && c.service !== 'events')).toEqual(['eks:DescribeCluster demo', `ssm:GetParameter ${AMI_PARAMETER}`, `cloudformation:CreateStack ${NG_STACK}`, `cloudformation:DescribeStacks ${NG_STACK}`]);
    const data = aws.stacks.get(NG_STACK)!.template.Resources.NodeGroupLaunchTemplate!.Properties!.LaunchTemplateData as { ImageId: string; UserData: { 'Fn::Base64': string } };
    expect(data.ImageId).toBe(aws.ssmParameters.get(AMI_PARAMETER));
    const nodeConfig = load(data.UserData['Fn::Base64'].split('\n---\n')[1]!.split('\n--//--')[0]!) as { spec: { cluster: Record<string, string> } };
    expect(nodeConfig.spec.cluster).toEqual({ name: CLUSTER, apiServerEndpoint: `https://${CLUSTER}.gr7.us-east-1.eks.amazonaws.com`, certificateAuthority: expect.any(String), cidr: '10.100.0.0/16' });
    expect(aws.events.map((e) => `${e.step?.name} ${e.step?.status} ${e.step?.resource}`)).toEqual(['Create Self-managed Nodegroup STARTED nodegroup self']);
  });

  it("boots the spec's own AMI without asking SSM", async () => {
    const aws = await withCluster();

    await createSelfManagedNodegroup(itemOf(specWith('API', { ami: 'ami-0123456789abcdef0' })), aws.deps());

    expect(aws.callLog((c) => c.service === 'ssm')).toEqual([]);
    expect((aws.stacks.get(NG_STACK)!.template.Resources.NodeGroupLaunchTemplate!.Properties!.LaunchTemplateData as { ImageId: string }).ImageId).toBe('ami-0123456789abcdef0');
  });

  it('asks for the arm64 AMI for Graviton types', async () => {
    const aws = await withCluster();

    await createSelfManagedNodegroup(itemOf(specWith('API', { instanceTypes: ['m6g.large'] })), aws.deps());

    expect(aws.callLog((c) => c.service === 'ssm')).toEqual([`ssm:GetParameter ${AMI_PARAMETER.replace('x86_64', 'arm64')}`]);
  });

  it('fails by name when SSM has no AMI for the version', async () => {
    const aws = await withCluster();
    aws.ssmParameters.clear();

    const error = await rejectionOf(createSelfManagedNodegroup(itemOf(specWith('API')), aws.deps()));

    expect(error.name).toBe('StackFailedError');
    expect(error.message).toBe(`nodegroup self: no EKS optimized Amazon Linux 2023 AMI for Kubernetes 1.33: SSM has no parameter ${AMI_PARAMETER}`);
  });

  it('is idempotent: a retried create with the same token makes no second stack, and a stack of another operation is refused', async () => {
    const aws = await withCluster();
    const item = itemOf(specWith('API'));
    await createSelfManagedNodegroup(item, aws.deps());
    await createSelfManagedNodegroup(item, aws.deps());
    expect(aws.stacks.has(NG_STACK)).toBe(true);

    aws.stacks.get(NG_STACK)!.token = 'another';
    aws.stacks.get(NG_STACK)!.tags['eks-provisioner:operation-id'] = 'another-operation';
    const error = await rejectionOf(createSelfManagedNodegroup(item, aws.deps()));
    expect(error.message).toMatch(new RegExp(`^stack ${NG_STACK}: already exists`));
  });
});

describe('Check Self-managed Nodegroup', () => {
  it('waits for the stack, then admits the node role with an EC2_LINUX access entry (API modes)', async () => {
    const aws = await withCluster();
    const item = itemOf(specWith('API_AND_CONFIG_MAP'));
    await createSelfManagedNodegroup(item, aws.deps());

    const poll = await checkUntilDone(aws, item);

    expect(poll).toMatchObject({ ready: true, status: 'CREATE_COMPLETE' });
    const roleArn = aws.stacks.get(NG_STACK)!.outputs.NodeInstanceRoleArn!;
    expect(aws.accessEntries.get(`${CLUSTER}/${roleArn}`)).toMatchObject({ type: 'EC2_LINUX' });
    expect(aws.configMaps.size).toBe(0);
    expect(aws.events.filter((e) => e.step?.status === 'SUCCEEDED').map((e) => `${e.step?.name} ${e.step?.resource}`)).toEqual(['Create Self-managed Nodegroup nodegroup self']);
  });

  it('maps the node role in aws-auth with the node groups (CONFIG_MAP), keeping what is there', async () => {
    const aws = await withCluster();
    const item = itemOf(specWith('CONFIG_MAP'));
    await createSelfManagedNodegroup(item, aws.deps());

    await checkUntilDone(aws, item);

    const roleArn = aws.stacks.get(NG_STACK)!.outputs.NodeInstanceRoleArn!;
    const awsAuth = [...aws.configMaps.values()][0]!;
    expect(load(awsAuth.data.mapRoles!)).toEqual([{ rolearn: roleArn, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }]);
    expect(aws.accessEntries.size).toBe(0);
  });

  it("fails with the stack's first failed resource and its reason", async () => {
    const aws = fakeAws({ faults: { stackResourceFailure: { logicalId: 'NodeGroup', type: 'AWS::AutoScaling::AutoScalingGroup', reason: 'You have requested more vCPU capacity than your current vCPU limit allows' } } });
    aws.clusters.set(CLUSTER, { name: CLUSTER, endpoint: 'https://x', certificateAuthority: { data: 'Y2E=' }, kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16' } });
    const item = itemOf(specWith('API'));
    await createSelfManagedNodegroup(item, aws.deps());

    const error = await rejectionOf(checkUntilDone(aws, item));

    expect(error.name).toBe('StackFailedError');
    expect(error.message).toBe('nodegroup self: ROLLBACK_COMPLETE: NodeGroup (AWS::AutoScaling::AutoScalingGroup) CREATE_FAILED: You have requested more vCPU capacity than your current vCPU limit allows');
  });
});

describe('Roll Back with self-managed nodegroups', () => {
  it("deletes their stacks before the cluster stack, whose exports they import", async () => {
    const aws = await withCluster();
    await createSelfManagedNodegroup(itemOf(specWith('API')), aws.deps());
    aws.stacks.get(NG_STACK)!.describesLeft = 0;
    await putStack(aws, { status: 'CREATE_COMPLETE' });
    const input = failureState(specWith('API'), { Error: 'StackFailedError', Cause: lambdaCause('StackFailedError', 'x') });

    const first = await rejectionOf(rollBack(input, aws.deps()));

    expect(first.message).toMatch(new RegExp(`waiting for stack ${NG_STACK} to be deleted`));
    expect(aws.callLog((c) => c.operation === 'DeleteStack')).toEqual([`cloudformation:DeleteStack ${NG_STACK}`]);
  });
});
