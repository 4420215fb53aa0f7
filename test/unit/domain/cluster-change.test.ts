/**
 * update-cluster's decisions, one table per action: what the live cluster looks like → the one
 * next thing to do. The rule they share: a change the live cluster already satisfies is in sync,
 * with no call at all (EKS rejects a no-op update, and a skipped change costs nothing).
 */
import { stringify } from 'yaml';
import type { ClusterChange } from '../../../functions/generated/types';
import { validateUpdateInput } from '../../../functions/generated/validators';
import { planAccessChange } from '../../../functions/domain/access-change';
import { CHANGE_ACTIONS, changeFor, type ChangeFor } from '../../../functions/domain/change-actions';
import type { NodegroupUpdate } from '../../../functions/domain/nodegroup-update';
import { changeResource, changeTarget, planEndpointAccessChange, planFargateProfileChange, planNodegroupChange, wantedScaling, type LiveState, type NextStep, type Scaling } from '../../../functions/domain/cluster-change';
import { normaliseSpec, type Spec } from '../../../functions/domain/spec';
import { apiChange } from '../../support/change-request';
import { UPDATE_OPERATION } from '../steps/update-inputs';

const OP = 'op-update-1';
const GUARDRAILS = { kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.33' };
const ADMIN = 'arn:aws:iam::111122223333:role/cluster-admin';
const OPS = 'arn:aws:iam::111122223333:role/ops';
const SERVICE = 'arn:aws:iam::111122223333:role/eksp-cloudformation';
const NODE_ROLE = 'arn:aws:iam::111122223333:role/eks-provisioner/demo-NodeInstanceRole';
const NODE_MAPPING = { rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };
const POD_ROLE = 'arn:aws:iam::111122223333:role/eks-provisioner/demo-FargatePodExecutionRoleArn';
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';

const CLUSTER_NAME = 'demo';

/** The desired spec after the change, normalised as the API hands it over. */
function specOf(extra: Record<string, unknown> = {}): Spec {
  return normaliseSpec({ name: CLUSTER_NAME, network: { vpc: {} }, ...extra }, GUARDRAILS as never);
}

/** Each kind of change has its planner, that of the state CHANGE_ACTIONS routes it to; the update step of that state calls only it. */
function decide(change: ClusterChange, live: LiveState = {}, spec: Spec = specOf()): NextStep {
  const state = CHANGE_ACTIONS[change.action].state;
  switch (state) {
    case 'Change Nodegroup':
      return planNodegroupChange(changeFor(change, state), spec, live, OP);
    case 'Change Fargate Profile':
      return planFargateProfileChange(changeFor(change, state), spec, live, OP);
    case 'Change Access':
      return planAccessChange(changeFor(change, state), spec, live, OP);
    case 'Change Endpoint Access':
      return planEndpointAccessChange(changeFor(change, state), spec, live, OP);
    case 'Change Self-managed Nodegroup':
      // Its planner reads the stack, the group and the nodes, not LiveState: test/unit/domain/self-managed-change.test.ts.
      throw new Error('Change Self-managed Nodegroup is planned by planSelfManagedChange');
    case 'Change Settings':
      // Its planner reads the cluster's settings and stacks, not LiveState: test/unit/domain/cluster-settings.test.ts.
      throw new Error('Change Settings is planned by planSettingsChange');
    case 'Change Addon':
      // Its planner reads the live add-on, not LiveState: test/unit/domain/addon-change.test.ts.
      throw new Error('Change Addon is planned by planAddonChange');
    case 'Change Pod Identity':
      // Its planner reads the live association, not LiveState: test/unit/domain/pod-identity-change.test.ts.
      throw new Error('Change Pod Identity is planned by planPodIdentityChange');
  }
}
/** The change and desired spec the API makes of a request on `spec` (default: a cluster with no nodegroups, profiles or access entries of its own). */
const requested = (request: Parameters<typeof apiChange>[1], spec: Spec = specOf({ managedNodeGroups: [] })) => apiChange(spec, request);
const ours = (status: string, outputs: Record<string, string> = {}) => ({ status, operationId: OP, cluster: CLUSTER_NAME, outputs });
const leftover = (status: string, outputs: Record<string, string> = {}) => ({ status, operationId: 'op-earlier', cluster: CLUSTER_NAME, outputs });

describe('a stack of the same name that another cluster owns', () => {
  it('is never created over, deleted or used', () => {
    const foreign = { status: 'CREATE_COMPLETE', operationId: 'op-other', cluster: 'demo-nodegroup-ng', outputs: {} };

    expect(decide({ action: 'REMOVE_NODEGROUP', target: 'ng-1' }, { stack: foreign })).toEqual({ kind: 'refused', reason: 'a stack of the same name belongs to cluster demo-nodegroup-ng; choose another name' });
    const addProfile = requested({ action: 'ADD_FARGATE_PROFILE', body: { name: 'fp-new', selectors: [{ namespace: 'x' }] } });
    expect(decide(addProfile.change, { stack: foreign }, addProfile.spec)).toMatchObject({ kind: 'refused' });
  });
});

describe('ADD_NODEGROUP', () => {
  const { change, spec } = requested({ action: 'ADD_NODEGROUP', body: { name: 'ng-new', instanceTypes: ['m6i.large'] } });
  const normalised = spec.managedNodeGroups[0]!;
  const add = (live: LiveState) => decide(change, live, spec);

  it('creates the nodegroup stack first, from the spec’s normalised nodegroup (defaults applied)', () => {
    expect(add({})).toEqual({ kind: 'apply', stage: 'nodegroupStack', calls: [{ call: 'createNodegroupStack', nodegroup: normalised }] });
    expect(normalised).toMatchObject({ desiredSize: 2, volumeType: 'gp3', amiType: expect.stringMatching(/^AL2023/) });
  });

  it('waits while the stack is being created', () => {
    expect(add({ stack: ours('CREATE_IN_PROGRESS') })).toEqual({ kind: 'wait', stage: 'nodegroupStack', status: 'CREATE_IN_PROGRESS' });
  });

  it('creates the nodegroup with the complete stack’s outputs', () => {
    const outputs = { NodeInstanceRoleArn: 'arn:role', LaunchTemplateId: 'lt-1' };

    expect(add({ stack: ours('CREATE_COMPLETE', outputs) })).toEqual({ kind: 'apply', stage: 'nodegroup', calls: [{ call: 'createNodegroup', nodegroup: normalised, stackOutputs: outputs }] });
  });

  it.each(['ROLLBACK_COMPLETE', 'CREATE_FAILED', 'ROLLBACK_IN_PROGRESS'])('fails when its own stack is %s', (status) => {
    expect(add({ stack: ours(status) })).toEqual({ kind: 'failed', stage: 'nodegroupStack', reason: status });
  });

  it.each(['CREATE_COMPLETE', 'ROLLBACK_COMPLETE'])('deletes a %s stack an earlier operation left, whose launch template came from another request', (status) => {
    expect(add({ stack: leftover(status) })).toEqual({ kind: 'apply', stage: 'nodegroupStackDelete', calls: [{ call: 'deleteStack' }] });
  });

  it('waits for that leftover stack to go, and fails when it cannot be deleted', () => {
    expect(add({ stack: leftover('DELETE_IN_PROGRESS') })).toEqual({ kind: 'wait', stage: 'nodegroupStackDelete', status: 'DELETE_IN_PROGRESS' });
    expect(add({ stack: leftover('DELETE_FAILED') })).toMatchObject({ kind: 'failed', stage: 'nodegroupStackDelete' });
  });

  it.each(['CREATING', 'UPDATING', 'DELETING'])('waits while a nodegroup of that name is %s', (status) => {
    expect(add({ nodegroup: { status }, stack: ours('CREATE_COMPLETE') })).toEqual({ kind: 'wait', stage: 'nodegroup', status });
  });

  it('is in sync once the nodegroup is ACTIVE, whoever made it, with no call', () => {
    expect(add({ nodegroup: { status: 'ACTIVE' } })).toEqual({ kind: 'inSync' });
  });

  it('fails with the nodegroup’s health issues', () => {
    expect(add({ nodegroup: { status: 'CREATE_FAILED', problems: 'AsgInstanceLaunchFailures: no capacity' } })).toEqual({
      kind: 'failed',
      stage: 'nodegroup',
      reason: 'CREATE_FAILED: AsgInstanceLaunchFailures: no capacity',
    });
  });
});

describe('UPDATE_NODEGROUP', () => {
  const update = (asked: NodegroupUpdate, live: LiveState) => decide({ action: 'UPDATE_NODEGROUP', target: 'ng-1', update: asked }, live);
  const scale = (scaling: Scaling, live: LiveState) => update({ scaling }, live);
  const active = (minSize: number, desiredSize: number, maxSize: number): LiveState => ({ nodegroup: { status: 'ACTIVE', scaling: { minSize, desiredSize, maxSize } } });
  const configCall = (config: object) => ({ kind: 'apply', stage: 'nodegroupConfigUpdate', calls: [{ call: 'updateNodegroupConfig', nodegroup: 'ng-1', config }] });
  const LIVE: LiveState = {
    nodegroup: {
      status: 'ACTIVE',
      scaling: { minSize: 1, desiredSize: 2, maxSize: 4 },
      labels: { team: 'a', tier: 'web' },
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NO_SCHEDULE' }],
      updateConfig: { maxUnavailable: 1 },
      releaseVersion: '1.33.5-20251001',
    },
  };

  it('updates only the sizes asked for, keeping the others as they are live', () => {
    expect(scale({ desiredSize: 3 }, active(1, 2, 4))).toEqual(configCall({ scalingConfig: { minSize: 1, desiredSize: 3, maxSize: 4 } }));
  });

  it('is in sync when the live sizes are already the ones asked for: no UpdateNodegroupConfig', () => {
    expect(scale({ minSize: 1, desiredSize: 2, maxSize: 4 }, active(1, 2, 4))).toEqual({ kind: 'inSync' });
  });

  it('keeps an unasked desiredSize within new bounds', () => {
    expect(scale({ maxSize: 1 }, active(1, 2, 4))).toMatchObject({ calls: [{ config: { scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 1 } } }] });
    expect(scale({ minSize: 3 }, active(1, 2, 4))).toMatchObject({ calls: [{ config: { scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 4 } } }] });
  });

  it('refuses sizes that would break min ≤ desired ≤ max', () => {
    expect(scale({ desiredSize: 5 }, active(1, 2, 4))).toEqual({ kind: 'refused', reason: 'now min 1, desired 2, max 4: desiredSize 5 would be outside minSize 1 .. maxSize 4' });
    expect(scale({ minSize: 5 }, active(1, 2, 4))).toMatchObject({ kind: 'refused', reason: expect.stringContaining('minSize 5 would exceed maxSize 4') });
  });

  it('sends labels as added or updated and removed against the live set: the map given is the whole new set', () => {
    expect(update({ labels: { team: 'b', tier: 'web', zone: 'x' } }, LIVE)).toEqual(configCall({ labels: { addOrUpdateLabels: { team: 'b', zone: 'x' } } }));
    expect(update({ labels: { tier: 'web' } }, LIVE)).toEqual(configCall({ labels: { removeLabels: ['team'] } }));
    expect(update({ labels: {} }, LIVE)).toEqual(configCall({ labels: { removeLabels: ['team', 'tier'] } }));
    expect(update({ labels: { tier: 'web', team: 'a' } }, LIVE)).toEqual({ kind: 'inSync' });
  });

  it('sends taints in EKS’s spelling: a new value for the same key and effect is an update, a taint no longer given is removed', () => {
    expect(update({ taints: [{ key: 'dedicated', value: 'cpu', effect: 'NoSchedule' }] }, LIVE)).toEqual(configCall({ taints: { addOrUpdateTaints: [{ key: 'dedicated', value: 'cpu', effect: 'NO_SCHEDULE' }] } }));
    expect(update({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }, LIVE)).toEqual(
      configCall({ taints: { addOrUpdateTaints: [{ key: 'dedicated', value: 'gpu', effect: 'NO_EXECUTE' }], removeTaints: [{ key: 'dedicated', value: 'gpu', effect: 'NO_SCHEDULE' }] } }),
    );
    expect(update({ taints: [] }, LIVE)).toEqual(configCall({ taints: { removeTaints: [{ key: 'dedicated', value: 'gpu', effect: 'NO_SCHEDULE' }] } }));
    expect(update({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }, LIVE)).toEqual({ kind: 'inSync' });
  });

  it('sends updateConfig only when it differs', () => {
    expect(update({ updateConfig: { maxUnavailablePercentage: 50 } }, LIVE)).toEqual(configCall({ updateConfig: { maxUnavailablePercentage: 50 } }));
    expect(update({ updateConfig: { maxUnavailable: 1 } }, LIVE)).toEqual({ kind: 'inSync' });
  });

  it('puts every differing field in one UpdateNodegroupConfig and leaves out those already as asked', () => {
    expect(update({ scaling: { desiredSize: 2 }, labels: { team: 'a', tier: 'web' }, taints: [], updateConfig: { maxUnavailable: 2 } }, LIVE)).toEqual(
      configCall({ taints: { removeTaints: [{ key: 'dedicated', value: 'gpu', effect: 'NO_SCHEDULE' }] }, updateConfig: { maxUnavailable: 2 } }),
    );
  });

  it('rolls the nodes to another AMI release with UpdateNodegroupVersion, after the config update when both differ', () => {
    const release = { kind: 'apply', stage: 'nodegroupReleaseUpdate', calls: [{ call: 'updateNodegroupRelease', nodegroup: 'ng-1', releaseVersion: '1.33.5-20251101' }] };
    expect(update({ releaseVersion: '1.33.5-20251101' }, LIVE)).toEqual(release);
    expect(update({ releaseVersion: '1.33.5-20251001' }, LIVE)).toEqual({ kind: 'inSync' });

    const both: NodegroupUpdate = { labels: {}, releaseVersion: '1.33.5-20251101' };
    expect(update(both, LIVE)).toEqual(configCall({ labels: { removeLabels: ['team', 'tier'] } }));
    expect(update(both, { ...LIVE, update: { status: 'InProgress', stage: 'nodegroupConfigUpdate' } })).toEqual({ kind: 'wait', stage: 'nodegroupConfigUpdate', status: 'InProgress' });
    // The config update done, the diff is not made again (the autoscaler may move sizes meanwhile): the release is next.
    expect(update(both, { ...LIVE, update: { status: 'Successful', stage: 'nodegroupConfigUpdate' } })).toEqual(release);
    expect(update(both, { ...LIVE, update: { status: 'InProgress', stage: 'nodegroupReleaseUpdate' } })).toEqual({ kind: 'wait', stage: 'nodegroupReleaseUpdate', status: 'InProgress' });
    expect(update(both, { ...LIVE, update: { status: 'Successful', stage: 'nodegroupReleaseUpdate' } })).toEqual({ kind: 'inSync' });
  });

  it('fails a release update EKS could not finish, with advice when a PodDisruptionBudget blocked an eviction', () => {
    const failedUpdate = { status: 'Failed', errors: 'PodEvictionFailure: Reached max retries', errorCodes: ['PodEvictionFailure'], stage: 'nodegroupReleaseUpdate' as const };
    expect(update({ releaseVersion: '1.33.5-20251101' }, { ...LIVE, update: failedUpdate })).toEqual({
      kind: 'failed',
      stage: 'nodegroupReleaseUpdate',
      reason: 'update Failed: PodEvictionFailure: Reached max retries — a PodDisruptionBudget kept a pod from being evicted: let it allow an eviction (or scale the workload), then send the change again',
    });
  });

  it('refuses a nodegroup that is not on the cluster, or is being deleted', () => {
    expect(scale({ desiredSize: 3 }, {})).toEqual({ kind: 'refused', reason: 'does not exist on the cluster' });
    expect(scale({ desiredSize: 3 }, { nodegroup: { status: 'DELETING' } })).toMatchObject({ kind: 'refused' });
  });

  it('waits for an update already running on the nodegroup (one at a time)', () => {
    expect(scale({ desiredSize: 3 }, { nodegroup: { status: 'UPDATING', scaling: { minSize: 1, desiredSize: 2, maxSize: 4 } } })).toEqual({ kind: 'wait', stage: 'nodegroupConfigUpdate', status: 'UPDATING' });
  });

  it('follows its own update: waits while InProgress, done when Successful, failed with EKS’s errors', () => {
    const own = (status: string, errors?: string) => ({ status, stage: 'nodegroupConfigUpdate' as const, ...(errors ? { errors } : {}) });
    expect(scale({ desiredSize: 3 }, { ...active(1, 2, 4), update: own('InProgress') })).toEqual({ kind: 'wait', stage: 'nodegroupConfigUpdate', status: 'InProgress' });
    expect(scale({ desiredSize: 3 }, { ...active(1, 3, 4), update: own('Successful') })).toEqual({ kind: 'inSync' });
    expect(scale({ desiredSize: 3 }, { ...active(1, 2, 4), update: own('Failed', 'InsufficientCapacity: none') })).toEqual({
      kind: 'failed',
      stage: 'nodegroupConfigUpdate',
      reason: 'update Failed: InsufficientCapacity: none',
    });
  });
});

