/**
 * update-cluster's decisions (docs/architecture.md, Workflows): given one change, the cluster's desired spec after it
 * and a snapshot of the live cluster, the next thing to do — or nothing, because the cluster is
 * already as asked. EKS rejects an update that changes nothing, so a no-op change never reaches
 * it. Each step of update-cluster reads the live state, asks this module, makes the call it
 * names and comes back after a wait: a reconcile loop, so running any step twice does no harm.
 */
import type { ClusterChange } from '../generated/types';
import type { ChangeFor, ChangeState } from './change-actions';
import {
  EndpointUpdateFailedError,
  EndpointUpdateNotReadyError,
  SettingsUpdateFailedError,
  SettingsUpdateNotReadyError,
  AddonFailedError,
  AddonNotReadyError,
  FargateProfileFailedError,
  FargateProfileNotReadyError,
  DrainFailedError,
  NodegroupFailedError,
  NodegroupNotReadyError,
  NodesFailedError,
  NodesNotReadyError,
  StackFailedError,
  StackNotReadyError,
  type ErrorDetails,
} from '../shared/errors';
import type { AwsAuthData } from './aws-auth';
import { endpointAccessChange, endpointAccessWithNodeEgress, type LiveEndpointAccess } from './endpoint-access';
import { autoModeStackName, clusterStackName, fargateStackName, nodegroupStackName, oidcStackName } from './naming';
import type { SettingsCall } from './cluster-settings';
import type { AddonCall } from './addon-change';
import { parseAssociationKey, podIdentityStackName } from './pod-identity';
import type { PodIdentityCall } from './pod-identity-change';
import type { SelfManagedCall } from './self-managed-change';
import { isJsonObject } from './json';
import type { PolledKind } from './poll-schedule';
import { nodegroupConfigChange, podEvictionAdvice, type LiveNodegroupSettings, type NodegroupConfigChange, type NodegroupUpdate } from './nodegroup-update';
import type { AccessEntrySpec, FargateProfileSpec, NodegroupSpec, Spec } from './spec';
import { hasLaunchTemplate, launchTemplateInstanceTypeIn, withLaunchTemplateInstanceType } from './template-instance-type';
import { fargateProfileProgress, nodegroupProgress, stackCreateProgress, stackDeleteProgress, subresourceDeleteProgress, updateProgress } from './status';

// ── Stages ───────────────────────────────────────────────────────────────────────────────────

/** Something the change waits for; Poll.stage carries it from one look to the next. */
export type Stage =
  | 'nodegroupStack'
  | 'nodegroup'
  | 'nodegroupConfigUpdate'
  | 'nodegroupReleaseUpdate'
  | 'nodegroupLaunchTemplate'
  | 'nodegroupInstanceTypeUpdate'
  | 'nodegroupDelete'
  | 'nodegroupStackDelete'
  | 'selfManagedStack'
  | 'selfManagedStackUpdate'
  | 'selfManagedDrain'
  | 'selfManagedNodeReplacement'
  | 'fargateStack'
  | 'fargateStackDelete'
  | 'fargateProfile'
  | 'fargateProfileDelete'
  | 'endpointUpdate'
  | 'loggingUpdate'
  | 'deletionProtectionUpdate'
  | 'upgradePolicyUpdate'
  | 'zonalShiftUpdate'
  | 'authenticationModeUpdate'
  | 'encryptionUpdate'
  | 'autoModeRoles'
  | 'autoModeUpdate'
  | 'oidcProvider'
  | 'oidcProviderDelete'
  | 'stackTags'
  | 'addonCreate'
  | 'addonUpdate'
  | 'addonDelete'
  | 'podIdentityStack'
  | 'podIdentityStackDelete';

/** Poll.stage once a change is done: Finalize Update reports it as the result. */
export type ChangeResult = 'applied' | 'unchanged';

type ErrorClass = new (message: string, details?: ErrorDetails) => Error;

interface StageInfo {
  /** The step name in status events and the operation's timeline. */
  stepName: string;
  pollKind: PolledKind;
  /** Thrown near the expected finish, for the ASL's Retry to poll. */
  notReadyError: ErrorClass;
  failedError: ErrorClass;
  /** What it is, e.g. "stack eksp-demo-nodegroup-ng-1". */
  resource: (cluster: string, target: string) => string;
}

