/**
 * Task "Report Operation Failure" (delete-cluster, update-cluster, upgrade-cluster): the operation's one terminal
 * FAILED event, with the error parsed from the Catch's failure (code, message, the resource it
 * names), and the cluster's status after it. Its result feeds the Fail state's Error and Cause.
 */
import { validateOperationFailureState } from '../generated/validators';
import type { OperationFailureState, OperationType, Phase } from '../generated/types';
import { locateFailure } from '../domain/diagnosis';
import type { ClusterStatus } from '../ports/registry';
import type { StepDeps } from '../shared/deps';
import { reportOutcome } from '../shared/progress';
import { step } from '../shared/step';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

/** Where a failed operation leaves the cluster. */
export const AFTER_FAILURE: Record<OperationType, { phase: Phase; clusterStatus: ClusterStatus }> = {
  // Something may remain half-deleted: FAILED, and DELETE may be asked for again.
  DELETE: { phase: 'Teardown', clusterStatus: 'FAILED' },
  // The change failed; the cluster itself still works.
  UPDATE: { phase: 'Update', clusterStatus: 'ACTIVE' },
  // An upgrade stopped in preflight changed nothing; one stopped later leaves the cluster on the
  // last version it reached, working (the failed state's phase says where: FAILED_STATES).
  UPGRADE: { phase: 'Preflight', clusterStatus: 'ACTIVE' },
  // provision-cluster reports its own failures (Report Failure, after Diagnose and Roll Back).
  CREATE: { phase: 'Diagnose', clusterStatus: 'FAILED' },
};

/**
 * delete-cluster states that change nothing of the cluster: a failure there leaves it working.
 * Disable Deletion Protection acts only on a cluster EKS reports ACTIVE, and turning protection
 * off is all it does, so a cluster it could not unprotect is still the ACTIVE cluster it was.
 */
const DELETE_STATES_BEFORE_ANY_DELETION = ['Disable Deletion Protection'];

export async function reportOperationFailure(input: OperationFailureState, deps: StepDeps<'events' | 'registry'>): Promise<{ error: string; cause: string }> {
  const { phase: fallbackPhase } = AFTER_FAILURE[input.operation.type];
  const nothingDeleted = input.operation.type === 'DELETE' && DELETE_STATES_BEFORE_ANY_DELETION.includes(input.failure.Where?.State ?? '');
  const clusterStatus = nothingDeleted ? 'ACTIVE' : AFTER_FAILURE[input.operation.type].clusterStatus;
  const located = locateFailure(input.failure, { cluster: input.operation.cluster.name, ...(input.change ? { change: input.change } : {}) }, fallbackPhase);
  const { code, resource, phase } = located;
  const message = input.settle?.updating?.length ? `${located.message} (EKS was still updating ${input.settle.updating.join(', ')} when this was reported)` : located.message;
  await reportOutcome(deps, input.operation, { status: 'FAILED', phase, error: { code, message, ...(resource ? { resource } : {}) } }, clusterStatus, reachedSpec(input));
  return { error: code, cause: message };
}

/**
 * An upgrade that failed after a pass keeps the control plane on the version it reached (EKS
 * cannot go back): the registry records that version, so it stays the truth about the cluster.
 */
function reachedSpec(input: OperationFailureState): OperationFailureState['spec'] | undefined {
  const reached = input.settle?.version;
  return input.spec && reached && reached !== input.spec.version ? { ...input.spec, version: reached } : undefined;
}

export const handler = step(validateOperationFailureState, { events: eventBridgeStatusEvents, registry: dynamoRegistry }, reportOperationFailure);