describe('UPDATE_NODEGROUP instanceTypes', () => {
  const LT = 'lt-0123456789abcdef0';
  const template = (instanceType?: string) => ({
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { Env: { Type: 'String' } },
    Resources: { LaunchTemplateNg1: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { ...(instanceType ? { InstanceType: instanceType } : {}), MetadataOptions: { HttpTokens: 'required' } } } } },
  });
  /** A nodegroup whose type its launch template (version `version`, latest `latest`) carries; DescribeNodegroup reports no instanceTypes. */
  const typed = (instanceType: string, extra: Partial<LiveState> = {}, version = '1', latest?: number): LiveState => ({
    nodegroup: { status: 'ACTIVE', launchTemplate: { id: LT, version } },
    launchTemplate: { stackName: 'eksp-demo-cluster', stackStatus: 'CREATE_COMPLETE', stackTags: { 'eks-provisioner:cluster': 'demo' }, logicalId: 'LaunchTemplateNg1', template: template(instanceType), ...(latest !== undefined ? { latestVersion: latest } : {}) },
    ...extra,
  });
  const retype = (instanceTypes: string[], live: LiveState) => decide({ action: 'UPDATE_NODEGROUP', target: 'ng-1', update: { instanceTypes } }, live);

  it('updates the launch template’s stack with its current template, the new type in LaunchTemplateData, the stack’s tags and parameters as they are', () => {
    const next = retype(['m5.xlarge'], typed('m5.large'));

    expect(next).toEqual({
      kind: 'apply',
      stage: 'nodegroupLaunchTemplate',
      calls: [{ call: 'updateLaunchTemplateStack', stackName: 'eksp-demo-cluster', tags: { 'eks-provisioner:cluster': 'demo' }, template: template('m5.xlarge'), parameterKeys: ['Env'], instanceType: 'm5.xlarge' }],
    });
  });

  it('waits while that stack updates, then rolls the nodegroup to the template’s new latest version with UpdateNodegroupVersion', () => {
    const updating = typed('m5.large', { stage: 'nodegroupLaunchTemplate' });
    updating.launchTemplate = { ...updating.launchTemplate!, stackStatus: 'UPDATE_IN_PROGRESS' };
    delete updating.launchTemplate.template;

    expect(retype(['m5.xlarge'], updating)).toEqual({ kind: 'wait', stage: 'nodegroupLaunchTemplate', status: 'eksp-demo-cluster UPDATE_IN_PROGRESS' });
    expect(retype(['m5.xlarge'], typed('m5.xlarge', { stage: 'nodegroupLaunchTemplate' }, '1', 2))).toEqual({
      kind: 'apply',
      stage: 'nodegroupInstanceTypeUpdate',
      calls: [{ call: 'updateNodegroupLaunchTemplate', nodegroup: 'ng-1', launchTemplate: { id: LT, version: '2' } }],
    });
  });

  it('follows that update to Successful, and fails on PodEvictionFailure with the advice', () => {
    const following = (status: string, errorCodes: string[] = []) => typed('m5.xlarge', { update: { status, errors: status === 'Failed' ? 'PodEvictionFailure: pod default/web' : '', errorCodes, stage: 'nodegroupInstanceTypeUpdate' } }, '2', 2);

    expect(retype(['m5.xlarge'], following('InProgress'))).toEqual({ kind: 'wait', stage: 'nodegroupInstanceTypeUpdate', status: 'InProgress' });
    expect(retype(['m5.xlarge'], following('Successful'))).toEqual({ kind: 'inSync' });
    expect(retype(['m5.xlarge'], following('Failed', ['PodEvictionFailure']))).toEqual({ kind: 'failed', stage: 'nodegroupInstanceTypeUpdate', reason: expect.stringContaining('a PodDisruptionBudget kept a pod from being evicted') });
  });

  it('is in sync when the template carries the type and the nodegroup runs its latest version, or CreateNodegroup gave that one type', () => {
    expect(retype(['m5.xlarge'], typed('m5.xlarge', {}, '3', 3))).toEqual({ kind: 'inSync' });
    expect(retype(['m5.large'], { nodegroup: { status: 'ACTIVE', instanceTypes: ['m5.large'], launchTemplate: { id: LT, version: '1' } } })).toEqual({ kind: 'inSync' });
  });

  it('fails with the stack’s status when our template update rolled back', () => {
    const rolledBack = typed('m5.large', { stage: 'nodegroupLaunchTemplate' });
    rolledBack.launchTemplate = { ...rolledBack.launchTemplate!, stackStatus: 'UPDATE_ROLLBACK_COMPLETE' };

    expect(retype(['m5.xlarge'], rolledBack)).toEqual({ kind: 'failed', stage: 'nodegroupLaunchTemplate', reason: 'eksp-demo-cluster UPDATE_ROLLBACK_COMPLETE' });
  });

  it('refuses a nodegroup made with CreateNodegroup’s instanceTypes, and several types, saying to add a nodegroup and remove this one', () => {
    const created = retype(['m5.xlarge'], { nodegroup: { status: 'ACTIVE', instanceTypes: ['m5.large'], launchTemplate: { id: LT, version: '1' } } });
    const several = retype(['m5.xlarge', 'm5a.xlarge'], typed('m5.large'));

    expect(created).toEqual({ kind: 'refused', reason: 'was created with instance types m5.large given to CreateNodegroup, which EKS never changes: add a nodegroup with instance type m5.xlarge and remove ng-1' });
    expect(several).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/one instance type only .*: add a nodegroup with instance type m5.xlarge, m5a.xlarge and remove ng-1/) });
  });
});