const nodegroupStack = (cluster: string, target: string) => `stack ${nodegroupStackName(cluster, target)}`;
const nodesOf = (_cluster: string, nodegroup: string) => `nodes of nodegroup ${nodegroup}`;
function settingStage(stepName: string, pollKind: PolledKind): StageInfo {
  return { stepName, pollKind, notReadyError: SettingsUpdateNotReadyError, failedError: SettingsUpdateFailedError, resource: (cluster) => `cluster ${cluster}` };
}
const fargateStack = (cluster: string) => `stack ${fargateStackName(cluster)}`;
const podIdentityStack = (cluster: string, target: string) => `stack ${podIdentityStackName(cluster, parseAssociationKey(target))}`;

export const STAGES: Record<Stage, StageInfo> = {
  nodegroupStack: { stepName: 'Create Nodegroup Stack', pollKind: 'roleStack', notReadyError: StackNotReadyError, failedError: StackFailedError, resource: nodegroupStack },
  nodegroup: { stepName: 'Create Nodegroup', pollKind: 'nodegroup', notReadyError: NodegroupNotReadyError, failedError: NodegroupFailedError, resource: (_, ng) => `nodegroup ${ng}` },
  nodegroupConfigUpdate: { stepName: 'Update Nodegroup Config', pollKind: 'nodegroupUpdate', notReadyError: NodegroupNotReadyError, failedError: NodegroupFailedError, resource: (_, ng) => `nodegroup ${ng}` },
  nodegroupReleaseUpdate: { stepName: 'Update Nodegroup AMI Release', pollKind: 'nodegroupVersionUpdate', notReadyError: NodegroupNotReadyError, failedError: NodegroupFailedError, resource: (_, ng) => `nodegroup ${ng}` },
  nodegroupLaunchTemplate: { stepName: 'Update Launch Template', pollKind: 'stackTagUpdate', notReadyError: StackNotReadyError, failedError: StackFailedError, resource: (_, ng) => `launch template of nodegroup ${ng}` },
  nodegroupInstanceTypeUpdate: { stepName: 'Update Nodegroup Instance Type', pollKind: 'nodegroupVersionUpdate', notReadyError: NodegroupNotReadyError, failedError: NodegroupFailedError, resource: (_, ng) => `nodegroup ${ng}` },
  nodegroupDelete: { stepName: 'Delete Nodegroup', pollKind: 'nodegroupDelete', notReadyError: NodegroupNotReadyError, failedError: NodegroupFailedError, resource: (_, ng) => `nodegroup ${ng}` },
  nodegroupStackDelete: { stepName: 'Delete Nodegroup Stack', pollKind: 'roleStack', notReadyError: StackNotReadyError, failedError: StackFailedError, resource: nodegroupStack },
  selfManagedStack: { stepName: 'Create Self-managed Nodegroup Stack', pollKind: 'selfManagedNodegroup', notReadyError: StackNotReadyError, failedError: StackFailedError, resource: nodegroupStack },
  selfManagedStackUpdate: { stepName: 'Update Self-managed Nodegroup Stack', pollKind: 'selfManagedStackUpdate', notReadyError: StackNotReadyError, failedError: StackFailedError, resource: nodegroupStack },
  selfManagedDrain: { stepName: 'Drain Nodes', pollKind: 'drain', notReadyError: NodesNotReadyError, failedError: DrainFailedError, resource: nodesOf },
  selfManagedNodeReplacement: { stepName: 'Replace Nodes', pollKind: 'nodeReplacement', notReadyError: NodesNotReadyError, failedError: NodesFailedError, resource: nodesOf },
  fargateStack: { stepName: 'Create Fargate Stack', pollKind: 'roleStack', notReadyError: StackNotReadyError, failedError: StackFailedError, resource: fargateStack },
  fargateStackDelete: { stepName: 'Delete Fargate Stack', pollKind: 'roleStack', notReadyError: StackNotReadyError, failedError: StackFailedError, resource: fargateStack },
  fargateProfile: { stepName: 'Create Fargate Profile', pollKind: 'fargateProfile', notReadyError: FargateProfileNotReadyError, failedError: FargateProfileFailedError, resource: (_, fp) => `Fargate profile ${fp}` },
  fargateProfileDelete: { stepName: 'Delete Fargate Profile', pollKind: 'fargateProfileDelete', notReadyError: FargateProfileNotReadyError, failedError: FargateProfileFailedError, resource: (_, fp) => `Fargate profile ${fp}` },
  endpointUpdate: { stepName: 'Switch Endpoint Access', pollKind: 'endpointUpdate', notReadyError: EndpointUpdateNotReadyError, failedError: EndpointUpdateFailedError, resource: (cluster) => `cluster ${cluster}` },
  loggingUpdate: settingStage('Update Logging', 'loggingUpdate'),
  deletionProtectionUpdate: settingStage('Update Deletion Protection', 'settingUpdate'),
  upgradePolicyUpdate: settingStage('Update Upgrade Policy', 'settingUpdate'),
  zonalShiftUpdate: settingStage('Update Zonal Shift', 'settingUpdate'),
  authenticationModeUpdate: settingStage('Update Authentication Mode', 'settingUpdate'),
  encryptionUpdate: settingStage('Associate Encryption Config', 'encryptionUpdate'),
  autoModeRoles: { stepName: 'Make Auto Mode Roles', pollKind: 'roleStack', notReadyError: SettingsUpdateNotReadyError, failedError: SettingsUpdateFailedError, resource: (cluster) => `Auto Mode roles of cluster ${cluster} (stacks ${clusterStackName(cluster)} and ${autoModeStackName(cluster)})` },
  autoModeUpdate: settingStage('Update Auto Mode', 'settingUpdate'),
  oidcProvider: { stepName: 'Create OIDC Provider', pollKind: 'roleStack', notReadyError: SettingsUpdateNotReadyError, failedError: SettingsUpdateFailedError, resource: (cluster) => `IAM OIDC provider of cluster ${cluster} (stack ${oidcStackName(cluster)})` },
  oidcProviderDelete: { stepName: 'Delete OIDC Provider', pollKind: 'roleStack', notReadyError: SettingsUpdateNotReadyError, failedError: SettingsUpdateFailedError, resource: (cluster) => `IAM OIDC provider of cluster ${cluster} (stack ${oidcStackName(cluster)} or ${clusterStackName(cluster)})` },
  addonCreate: { stepName: 'Create Add-on', pollKind: 'addon', notReadyError: AddonNotReadyError, failedError: AddonFailedError, resource: (_, addon) => `add-on ${addon}` },
  addonUpdate: { stepName: 'Update Add-on', pollKind: 'addonUpdate', notReadyError: AddonNotReadyError, failedError: AddonFailedError, resource: (_, addon) => `add-on ${addon}` },
  addonDelete: { stepName: 'Delete Add-on', pollKind: 'addonDelete', notReadyError: AddonNotReadyError, failedError: AddonFailedError, resource: (_, addon) => `add-on ${addon}` },
  podIdentityStack: { stepName: 'Create Pod Identity Role Stack', pollKind: 'roleStack', notReadyError: StackNotReadyError, failedError: StackFailedError, resource: podIdentityStack },
  podIdentityStackDelete: { stepName: 'Delete Pod Identity Role Stack', pollKind: 'roleStack', notReadyError: StackNotReadyError, failedError: StackFailedError, resource: podIdentityStack },
  stackTags: { stepName: 'Tag Stacks', pollKind: 'stackTagUpdate', notReadyError: SettingsUpdateNotReadyError, failedError: SettingsUpdateFailedError, resource: (cluster) => `stacks of cluster ${cluster} (${clusterStackName(cluster)} and its nodegroup and Fargate stacks)` },
};

