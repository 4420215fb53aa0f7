/**
 * Settling an operation its workflow did not finish: the execution ended without an outcome (an
 * operator's StopExecution, a timeout, a failure report that itself failed), never started, or
 * an admin aborted it. One way for the execution-ended listener, the reconciler and abort: a
 * FAILED outcome committed in the registry (unless one is already), the cluster's lock released,
 * the terminal event delivered from the record with `settledBy`.
 */
import type { Operation, OperationStatusEvent } from '../generated/types';
import { isTerminal } from '../domain/status-event';
import type { ClusterStatus, OperationRecord } from '../ports/registry';
import type { Deps } from '../shared/deps';
import { deliverOutcome, reportOutcome } from '../shared/progress';

export type SettledBy = NonNullable<OperationStatusEvent['settledBy']>;

/**
 * Where an operation that ran and ended without an outcome leaves its cluster: a create or delete
 * may have left something behind; a failed update or upgrade left a working cluster (an upgrade
 * stopped between passes runs the last version it reached, which EKS supports like any other).
 */
const CLUSTER_AFTER: Record<Operation['type'], ClusterStatus> = { CREATE: 'FAILED', DELETE: 'FAILED', UPDATE: 'ACTIVE', UPGRADE: 'ACTIVE' };
/** Where one that never started leaves it: as it was (a create made nothing, so the name is free). */
const CLUSTER_UNTOUCHED: Record<Operation['type'], ClusterStatus> = { CREATE: 'ROLLED_BACK', DELETE: 'ACTIVE', UPDATE: 'ACTIVE', UPGRADE: 'ACTIVE' };

/** The account and region the operation's events name (the registry record does not keep them). */
export interface Where {
  region: string;
  account: string;
}

export interface Ending {
  code: string;
  message: string;
  resource?: string;
  /** Its execution never started: nothing was done to the cluster. */
  neverStarted?: boolean;
}

export function operationOf(record: OperationRecord, where: Where): Operation {
  return {
    id: record.id,
    type: record.type,
    ...(record.action ? { action: record.action } : {}),
    cluster: { name: record.clusterName, region: where.region, account: where.account },
    requestedBy: record.requestedBy,
    requestedAt: record.requestedAt,
  };
}

/**
 * Ends the operation FAILED unless it has an outcome; either way finishes what the outcome left
 * undone (lock, delivery). `decidedOn`: the settlement was decided on the record as read, and
 * must not overtake the operation if it moved on since (the reconciler).
 */
export async function settle(deps: Pick<Deps, 'registry' | 'events' | 'clock'>, record: OperationRecord, where: Where, ending: Ending, settledBy: SettledBy, decidedOn?: OperationRecord): Promise<OperationRecord> {
  if (isTerminal(record.status)) return completeOutcome(deps, record);
  const clusterStatus = ending.neverStarted ? (record.clusterStatusBefore ?? CLUSTER_UNTOUCHED[record.type]) : CLUSTER_AFTER[record.type];
  return reportOutcome(
    deps,
    operationOf(record, where),
    { status: 'FAILED', phase: record.phase, error: { code: ending.code, message: ending.message, ...(ending.resource ? { resource: ending.resource } : {}) }, settledBy },
    clusterStatus,
    undefined,
    decidedOn ? { unchangedSince: decidedOn.updatedAt } : {},
  );
}

/** What a committed outcome may have left undone (its commit's writer crashed, the bus refused): the lock, the delivery. */
export async function completeOutcome(deps: Pick<Deps, 'registry' | 'events' | 'clock'>, record: OperationRecord): Promise<OperationRecord> {
  await deps.registry.releaseCluster(record);
  const delivered = await deliverOutcome(deps, record);
  return { ...record, terminalEventSent: delivered };
}

/** The error of an execution that ended without its workflow's outcome. */
export function endedWithoutOutcome(record: OperationRecord, executionName: string, execution: { status: string; error?: string | null; cause?: string | null }): Ending {
  const reason = [execution.error, execution.cause].filter(Boolean).join(': ');
  return {
    code: `Execution${pascal(execution.status)}`,
    message: `the ${record.type.toLowerCase()} workflow ended ${execution.status} without reporting its outcome${reason ? ` (${reason})` : ''}`,
    resource: `execution ${executionName}`,
  };
}

const pascal = (status: string) => status.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