describe('wantedScaling', () => {
  it('takes what is asked over what is live', () => {
    expect(wantedScaling({ minSize: 2, desiredSize: 2, maxSize: 2 }, { minSize: 0, desiredSize: 0 })).toEqual({ minSize: 0, desiredSize: 0, maxSize: 2 });
  });
});

describe('REMOVE_NODEGROUP', () => {
  const remove = (live: LiveState) => decide({ action: 'REMOVE_NODEGROUP', target: 'ng-1' }, live);

  it('deletes the nodegroup first, even with its stack still there', () => {
    expect(remove({ nodegroup: { status: 'ACTIVE' }, stack: ours('CREATE_COMPLETE') })).toEqual({ kind: 'apply', stage: 'nodegroupDelete', calls: [{ call: 'deleteNodegroup', nodegroup: 'ng-1' }] });
    expect(remove({ nodegroup: { status: 'DEGRADED' } })).toMatchObject({ kind: 'apply', stage: 'nodegroupDelete' });
  });

  it.each(['DELETING', 'CREATING', 'UPDATING'])('waits while the nodegroup is %s', (status) => {
    expect(remove({ nodegroup: { status } })).toEqual({ kind: 'wait', stage: 'nodegroupDelete', status });
  });

  it('fails when EKS could not delete it', () => {
    expect(remove({ nodegroup: { status: 'DELETE_FAILED', problems: 'Ec2SecurityGroupDeletionFailure: DependencyViolation' } })).toMatchObject({ kind: 'failed', stage: 'nodegroupDelete' });
  });

  it('then deletes its own stack, whoever made it, and waits for it', () => {
    expect(remove({ stack: leftover('CREATE_COMPLETE') })).toEqual({ kind: 'apply', stage: 'nodegroupStackDelete', calls: [{ call: 'deleteStack' }] });
    expect(remove({ stack: ours('DELETE_IN_PROGRESS') })).toEqual({ kind: 'wait', stage: 'nodegroupStackDelete', status: 'DELETE_IN_PROGRESS' });
    expect(remove({ stack: ours('DELETE_FAILED') })).toMatchObject({ kind: 'failed', stage: 'nodegroupStackDelete' });
  });

  it('is in sync when neither is there (a nodegroup made at provisioning has no stack of its own)', () => {
    expect(remove({})).toEqual({ kind: 'inSync' });
  });
});

