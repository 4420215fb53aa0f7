/**
 * Task "Report Failure": the operation's one terminal event — ROLLED_BACK when everything made
 * was deleted (the name is reusable), FAILED otherwise — with the root cause. Its result feeds
 * the Fail state's Error and Cause.
 */
import { validateFailureState } from '../generated/validators';
import type { FailureState } from '../generated/types';
import { diagnosis, parseFailure, phaseOfError } from '../domain/diagnosis';
import type { Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { reportOutcome } from '../shared/progress';
import { step } from '../shared/step';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { sdkSchedules } from '../ports/schedules';
import { scheduleExpiry } from './expiry';

export async function reportFailure(input: FailureState, deps: StepDeps<'events' | 'registry' | 'schedules'>): Promise<{ error: string; cause: string }> {
  const spec = input.spec as unknown as Spec;
  // Diagnose itself may have failed: fall back to the raw failure rather than lose the terminal event.
  const parsed = parseFailure(input.failure);
  const found = input.diagnosis ?? diagnosis(parsed.code, parsed.message, phaseOfError(parsed.code), true, parsed.resource);
  let message = found.message;
  if (input.rollbackFailure) message += ` — rollback did not finish: ${parseFailure(input.rollbackFailure).message}`;
  const rolledBack = spec.onFailure === 'rollback' && found.resourcesCreated && input.rollback?.ready === true && !input.rollbackFailure;
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