export function isStage(value: string | undefined): value is Stage {
  return value !== undefined && Object.hasOwn(STAGES, value);
}

/** Stages that wait on the change's own stack (its root cause is in the stack's events). */
export const STACK_STAGES: Stage[] = ['nodegroupStack', 'nodegroupStackDelete', 'selfManagedStack', 'selfManagedStackUpdate', 'fargateStack', 'fargateStackDelete', 'podIdentityStack', 'podIdentityStackDelete'];

// ── The change's target ──────────────────────────────────────────────────────────────────────

/** The nodegroup, Fargate profile or add-on name or principal ARN the change is about; the cluster's name for the endpoint and settings. */
export function changeTarget(change: ClusterChange, clusterName: string): string {
  return 'target' in change ? change.target : clusterName;
}

/** What the change is about, as status events name resources. */
export function changeResource(change: ClusterChange, clusterName: string): string {
  const target = changeTarget(change, clusterName);
  switch (change.action) {
    case 'ADD_NODEGROUP':
    case 'UPDATE_NODEGROUP':
    case 'REMOVE_NODEGROUP':
    case 'ADD_SELF_MANAGED_NODEGROUP':
    case 'UPDATE_SELF_MANAGED_NODEGROUP':
    case 'REMOVE_SELF_MANAGED_NODEGROUP':
      return `nodegroup ${target}`;
    case 'ADD_FARGATE_PROFILE':
    case 'REMOVE_FARGATE_PROFILE':
      return `Fargate profile ${target}`;
    case 'ADD_ACCESS_ENTRY':
      return 'arn' in change.item ? `identity mapping ${target}` : `access entry ${target}`;
    case 'REMOVE_ACCESS_ENTRY':
      return `access entry ${target}`;
    case 'SET_ENDPOINT_ACCESS':
    case 'UPDATE_SETTINGS':
      return `cluster ${clusterName}`;
    case 'ADD_ADDON':
    case 'UPDATE_ADDON':
    case 'REMOVE_ADDON':
      return `add-on ${target}`;
    case 'ADD_POD_IDENTITY_ASSOCIATION':
    case 'REMOVE_POD_IDENTITY_ASSOCIATION':
      return `Pod Identity association ${target}`;
  }
}

