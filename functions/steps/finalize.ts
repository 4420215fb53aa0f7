/**
 * Task "Finalize": commits the SUCCEEDED outcome (with the outputs Collect Outputs gathered) in
 * the registry, releases the cluster (ACTIVE) and delivers the terminal event from the record.
 * It is the point of no return: the ASL gives this state no way into Diagnose or Roll Back, so a
 * crash after the commit can only repeat the commit (a no-op) or end the execution, never undo a
 * finished cluster. The reconciler finishes whatever it left undone.
 */
import { validateProvisionState } from '../generated/validators';
import type { ProvisionState } from '../generated/types';
import type { StepDeps } from '../shared/deps';
import { reportOutcome } from '../shared/progress';
import { step } from '../shared/step';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function finalize(input: ProvisionState, deps: StepDeps<'events' | 'registry'>): Promise<Record<string, string>> {
  const record = await reportOutcome(deps, input.operation, { status: 'SUCCEEDED', phase: 'Completed', outputs: input.outputs ?? {} }, 'ACTIVE');
  return record.outputs ?? {};
}

export const handler = step(validateProvisionState, { events: eventBridgeStatusEvents, registry: dynamoRegistry }, finalize);
