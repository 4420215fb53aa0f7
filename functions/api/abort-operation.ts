/**
 * POST /operations/{id}/abort (admins): stops the operation's execution and settles it: FAILED,
 * its cluster's lock released, one terminal event with `settledBy: "abort"`. A cluster being
 * created or deleted is left FAILED (what was made stays; DELETE it to clean up); a change leaves
 * it ACTIVE. Aborting again answers the same; an operation that ended otherwise answers 409.
 * Someone who may not see the operation gets the answer a missing one gets; its owner, not being
 * an admin, 403.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { executionArnOf } from '../ports/workflows';
import { settle } from '../listeners/settle';
import { isAdmin, mayUseOperation, operationNotFound } from './access';
import { json, problem } from './problem';
import type { ApiDeps, ApiRequest } from './request';

export async function abortOperation(request: ApiRequest, deps: ApiDeps, id: string): Promise<APIGatewayProxyResult> {
  const record = await deps.registry.getOperation(id);
  if (!record || !mayUseOperation(request, deps, record)) return operationNotFound(id);
  if (!isAdmin(request, deps)) return problem({ status: 403, title: 'Forbidden', detail: `only an admin may abort operation ${id}` });
  const executionArn = record.executionArn ?? (record.stateMachineArn ? executionArnOf(record.stateMachineArn, id) : undefined);
  const reason = `aborted by ${request.caller}`;
  // The outcome is committed first: from then on the registry refuses the execution's progress
  // and any outcome of its own, and the execution-ended listener finds it settled.
  const settled = await settle(deps, record, { region: deps.settings.region(), account: request.account }, { code: 'OperationAborted', message: `the operation was ${reason}`, resource: `execution ${id}` }, 'abort');
  if (settled.terminalEvent?.settledBy !== 'abort') {
    return problem({ status: 409, title: 'Operation ended', detail: `operation ${id} already ended ${settled.status}` });
  }
  // Then no step of it runs on (repeated when the abort is: StopExecution of a stopped execution is a no-op).
  if (executionArn) await deps.workflows.stop(executionArn, 'OperationAborted', reason);
  return json(200, { operationId: id, cluster: settled.clusterName, status: settled.status, error: settled.error, settledBy: 'abort', links: { operation: `/operations/${id}` } });
}
