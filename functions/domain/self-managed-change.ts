/**
 * update-cluster's decisions for a self-managed nodegroup (docs/architecture.md, Workflows): the
 * nodegroup is its stack `eksp-<cluster>-nodegroup-<ng>` (launch template, Auto Scaling group,
 * node role), so each change is a stack change, with what Kubernetes needs around it — done as
 * eksctl does for its unmanaged nodegroups, and as EKS does for managed ones:
 *
 * - add: the stack, then the node role admitted (an EC2_LINUX access entry, or aws-auth);
 * - update: the stack's template with the new sizes, AMI or user data (labels, taints), then,
 *   when the launch template has a new version, each node of an older one replaced in turn:
 *   cordoned, drained (evictions honour PodDisruptionBudgets), its instance terminated for the
 *   group to launch one from the new version, which must be Ready before the next goes;
 * - remove: every node cordoned and drained, the role's admission taken back, the stack deleted.
 *
 * A reconcile loop like cluster-change.ts: each look reads the stack, the group and the nodes,
 * and one drain round is how a drain is looked at (it evicts what it may and says what remains).
 */
import type { ChangeFor } from './change-actions';
import { apply, deleteLeftoverStack, failed, foreignStack, IN_SYNC, refused, wait, type DeleteOwnStack, type LiveStack, type NextStep, type Stage } from './cluster-change';
import type { KubeAgentResponse, NodeStatus } from '../generated/types';
import { NODE_READY_TIMEOUT_SECONDS } from './node-readiness';
import { nodeadmUserData, SELF_MANAGED_LOGICAL_IDS, SELF_MANAGED_STACK_OUTPUTS, type NodeadmCluster } from './self-managed-nodegroup-template';
import type { SelfManagedNodegroupSpec, Spec } from './spec';
import { stackCreateProgress, stackDeleteProgress, stackUpdateProgress } from './status';
import { canonicalJson, isJsonObject } from './json';

/** A drain that has not emptied its nodes in this long is held by something a person must look at (a PodDisruptionBudget, a stuck finalizer). */
export const DRAIN_TIMEOUT_SECONDS = 900;

export type SelfManagedCall =
  | { call: 'createSelfManagedStack'; nodegroup: SelfManagedNodegroupSpec }
  | { call: 'admitNodeRole'; roleArn: string }
  | { call: 'updateSelfManagedStack'; template: Record<string, unknown>; parameterKeys: string[]; tags: Record<string, string> }
  | { call: 'cordonNodes'; nodes: string[] }
  | { call: 'releaseNodeRole'; roleArn: string }
  | { call: 'replaceInstance'; instanceId: string }
  | DeleteOwnStack;

/** One round of a drain, as the kube agent answers it: the pods still on the nodes, and the evictions refused. */
export type DrainLook = Pick<NonNullable<KubeAgentResponse['drain']>, 'remaining' | 'blocked'>;

/** An Auto Scaling group as node replacement reads it: the launch template version it launches now, and which each instance runs. */
export interface LiveGroup {
  launchTemplateVersion?: string;
  instances: Array<{ instanceId: string; lifecycleState: string; launchTemplateVersion?: string }>;
}

export interface SelfManagedLive {
  stack?: LiveStack & { tags: Record<string, string> };
  /** The stack's current template; read for an update once the stack is not updating. */
  template?: Record<string, unknown>;
  /** What nodeadm needs of the cluster, for user data with new labels or taints. */
  nodeadm?: NodeadmCluster;
  /** The stage the last look left the change in, and for how long it has run. */
  stage?: Stage;
  stageSeconds?: number;
  /** The nodegroup's nodes (by its label). */
  nodes?: NodeStatus[];
  /** This look's drain round over the nodes nodesToDrain named. */
  drain?: DrainLook;
  /** The nodegroup's Auto Scaling group, read while nodes are replaced. */
  group?: LiveGroup;
}

