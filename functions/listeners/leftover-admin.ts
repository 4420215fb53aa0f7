/**
 * The temporary cluster-admin entry (step-support/temporary-admin.ts) an execution left when it
 * was stopped between two looks of a wait, removed once the execution has ended.
 */
import { TEMPORARY_ADMIN_TAG } from '../domain/naming';
import type { StepDeps } from '../shared/deps';

/** Removes the entry only when its tag names `operationId`: an operation that started since and holds its own keeps it. */
export async function revokeAfterExecution(deps: StepDeps<'eks'>, cluster: string, principal: string, operationId: string): Promise<boolean> {
  const entry = await deps.eks.describeAccessEntry(cluster, principal);
  if (entry?.tags?.[TEMPORARY_ADMIN_TAG] !== operationId) return false;
  await deps.eks.deleteAccessEntry(cluster, principal);
  return true;
}
