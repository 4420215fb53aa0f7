import { launchTemplateOutputName, NODEGROUP_STACK_OUTPUTS } from '../../../functions/domain/cluster-template';
import { launchTemplateInstanceTypeIn } from '../../../functions/domain/template-instance-type';
import type { Scaling } from '../../../functions/domain/cluster-change';
import type { NodegroupUpdate } from '../../../functions/domain/nodegroup-update';
import { idempotencyToken, nodegroupStackName, TAG_CLUSTER, TAG_OPERATION } from '../../../functions/domain/naming';
import type { ClusterChange, Poll } from '../../../functions/generated/types';
import { changeNodegroup } from '../../../functions/steps/change-nodegroup';
import type { FakeAws } from '../../support/fake-aws';
import { CLUSTER, forgetCalls, rejectionOf, specOf } from './step-inputs';
import { apiChange, provisionedAws, stepEvents, UPDATE_OPERATION, updateInput } from './update-inputs';

const ADDED = 'ng-added';
const ADDED_STACK = nodegroupStackName(CLUSTER, ADDED);
const before = specOf({ managedNodeGroups: [{ name: 'ng-1', minSize: 1, desiredSize: 2, maxSize: 4 }] });
/** The added nodegroup, as the API hands it over: normalised within the desired spec. */
const { change: ADD, spec: after } = apiChange(before, { action: 'ADD_NODEGROUP', body: { name: ADDED, instanceTypes: ['m6i.large'], privateNetworking: true } });

/** The nodegroup stack completes at its next describe. */
function completeStack(aws: FakeAws, name = ADDED_STACK): void {
  aws.stacks.get(name)!.describesLeft = 0;
}

function activeNodegroup(aws: FakeAws, name: string, scaling = { minSize: 1, desiredSize: 2, maxSize: 4 }): void {
  aws.nodegroups.set(`${CLUSTER}/${name}`, { nodegroupName: name, clusterName: CLUSTER, status: 'ACTIVE', createdAt: aws.clock(), describesLeft: 0, scalingConfig: scaling });
}