// ── Live state ───────────────────────────────────────────────────────────────────────────────

export type { Scaling } from './nodegroup-update';
export { wantedScaling } from './nodegroup-update';

export interface LiveStack {
  status: string;
  /** The operation that created it (its ownership tag). */
  operationId?: string;
  /** The cluster it belongs to (its ownership tag): names of two clusters' stacks can coincide. */
  cluster?: string;
  outputs: Record<string, string>;
}

/** The stack holding a nodegroup's launch template (its own stack, or the cluster stack for one made at provisioning). */
export interface LiveLaunchTemplate {
  stackName: string;
  stackStatus: string;
  stackTags: Record<string, string>;
  /** The launch template's logical id in that stack. */
  logicalId: string;
  /** The stack's current template; undefined while the stack is updating. */
  template?: Record<string, unknown>;
  /** The launch template's latest version (EC2), once the template carries the wanted type. */
  latestVersion?: number;
}

export interface LiveSubresource {
  status: string;
  /** Why it failed, in AWS's words (health issues). */
  problems?: string;
}

export interface LiveAccessEntry {
  type?: string;
  username?: string;
  kubernetesGroups: string[];
  policies: Array<{ policyArn: string; scope: { type?: string; namespaces?: string[] } }>;
}

/** What a step read of the live cluster; each action reads only what its decision needs. */
export interface LiveState {
  /** The cluster stack's outputs (subnets, security groups, roles). */
  clusterStackOutputs?: Record<string, string>;
  /** The change's own stack: the nodegroup's (eksp-<cluster>-nodegroup-<ng>) or the Fargate role's (eksp-<cluster>-fargate). */
  stack?: LiveStack;
  nodegroup?: LiveSubresource & LiveNodegroupSettings;
  fargateProfile?: LiveSubresource;
  /** The nodegroup's launch template, read only for an instance type change of a nodegroup whose type it carries. */
  launchTemplate?: LiveLaunchTemplate;
  /** The stage the last look left the change in (Poll.stage). */
  stage?: Stage;
  /** The update this change started (Poll.updateId), as DescribeUpdate reports it; `stage` is the one it was started for. */
  update?: { status: string; errors?: string; errorCodes?: string[]; stage?: Stage };
  endpointAccess?: LiveEndpointAccess;
  /** The cluster VPC's NAT addresses (the cluster stack's NatPublicIps), which a public-only endpoint restricted to CIDRs must admit. */
  natPublicIps?: string[];
  accessEntry?: LiveAccessEntry;
  /** aws-auth's data; undefined when there is no ConfigMap. */
  awsAuth?: AwsAuthData;
  /** Principals whose access entries are never removed: the service's own role, the cluster creator. */
  protectedPrincipals?: string[];
}

// ── Decisions ────────────────────────────────────────────────────────────────────────────────

