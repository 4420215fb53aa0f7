/**
 * Deleting a stack, shared by "Roll Back", delete-cluster's cluster stack, nodegroup stacks and
 * the stacks a PATCH made beside the cluster stack (Auto Mode, OIDC):
 * one look, and DeleteStack (termination protection off first) when CloudFormation would accept
 * it. A stack already gone counts as deleted; one busy with another operation is waited for.
 */
import type { StackDescription } from '../ports/cloudformation';
import { autoModeStackName, idempotencyToken, oidcStackName, TAG_CLUSTER, TAG_MANAGED_BY } from '../domain/naming';
import { stackDeleteProgress } from '../domain/status';
import type { StepDeps } from '../shared/deps';
import { deleteFailureReason } from './stack-delete-failure';

export type StackTeardown =
  | { progress: 'gone' }
  /** DeleteStack was called now or before; `wasEmpty` when CloudFormation had already rolled it back. */
  | { progress: 'deleting'; status: string; stack: StackDescription; wasEmpty: boolean }
  /** Another stack operation (a rollback, an update) runs: CloudFormation refuses DeleteStack until it settles. */
  | { progress: 'busy'; status: string }
  | { progress: 'failed'; reason: string }
  /** Not made by this service for this cluster: never deleted. `otherCluster` when its ownership tag names another cluster. */
  | { progress: 'refused'; reason: string; otherCluster?: string };

export interface StackTeardownOptions {
  /** DELETE_FAILED is deleted again (a new DELETE of a cluster) rather than reported as failed. */
  deleteAgainIfFailed?: boolean;
  /** Delete only a stack carrying this service's ownership tags for this cluster. */
  ownedBy?: string;
  /** When this deletion began: older DELETE_FAILED events belong to an earlier attempt. */
  since?: string;
}

/** One look at a stack being deleted; DeleteStack (termination protection off first) when it can be. */
export async function advanceStackDeletion(stackName: string, token: string, deps: StepDeps<'cloudFormation'>, options: StackTeardownOptions = {}): Promise<StackTeardown> {
  const stack = await deps.cloudFormation.describeStack(stackName);
  const progress = stackDeleteProgress(stack?.status);
  if (progress === 'gone' || !stack) return { progress: 'gone' };
  if (options.ownedBy !== undefined && (stack.tags[TAG_MANAGED_BY] !== 'eks-provisioner' || stack.tags[TAG_CLUSTER] !== options.ownedBy)) {
    const owner = stack.tags[TAG_CLUSTER];
    return {
      progress: 'refused',
      reason: `was not created by eks-provisioner for cluster ${options.ownedBy} (its ownership tags say otherwise); delete it by hand if it should go`,
      ...(owner !== undefined && owner !== options.ownedBy ? { otherCluster: owner } : {}),
    };
  }
  if (progress === 'failed' && !options.deleteAgainIfFailed) return { progress: 'failed', reason: `DELETE_FAILED: ${await deleteFailureReason(stack, deps, options.since)}` };
  if (progress === 'pending') return stack.status === 'DELETE_IN_PROGRESS' ? { progress: 'deleting', status: stack.status, stack, wasEmpty: false } : { progress: 'busy', status: stack.status };
  if (stack.terminationProtection) await deps.cloudFormation.setTerminationProtection(stackName, false);
  await deps.cloudFormation.deleteStack(stackName, token, deps.settings.cloudFormationRoleArn());
  return { progress: 'deleting', status: 'DELETE_IN_PROGRESS', stack, wasEmpty: stack.status === 'ROLLBACK_COMPLETE' };
}

/**
 * The stacks a PATCH makes beside the cluster stack, with the token of each one's deletion: the
 * Auto Mode stack (`eksp-<cluster>-automode`, the node role of a cluster switched to Auto Mode)
 * and the OIDC stack (`eksp-<cluster>-oidc`, the IAM OIDC provider of a cluster switched to
 * withOIDC). delete-cluster deletes them only once the cluster stack is gone. Not before: the
 * cluster names the Auto Mode node role until it is deleted, and EKS terminates the Auto Mode
 * instances (which run with it) as it deletes the cluster; the OIDC provider goes with the rest
 * so IRSA keeps working until the cluster does. Nothing in the cluster stack refers to either,
 * so no export holds them either way.
 */
export function sideStacks(cluster: string): Array<{ stackName: string; step: string }> {
  return [
    { stackName: autoModeStackName(cluster), step: 'delete-automode-stack' },
    { stackName: oidcStackName(cluster), step: 'delete-oidc-stack' },
  ];
}

/**
 * One look at each side stack (sideStacks), DeleteStack for each that can be deleted, so they go
 * together; the first not yet gone with its state, or undefined when all are gone. A stack of
 * such a name another cluster owns is not ours: it counts as gone.
 */
export async function advanceSideStacksDeletion(
  cluster: string,
  operationId: string,
  deps: StepDeps<'cloudFormation'>,
  options: Omit<StackTeardownOptions, 'ownedBy'> = {},
): Promise<{ stackName: string; teardown: Exclude<StackTeardown, { progress: 'gone' }> } | undefined> {
  let first: { stackName: string; teardown: Exclude<StackTeardown, { progress: 'gone' }> } | undefined;
  for (const { stackName, step } of sideStacks(cluster)) {
    const teardown = await advanceStackDeletion(stackName, idempotencyToken(operationId, step), deps, { ...options, ownedBy: cluster });
    if (teardown.progress === 'gone' || (teardown.progress === 'refused' && teardown.otherCluster !== undefined)) continue;
    first ??= { stackName, teardown };
  }
  return first;
}