describe('Change Nodegroup: ADD_NODEGROUP', () => {
  it('first creates the nodegroup’s own stack with the CloudFormation role, ownership tags and a token from the operation', async () => {
    const aws = provisionedAws(before);
    const createStack = jest.spyOn(aws.cloudFormation, 'createStack');

    const poll = await changeNodegroup(updateInput(ADD, after), aws.deps());

    expect(createStack).toHaveBeenCalledWith(
      expect.objectContaining({
        stackName: ADDED_STACK,
        roleArn: 'arn:aws:iam::111122223333:role/eksp-cloudformation',
        clientRequestToken: idempotencyToken(UPDATE_OPERATION.id, 'create-nodegroup-stack', ADDED),
        tags: expect.objectContaining({ [TAG_OPERATION]: UPDATE_OPERATION.id }),
        onFailure: 'ROLLBACK',
      }),
    );
    expect(Object.keys(aws.stacks.get(ADDED_STACK)!.template.Resources)).toEqual(expect.arrayContaining(['NodeInstanceRole', expect.stringMatching(/^LaunchTemplate/)]));
    expect(poll).toEqual({ ready: false, waitSeconds: 30, stage: 'nodegroupStack', startedAt: expect.any(String) });
    expect(stepEvents(aws)).toEqual([`Change Nodegroup nodegroup ${ADDED} STARTED`, `Create Nodegroup Stack stack ${ADDED_STACK} STARTED`]);
    expect(aws.events.every((e) => e.status === 'IN_PROGRESS' && e.phase === 'Update' && e.action === 'ADD_NODEGROUP')).toBe(true);
  });

  it('creates one stack when run twice with the same input', async () => {
    const aws = provisionedAws(before);

    await changeNodegroup(updateInput(ADD, after), aws.deps());
    await changeNodegroup(updateInput(ADD, after), aws.deps());

    expect(aws.stacks.size).toBe(2);
    expect(aws.callLog((c) => c.operation === 'CreateStack')).toEqual([`cloudformation:CreateStack ${ADDED_STACK}`]);
  });

  it('then creates the nodegroup with the stack’s role and launch template, in the cluster’s private subnets', async () => {
    const aws = provisionedAws(before);
    const first = await changeNodegroup(updateInput(ADD, after), aws.deps());
    completeStack(aws);
    forgetCalls(aws);
    const create = jest.spyOn(aws.eks, 'createNodegroup');

    const poll = await changeNodegroup(updateInput(ADD, after, first), aws.deps());

    const outputs = aws.stacks.get(ADDED_STACK)!.outputs;
    // Its one type is in the launch template, where a new version can change it: CreateNodegroup is given none.
    expect(create.mock.calls[0]![0]).not.toHaveProperty('instanceTypes');
    expect(create).toHaveBeenCalledWith(
      expect.objectContaining({
        nodegroupName: ADDED,
        nodeRole: outputs[NODEGROUP_STACK_OUTPUTS.nodeRole],
        launchTemplate: { id: outputs[NODEGROUP_STACK_OUTPUTS.launchTemplate] },
        subnets: ['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002'],
        scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 2 },
        clientRequestToken: idempotencyToken(UPDATE_OPERATION.id, 'create-nodegroup', ADDED),
      }),
    );
    expect(poll).toMatchObject({ ready: false, waitSeconds: 120, stage: 'nodegroup' });
    expect(stepEvents(aws)).toEqual([`Create Nodegroup Stack stack ${ADDED_STACK} SUCCEEDED`, `Create Nodegroup nodegroup ${ADDED} STARTED`]);
  });

  it('hands a short remaining wait to the ASL’s Retry, and reports nothing while it waits', async () => {
    const aws = provisionedAws(before);
    const poll: Poll = { ready: false, waitSeconds: 120, stage: 'nodegroup', startedAt: aws.clock().toISOString() };
    aws.nodegroups.set(`${CLUSTER}/${ADDED}`, { nodegroupName: ADDED, clusterName: CLUSTER, status: 'CREATING', createdAt: aws.clock(), describesLeft: 99 });

    const error = await rejectionOf(changeNodegroup(updateInput(ADD, after, { ...poll, startedAt: new Date(aws.clock().getTime() - 150_000).toISOString() }), aws.deps()));

    expect(error.name).toBe('NodegroupNotReadyError');
    expect(error.message).toBe(`nodegroup ${ADDED}: CREATING`);
    expect(aws.events).toEqual([]);
  });

  it('polls its own nodegroup without reading the cluster’s updates again (they were waited out before the first call)', async () => {
    const aws = provisionedAws(before);
    aws.nodegroups.set(`${CLUSTER}/${ADDED}`, { nodegroupName: ADDED, clusterName: CLUSTER, status: 'CREATING', createdAt: aws.clock(), describesLeft: 99 });
    forgetCalls(aws);

    await rejectionOf(changeNodegroup(updateInput(ADD, after, { ready: false, waitSeconds: 120, stage: 'nodegroup', startedAt: new Date(aws.clock().getTime() - 150_000).toISOString() }), aws.deps()));

    expect(aws.callLog((c) => c.service === 'eks')).toEqual([`eks:DescribeNodegroup ${ADDED}`]);
  });

  it('ends when the nodegroup is ACTIVE: the stage and the change SUCCEEDED', async () => {
    const aws = provisionedAws(before);
    activeNodegroup(aws, ADDED);

    const poll = await changeNodegroup(updateInput(ADD, after, { ready: false, waitSeconds: 120, stage: 'nodegroup', startedAt: aws.clock().toISOString() }), aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0, stage: 'applied' });
    expect(stepEvents(aws)).toEqual([`Create Nodegroup nodegroup ${ADDED} SUCCEEDED`, `Change Nodegroup nodegroup ${ADDED} SUCCEEDED`]);
  });

  it('skips a nodegroup that is already there: no stack, no CreateNodegroup, one SKIPPED event', async () => {
    const aws = provisionedAws(before);
    activeNodegroup(aws, ADDED);

    const poll = await changeNodegroup(updateInput(ADD, after), aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0, stage: 'unchanged' });
    expect(aws.callLog((c) => /^Create/.test(c.operation))).toEqual([]);
    expect(stepEvents(aws)).toEqual([`Change Nodegroup nodegroup ${ADDED} SKIPPED`]);
  });

  it('fails with the stack’s root cause when its stack rolls back', async () => {
    const aws = provisionedAws(before, { faults: { stackResourceFailure: { logicalId: 'NodeInstanceRole', type: 'AWS::IAM::Role', reason: 'Role limit exceeded' } } });
    const first = await changeNodegroup(updateInput(ADD, after), aws.deps());
    completeStack(aws);

    const error = await rejectionOf(changeNodegroup(updateInput(ADD, after, first), aws.deps()));

    expect(error.name).toBe('StackFailedError');
    expect(error.message).toBe(`stack ${ADDED_STACK}: ROLLBACK_COMPLETE: NodeInstanceRole (AWS::IAM::Role) CREATE_FAILED: Role limit exceeded`);
  });
});