describe('ADD_FARGATE_PROFILE', () => {
  const { change, spec } = requested({ action: 'ADD_FARGATE_PROFILE', body: { name: 'fp-batch', selectors: [{ namespace: 'batch' }] } });
  const profile = spec.fargateProfiles[0]!;
  const add = (live: LiveState) => decide(change, live, spec);

  it('uses the cluster stack’s pod execution role when it has one', () => {
    expect(add({ clusterStackOutputs: { FargatePodExecutionRoleArn: POD_ROLE } })).toEqual({
      kind: 'apply',
      stage: 'fargateProfile',
      calls: [{ call: 'createFargateProfile', profile, podExecutionRoleArn: POD_ROLE }],
    });
  });

  it('creates the Fargate stack first for a cluster made without profiles, then uses its role', () => {
    expect(add({ clusterStackOutputs: {} })).toEqual({ kind: 'apply', stage: 'fargateStack', calls: [{ call: 'createFargateStack' }] });
    expect(add({ clusterStackOutputs: {}, stack: ours('CREATE_IN_PROGRESS') })).toEqual({ kind: 'wait', stage: 'fargateStack', status: 'CREATE_IN_PROGRESS' });
    expect(add({ clusterStackOutputs: {}, stack: ours('CREATE_COMPLETE', { FargatePodExecutionRoleArn: POD_ROLE }) })).toMatchObject({
      stage: 'fargateProfile',
      calls: [{ call: 'createFargateProfile', podExecutionRoleArn: POD_ROLE }],
    });
  });

  it('shares a Fargate stack an earlier operation made', () => {
    expect(add({ clusterStackOutputs: {}, stack: leftover('CREATE_COMPLETE', { FargatePodExecutionRoleArn: POD_ROLE }) })).toMatchObject({ stage: 'fargateProfile' });
  });

  it('deletes a failed Fargate stack an earlier operation left, but fails on its own', () => {
    expect(add({ clusterStackOutputs: {}, stack: leftover('ROLLBACK_COMPLETE') })).toEqual({ kind: 'apply', stage: 'fargateStackDelete', calls: [{ call: 'deleteStack' }] });
    expect(add({ clusterStackOutputs: {}, stack: ours('ROLLBACK_COMPLETE') })).toEqual({ kind: 'failed', stage: 'fargateStack', reason: 'ROLLBACK_COMPLETE' });
  });

  it('waits while the profile is CREATING, is in sync once ACTIVE, fails with its health issues', () => {
    expect(add({ fargateProfile: { status: 'CREATING' } })).toEqual({ kind: 'wait', stage: 'fargateProfile', status: 'CREATING' });
    expect(add({ fargateProfile: { status: 'ACTIVE' } })).toEqual({ kind: 'inSync' });
    expect(add({ fargateProfile: { status: 'CREATE_FAILED', problems: 'PodExecutionRoleAlreadyInUse: x' } })).toMatchObject({ kind: 'failed', stage: 'fargateProfile' });
  });
});

