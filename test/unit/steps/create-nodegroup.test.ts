import { idempotencyToken, TAG_CLUSTER, TAG_MANAGED_BY, TAG_OPERATION, TAG_OWNER } from '../../../functions/domain/naming';
import type { NodegroupSpec } from '../../../functions/domain/spec';
import { createNodegroup, nodegroupRequest } from '../../../functions/steps/create-nodegroup';
import { CLUSTER, completeStack, EXISTING_SUBNETS, fakeAws, operation, outputsFor, resourceItem, specOf, STACK, T0 } from './step-inputs';

function nodegroupOf(nodegroup: Record<string, unknown>, specOverrides: Record<string, unknown> = {}) {
  const spec = specOf({ managedNodeGroups: [{ name: 'ng-1', ...nodegroup }], ...specOverrides });
  return { spec, ng: spec.managedNodeGroups[0] as NodegroupSpec, input: resourceItem(spec, spec.managedNodeGroups[0]!) };
}

describe('Create Nodegroup', () => {
  describe('the CreateNodegroup request', () => {
    it('places nodes in the private subnets by default', () => {
      const { ng, input } = nodegroupOf({});

      expect(nodegroupRequest(input, ng).subnets).toEqual(['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002']);
    });

    it('places nodes in the public subnets when privateNetworking is false', () => {
      const { ng, input } = nodegroupOf({ privateNetworking: false });

      expect(nodegroupRequest(input, ng).subnets).toEqual(['subnet-0bbb0000000000001', 'subnet-0bbb0000000000002']);
    });

    it('uses the subnets the nodegroup names explicitly', () => {
      const { ng, input } = nodegroupOf({ subnets: ['subnet-0aaa0000000000002'] }, { network: { subnets: EXISTING_SUBNETS } });

      expect(nodegroupRequest(input, ng).subnets).toEqual(['subnet-0aaa0000000000002']);
    });

    it.each([
      ['NoSchedule', 'NO_SCHEDULE'],
      ['NoExecute', 'NO_EXECUTE'],
      ['PreferNoSchedule', 'PREFER_NO_SCHEDULE'],
    ])('maps the Kubernetes taint effect %s to the EKS enum %s', (effect, eksEffect) => {
      const { ng, input } = nodegroupOf({ taints: [{ key: 'dedicated', value: 'gpu', effect }] });

      expect(nodegroupRequest(input, ng).taints).toEqual([{ key: 'dedicated', value: 'gpu', effect: eksEffect }]);
    });

    it('passes updateConfig and releaseVersion when the spec has them, and leaves EKS its defaults otherwise', () => {
      const given = nodegroupOf({ updateConfig: { maxUnavailablePercentage: 25 }, releaseVersion: '1.33.5-20251001' });
      const silent = nodegroupOf({});

      expect(nodegroupRequest(given.input, given.ng)).toMatchObject({ updateConfig: { maxUnavailablePercentage: 25 }, releaseVersion: '1.33.5-20251001' });
      expect(nodegroupRequest(silent.input, silent.ng)).not.toHaveProperty('updateConfig');
      expect(nodegroupRequest(silent.input, silent.ng)).not.toHaveProperty('releaseVersion');
    });

    it('uses the shared node role for a nodegroup without IAM extras', () => {
      const { ng, input } = nodegroupOf({});

      expect(nodegroupRequest(input, ng).nodeRole).toBe(input.stack.outputs!.NodeInstanceRoleArn);
    });

    it("uses the nodegroup's own role output (as the template names it) when it has IAM extras", () => {
      const { spec, ng, input } = nodegroupOf({ iam: { additionalPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] } });
      const ownRoleOutputs = Object.keys(outputsFor(spec)).filter((key) => key.startsWith('NodeInstanceRoleArn') && key !== 'NodeInstanceRoleArn');

      const request = nodegroupRequest(input, ng);

      expect(ownRoleOutputs).toHaveLength(1);
      expect(request.nodeRole).toBe(input.stack.outputs![ownRoleOutputs[0]!]);
      expect(request.nodeRole).not.toBe(input.stack.outputs!.NodeInstanceRoleArn);
    });

    it("points at the nodegroup's launch template from the stack, which carries disk, SSH and security groups", () => {
      const { spec, ng, input } = nodegroupOf({ volumeSize: 40, ssh: { publicKeyName: 'ops-key', sourceSecurityGroupIds: ['sg-0123456789abcdef0'] } });
      const launchTemplateOutputs = Object.keys(outputsFor(spec)).filter((key) => key.startsWith('LaunchTemplate'));

      const request = nodegroupRequest(input, ng);

      expect(launchTemplateOutputs).toHaveLength(1);
      expect(request.launchTemplate).toEqual({ id: input.stack.outputs![launchTemplateOutputs[0]!] });
      // EKS refuses remoteAccess and diskSize alongside a launch template.
      expect(request).not.toHaveProperty('remoteAccess');
      expect(request).not.toHaveProperty('diskSize');
    });

    it('carries the sizes, instance and AMI settings, labels, ownership tags and a per-nodegroup token', () => {
      const { ng, input } = nodegroupOf({ instanceTypes: ['t3.medium', 't3a.medium'], capacityType: 'SPOT', minSize: 1, desiredSize: 2, maxSize: 3, labels: { workload: 'batch' } });

      expect(nodegroupRequest(input, ng)).toMatchObject({
        clusterName: CLUSTER,
        nodegroupName: 'ng-1',
        scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 3 },
        instanceTypes: ['t3.medium', 't3a.medium'],
        capacityType: 'SPOT',
        amiType: 'AL2023_x86_64_STANDARD',
        labels: { workload: 'batch' },
        tags: { [TAG_CLUSTER]: CLUSTER, [TAG_OWNER]: operation.requestedBy, [TAG_OPERATION]: operation.id, [TAG_MANAGED_BY]: 'eks-provisioner' },
        clientRequestToken: idempotencyToken(operation.id, 'create-nodegroup', 'ng-1'),
      });
    });

    it('gives one instance type to the launch template, not to CreateNodegroup (EKS takes one or the other; only the template’s can change)', () => {
      const { ng, input } = nodegroupOf({ instanceTypes: ['m5.large'] });

      expect(nodegroupRequest(input, ng)).not.toHaveProperty('instanceTypes');
    });

    it('fails with StackFailedError when the workflow state has no stack outputs', () => {
      const { spec, ng } = nodegroupOf({});
      const { outputs: _outputs, ...incomplete } = completeStack(spec);

      expect(() => nodegroupRequest(resourceItem(spec, ng, incomplete), ng)).toThrow(expect.objectContaining({ name: 'StackFailedError', message: expect.stringContaining(`stack ${STACK}: has no outputs`) }));
    });
  });

  it('creates the nodegroup, reports it STARTED and asks for the first check when a nodegroup can first be ACTIVE (two minutes after it started)', async () => {
    const aws = fakeAws({ tickSeconds: 10 });
    const { input } = nodegroupOf({});

    const result = await createNodegroup(input, aws.deps());

    expect(aws.nodegroups.get(`${CLUSTER}/ng-1`)).toMatchObject({ status: 'CREATING', nodeRole: input.stack.outputs!.NodeInstanceRoleArn });
    expect(result).toEqual({ ready: false, waitSeconds: 110, status: 'CREATING', startedAt: T0.toISOString() });
    expect(aws.events).toEqual([expect.objectContaining({ phase: 'ComputeAndAccess', step: { name: 'Create Nodegroup', status: 'STARTED', resource: 'nodegroup ng-1', startedAt: T0.toISOString() } })]);
  });

  it('makes no second nodegroup when run twice with the same input, sending the same idempotency token', async () => {
    const aws = fakeAws();
    const create = jest.spyOn(aws.eks, 'createNodegroup');
    const { input } = nodegroupOf({});

    await createNodegroup(input, aws.deps());
    await createNodegroup(input, aws.deps());

    expect(aws.nodegroups.size).toBe(1);
    expect(create).toHaveBeenCalledTimes(2);
    expect(create.mock.calls[1]![0].clientRequestToken).toBe(create.mock.calls[0]![0].clientRequestToken);
  });

  it('surfaces an AWS refusal from the port unchanged', async () => {
    const aws = fakeAws();
    const refusal = Object.assign(new Error('nodegroup ng-1: InvalidParameterException: instance type not offered'), { name: 'AwsRequestError' });
    jest.spyOn(aws.eks, 'createNodegroup').mockRejectedValue(refusal);

    await expect(createNodegroup(nodegroupOf({}).input, aws.deps())).rejects.toBe(refusal);
    expect(aws.events).toEqual([]);
  });
});
