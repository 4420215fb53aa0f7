/**
 * Task "Report Failure": the operation's one terminal event — ROLLED_BACK when everything made
 * was deleted (the name is reusable), FAILED otherwise — with the root cause. Its result feeds
 * the Fail state's Error and Cause.
 */
import { validateFailureState } from '../generated/validators';
import type { FailureState } from '../generated/types';
import { diagnosis, locateFailure, parseFailure } from '../domain/diagnosis';
import type { StepDeps } from '../shared/deps';
import { reportOutcome } from '../shared/progress';
import { step } from '../shared/step';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { sdkSchedules } from '../ports/schedules';
import { scheduleExpiry } from '../step-support/expiry';
import { rollbackObservedDone } from '../step-support/rollback-outcome';

export async function reportFailure(input: FailureState, deps: StepDeps<'events' | 'registry' | 'schedules'>): Promise<{ error: string; cause: string }> {
  const spec = input.spec;
  // Diagnose itself may have failed: fall back to the raw failure rather than lose the terminal event.
  const parsed = locateFailure(input.failure, { cluster: input.operation.cluster.name });
  const found = input.diagnosis ?? diagnosis(parsed.code, parsed.message, parsed.phase, true, parsed.resource);
  let message = found.message;
  // What Roll Back last saw, not whether an attempt threw: one may crash after deleting the last thing.
  const rollbackDone = input.rollback?.ready === true || (input.rollbackFailure !== undefined && (await rollbackObservedDone(deps, input.operation.id)));
  const rolledBack = spec.onFailure === 'rollback' && found.resourcesCreated && rollbackDone;
  if (input.rollbackFailure && !rolledBack) message += ` — rollback did not finish: ${parseFailure(input.rollbackFailure).message}`;
  const status = rolledBack ? 'ROLLED_BACK' : 'FAILED';
  await reportOutcome(
    deps,
    input.operation,
    { status, phase: found.phase, error: { code: found.code, message, ...(found.resource ? { resource: found.resource } : {}) } },
    // Nothing left behind (rolled back, or nothing was ever made): the name is free again.
    rolledBack || !found.resourcesCreated ? 'ROLLED_BACK' : 'FAILED',
  );
  // A retained cluster with a ttl still expires (it costs money until deleted); after the terminal event, which it must never block.
  if (!rolledBack && found.resourcesCreated) await scheduleExpiry(input.operation, spec.ttl, deps);
  return { error: found.code, cause: message };
}

export const handler = step(validateFailureState, { events: eventBridgeStatusEvents, registry: dynamoRegistry, schedules: sdkSchedules }, reportFailure);