describe('REMOVE_FARGATE_PROFILE', () => {
  const remove = (live: LiveState) => decide({ action: 'REMOVE_FARGATE_PROFILE', target: 'fp-default' }, live);

  it('deletes it, waits while it goes, and is in sync when it is gone', () => {
    expect(remove({ fargateProfile: { status: 'ACTIVE' } })).toEqual({ kind: 'apply', stage: 'fargateProfileDelete', calls: [{ call: 'deleteFargateProfile', profile: 'fp-default' }] });
    expect(remove({ fargateProfile: { status: 'DELETING' } })).toEqual({ kind: 'wait', stage: 'fargateProfileDelete', status: 'DELETING' });
    expect(remove({ fargateProfile: { status: 'CREATING' } })).toEqual({ kind: 'wait', stage: 'fargateProfileDelete', status: 'CREATING' });
    expect(remove({ fargateProfile: { status: 'DELETE_FAILED' } })).toMatchObject({ kind: 'failed', stage: 'fargateProfileDelete' });
    expect(remove({})).toEqual({ kind: 'inSync' });
  });
});

describe('ADD_ACCESS_ENTRY (access entry)', () => {
  const entry = { principalArn: OPS, username: 'ops', kubernetesGroups: ['ops'], accessPolicies: [{ policy: 'AmazonEKSViewPolicy', scope: 'namespace', namespaces: ['apps', 'web'] }] };
  const { change, spec } = requested({ action: 'ADD_ACCESS_ENTRY', body: entry });
  const add = (live: LiveState) => decide(change, live, spec);
  const inSync = { type: 'STANDARD', username: 'ops', kubernetesGroups: ['ops'], policies: [{ policyArn: VIEW, scope: { type: 'namespace', namespaces: ['web', 'apps'] } }] };

  it('creates the entry, then associates each policy with its scope', () => {
    expect(add({})).toEqual({
      kind: 'apply',
      calls: [
        { call: 'putAccessEntry', entry: spec.accessEntries.find((e) => e.principalArn === OPS) },
        { call: 'associateAccessPolicy', principalArn: OPS, policyArn: VIEW, scope: { type: 'namespace', namespaces: ['apps', 'web'] } },
      ],
    });
  });

  it('is in sync when the entry and its policies are there as asked (namespaces compare as sets)', () => {
    expect(add({ accessEntry: inSync })).toEqual({ kind: 'inSync' });
  });

  it('makes only the calls that differ: groups, or a policy’s scope', () => {
    expect(add({ accessEntry: { ...inSync, kubernetesGroups: ['viewers'] } })).toMatchObject({ calls: [{ call: 'putAccessEntry' }] });
    expect(add({ accessEntry: { ...inSync, policies: [{ policyArn: VIEW, scope: { type: 'cluster' } }] } })).toMatchObject({ calls: [{ call: 'associateAccessPolicy', policyArn: VIEW }] });
  });

  it('refuses to turn an entry EKS made for nodes into a standard one', () => {
    expect(add({ accessEntry: { ...inSync, type: 'EC2_LINUX' } })).toEqual({ kind: 'refused', reason: "exists with type EC2_LINUX, and EKS cannot change an entry's type" });
  });
});

