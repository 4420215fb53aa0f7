/**
 * A cluster's event log, rebuilt from what the REST API keeps of the status events
 * (docs/events.md): each operation's request, every step's start and end, and its terminal
 * status with the error or outputs. The bus itself is not readable over the API; the registry's
 * record of each operation is (GET /operations?cluster=, then GET /operations/{id}).
 */
import { isTerminal, type Operation } from './gantt';

export interface LogEntry {
  time: string;
  operationId: string;
  /** CREATE, UPDATE ADD_NODEGROUP, DELETE… */
  operation: string;
  status: string;
  text: string;
  error?: boolean;
}

export function operationLabel(operation: Pick<Operation, 'type' | 'action'>): string {
  return operation.action ? `${operation.type} ${operation.action}` : operation.type;
}

/** Newest first, as the API lists operations. */
export function eventLog(operations: Operation[]): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const op of operations) {
    const operation = operationLabel(op);
    const at = (time: string, status: string, text: string, error = false): LogEntry => ({ time, operationId: op.id, operation, status, text, ...(error ? { error } : {}) });
    entries.push(at(op.requestedAt, 'ACCEPTED', `requested by ${op.requestedBy ?? 'unknown'}`));
    for (const step of op.steps ?? []) {
      const what = step.resource ? `${step.name} (${step.resource})` : step.name;
      entries.push(at(step.startedAt, 'STARTED', `${step.phase}: ${what}`));
      if (step.endedAt) entries.push(at(step.endedAt, step.status, `${step.phase}: ${what}`));
    }
    if (isTerminal(op.status)) {
      const text = op.error ? `${op.error.code}: ${op.error.message}` : op.settledBy ? `settled by ${op.settledBy}` : `phase ${op.phase}`;
      entries.push(at(op.updatedAt, op.status, text, !!op.error));
    }
  }
  // Stable: entries at the same time keep their order within the operation (start before end).
  return entries.map((e, i) => ({ e, i })).sort((a, b) => b.e.time.localeCompare(a.e.time) || b.i - a.i).map(({ e }) => e);
}
