/**
 * Reporting an operation, with the registry as the truth and the bus as its announcer.
 *
 * Progress: the registry records it first and refuses it once the outcome is committed, so no
 * event ever follows the terminal one; its event is then sent best effort (a bus outage never
 * fails a step: the timeline in the registry is complete either way).
 *
 * Outcome: committed in the registry first, with its terminal event (the first outcome wins), the
 * cluster's lock released, then the event delivered from the record. Delivery is retried here a
 * few times; what the bus still refuses stays on the record, and the reconciler redelivers it.
 * Consumers dedupe on `eventId` (a delivery whose acknowledgement was lost is repeated).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Operation, OperationStatusEvent } from '../generated/types';
import { statusEvent, type StatusChange } from '../domain/status-event';
import type { ClusterStatus, OperationRecord } from '../ports/registry';
import type { Deps } from './deps';
import { logger } from './logger';

type ReportDeps = Pick<Deps, 'registry' | 'events' | 'clock'>;

/** Waits between in-process delivery attempts of a terminal event, in ms; the reconciler takes over after. */
export const DELIVERY_BACKOFF_MS = [200, 1000];
/** How long a deliverer that crashed keeps the others from delivering (its claim is then stale). */
export const DELIVERY_LEASE_MS = 5 * 60_000;

export async function reportProgress(deps: ReportDeps, operation: Operation, change: StatusChange): Promise<void> {
  const event = statusEvent(operation, change, deps.clock());
  if (!(await deps.registry.recordProgress(event))) return;
  await publishProgress(deps, event);
}

/** A progress event is best effort: the registry, which has it already, is the truth, and a bus outage never fails an operation. */
export async function publishProgress(deps: Pick<ReportDeps, 'events'>, event: OperationStatusEvent): Promise<void> {
  try {
    await deps.events.publish(event);
  } catch (error) {
    logger.warn('progress event not delivered (the registry has it)', { operationId: event.operationId, eventId: event.eventId, status: event.status, errorName: (error as Error).name });
  }
}

export async function reportOutcome(
  deps: ReportDeps,
  operation: Operation,
  change: StatusChange,
  clusterStatus: ClusterStatus,
  /** The cluster's spec from now on, when the operation changed it (update-cluster). */
  clusterSpec?: unknown,
  /** For settlements decided on a record as read (the reconciler): commit only if it has not moved since. */
  options: { unchangedSince?: string } = {},
): Promise<OperationRecord> {
  const event = statusEvent(operation, change, deps.clock());
  const record = await deps.registry.finish(event, clusterStatus, clusterSpec, options);
  const delivered = await deliverOutcome(deps, record);
  return { ...record, terminalEventSent: delivered };
}

/**
 * Puts the record's committed terminal event on the bus unless it is there already or another
 * deliverer holds the claim; true when this call saw it delivered. Never throws for the bus: an
 * undelivered event waits on the record for the reconciler.
 */
export async function deliverOutcome(deps: Pick<Deps, 'registry' | 'events' | 'clock' | 'wait'>, record: OperationRecord): Promise<boolean> {
  if (record.terminalEventSent) return true;
  const event = record.terminalEvent;
  if (!event) return false;
  const now = deps.clock();
  if (!(await deps.registry.claimDelivery(record.id, now.toISOString(), new Date(now.getTime() - DELIVERY_LEASE_MS).toISOString()))) return false;
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.events.publish(event);
      break;
    } catch (error) {
      if (attempt >= DELIVERY_BACKOFF_MS.length) {
        logger.warn('terminal event not delivered yet: the reconciler will redeliver it', { operationId: record.id, eventId: event.eventId, errorName: (error as Error).name });
        await deps.registry.releaseDelivery(record.id);
        return false;
      }
      // On the deps' clock: the claim's lease is measured on it too.
      await (deps.wait ?? sleep)(DELIVERY_BACKOFF_MS[attempt]!);
    }
  }
  await deps.registry.markTerminalEventSent(record.id);
  return true;
}
