/** What "Delete Compute" and "Check Compute Deletion" share: the delete-cluster view of teardown.ts. */
import type { DeleteInput, Poll } from '../generated/types';
import { idempotencyToken, nodegroupStackPrefix } from '../domain/naming';
import { podIdentityStackPrefix } from '../domain/pod-identity';
import { firstWaitSeconds } from '../domain/poll-schedule';
import { DeleteFailedError, TeardownNotDoneError } from '../shared/errors';
import { teardownCompute, type ComputeTeardown, type TeardownDeps } from './teardown';

/**
 * Each call lists the cluster's nodegroup stacks rather than trusting the spec or EKS: a nodegroup
 * added after provisioning may be in no spec the registry holds, EKS no longer lists one that is
 * gone, and a failed ADD_NODEGROUP can leave a stack whose nodegroup never existed. Any of them
 * left behind imports the cluster stack's exports and blocks its deletion. The roles of Pod
 * Identity associations added after provisioning (their own stacks) go with them: EKS deletes the
 * associations with the cluster, and nothing of the service outlives it.
 * The first call (Delete Compute) deletes again what an earlier DELETE left DELETE_FAILED; the
 * checks after it report DELETE_FAILED, which then is this attempt's.
 */
export async function advanceComputeTeardown(input: DeleteInput, deps: TeardownDeps, attempt: { first: boolean; startedAt: string }): Promise<ComputeTeardown> {
  const cluster = input.operation.cluster.name;
  const stacks = [...(await deps.cloudFormation.listStacks(nodegroupStackPrefix(cluster))), ...(await deps.cloudFormation.listStacks(podIdentityStackPrefix(cluster)))];
  const teardown = await teardownCompute(cluster, deps, {
    nodegroupStacks: { stackNames: stacks.map((s) => s.stackName), token: (stackName) => idempotencyToken(input.operation.id, 'delete-compute', stackName) },
    deleteAgainIfFailed: attempt.first,
    since: attempt.startedAt,
  });
  if (teardown.failed) throw new DeleteFailedError(teardown.failed.message, { resource: teardown.failed.resource });
  return teardown;
}

/** Done, or the first wait: nodegroups take longest; profiles and nodegroup stacks go in a minute or two. */
export function teardownPoll(teardown: ComputeTeardown, startedAt: string): Poll {
  if (teardown.remaining.length === 0) return { ready: true, waitSeconds: 0, startedAt };
  return { ready: false, waitSeconds: firstWaitSeconds(teardown.nodegroups.length > 0 ? 'nodegroupDelete' : 'fargateProfileDelete'), startedAt };
}

export function notDone(input: DeleteInput, teardown: ComputeTeardown): TeardownNotDoneError {
  return new TeardownNotDoneError(`waiting for ${teardown.remaining.join(', ')} to be deleted`, { resource: `cluster ${input.operation.cluster.name}` });
}
