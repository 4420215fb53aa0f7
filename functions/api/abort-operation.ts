/**
 * POST /operations/{id}/abort (admins): stops the operation's execution and settles it: FAILED,
 * its cluster's lock released, one terminal event with `settledBy: "abort"`. A cluster being
 * created or deleted is left FAILED (what was made stays; DELETE it to clean up); a change leaves
 * it ACTIVE. Someone who may not see the operation gets the answer a missing one gets; its owner,
 * not being an admin, 403.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { isTerminal } from '../domain/status-event';
import { executionArnOf } from '../ports/workflows';
import { completeOutcome, settle } from '../listeners/settle';
import { isAdmin, mayUseOperation } from './access';
import { json, problem } from './problem';
import type { ApiDeps, ApiRequest } from './request';

export async function abortOperation(request: ApiRequest, deps: ApiDeps, id: string): Promise<APIGatewayProxyResult> {
  const record = await deps.registry.getOperation(id);
  if (!record || !mayUseOperation(request, deps, record)) return problem({ status: 404, title: 'Operation not found', detail: `no operation ${id}` });
  if (!isAdmin(request, deps)) return problem({ status: 403, title: 'Forbidden', detail: `only an admin may abort operation ${id}` });
  if (isTerminal(record.status)) {
    // Ended already; finish what its outcome may have left undone rather than report twice.
    await completeOutcome(deps, record);
    return problem({ status: 409, title: 'Operation ended', detail: `operation ${id} already ended ${record.status}` });
  }
  const executionArn = record.executionArn ?? (record.stateMachineArn ? executionArnOf(record.stateMachineArn, id) : undefined);
  const reason = `aborted by ${request.caller}`;
  // Stopped first, so no step of it runs on after the outcome; a progress write still in flight is refused by the registry.
  if (executionArn) await deps.workflows.stop(executionArn, 'OperationAborted', reason);
  const settled = await settle(deps, record, { region: deps.settings.region(), account: request.account }, { code: 'OperationAborted', message: `the operation was ${reason}`, resource: `execution ${id}` }, 'abort');
  if (settled.terminalEvent?.settledBy !== 'abort') {
    return problem({ status: 409, title: 'Operation ended', detail: `operation ${id} ended ${settled.status} before it could be aborted` });
  }
  return json(200, { operationId: id, cluster: settled.clusterName, status: settled.status, error: settled.error, settledBy: 'abort', links: { operation: `/operations/${id}` } });
}