export type AccessScope = { type: 'cluster' } | { type: 'namespace'; namespaces: string[] };

/** The change's own stack: a leftover of an earlier operation, or the removed nodegroup's. */
export type DeleteOwnStack = { call: 'deleteStack' };

/** The calls each update-cluster state makes: its step handles every one of its own, and no other. */
export type NodegroupCall =
  | { call: 'createNodegroupStack'; nodegroup: NodegroupSpec }
  | { call: 'createNodegroup'; nodegroup: NodegroupSpec; stackOutputs: Record<string, string> }
  | { call: 'updateNodegroupConfig'; nodegroup: string; config: NodegroupConfigChange }
  | { call: 'updateNodegroupRelease'; nodegroup: string; releaseVersion: string }
  | { call: 'updateLaunchTemplateStack'; stackName: string; tags: Record<string, string>; template: Record<string, unknown>; parameterKeys: string[]; instanceType: string }
  | { call: 'updateNodegroupLaunchTemplate'; nodegroup: string; launchTemplate: { id: string; version: string } }
  | { call: 'deleteNodegroup'; nodegroup: string }
  | DeleteOwnStack;
export type FargateProfileCall =
  | { call: 'createFargateStack' }
  | { call: 'createFargateProfile'; profile: FargateProfileSpec; podExecutionRoleArn: string }
  | { call: 'deleteFargateProfile'; profile: string }
  | DeleteOwnStack;
export type EndpointAccessCall = { call: 'updateEndpointAccess'; config: NonNullable<ReturnType<typeof endpointAccessChange>> };
export type AccessCall =
  | { call: 'putAccessEntry'; entry: AccessEntrySpec }
  | { call: 'associateAccessPolicy'; principalArn: string; policyArn: string; scope: AccessScope }
  | { call: 'deleteAccessEntry'; principalArn: string }
  | { call: 'writeAwsAuth'; data: AwsAuthData };

export type ChangeCall = NodegroupCall | SelfManagedCall | FargateProfileCall | EndpointAccessCall | AccessCall | SettingsCall | AddonCall | PodIdentityCall;

export type NextStep<C extends ChangeCall = ChangeCall> =
  /** The cluster is as the change asks. */
  | { kind: 'inSync' }
  /** Make these calls; then wait for `stage`, or, without one, the change is done. */
  | { kind: 'apply'; calls: C[]; stage?: Stage }
  /** Something is in flight: look again later. */
  | { kind: 'wait'; stage: Stage; status: string }
  /** AWS says it failed; `reason` in AWS's words. */
  | { kind: 'failed'; stage: Stage; reason: string }
  /** The live cluster says this change must not or cannot be made; `reason` follows the change's resource. */
  | { kind: 'refused'; reason: string };

export const IN_SYNC = { kind: 'inSync' } as const;
export const apply = <C extends ChangeCall>(stage: Stage | undefined, ...calls: C[]): NextStep<C> => ({ kind: 'apply', calls, ...(stage ? { stage } : {}) });
export const wait = (stage: Stage, status: string) => ({ kind: 'wait', stage, status }) as const;
export const failed = (stage: Stage, reason: string) => ({ kind: 'failed', stage, reason }) as const;
export const refused = (reason: string) => ({ kind: 'refused', reason }) as const;

/** What one update-cluster state does next for its own kind of change (and bundles only that). */
export type ChangePlanner<S extends ChangeState, C extends ChangeCall> = (change: ChangeFor<S>, spec: Spec, live: LiveState, operationId: string) => NextStep<C>;

/**
 * A stack of this name that another cluster owns is never touched: `eksp-a-nodegroup-x-cluster`
 * is both cluster a's nodegroup x-cluster's stack and cluster a-nodegroup-x's own.
 */
export function foreignStack(live: Pick<LiveState, 'stack'>, clusterName: string): NextStep<never> | undefined {
  if (!live.stack || live.stack.cluster === clusterName) return undefined;
  return refused(`a stack of the same name belongs to ${live.stack.cluster ? `cluster ${live.stack.cluster}` : 'something else'}; choose another name`);
}