describe('ADD_ACCESS_ENTRY (identity mapping)', () => {
  const mapping = { arn: OPS, username: 'ops', groups: ['ops'] };
  const { change, spec } = requested({ action: 'ADD_ACCESS_ENTRY', body: mapping });
  const add = (awsAuth: LiveState['awsAuth']) => decide(change, { awsAuth }, spec);

  it('is an item with an arn: an aws-auth mapping, not an access entry', () => {
    expect(change).toEqual({ action: 'ADD_ACCESS_ENTRY', target: OPS, item: mapping });
    expect(spec.accessEntries.map((e) => e.principalArn)).not.toContain(OPS);
  });

  it('writes aws-auth with the mapping next to the node role', () => {
    const next = add({ mapRoles: stringify([NODE_MAPPING]) });

    expect(next).toMatchObject({ kind: 'apply', calls: [{ call: 'writeAwsAuth' }] });
    const written = next.kind === 'apply' && next.calls[0]?.call === 'writeAwsAuth' ? next.calls[0].data.mapRoles : '';
    expect(written).toContain(OPS);
    expect(written).toContain(NODE_ROLE);
  });

  it('is in sync when aws-auth already maps it so', () => {
    expect(add({ mapRoles: stringify([NODE_MAPPING, { rolearn: OPS, username: 'ops', groups: ['ops'] }]) })).toEqual({ kind: 'inSync' });
  });

  it('refuses to remap a node role', () => {
    const remap = requested({ action: 'ADD_ACCESS_ENTRY', body: { arn: NODE_ROLE, groups: ['ops'] } });
    const next = decide(remap.change, { awsAuth: { mapRoles: stringify([NODE_MAPPING]) } }, remap.spec);

    expect(next).toMatchObject({ kind: 'refused', reason: expect.stringContaining('system:nodes') });
  });
});

