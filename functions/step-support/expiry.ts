/**
 * Scheduling a cluster's `ttl` expiry from a step that must not fail because of it: a cluster
 * that is ready is not rolled back, and a failure still gets its terminal event, when Scheduler
 * refuses. A transient error is thrown for the ASL to retry; any other is logged and answered,
 * so the operation's outputs say the expiry is missing.
 */
import type { Operation } from '../generated/types';
import { expiresAt } from '../domain/expiry';
import type { StepDeps } from '../shared/deps';
import { classifyAwsError, RETRYABLE_ERRORS } from '../shared/errors';
import { logger } from '../shared/logger';

export type ExpiryOutcome = { expiresAt: string } | { expiryError: string } | Record<string, never>;

export async function scheduleExpiry(operation: Operation, ttl: string | undefined, deps: StepDeps<'schedules'>): Promise<ExpiryOutcome> {
  if (!ttl) return {};
  const at = expiresAt(operation.requestedAt, ttl, deps.clock());
  try {
    await deps.schedules.scheduleExpiry(operation.cluster.name, at);
    return { expiresAt: at.toISOString() };
  } catch (error) {
    const named = classifyAwsError(error);
    if ((RETRYABLE_ERRORS as readonly string[]).includes(named.name)) throw named;
    logger.error('could not schedule the cluster expiry', { cluster: operation.cluster.name, errorName: named.name, errorMessage: named.message });
    return { expiryError: `the ttl expiry at ${at.toISOString()} could not be scheduled (${named.name}: ${named.message}); delete the cluster when it is no longer needed` };
  }
}