export const planNodegroupChange: ChangePlanner<'Change Nodegroup', NodegroupCall> = (change, spec, live, operationId) => {
  const foreign = foreignStack(live, spec.name);
  if (foreign) return foreign;
  switch (change.action) {
    case 'ADD_NODEGROUP':
      return addNodegroup(change.item, live, operationId);
    case 'UPDATE_NODEGROUP':
      return updateNodegroup(change.target, change.update, live);
    case 'REMOVE_NODEGROUP':
      return removeNodegroup(change.target, live);
  }
};

export const planFargateProfileChange: ChangePlanner<'Change Fargate Profile', FargateProfileCall> = (change, spec, live, operationId) => {
  const foreign = foreignStack(live, spec.name);
  if (foreign) return foreign;
  switch (change.action) {
    case 'ADD_FARGATE_PROFILE':
      return addFargateProfile(change.item, live, operationId);
    case 'REMOVE_FARGATE_PROFILE':
      return removeFargateProfile(change.target, live);
  }
};

export const planEndpointAccessChange: ChangePlanner<'Change Endpoint Access', EndpointAccessCall> = (_change, spec, live) => setEndpointAccess(spec, live);

const why = (resource: { status: string; problems?: string }) => `${resource.status}: ${resource.problems || 'EKS gave no reason'}`;

/**
 * The stack a nodegroup gets (role, launch template), then the nodegroup. A stack another
 * operation left behind is deleted first: its launch template was rendered from another request.
 */
function addNodegroup(nodegroup: NodegroupSpec, live: LiveState, operationId: string): NextStep<NodegroupCall> {
  const existing = live.nodegroup;
  if (existing) {
    // A nodegroup of that name is still being deleted: create once it is gone.
    if (existing.status === 'DELETING') return wait('nodegroup', existing.status);
    const progress = nodegroupProgress(existing.status);
    if (progress === 'ready') return IN_SYNC;
    if (progress === 'pending') return wait('nodegroup', existing.status);
    return failed('nodegroup', why(existing));
  }
  const stack = live.stack;
  if (!stack) return apply('nodegroupStack', { call: 'createNodegroupStack', nodegroup });
  if (stack.operationId !== operationId) return deleteLeftoverStack(stack, 'nodegroupStackDelete');
  const progress = stackCreateProgress(stack.status);
  if (progress === 'pending') return wait('nodegroupStack', stack.status);
  if (progress === 'failed') return failed('nodegroupStack', stack.status);
  return apply('nodegroup', { call: 'createNodegroup', nodegroup, stackOutputs: stack.outputs });
}

export function deleteLeftoverStack(stack: LiveStack, stage: 'nodegroupStackDelete' | 'fargateStackDelete' | 'podIdentityStackDelete'): NextStep<DeleteOwnStack> {
  const progress = stackDeleteProgress(stack.status);
  if (progress === 'pending') return wait(stage, stack.status);
  if (progress === 'failed') return failed(stage, `${stack.status}: a stack an earlier operation left could not be deleted`);
  return apply(stage, { call: 'deleteStack' });
}

/**
 * One UpdateNodegroupConfig with what differs, followed until it ends; then a new instance type
 * (a new launch template version, then UpdateNodegroupVersion with it); then, when the AMI
 * release differs, one UpdateNodegroupVersion (a rolling replacement of the nodes), each followed
 * likewise. EKS runs one update per nodegroup at a time, so each waits for the one before.
 */