type Change = ChangeFor<'Change Self-managed Nodegroup'>;
type Update = Extract<Change, { action: 'UPDATE_SELF_MANAGED_NODEGROUP' }>['update'];

export function planSelfManagedChange(change: Change, spec: Spec, live: SelfManagedLive, operationId: string): NextStep<SelfManagedCall> {
  const foreign = foreignStack(live, spec.name);
  if (foreign) return foreign;
  switch (change.action) {
    case 'ADD_SELF_MANAGED_NODEGROUP':
      return addNodegroup(change.item, live, operationId);
    case 'UPDATE_SELF_MANAGED_NODEGROUP': {
      const nodegroup = spec.selfManagedNodeGroups.find((ng) => ng.name === change.target);
      if (!nodegroup) return refused('is not a self-managed nodegroup of the desired spec');
      return updateNodegroup(nodegroup, change.update, live);
    }
    case 'REMOVE_SELF_MANAGED_NODEGROUP':
      return removeNodegroup(live);
  }
}

/** Whether the change needs the nodes read (and so the Kubernetes API) at this look. */
export function readsNodes(change: Change, live: Pick<SelfManagedLive, 'stack' | 'stage'>): boolean {
  if (!live.stack || live.stack.status.endsWith('_IN_PROGRESS')) return false;
  if (change.action === 'REMOVE_SELF_MANAGED_NODEGROUP') return stackDeleteProgress(live.stack.status) === 'deletable';
  return change.action === 'UPDATE_SELF_MANAGED_NODEGROUP' && replacesNodes(change.update);
}

/** The cordoned nodes this look drains: every node of a removed nodegroup, or the one node being replaced. */
export function nodesToDrain(change: Change, live: Pick<SelfManagedLive, 'nodes' | 'group'>): string[] {
  const nodes = live.nodes ?? [];
  if (change.action === 'REMOVE_SELF_MANAGED_NODEGROUP') return nodes.every((node) => node.unschedulable) ? nodes.map((node) => node.name) : [];
  const next = live.group && nextToReplace(live.group);
  const node = next && nodes.find((n) => n.instanceId === next.instanceId);
  return node?.unschedulable ? [node.name] : [];
}

// ── Add ──────────────────────────────────────────────────────────────────────────────────────

function addNodegroup(nodegroup: SelfManagedNodegroupSpec, live: SelfManagedLive, operationId: string): NextStep<SelfManagedCall> {
  const stack = live.stack;
  if (!stack) return apply('selfManagedStack', { call: 'createSelfManagedStack', nodegroup });
  // An earlier operation's stack was rendered from another request: it goes first.
  if (stack.operationId !== operationId) return deleteLeftoverStack(stack, 'nodegroupStackDelete');
  const progress = stackCreateProgress(stack.status);
  if (progress === 'pending') return wait('selfManagedStack', stack.status);
  if (progress === 'failed') return failed('selfManagedStack', stack.status);
  const roleArn = stack.outputs[SELF_MANAGED_STACK_OUTPUTS.nodeRole];
  if (!roleArn) return failed('selfManagedStack', `${stack.status} without a ${SELF_MANAGED_STACK_OUTPUTS.nodeRole} output`);
  // Admission is idempotent (an entry or mapping already there is kept), so a look after a crash makes it again harmlessly.
  return apply(undefined, { call: 'admitNodeRole', roleArn });
}

// ── Update ───────────────────────────────────────────────────────────────────────────────────

/** A new AMI or user data is a new launch template version: the nodes of the old one are replaced. */
function replacesNodes(update: Update): boolean {
  return update.ami !== undefined || update.labels !== undefined || update.taints !== undefined;
}

/** Stacks CloudFormation updates: settled after a create or an update (or its rollback). */
const UPDATABLE_STACK = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);

