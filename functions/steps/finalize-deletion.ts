/**
 * Task "Finalize Deletion" (delete-cluster): everything is gone. Commits SUCCEEDED first (the
 * cluster DELETED, its name free again; the one terminal event, however often the step runs),
 * then cancels the cluster's expiry and unattended-upgrade schedules (a cluster without them is
 * fine). The state has no Catch: a Scheduler failure is retried, and if it outlasts the retries
 * the deletion stays SUCCEEDED, as it is; a schedule then fires once and finds no cluster.
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
  await reportOutcome(deps, operation, { status: 'SUCCEEDED', phase: 'Completed' }, 'DELETED');
  await deps.schedules.cancelExpiry(operation.cluster.name);
  await deps.schedules.cancelUpgrade(operation.cluster.name);
}

export const handler = step(validateDeleteInput, { schedules: sdkSchedules, events: eventBridgeStatusEvents, registry: dynamoRegistry }, finalizeDeletion);
