/**
 * Task "Finalize Deletion" (delete-cluster): everything is gone. Cancels the cluster's expiry
 * schedule (a cluster without one is fine), marks the cluster DELETED (its name is free again)
 * and sends the one terminal SUCCEEDED event, at most once however often the step runs.
 */
import { validateDeleteInput } from '../generated/validators';
import type { DeleteInput } from '../generated/types';
import type { StepDeps } from '../shared/deps';
import { reportOutcome } from '../shared/progress';
import { step } from '../shared/step';
import { sdkSchedules } from '../ports/schedules';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function finalizeDeletion(input: DeleteInput, deps: StepDeps<'schedules' | 'events' | 'registry'>): Promise<void> {
  const { operation } = input;
  await deps.schedules.cancelExpiry(operation.cluster.name);
  await reportOutcome(deps, operation, { status: 'SUCCEEDED', phase: 'Completed' }, 'DELETED');
}

export const handler = step(validateDeleteInput, { schedules: sdkSchedules, events: eventBridgeStatusEvents, registry: dynamoRegistry }, finalizeDeletion);
