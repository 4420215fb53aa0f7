/**
 * Task "Check Compute Deletion" (delete-cluster): carries the teardown on — the next Fargate
 * profile once none is DELETING, each nodegroup's own stack once its nodegroup is gone — and
 * throws TeardownNotDoneError while anything remains; the ASL's Retry is the poll.
 */
import { validateDeleteInput } from '../generated/validators';
import type { DeleteInput, Poll } from '../generated/types';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { advanceComputeTeardown, notDone } from '../step-support/compute-teardown';

export async function checkComputeDeletion(input: DeleteInput, deps: StepDeps<'cloudFormation' | 'eks'>): Promise<Poll> {
  const startedAt = input.teardown?.startedAt ?? deps.clock().toISOString();
  const teardown = await advanceComputeTeardown(input, deps, { first: false, startedAt });
  if (teardown.remaining.length > 0) throw notDone(input, teardown);
  return { ready: true, waitSeconds: 0, startedAt };
}

export const handler = step(validateDeleteInput, { cloudFormation: sdkCloudFormation, eks: sdkEks }, checkComputeDeletion);
