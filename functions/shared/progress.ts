/**
 * Reporting a phase change: the registry's timeline and the status event on the bus. The
 * terminal report sends its event at most once per operation, even when the step is retried.
 */
import type { Operation } from '../generated/types';
import { statusEvent, type StatusChange } from '../domain/status-event';
import type { ClusterStatus } from '../ports/registry';
import type { Deps } from './deps';

export async function reportProgress(deps: Pick<Deps, 'registry' | 'events' | 'clock'>, operation: Operation, change: StatusChange): Promise<void> {
  const event = statusEvent(operation, change, deps.clock());
  await deps.registry.recordProgress(event);
  await deps.events.publish(event);
}

export async function reportOutcome(
  deps: Pick<Deps, 'registry' | 'events' | 'clock'>,
  operation: Operation,
  change: StatusChange,
  clusterStatus: ClusterStatus,
  /** The cluster's spec from now on, when the operation changed it (update-cluster). */
  clusterSpec?: unknown,
): Promise<void> {
  const event = statusEvent(operation, change, deps.clock());
  const record = clusterSpec === undefined ? await deps.registry.finish(event, clusterStatus) : await deps.registry.finish(event, clusterStatus, clusterSpec);
  if (record.terminalEventSent) return;
  await deps.events.publish(event);
  await deps.registry.markTerminalEventSent(operation.id);
}
