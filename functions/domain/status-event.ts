/** Builds the status events of docs/events.md (schemas/events/operation-status.schema.json). */
import type { Operation, OperationStatusEvent, Phase } from '../generated/types';
import { eventId } from './naming';
import type { OperationStatus } from './operation-status';

export { isTerminal, TERMINAL_STATUSES, type OperationStatus } from './operation-status';

export const EVENT_SOURCE = 'eks-provisioner';
export const STATUS_DETAIL_TYPE = 'EKS Cluster Operation Status Change';
export type StepStatus = NonNullable<OperationStatusEvent['step']>['status'];

export interface StatusChange {
  status: OperationStatus;
  phase: Phase;
  step?: NonNullable<OperationStatusEvent['step']>;
  error?: { code: string; message: string; resource?: string };
  outputs?: Record<string, string>;
  /** A terminal outcome the workflow did not report itself: who settled it. */
  settledBy?: OperationStatusEvent['settledBy'];
}

export function statusEvent(operation: Operation, change: StatusChange, now: Date): OperationStatusEvent {
  return {
    schemaVersion: '1.0',
    eventId: eventId(operation.id, change.status, change.phase, change.step?.name ?? '', change.step?.resource ?? '', change.step?.status ?? ''),
    operationId: operation.id,
    operation: operation.type,
    ...(operation.action ? { action: operation.action } : {}),
    cluster: operation.cluster,
    status: change.status,
    phase: change.phase,
    ...(change.step ? { step: change.step } : {}),
    ...(change.error ? { error: change.error } : {}),
    ...(change.outputs ? { outputs: change.outputs } : {}),
    ...(change.settledBy ? { settledBy: change.settledBy } : {}),
    requestedBy: operation.requestedBy,
    time: now.toISOString(),
  };
}

