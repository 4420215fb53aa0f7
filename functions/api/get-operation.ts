/** GET /operations/{id}: status, phase, error or outputs, and the step timeline. Owner or admin only. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mayAccess } from '../domain/caller';
import type { ApiDeps, ApiRequest } from './request';
import { json, problem } from './problem';


export async function getOperation(request: ApiRequest, deps: ApiDeps, id: string): Promise<APIGatewayProxyResult> {
  const record = await deps.registry.getOperation(id);
  if (!record) return problem({ status: 404, title: 'Operation not found', detail: `no operation ${id}` });
  if (!mayAccess(request.caller, record.requestedBy, deps.settings.adminPrincipalArns())) {
    return problem({ status: 403, title: 'Forbidden', detail: `operation ${id} belongs to another principal` });
  }
  const { steps, requestHash: _hash, terminalEventSent: _sent, ...rest } = record;
  const timeline = Object.values(steps ?? {}).sort((a, b) => a.at.localeCompare(b.at));
  return json(200, { ...rest, steps: timeline });
}