function updateNodegroup(nodegroup: SelfManagedNodegroupSpec, update: Update, live: SelfManagedLive): NextStep<SelfManagedCall> {
  const stack = live.stack;
  if (!stack || stackDeleteProgress(stack.status) === 'gone') return refused('has no stack: it was deleted outside the service; remove it and add it again');
  const progress = stackUpdateProgress(stack.status);
  if (progress === 'pending') return wait('selfManagedStackUpdate', stack.status);
  // Our own update rolled back: CloudFormation put the old template back, and says why in its events.
  if (live.stage === 'selfManagedStackUpdate' && stack.status.startsWith('UPDATE_ROLLBACK')) return failed('selfManagedStackUpdate', stack.status);
  if (!UPDATABLE_STACK.has(stack.status) || !live.template) return refused(`has its stack in ${stack.status}, which CloudFormation cannot update`);
  const wanted = withSelfManagedUpdate(live.template, nodegroup, update, live.nodeadm);
  if (canonicalJson(wanted) !== canonicalJson(live.template)) {
    const parameterKeys = Object.keys(isJsonObject(live.template.Parameters) ? live.template.Parameters : {});
    return apply('selfManagedStackUpdate', { call: 'updateSelfManagedStack', template: wanted, parameterKeys, tags: stack.tags });
  }
  return replacesNodes(update) ? replaceNodes(live) : IN_SYNC;
}

/**
 * The stack's template with the update: the Auto Scaling group's sizes, the launch template's
 * ImageId, and its user data rendered again for new labels or taints (nodeadm's NodeConfig and
 * the kubelet's flags). CloudFormation changes all of these in place; a launch template whose
 * data changed gets a new version, which the group's Version (LatestVersionNumber) follows.
 */
export function withSelfManagedUpdate(template: Record<string, unknown>, nodegroup: SelfManagedNodegroupSpec, update: Update, nodeadm: NodeadmCluster | undefined): Record<string, unknown> {
  const next = structuredClone(template) as { Resources?: Record<string, { Properties?: Record<string, unknown> }> };
  const group = next.Resources?.[SELF_MANAGED_LOGICAL_IDS.autoScalingGroup]?.Properties;
  const data = next.Resources?.[SELF_MANAGED_LOGICAL_IDS.launchTemplate]?.Properties?.LaunchTemplateData as Record<string, unknown> | undefined;
  if (update.scaling && group) Object.assign(group, { MinSize: String(update.scaling.minSize), MaxSize: String(update.scaling.maxSize), DesiredCapacity: String(update.scaling.desiredSize) });
  if (update.ami && data) data.ImageId = update.ami;
  if ((update.labels || update.taints) && data && nodeadm) data.UserData = { 'Fn::Base64': nodeadmUserData(nodeadm, nodegroup) };
  return next as Record<string, unknown>;
}


/** The first instance still on an older launch template version. */
function nextToReplace(group: LiveGroup): LiveGroup['instances'][number] | undefined {
  return group.instances.find((instance) => instance.lifecycleState === 'InService' && instance.launchTemplateVersion !== group.launchTemplateVersion);
}

/**
 * One node at a time, as a managed nodegroup's update does with maxUnavailable 1: wait while an
 * instance launches or terminates and until every node of the new version is Ready; then cordon
 * the next old node, drain it, and terminate its instance (the group launches its replacement).
 */
