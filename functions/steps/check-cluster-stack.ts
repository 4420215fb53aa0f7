/** Task "Check Cluster Stack": done, wait coarsely, or StackNotReadyError for the ASL's Retry to poll. */
import { validateProvisionState } from '../generated/validators';
import type { ProvisionState, StackState } from '../generated/types';
import { rootCauseFromStackEvents } from '../domain/diagnosis';
import { coarseWaitSeconds, elapsedSeconds } from '../domain/poll-schedule';
import { stackCreateProgress } from '../domain/status';
import type { StepDeps } from '../shared/deps';
import { StackFailedError, StackNotReadyError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { sdkCloudFormation, type StackDescription } from '../ports/cloudformation';
import { watchWithin } from '../step-support/watch';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function checkClusterStack(input: ProvisionState, deps: StepDeps<'cloudFormation' | 'events' | 'registry'>): Promise<StackState> {
  const stackName = input.plan.stackName;
  // Read again within the invocation only once coarse waits are over (watch.ts).
  const inRetryRegime = (seen: StackDescription) => coarseWaitSeconds('stack', elapsedSeconds((seen.creationTime ?? deps.clock()).toISOString(), deps.clock())) === 0;
  const stack = await watchWithin(deps, () => deps.cloudFormation.describeStack(stackName), (seen) => seen !== undefined && stackCreateProgress(seen.status) === 'pending' && inRetryRegime(seen));
  if (!stack) throw new StackFailedError('no longer exists: it was deleted while being created', { resource: `stack ${stackName}` });
  const startedAt = (stack.creationTime ?? deps.clock()).toISOString();
  const progress = stackCreateProgress(stack.status);
  if (progress === 'failed') {
    const cause = rootCauseFromStackEvents(await deps.cloudFormation.stackEvents(stackName));
    throw new StackFailedError(`${stack.status}: ${cause?.message ?? stack.statusReason ?? 'no failed resource event found'}`, { resource: `stack ${stackName}` });
  }
  if (progress === 'pending') {
    const wait = coarseWaitSeconds('stack', elapsedSeconds(startedAt, deps.clock()));
    if (wait === 0) throw new StackNotReadyError(`${stack.status}`, { resource: `stack ${stackName}` });
    return { stackName, stackId: stack.stackId, ready: false, waitSeconds: wait, status: stack.status, startedAt };
  }
  await reportProgress(deps, input.operation, {
    status: 'IN_PROGRESS',
    phase: 'ClusterStack',
    step: { name: 'Create Cluster Stack', status: 'SUCCEEDED', resource: `stack ${stackName}`, startedAt, endedAt: deps.clock().toISOString() },
  });
  return { stackName, stackId: stack.stackId, ready: true, waitSeconds: 0, status: stack.status, startedAt, outputs: stack.outputs as StackState['outputs'] };
}

export const handler = step(validateProvisionState, { cloudFormation: sdkCloudFormation, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkClusterStack);
