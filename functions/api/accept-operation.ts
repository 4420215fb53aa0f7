/**
 * Accepting an operation, the same way for every route and event: Idempotency-Key replay (same
 * key and request → the same operation; same key, other request → 422), the cluster's lock
 * (409 naming the running operation), the operation record, the ACCEPTED event, and the
 * execution named by the operation id. A start that fails gives the lock back and leaves the
 * operation not started: the caller is told to retry (503), and the same Idempotency-Key starts
 * it then; never retried, the reconciler ends it with its terminal event.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Operation, RequestedChangeAction } from '../generated/types';
import { principalOf } from '../domain/caller';
import { statusEvent } from '../domain/status-event';
import type { ClusterStatus } from '../ports/registry';
import { ClusterBusyError, ClusterChangedError, ClusterExistsError } from '../shared/errors';
import { logger } from '../shared/logger';
import { publishProgress } from '../shared/progress';
import { json, problem } from './problem';
import type { ApiDeps, ApiRequest } from './request';

export interface OperationToStart {
  type: Operation['type'];
  action?: RequestedChangeAction;
  clusterName: string;
  /** What makes two requests "the same" for an Idempotency-Key replay. */
  fingerprint: unknown;
  stateMachineArn: string;
  /** Takes the cluster's lock (beginCreate / beginOperation). */
  lock(operation: Operation): Promise<void>;
  /** Gives it back when the execution could not be started; returns the cluster's status as it is again. */
  unlock(operation: Operation): Promise<ClusterStatus>;
  executionInput(operation: Operation): unknown;
  /** The cluster's owner, kept on the operation: who may read it even after the name is reused. Default the requester (a create). */
  clusterOwner?: string;
  /** The cluster's status before the lock, for an existing cluster: where an operation that never starts leaves it. */
  clusterStatusBefore?: ClusterStatus;
}

/** What identifies a request for an Idempotency-Key replay. */
export type RequestIdentity = Pick<OperationToStart, 'type' | 'action' | 'clusterName' | 'fingerprint'>;

/**
 * The operation id: derived from the caller's principal (not its session: a role's next session
 * retrying is the same caller) and the Idempotency-Key when there is one, so a replay finds it.
 */
function operationId(request: ApiRequest): string {
  if (!request.idempotencyKey) return `op-${randomUUID()}`;
  return `op-${createHash('sha256').update(`${principalOf(request.caller)}\u0000${request.idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

const requestHashOf = (identity: RequestIdentity) =>
  createHash('sha256').update(JSON.stringify({ type: identity.type, action: identity.action, cluster: identity.clusterName, request: identity.fingerprint })).digest('hex');

/**
 * The answer to a request already made with this Idempotency-Key: the same operation (202, even
 * when it has ended and the cluster moved on), or 422 when the key came with another request.
 * Routes ask first, before checks a repeated request would now fail (the nodegroup it added exists).
 */
export async function replayed(request: ApiRequest, deps: ApiDeps, identity: RequestIdentity): Promise<APIGatewayProxyResult | undefined> {
  if (!request.idempotencyKey) return undefined;
  const previous = await deps.registry.getOperation(operationId(request));
  if (!previous) return undefined;
  if (previous.requestHash !== requestHashOf(identity)) {
    return problem({ status: 422, title: 'Idempotency key reused', detail: `Idempotency-Key ${request.idempotencyKey} was used with a different request (operation ${previous.id})` });
  }
  // Its start failed and the caller was told to retry: this is that retry, not a replay.
  if (previous.notStarted) return undefined;
  return accepted(previous.id, previous.clusterName, previous.status);
}

/**
 * Starts the operation. Routes ask `replayed` first (before their own checks), so a request
 * reaching here with a key is its first: two sent at once meet at the lock.
 */
export async function acceptOperation(request: ApiRequest, deps: ApiDeps, start: OperationToStart): Promise<APIGatewayProxyResult> {
  const requestHash = requestHashOf(start);
  const operation: Operation = {
    id: operationId(request),
    type: start.type,
    ...(start.action ? { action: start.action } : {}),
    cluster: { name: start.clusterName, region: deps.settings.region(), account: request.account },
    requestedBy: request.caller,
    requestedAt: deps.clock().toISOString(),
  };

  try {
    await start.lock(operation);
  } catch (error) {
    // The same key sent twice at once: the other request holds the lock for this very operation,
    // and answers for it once its record exists.
    if (error instanceof ClusterBusyError && error.runningOperationId === operation.id) {
      const record = await deps.registry.getOperation(operation.id);
      if (record) return accepted(record.id, record.clusterName, record.status);
    }
    if (error instanceof ClusterBusyError) return problem({ status: 409, title: 'Cluster busy', detail: error.message, runningOperationId: error.runningOperationId, links: { runningOperation: `/operations/${error.runningOperationId}` } });
    if (error instanceof ClusterExistsError || error instanceof ClusterChangedError) return problem({ status: 409, title: error instanceof ClusterExistsError ? 'Cluster exists' : 'Cluster changed', detail: error.message });
    throw error;
  }
  try {
    await deps.registry.putOperation({
      id: operation.id,
      type: operation.type,
      ...(operation.action ? { action: operation.action } : {}),
      clusterName: start.clusterName,
      clusterOwner: start.clusterOwner ?? operation.requestedBy,
      ...(start.clusterStatusBefore ? { clusterStatusBefore: start.clusterStatusBefore } : {}),
      stateMachineArn: start.stateMachineArn,
      status: 'ACCEPTED',
      phase: 'Accepted',
      requestedBy: operation.requestedBy,
      requestedAt: operation.requestedAt,
      updatedAt: operation.requestedAt,
      steps: {},
      requestHash,
    });
  } catch (error) {
    // No record, no event: nothing was accepted. The lock goes back.
    await start.unlock(operation);
    throw error;
  }
  // ACCEPTED goes out before the execution starts, so it is always the operation's first event;
  // like every progress event it is best effort: the record says ACCEPTED either way.
  await publishProgress(deps, statusEvent(operation, { status: 'ACCEPTED', phase: 'Accepted' }, deps.clock()));
  let executionArn: string;
  try {
    executionArn = await deps.workflows.start(start.stateMachineArn, operation.id, start.executionInput(operation));
  } catch (error) {
    // Nothing was started: the lock goes back and the record says so, so that the retry the
    // answer asks for (the same Idempotency-Key) starts it rather than replaying a failure.
    await start.unlock(operation);
    await deps.registry.markNotStarted(operation.id);
    throw error;
  }
  try {
    await deps.registry.setExecution(operation.id, executionArn);
  } catch (error) {
    // The execution runs and holds the lock: only the ARN on the record is missing (it is named by the operation id).
    logger.warn('could not record the execution ARN', { operationId: operation.id, errorName: (error as Error).name });
  }
  return accepted(operation.id, start.clusterName, 'ACCEPTED');
}

function accepted(operationId: string, clusterName: string, status: string): APIGatewayProxyResult {
  return json(202, { operationId, cluster: clusterName, status, links: { operation: `/operations/${operationId}` } }, { location: `/operations/${operationId}` });
}