describe('Change Nodegroup: UPDATE_NODEGROUP instanceTypes', () => {
  const CLUSTER_STACK = `eksp-${CLUSTER}-cluster`;
  const retype = (instanceTypes: string[]): ClusterChange => ({ action: 'UPDATE_NODEGROUP', target: 'ng-1', update: { instanceTypes } });
  const later = (poll: Poll): Poll => ({ ...poll, startedAt: new Date(0).toISOString() });
  const launchTemplateId = (aws: FakeAws) => aws.stacks.get(CLUSTER_STACK)!.outputs[launchTemplateOutputName({ name: 'ng-1' })]!;
  /** ng-1 as EKS reports a nodegroup whose type its launch template carries: no instanceTypes, the template at version 1. */
  function typedNodegroup(aws: FakeAws): void {
    activeNodegroup(aws, 'ng-1');
    Object.assign(aws.nodegroups.get(`${CLUSTER}/ng-1`)!, { launchTemplate: { id: launchTemplateId(aws), version: '1' } });
  }

  it('updates the cluster stack with the launch template’s new InstanceType, waits for UPDATE_COMPLETE, then UpdateNodegroupVersion to the new version, followed to Successful', async () => {
    const aws = provisionedAws(before);
    typedNodegroup(aws);
    const stackUpdate = jest.spyOn(aws.cloudFormation, 'updateStackTags');
    const version = jest.spyOn(aws.eks, 'updateNodegroupVersion');
    const tagsBefore = { ...aws.stacks.get(CLUSTER_STACK)!.tags };

    const first = await changeNodegroup(updateInput(retype(['m5.xlarge']), before), aws.deps());
    aws.stacks.get(CLUSTER_STACK)!.describesLeft = 0;
    const second = await changeNodegroup(updateInput(retype(['m5.xlarge']), before, later(first)), aws.deps());
    aws.updates.get(second.updateId!)!.describesLeft = 0;
    const third = await changeNodegroup(updateInput(retype(['m5.xlarge']), before, later(second)), aws.deps());

    const sent = stackUpdate.mock.calls[0]![0];
    expect(sent).toMatchObject({ stackName: CLUSTER_STACK, tags: tagsBefore, roleArn: 'arn:aws:iam::111122223333:role/eksp-cloudformation' });
    const template = JSON.parse(sent.template!.body) as { Resources: Record<string, { Properties: { LaunchTemplateData: { InstanceType?: string } } }> };
    expect(template.Resources[launchTemplateOutputName({ name: 'ng-1' })]!.Properties.LaunchTemplateData.InstanceType).toBe('m5.xlarge');
    expect(first).toMatchObject({ ready: false, stage: 'nodegroupLaunchTemplate' });
    expect(version).toHaveBeenCalledWith(CLUSTER, 'ng-1', { launchTemplate: { id: launchTemplateId(aws), version: '2' }, force: false }, idempotencyToken(UPDATE_OPERATION.id, 'update-nodegroup-launch-template', 'ng-1@2'));
    expect(second).toMatchObject({ ready: false, stage: 'nodegroupInstanceTypeUpdate', updateId: expect.any(String) });
    expect(third).toMatchObject({ ready: true, stage: 'applied' });
    expect(aws.nodegroups.get(`${CLUSTER}/ng-1`)!.launchTemplate).toEqual({ id: launchTemplateId(aws), version: '2' });
    expect(stepEvents(aws)).toEqual([
      'Change Nodegroup nodegroup ng-1 STARTED',
      'Update Launch Template launch template of nodegroup ng-1 STARTED',
      'Update Launch Template launch template of nodegroup ng-1 SUCCEEDED',
      'Update Nodegroup Instance Type nodegroup ng-1 STARTED',
      'Update Nodegroup Instance Type nodegroup ng-1 SUCCEEDED',
      'Change Nodegroup nodegroup ng-1 SUCCEEDED',
    ]);
  });

  it('is SKIPPED when the launch template already carries the type and the nodegroup runs its latest version', async () => {
    const aws = provisionedAws(before);
    typedNodegroup(aws);
    const current = launchTemplateInstanceTypeIn(aws.stacks.get(CLUSTER_STACK)!.template as never, launchTemplateOutputName({ name: 'ng-1' }))!;

    const poll = await changeNodegroup(updateInput(retype([current]), before), aws.deps());

    expect(poll).toMatchObject({ ready: true, stage: 'unchanged' });
    expect(aws.callLog((c) => c.operation === 'UpdateStack' || c.operation === 'UpdateNodegroupVersion')).toEqual([]);
  });

  it('refuses a nodegroup made with CreateNodegroup’s instanceTypes, naming it and what to do instead', async () => {
    const aws = provisionedAws(before);
    activeNodegroup(aws, 'ng-1');
    Object.assign(aws.nodegroups.get(`${CLUSTER}/ng-1`)!, { instanceTypes: ['m5.large'], launchTemplate: { id: launchTemplateId(aws), version: '1' } });

    const error = await rejectionOf(changeNodegroup(updateInput(retype(['m5.xlarge']), before), aws.deps()));

    expect(error).toMatchObject({ name: 'ChangeRefusedError', message: expect.stringMatching(/nodegroup ng-1.*was created with instance types m5.large given to CreateNodegroup, which EKS never changes: add a nodegroup with instance type m5.xlarge and remove ng-1/) });
    expect(aws.callLog((c) => c.operation === 'UpdateStack')).toEqual([]);
  });
});

