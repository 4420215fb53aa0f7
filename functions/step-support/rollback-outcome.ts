/**
 * What Roll Back last saw, kept in the operation's timeline: "Roll Back" SUCCEEDED once nothing
 * the operation made is left. Report Failure goes by this rather than by whether some attempt
 * threw, since an attempt can crash after its work is done (Lambda loses the answer, not the
 * deletion). Its own module: Report Failure needs this, not Roll Back's AWS calls.
 */
import type { Operation } from '../generated/types';
import type { Deps } from '../shared/deps';
import { reportProgress } from '../shared/progress';

const ROLL_BACK = 'Roll Back';

export async function reportRolledBack(operation: Operation, resource: string, deps: Pick<Deps, 'registry' | 'events' | 'clock'>): Promise<void> {
  const record = await deps.registry.getOperation(operation.id);
  const started = Object.values(record?.steps ?? {}).find((s) => s.name === ROLL_BACK && s.status === 'STARTED');
  const now = deps.clock().toISOString();
  await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'Rollback', step: { name: ROLL_BACK, status: 'SUCCEEDED', resource, startedAt: started?.startedAt ?? now, endedAt: now } });
}

/** Whether Roll Back last saw nothing left of what the operation made. */
export async function rollbackObservedDone(deps: Pick<Deps, 'registry'>, operationId: string): Promise<boolean> {
  const record = await deps.registry.getOperation(operationId);
  return Object.values(record?.steps ?? {}).some((s) => s.name === ROLL_BACK && s.status === 'SUCCEEDED');
}
