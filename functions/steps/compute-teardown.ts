/** What "Delete Compute" and "Check Compute Deletion" share: the delete-cluster view of teardown.ts. */
import type { DeleteInput, Poll } from '../generated/types';
import { idempotencyToken } from '../domain/naming';
import { firstWaitSeconds } from '../domain/poll-schedule';
import type { Spec } from '../domain/spec';
import { DeleteFailedError, TeardownNotDoneError } from '../shared/errors';
import { teardownCompute, type ComputeTeardown, type TeardownDeps } from './teardown';

/**
 * Poll.stage carries the nodegroups whose own stack is still to be deleted, comma-separated
 * (nodegroup names have no commas): a nodegroup added after provisioning may be in no spec the
 * registry holds, and once it is gone EKS no longer lists it.
 */
export function stackedNodegroups(poll: Poll | undefined): string[] {
  return (poll?.stage ?? '').split(',').filter(Boolean);
}

/** Nodegroups the cluster's spec names: those added after provisioning have stacks of their own. */
export function specNodegroups(input: DeleteInput): string[] {
  return ((input.spec as Partial<Spec> | undefined)?.managedNodeGroups ?? []).map((ng) => ng.name);
}

/**
 * The first call (Delete Compute) deletes again what an earlier DELETE left DELETE_FAILED; the
 * checks after it report DELETE_FAILED, which then is this attempt's.
 */
export async function advanceComputeTeardown(
  input: DeleteInput,
  deps: TeardownDeps,
  attempt: { nodegroups: string[]; first: boolean; startedAt: string },
): Promise<ComputeTeardown> {
  const cluster = input.operation.cluster.name;
  const teardown = await teardownCompute(cluster, deps, {
    nodegroupStacks: { nodegroups: attempt.nodegroups, known: !attempt.first, token: (stackName) => idempotencyToken(input.operation.id, 'delete-compute', stackName) },
    deleteAgainIfFailed: attempt.first,
    since: attempt.startedAt,
  });
  if (teardown.failed) throw new DeleteFailedError(teardown.failed.message, { resource: teardown.failed.resource });
  return teardown;
}

/** Done, or the first wait: nodegroups take longest; profiles and nodegroup stacks go in a minute or two. */
export function teardownPoll(teardown: ComputeTeardown, startedAt: string): Poll {
  if (teardown.remaining.length === 0) return { ready: true, waitSeconds: 0, startedAt };
  const stage = teardown.nodegroupStacks.join(',');
  return { ready: false, waitSeconds: firstWaitSeconds(teardown.nodegroups.length > 0 ? 'nodegroupDelete' : 'fargateProfileDelete'), startedAt, ...(stage ? { stage } : {}) };
}

export function notDone(input: DeleteInput, teardown: ComputeTeardown): TeardownNotDoneError {
  return new TeardownNotDoneError(`waiting for ${teardown.remaining.join(', ')} to be deleted`, { resource: `cluster ${input.operation.cluster.name}` });
}