describe('Change Nodegroup: UPDATE_NODEGROUP', () => {
  const scale = (scaling: Scaling): ClusterChange => ({ action: 'UPDATE_NODEGROUP', target: 'ng-1', update: { scaling } });
  const change = (update: NodegroupUpdate): ClusterChange => ({ action: 'UPDATE_NODEGROUP', target: 'ng-1', update });
  /** One more look after the update EKS reports done. */
  const finishUpdate = (aws: FakeAws, poll: Poll) => (aws.updates.get(poll.updateId!)!.describesLeft = 0);
  const later = (poll: Poll): Poll => ({ ...poll, startedAt: new Date(0).toISOString() });

  it('sends UpdateNodegroupConfig with the merged sizes and a token, and follows the update by its id', async () => {
    const aws = provisionedAws(before);
    activeNodegroup(aws, 'ng-1');
    const update = jest.spyOn(aws.eks, 'updateNodegroupConfig');

    const poll = await changeNodegroup(updateInput(scale({ desiredSize: 3 }), before), aws.deps());

    expect(update).toHaveBeenCalledWith(CLUSTER, 'ng-1', { scalingConfig: { minSize: 1, desiredSize: 3, maxSize: 4 } }, idempotencyToken(UPDATE_OPERATION.id, 'update-nodegroup-config', 'ng-1'));
    expect(poll).toMatchObject({ ready: false, stage: 'nodegroupConfigUpdate', updateId: expect.any(String) });
    expect(stepEvents(aws)).toEqual(['Change Nodegroup nodegroup ng-1 STARTED', 'Update Nodegroup Config nodegroup ng-1 STARTED']);
  });

  it('skips sizes the nodegroup already has: no UpdateNodegroupConfig', async () => {
    const aws = provisionedAws(before);
    activeNodegroup(aws, 'ng-1');

    const poll = await changeNodegroup(updateInput(scale({ minSize: 1, maxSize: 4 }), before), aws.deps());

    expect(poll).toMatchObject({ ready: true, stage: 'unchanged' });
    expect(aws.callLog((c) => c.operation === 'UpdateNodegroupConfig')).toEqual([]);
  });

  it('changes labels, taints and updateConfig in one UpdateNodegroupConfig, then the AMI release with UpdateNodegroupVersion, each followed to its end', async () => {
    const aws = provisionedAws(before);
    activeNodegroup(aws, 'ng-1');
    Object.assign(aws.nodegroups.get(`${CLUSTER}/ng-1`)!, { labels: { team: 'a' }, taints: [], updateConfig: { maxUnavailable: 1 }, releaseVersion: '1.33.5-20251001' });
    const asked = change({ labels: { team: 'b' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], updateConfig: { maxUnavailablePercentage: 50 }, releaseVersion: '1.33.5-20251101' });
    const config = jest.spyOn(aws.eks, 'updateNodegroupConfig');
    const version = jest.spyOn(aws.eks, 'updateNodegroupVersion');

    const first = await changeNodegroup(updateInput(asked, before), aws.deps());
    finishUpdate(aws, first);
    const second = await changeNodegroup(updateInput(asked, before, later(first)), aws.deps());
    finishUpdate(aws, second);
    const third = await changeNodegroup(updateInput(asked, before, later(second)), aws.deps());

    expect(config).toHaveBeenCalledWith(
      CLUSTER,
      'ng-1',
      { labels: { addOrUpdateLabels: { team: 'b' } }, taints: { addOrUpdateTaints: [{ key: 'dedicated', value: 'gpu', effect: 'NO_SCHEDULE' }] }, updateConfig: { maxUnavailablePercentage: 50 } },
      expect.any(String),
    );
    expect(version).toHaveBeenCalledWith(CLUSTER, 'ng-1', { releaseVersion: '1.33.5-20251101', force: false }, idempotencyToken(UPDATE_OPERATION.id, 'update-nodegroup-release', 'ng-1@1.33.5-20251101'));
    expect(second).toMatchObject({ ready: false, stage: 'nodegroupReleaseUpdate', updateId: expect.any(String) });
    expect(second.updateId).not.toBe(first.updateId);
    expect(third).toMatchObject({ ready: true, stage: 'applied' });
    expect(aws.nodegroups.get(`${CLUSTER}/ng-1`)).toMatchObject({ labels: { team: 'b' }, updateConfig: { maxUnavailablePercentage: 50 }, releaseVersion: '1.33.5-20251101' });
    expect(stepEvents(aws)).toEqual([
      'Change Nodegroup nodegroup ng-1 STARTED',
      'Update Nodegroup Config nodegroup ng-1 STARTED',
      'Update Nodegroup Config nodegroup ng-1 SUCCEEDED',
      'Update Nodegroup AMI Release nodegroup ng-1 STARTED',
      'Update Nodegroup AMI Release nodegroup ng-1 SUCCEEDED',
      'Change Nodegroup nodegroup ng-1 SUCCEEDED',
    ]);
  });

  it('makes no call at all when every field is already as asked, and says unchanged', async () => {
    const aws = provisionedAws(before);
    activeNodegroup(aws, 'ng-1');
    Object.assign(aws.nodegroups.get(`${CLUSTER}/ng-1`)!, { labels: { team: 'a' }, taints: [{ key: 'dedicated', effect: 'NO_SCHEDULE' }], updateConfig: { maxUnavailable: 1 }, releaseVersion: '1.33.5-20251001' });

    const poll = await changeNodegroup(updateInput(change({ labels: { team: 'a' }, taints: [{ key: 'dedicated', effect: 'NoSchedule' }], updateConfig: { maxUnavailable: 1 }, releaseVersion: '1.33.5-20251001' }), before), aws.deps());

    expect(poll).toMatchObject({ ready: true, stage: 'unchanged' });
    expect(aws.callLog((c) => /^UpdateNodegroup/.test(c.operation))).toEqual([]);
    expect(stepEvents(aws)).toEqual(['Change Nodegroup nodegroup ng-1 SKIPPED']);
  });

  it('names the PodDisruptionBudget as the reason when the rolling release update cannot evict a pod', async () => {
    const aws = provisionedAws(before, { faults: { podEvictionFailure: { nodegroup: 'ng-1', message: 'Reached max retries while trying to evict pods from nodes in node group ng-1' } } });
    activeNodegroup(aws, 'ng-1');
    const asked = change({ releaseVersion: '1.33.5-20251101' });
    const poll = await changeNodegroup(updateInput(asked, before), aws.deps());
    finishUpdate(aws, poll);

    const error = await rejectionOf(changeNodegroup(updateInput(asked, before, later(poll)), aws.deps()));

    expect(error.name).toBe('NodegroupFailedError');
    expect(error.message).toMatch(/^nodegroup ng-1: update Failed: PodEvictionFailure: Reached max retries .* — a PodDisruptionBudget kept a pod from being evicted/);
  });

  it('fails with EKS’s errors when the update fails', async () => {
    const aws = provisionedAws(before, { faults: { updateFailure: { message: 'Nodegroup ng-1 has no capacity' } } });
    activeNodegroup(aws, 'ng-1');
    const poll = await changeNodegroup(updateInput(scale({ desiredSize: 3 }), before), aws.deps());
    finishUpdate(aws, poll);

    const error = await rejectionOf(changeNodegroup(updateInput(scale({ desiredSize: 3 }), before, later(poll)), aws.deps()));

    expect(error.name).toBe('NodegroupFailedError');
    expect(error.message).toBe('nodegroup ng-1: update Failed: Unknown: Nodegroup ng-1 has no capacity (demo)');
  });

  it('refuses a nodegroup that is not on the cluster', async () => {
    const aws = provisionedAws(before);

    const error = await rejectionOf(changeNodegroup(updateInput(scale({ desiredSize: 3 }), before), aws.deps()));

    expect(error.name).toBe('ChangeRefusedError');
    expect(error.message).toBe('nodegroup ng-1: does not exist on the cluster');
  });
});