describe('REMOVE_ACCESS_ENTRY', () => {
  const remove = (principal: string, live: LiveState) => decide({ action: 'REMOVE_ACCESS_ENTRY', target: principal }, { protectedPrincipals: [SERVICE], ...live });
  const standard = { type: 'STANDARD', kubernetesGroups: [], policies: [] };

  it('removes the aws-auth mapping of the principal, keeping the rest of aws-auth, then its access entry (which may be what the write is made with)', () => {
    const next = remove(OPS, { accessEntry: standard, awsAuth: { mapRoles: stringify([NODE_MAPPING, { rolearn: OPS, groups: ['ops'] }]) } });

    expect(next).toEqual({ kind: 'apply', calls: [{ call: 'writeAwsAuth', data: { mapRoles: stringify([NODE_MAPPING]) } }, { call: 'deleteAccessEntry', principalArn: OPS }] });
  });

  it('deletes only what exists', () => {
    expect(remove(ADMIN, { accessEntry: standard })).toEqual({ kind: 'apply', calls: [{ call: 'deleteAccessEntry', principalArn: ADMIN }] });
  });

  it('is in sync when the principal has neither', () => {
    expect(remove(OPS, { awsAuth: { mapRoles: stringify([NODE_MAPPING]) } })).toEqual({ kind: 'inSync' });
  });

  it.each(['EC2_LINUX', 'FARGATE_LINUX'])('refuses to delete the %s entry EKS made, before any call', (type) => {
    expect(remove(NODE_ROLE, { accessEntry: { ...standard, type }, awsAuth: { mapRoles: stringify([{ rolearn: NODE_ROLE, groups: ['ops'] }]) } })).toEqual({
      kind: 'refused',
      reason: `EKS made this entry (type ${type}) for nodes or Fargate pods; deleting it would cut them off the cluster`,
    });
  });

  it('refuses to remove a node role’s aws-auth mapping', () => {
    expect(remove(NODE_ROLE, { awsAuth: { mapRoles: stringify([NODE_MAPPING]) } })).toMatchObject({ kind: 'refused', reason: expect.stringContaining('system:bootstrappers, system:nodes') });
  });

  it('refuses to remove the service’s own access', () => {
    expect(remove(SERVICE, { accessEntry: standard })).toMatchObject({ kind: 'refused', reason: expect.stringContaining('lock the service out') });
  });
});