function replaceNodes(live: SelfManagedLive): NextStep<SelfManagedCall> {
  const stage = 'selfManagedNodeReplacement';
  const group = live.group;
  if (!group) return failed(stage, 'its Auto Scaling group is gone');
  const nodes = live.nodes ?? [];
  const nodeOf = (instanceId: string) => nodes.find((node) => node.instanceId === instanceId);
  // Each node may take a drain and a boot: the whole replacement gets that much per instance.
  const budget = group.instances.length * (DRAIN_TIMEOUT_SECONDS + NODE_READY_TIMEOUT_SECONDS);
  const outOfTime = live.stage === stage && (live.stageSeconds ?? 0) > budget;
  const moving = group.instances.find((instance) => instance.lifecycleState !== 'InService');
  if (moving) return outOfTime ? failed(stage, `instance ${moving.instanceId} is still ${moving.lifecycleState}`) : wait(stage, `instance ${moving.instanceId} ${moving.lifecycleState}`);
  const joining = group.instances.find((instance) => instance.launchTemplateVersion === group.launchTemplateVersion && nodeOf(instance.instanceId)?.ready !== 'True');
  if (joining) {
    const node = nodeOf(joining.instanceId);
    const state = node ? `node ${node.name} of instance ${joining.instanceId} is not Ready (${node.ready}${node.reason ? `, ${node.reason}` : ''})` : `instance ${joining.instanceId} has not registered as a node`;
    return outOfTime ? failed(stage, state) : wait(stage, state);
  }
  const next = nextToReplace(group);
  if (!next) return IN_SYNC;
  const node = nodeOf(next.instanceId);
  if (!node) {
    // Nodes without their instance (an older kube agent) could be this one: never terminate undrained.
    if (nodes.some((n) => n.instanceId === undefined)) return refused("cannot tell its nodes' instances apart (the cluster's kube agent reports no providerID): replace the nodegroup instead (add a new one, remove this one)");
    return apply(stage, { call: 'replaceInstance', instanceId: next.instanceId });
  }
  if (!node.unschedulable) return apply(stage, { call: 'cordonNodes', nodes: [node.name] });
  const drain = live.drain;
  if (drain && drain.remaining.length > 0) return outOfTime ? failed(stage, `drain of node ${node.name} did not finish: ${drainText(drain)}`) : wait(stage, drainText(drain));
  return apply(stage, { call: 'replaceInstance', instanceId: next.instanceId });
}

// ── Remove ───────────────────────────────────────────────────────────────────────────────────

function removeNodegroup(live: SelfManagedLive): NextStep<SelfManagedCall> {
  const stack = live.stack;
  const progress = stackDeleteProgress(stack?.status);
  if (!stack || progress === 'gone') return IN_SYNC;
  if (progress === 'pending') return wait('nodegroupStackDelete', stack.status);
  if (progress === 'failed') return failed('nodegroupStackDelete', stack.status);
  const nodes = live.nodes ?? [];
  const uncordoned = nodes.filter((node) => !node.unschedulable);
  if (uncordoned.length > 0) return apply('selfManagedDrain', { call: 'cordonNodes', nodes: uncordoned.map((node) => node.name) });
  const drain = live.drain;
  if (nodes.length > 0 && drain && drain.remaining.length > 0) {
    const outOfTime = live.stage === 'selfManagedDrain' && (live.stageSeconds ?? 0) >= DRAIN_TIMEOUT_SECONDS;
    return outOfTime ? failed('selfManagedDrain', `not drained in ${DRAIN_TIMEOUT_SECONDS / 60} minutes: ${drainText(drain)}`) : wait('selfManagedDrain', drainText(drain));
  }
  // The role's admission goes while its stack still names it: once the stack is gone, nothing does.
  const roleArn = stack.outputs[SELF_MANAGED_STACK_OUTPUTS.nodeRole];
  return apply('nodegroupStackDelete', ...(roleArn ? [{ call: 'releaseNodeRole', roleArn } as const] : []), { call: 'deleteStack' });
}

/** "2 pod(s) left on ip-…: default/web-1, …; evictions refused: default/web-1 (Cannot evict pod as it would violate the pod's disruption budget.)". */
export function drainText(drain: DrainLook): string {
  const nodes = [...new Set(drain.remaining.map((pod) => pod.node))].join(', ');
  const parts = [`${drain.remaining.length} pod(s) left on ${nodes}: ${drain.remaining.map((pod) => `${pod.namespace}/${pod.name}`).join(', ')}`];
  if (drain.blocked.length > 0) parts.push(`evictions refused: ${drain.blocked.map((pod) => `${pod.namespace}/${pod.name} (${pod.message})`).join('; ')}`);
  return parts.join('; ');
}