describe('Change Nodegroup: REMOVE_NODEGROUP', () => {
  const REMOVE: ClusterChange = { action: 'REMOVE_NODEGROUP', target: ADDED };

  it('deletes the nodegroup, and once it is gone its stack, termination protection off first', async () => {
    const aws = provisionedAws(after);
    aws.seedStack(ADDED_STACK, 'CREATE_COMPLETE', { [TAG_CLUSTER]: CLUSTER });
    activeNodegroup(aws, ADDED);

    const first = await changeNodegroup(updateInput(REMOVE, before), aws.deps());
    aws.nodegroups.delete(`${CLUSTER}/${ADDED}`);
    const second = await changeNodegroup(updateInput(REMOVE, before, first), aws.deps());

    expect(first).toMatchObject({ stage: 'nodegroupDelete', waitSeconds: 180 });
    expect(second).toMatchObject({ stage: 'nodegroupStackDelete', waitSeconds: 30 });
    expect(aws.callLog((c) => /^(DeleteNodegroup|UpdateTerminationProtection|DeleteStack)$/.test(c.operation))).toEqual([
      `eks:DeleteNodegroup ${ADDED}`,
      `cloudformation:UpdateTerminationProtection ${ADDED_STACK}`,
      `cloudformation:DeleteStack ${ADDED_STACK}`,
    ]);
    expect(aws.stacks.get(ADDED_STACK)!.status).toBe('DELETE_IN_PROGRESS');
  });

  it('deletes no stack for a nodegroup made at provisioning (it lives in the cluster stack)', async () => {
    const aws = provisionedAws(before);
    activeNodegroup(aws, 'ng-1');
    const first = await changeNodegroup(updateInput({ action: 'REMOVE_NODEGROUP', target: 'ng-1' }, specOf()), aws.deps());
    aws.nodegroups.delete(`${CLUSTER}/ng-1`);

    const done = await changeNodegroup(updateInput({ action: 'REMOVE_NODEGROUP', target: 'ng-1' }, specOf(), first), aws.deps());

    expect(done).toEqual({ ready: true, waitSeconds: 0, stage: 'applied' });
    expect(aws.callLog((c) => c.operation === 'DeleteStack')).toEqual([]);
  });
});