function updateNodegroup(name: string, asked: NodegroupUpdate, live: LiveState): NextStep<NodegroupCall> {
  const tracked = live.update;
  if (tracked) {
    const stage = tracked.stage ?? 'nodegroupConfigUpdate';
    const progress = updateProgress(tracked.status);
    if (progress === 'pending') return wait(stage, tracked.status);
    if (progress === 'failed') {
      const advice = stage === 'nodegroupConfigUpdate' ? '' : podEvictionAdvice(tracked.errorCodes ?? [], 'then send the change again');
      return failed(stage, `update ${tracked.status}: ${tracked.errors || 'EKS gave no reason'}${advice}`);
    }
    if (stage === 'nodegroupReleaseUpdate') return IN_SYNC;
  }
  const nodegroup = live.nodegroup;
  if (!nodegroup) return refused('does not exist on the cluster');
  if (nodegroup.status === 'DELETING' || nodegroup.status === 'DELETE_FAILED') return refused(`is being deleted (${nodegroup.status})`);
  // One update per nodegroup at a time: let the running one (or the create) finish first.
  if (nodegroup.status === 'CREATING' || nodegroup.status === 'UPDATING') return wait(tracked?.stage ?? live.stage ?? 'nodegroupConfigUpdate', nodegroup.status);
  // Once our config update succeeded it is not diffed again: the autoscaler may have moved desiredSize since.
  const pastConfig = tracked !== undefined || live.stage === 'nodegroupLaunchTemplate' || live.stage === 'nodegroupInstanceTypeUpdate';
  if (!pastConfig) {
    const config = nodegroupConfigChange(asked, nodegroup);
    if (config && 'problem' in config) return refused(config.problem);
    if (config) return apply('nodegroupConfigUpdate', { call: 'updateNodegroupConfig', nodegroup: name, config });
  }
  // Once our instance type update succeeded it is done: a DescribeNodegroup read before it ended may still show the old version.
  if (asked.instanceTypes !== undefined && tracked?.stage !== 'nodegroupInstanceTypeUpdate') {
    const next = instanceTypeChange(name, asked.instanceTypes, nodegroup, live);
    if (next) return next;
  }
  if (asked.releaseVersion !== undefined && asked.releaseVersion !== nodegroup.releaseVersion) {
    return apply('nodegroupReleaseUpdate', { call: 'updateNodegroupRelease', nodegroup: name, releaseVersion: asked.releaseVersion });
  }
  return IN_SYNC;
}

/** A stack CloudFormation can update: created or updated (or rolled back to) a stable state. */
const UPDATABLE_STACK = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);

/**
 * A new instance type, the way EKS allows one: only a nodegroup whose type its launch template
 * carries (CreateNodegroup had no instanceTypes, which DescribeNodegroup then reports none of) can
 * change it, with a new launch template version (the stack's template with the new
 * LaunchTemplateData.InstanceType) and UpdateNodegroupVersion to that version. CreateNodegroup's
 * instanceTypes never change. Undefined when the nodegroup already runs the type asked for.
 */
function instanceTypeChange(name: string, asked: string[], nodegroup: LiveNodegroupSettings, live: LiveState): NextStep<NodegroupCall> | undefined {
  const replace = (why: string) => refused(`${why}: add a nodegroup with instance type ${asked.join(', ')} and remove ${name}`);
  if (asked.length !== 1) return replace(`can change to one instance type only (asked: ${asked.join(', ')}); several can only be given when a nodegroup is created`);
  const [wanted] = asked as [string];
  const created = nodegroup.instanceTypes ?? [];
  if (created.length > 0) {
    if (created.length === 1 && created[0] === wanted) return undefined;
    return replace(`was created with instance types ${created.join(', ')} given to CreateNodegroup, which EKS never changes`);
  }
  const template = live.launchTemplate;
  if (!template || !nodegroup.launchTemplate?.id) return replace('has no launch template of the service that carries its instance type');
  if (/_IN_PROGRESS$/.test(template.stackStatus) || !template.template) return wait('nodegroupLaunchTemplate', `${template.stackName} ${template.stackStatus}`);
  if (!hasLaunchTemplate(template.template, template.logicalId)) return replace(`has no launch template ${template.logicalId} in stack ${template.stackName}`);
  if (launchTemplateInstanceTypeIn(template.template, template.logicalId) !== wanted) {
    // Our own update rolled back: CloudFormation put the old template back.
    if (live.stage === 'nodegroupLaunchTemplate' && template.stackStatus.startsWith('UPDATE_ROLLBACK')) return failed('nodegroupLaunchTemplate', `${template.stackName} ${template.stackStatus}`);
    if (!UPDATABLE_STACK.has(template.stackStatus)) return refused(`has its launch template in stack ${template.stackName} in ${template.stackStatus}, which CloudFormation cannot update`);
    const parameterKeys = Object.keys(isJsonObject(template.template.Parameters) ? template.template.Parameters : {});
    return apply('nodegroupLaunchTemplate', {
      call: 'updateLaunchTemplateStack',
      stackName: template.stackName,
      tags: template.stackTags,
      template: withLaunchTemplateInstanceType(template.template, template.logicalId, wanted),
      parameterKeys,
      instanceType: wanted,
    });
  }
  if (template.latestVersion === undefined) return failed('nodegroupLaunchTemplate', `EC2 does not know launch template ${nodegroup.launchTemplate.id}`);
  const version = String(template.latestVersion);
  if (nodegroup.launchTemplate.version === version) return undefined;
  return apply('nodegroupInstanceTypeUpdate', { call: 'updateNodegroupLaunchTemplate', nodegroup: name, launchTemplate: { id: nodegroup.launchTemplate.id, version } });
}