describe('SET_ENDPOINT_ACCESS', () => {
  const { change, spec } = requested({ action: 'SET_ENDPOINT_ACCESS', body: { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24', '198.51.100.0/24'] } });
  const set = (live: LiveState) => decide(change, live, spec);

  it('updates the cluster config when the live access differs from the spec’s', () => {
    expect(set({ endpointAccess: { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] } })).toEqual({
      kind: 'apply',
      stage: 'endpointUpdate',
      calls: [{ call: 'updateEndpointAccess', config: { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24', '198.51.100.0/24'] } }],
    });
  });

  it('is in sync when they match, CIDRs compared as sets: no UpdateClusterConfig, which EKS would reject', () => {
    expect(set({ endpointAccess: { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['198.51.100.0/24', '203.0.113.0/24'] } })).toEqual({ kind: 'inSync' });
  });

  it('follows its update until Successful, or fails with EKS’s message', () => {
    const live = { endpointAccess: { endpointPublicAccess: true } };
    expect(set({ ...live, update: { status: 'InProgress' } })).toEqual({ kind: 'wait', stage: 'endpointUpdate', status: 'InProgress' });
    expect(set({ ...live, update: { status: 'Successful' } })).toEqual({ kind: 'inSync' });
    expect(set({ ...live, update: { status: 'Failed', errors: 'InvalidParameterException: bad CIDR' } })).toEqual({ kind: 'failed', stage: 'endpointUpdate', reason: 'update Failed: InvalidParameterException: bad CIDR' });
    expect(set({ ...live, update: { status: 'Cancelled' } })).toMatchObject({ kind: 'failed', reason: 'update Cancelled: EKS gave no reason' });
  });
});

describe('the change’s target', () => {
  it.each<[string, ClusterChange, string, string]>([
    ['an added nodegroup', requested({ action: 'ADD_NODEGROUP', body: { name: 'ng-new' } }).change, 'ng-new', 'nodegroup ng-new'],
    ['a scaled nodegroup', { action: 'UPDATE_NODEGROUP', target: 'ng-1', update: { scaling: { maxSize: 3 } } }, 'ng-1', 'nodegroup ng-1'],
    ['a removed nodegroup', { action: 'REMOVE_NODEGROUP', target: 'ng-1' }, 'ng-1', 'nodegroup ng-1'],
    ['an added Fargate profile', requested({ action: 'ADD_FARGATE_PROFILE', body: { name: 'fp-1', selectors: [{ namespace: 'x' }] } }).change, 'fp-1', 'Fargate profile fp-1'],
    ['a removed Fargate profile', { action: 'REMOVE_FARGATE_PROFILE', target: 'fp-1' }, 'fp-1', 'Fargate profile fp-1'],
    ['an added access entry', requested({ action: 'ADD_ACCESS_ENTRY', body: { principalArn: OPS } }).change, OPS, `access entry ${OPS}`],
    ['an added identity mapping (an item with an arn)', requested({ action: 'ADD_ACCESS_ENTRY', body: { arn: OPS } }).change, OPS, `identity mapping ${OPS}`],
    ['a removed access entry', { action: 'REMOVE_ACCESS_ENTRY', target: OPS }, OPS, `access entry ${OPS}`],
    ['the endpoint access', requested({ action: 'SET_ENDPOINT_ACCESS', body: { public: true } }).change, 'demo', 'cluster demo'],
    ['an added add-on', requested({ action: 'ADD_ADDON', body: { name: 'aws-ebs-csi-driver' } }).change, 'aws-ebs-csi-driver', 'add-on aws-ebs-csi-driver'],
    ['a changed add-on', { action: 'UPDATE_ADDON', target: 'coredns', changes: { version: 'v1.12.1-eksbuild.2' } }, 'coredns', 'add-on coredns'],
    ['a removed add-on', { action: 'REMOVE_ADDON', target: 'coredns', preserve: false }, 'coredns', 'add-on coredns'],
  ])('%s targets %s', (_what, change, target, resource) => {
    expect(changeTarget(change, 'demo')).toBe(target);
    expect(changeResource(change, 'demo')).toBe(resource);
  });

  it('is named by every change but the endpoint access’s: the step input’s schema refuses one without', () => {
    const input = (change: unknown) => ({ operation: { ...UPDATE_OPERATION, action: 'REMOVE_NODEGROUP' }, change, spec: specOf() });

    expect(validateUpdateInput(input({ action: 'REMOVE_NODEGROUP', target: 'ng-1' }))).toBe(true);
    expect(validateUpdateInput(input({ action: 'REMOVE_NODEGROUP' }))).toBe(false);
    expect(validateUpdateInput.errors).toContainEqual(expect.objectContaining({ params: { missingProperty: 'target' } }));
  });
});

describe('planners', () => {
  it('take only their own state’s changes; a change the ASL routed elsewhere is refused by name (a wiring error between the ASL and the steps)', () => {
    const endpoint = apiChange(specOf(), { action: 'SET_ENDPOINT_ACCESS', body: { public: true } }).change;
    const removeNodegroup: ClusterChange = { action: 'REMOVE_NODEGROUP', target: 'ng' };

    expect(() => changeFor(endpoint, 'Change Nodegroup')).toThrow('SET_ENDPOINT_ACCESS is not carried out by Change Nodegroup (it is Change Endpoint Access\'s)');
    expect(() => changeFor(removeNodegroup, 'Change Access')).toThrow('REMOVE_NODEGROUP is not carried out by Change Access (it is Change Nodegroup\'s)');
    expect(changeFor(removeNodegroup, 'Change Nodegroup')).toBe(removeNodegroup);
  });

  it('admit, by their types, only their own state’s changes (checked by the compiler, never run)', () => {
    const wiredWrongly = (endpoint: ChangeFor<'Change Endpoint Access'>, removeNodegroup: ChangeFor<'Change Nodegroup'>) => [
      // @ts-expect-error the nodegroup planner takes no endpoint change
      planNodegroupChange(endpoint, specOf(), {}, OP),
      // @ts-expect-error nor the access planner a nodegroup change
      planAccessChange(removeNodegroup, specOf(), {}, OP),
    ];
    expect(wiredWrongly).toBeInstanceOf(Function);
  });
});
