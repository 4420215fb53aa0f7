/**
 * Deleting what runs on a cluster in the order EKS requires, shared by "Roll Back"
 * (provision-cluster) and delete-cluster: nodegroups (all at once), Fargate profiles (one at a
 * time), each nodegroup's own stack once its nodegroup is gone, and the Fargate role stack once
 * no profile is left (stack-teardown.ts). Each call
 * advances what it can and says what remains; the caller names the outcome with its own errors,
 * and the ASL's Retry is the wait. Safe to repeat: whatever is already gone counts as deleted,
 * and deletes already under way are not asked for again.
 */
import { fargateStackName, nodegroupStackName } from '../domain/naming';
import { subresourceDeleteProgress } from '../domain/status';
import type { StepDeps } from '../shared/deps';
import { advanceStackDeletion } from './stack-teardown';

export type TeardownDeps = StepDeps<'cloudFormation' | 'eks'>;

/** Something AWS could not delete: `resource` leads the error message, `message` says why. */
export interface DeleteFailure {
  resource: string;
  message: string;
}

export interface ComputeTeardown {
  /** What is still there ("nodegroup ng-a", "Fargate profile fp-a", "stack eksp-c-nodegroup-ng-a"). */
  remaining: string[];
  /** Nodegroups still there: they take longest (3-6 min). */
  nodegroups: string[];
  failed?: DeleteFailure;
}

export interface NodegroupStacks {
  /**
   * The stacks named like the cluster's nodegroup stacks (nodegroupStackPrefix), as ListStacks
   * found them: a failed ADD_NODEGROUP can leave one with no nodegroup and in no spec.
   */
  stackNames: string[];
  /** The DeleteStack ClientRequestToken for a stack. */
  token: (stackName: string) => string;
}

export interface ComputeTeardownOptions {
  /** Also delete nodegroups' own stacks: added ones (delete-cluster) and self-managed ones (also made at provisioning). */
  nodegroupStacks?: NodegroupStacks;
  /** A new attempt: what an earlier one left DELETE_FAILED is deleted again rather than reported. */
  deleteAgainIfFailed?: boolean;
  /** When this attempt began: older DELETE_FAILED stack events are not its reason. */
  since?: string;
}

/**
 * Starts deleting everything that runs on the cluster. A nodegroup added after provisioning has a
 * stack of its own (node role, launch template) that imports the cluster stack's exports: it goes
 * once its nodegroup is gone, and before the cluster stack (CloudFormation will not delete an
 * export in use). Nodegroups made at provisioning have no stack of their own.
 */
export async function teardownCompute(cluster: string, deps: TeardownDeps, options: ComputeTeardownOptions = {}): Promise<ComputeTeardown> {
  const again = options.deleteAgainIfFailed ?? false;
  const nodegroups = await deleteNodegroups(cluster, deps, again);
  const nodegroupLabels = nodegroups.remaining.map((name) => `nodegroup ${name}`);
  if (nodegroups.failed) return { remaining: nodegroupLabels, nodegroups: nodegroups.remaining, failed: nodegroups.failed };
  const profiles = await deleteFargateProfiles(cluster, deps, again);
  const remaining = [...nodegroupLabels, ...profiles.remaining];
  const result: ComputeTeardown = { remaining, nodegroups: nodegroups.remaining, ...(profiles.failed ? { failed: profiles.failed } : {}) };
  const stacks = options.nodegroupStacks;
  if (!stacks || profiles.failed) return result;

  // A live nodegroup still uses its stack's node role and launch template: the stack waits for it.
  const live = new Set(nodegroups.remaining.map((name) => nodegroupStackName(cluster, name)));
  for (const stackName of stacks.stackNames) {
    if (live.has(stackName)) continue;
    const stack = await advanceStackDeletion(stackName, stacks.token(stackName), deps, { ownedBy: cluster, deleteAgainIfFailed: again, since: options.since });
    // Another cluster's stack that only shares the prefix: not ours to delete, nor in our way.
    if (stack.progress === 'refused' && stack.otherCluster !== undefined) continue;
    if (stack.progress === 'failed' || stack.progress === 'refused') return { ...result, failed: { resource: `stack ${stackName}`, message: stack.reason } };
    if (stack.progress !== 'gone') remaining.push(`stack ${stackName}`);
  }
  // The pod execution role stack made for profiles added to a cluster created without Fargate:
  // it goes once no profile uses the role.
  if (profiles.remaining.length === 0) {
    const stackName = fargateStackName(cluster);
    const stack = await advanceStackDeletion(stackName, stacks.token(stackName), deps, { ownedBy: cluster, deleteAgainIfFailed: again, since: options.since });
    if (stack.progress === 'failed' || stack.progress === 'refused') return { ...result, failed: { resource: `stack ${stackName}`, message: stack.reason } };
    if (stack.progress !== 'gone') remaining.push(`stack ${stackName}`);
  }
  return result;
}

/** Starts every deletable nodegroup's delete; returns the names still present. */
async function deleteNodegroups(cluster: string, deps: TeardownDeps, deleteAgainIfFailed: boolean): Promise<{ remaining: string[]; failed?: DeleteFailure }> {
  const names = await deps.eks.listNodegroups(cluster);
  for (const name of names) {
    const nodegroup = await deps.eks.describeNodegroup(cluster, name);
    const progress = subresourceDeleteProgress(nodegroup?.status);
    if (progress === 'failed' && !deleteAgainIfFailed) {
      const issues = (nodegroup?.health?.issues ?? []).map((i) => `${i.code}: ${i.message}`).join('; ');
      return { remaining: names, failed: { resource: `nodegroup ${name}`, message: `DELETE_FAILED: ${issues || 'EKS gave no reason'}` } };
    }
    if (nodegroup && progress !== 'pending') await deps.eks.deleteNodegroup(cluster, name);
  }
  return { remaining: names };
}

/** EKS deletes one Fargate profile at a time: start the next only when none is CREATING or DELETING. */
async function deleteFargateProfiles(cluster: string, deps: TeardownDeps, deleteAgainIfFailed: boolean): Promise<{ remaining: string[]; failed?: DeleteFailure }> {
  const names = await deps.eks.listFargateProfiles(cluster);
  const profiles = await Promise.all(names.map(async (name) => ({ name, status: (await deps.eks.describeFargateProfile(cluster, name))?.status })));
  const remaining = names.map((name) => `Fargate profile ${name}`);
  const failed = profiles.find((p) => subresourceDeleteProgress(p.status) === 'failed');
  if (failed && !deleteAgainIfFailed) return { remaining, failed: { resource: `Fargate profile ${failed.name}`, message: 'DELETE_FAILED' } };
  const busy = profiles.some((p) => p.status === 'DELETING' || p.status === 'CREATING');
  const next = profiles.find((p) => p.status !== undefined && subresourceDeleteProgress(p.status) !== 'pending');
  if (!busy && next) await deps.eks.deleteFargateProfile(cluster, next.name);
  return { remaining };
}