/** The nodegroup, then its own stack if it has one (nodegroups made at provisioning live in the cluster stack). */
function removeNodegroup(name: string, live: LiveState): NextStep<NodegroupCall> {
  const nodegroup = live.nodegroup;
  if (nodegroup) {
    const progress = subresourceDeleteProgress(nodegroup.status);
    if (progress === 'pending') return wait('nodegroupDelete', nodegroup.status);
    if (progress === 'failed') return failed('nodegroupDelete', why(nodegroup));
    return apply('nodegroupDelete', { call: 'deleteNodegroup', nodegroup: name });
  }
  const stack = live.stack;
  if (!stack) return IN_SYNC;
  const progress = stackDeleteProgress(stack.status);
  if (progress === 'gone') return IN_SYNC;
  if (progress === 'pending') return wait('nodegroupStackDelete', stack.status);
  if (progress === 'failed') return failed('nodegroupStackDelete', stack.status);
  return apply('nodegroupStackDelete', { call: 'deleteStack' });
}

/**
 * With the cluster stack's pod execution role when it has one; otherwise with the role of the
 * cluster's Fargate stack, made on first use and shared by every later profile.
 */
function addFargateProfile(profile: FargateProfileSpec, live: LiveState, operationId: string): NextStep<FargateProfileCall> {
  const existing = live.fargateProfile;
  if (existing) {
    // A profile of that name is still being deleted: create once it is gone.
    if (existing.status === 'DELETING') return wait('fargateProfile', existing.status);
    const progress = fargateProfileProgress(existing.status);
    if (progress === 'ready') return IN_SYNC;
    if (progress === 'pending') return wait('fargateProfile', existing.status);
    return failed('fargateProfile', why(existing));
  }
  const clusterRole = live.clusterStackOutputs?.FargatePodExecutionRoleArn;
  if (clusterRole) return apply('fargateProfile', { call: 'createFargateProfile', profile, podExecutionRoleArn: clusterRole });
  const stack = live.stack;
  if (!stack) return apply('fargateStack', { call: 'createFargateStack' });
  const progress = stackCreateProgress(stack.status);
  if (progress === 'pending') return wait('fargateStack', stack.status);
  if (progress === 'failed') return stack.operationId === operationId ? failed('fargateStack', stack.status) : deleteLeftoverStack(stack, 'fargateStackDelete');
  const role = stack.outputs.FargatePodExecutionRoleArn;
  if (!role) return failed('fargateStack', `${stack.status} without a FargatePodExecutionRoleArn output`);
  return apply('fargateProfile', { call: 'createFargateProfile', profile, podExecutionRoleArn: role });
}

function removeFargateProfile(name: string, live: LiveState): NextStep<FargateProfileCall> {
  const profile = live.fargateProfile;
  if (!profile) return IN_SYNC;
  const progress = subresourceDeleteProgress(profile.status);
  if (progress === 'pending') return wait('fargateProfileDelete', profile.status);
  if (progress === 'failed') return failed('fargateProfileDelete', why(profile));
  return apply('fargateProfileDelete', { call: 'deleteFargateProfile', profile: name });
}

/** UpdateClusterConfig only when the live access differs from the spec's (public/private, CIDRs as sets). */
function setEndpointAccess(spec: Spec, live: LiveState): NextStep<EndpointAccessCall> {
  if (live.update) {
    const progress = updateProgress(live.update.status);
    if (progress === 'pending') return wait('endpointUpdate', live.update.status);
    if (progress === 'failed') return failed('endpointUpdate', `update ${live.update.status}: ${live.update.errors || 'EKS gave no reason'}`);
    return IN_SYNC;
  }
  const config = endpointAccessChange(live.endpointAccess ?? {}, endpointAccessWithNodeEgress(spec.endpointAccess, live.natPublicIps ?? []));
  return config ? apply('endpointUpdate', { call: 'updateEndpointAccess', config }) : IN_SYNC;
}
