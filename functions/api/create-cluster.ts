/**
 * POST /clusters: validate → lock the name in the registry → start the provisioning execution
 * named by the operation id → 202 with the operation. Bad input never reaches AWS.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Operation } from '../generated/types';
import { renderClusterTemplate } from '../domain/cluster-template';
import { initialEndpointAccess } from '../domain/endpoint-access';
import { clusterStackName, ownershipTags } from '../domain/naming';
import { provisioningSteps } from '../domain/plan';
import { normaliseSpec, type Spec } from '../domain/spec';
import { statusEvent } from '../domain/status-event';
import type { ApiDeps, ApiRequest } from './request';
import { ClusterBusyError, ClusterExistsError, InvalidSpecError } from '../shared/errors';
import { reportOutcome } from '../shared/progress';
import { json, problem } from './problem';


export async function createCluster(request: ApiRequest, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  let body: unknown;
  try {
    body = JSON.parse(request.body ?? '');
  } catch {
    return problem({ status: 400, title: 'Malformed request', detail: 'the body must be a JSON cluster spec (see schemas/cluster-spec.schema.json)' });
  }
  let spec: Spec;
  try {
    spec = normaliseSpec(body, deps.settings.guardrails());
  } catch (error) {
    if (error instanceof InvalidSpecError) return problem({ status: 422, title: 'Invalid cluster spec', detail: `${error.problems.length} problem(s) in the cluster spec`, errors: error.problems });
    throw error;
  }
  if (request.query.dryRun === 'true') return json(200, dryRun(spec, request));

  const requestHash = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
  const operation: Operation = {
    id: request.idempotencyKey ? `op-${createHash('sha256').update(`${request.caller}\u0000${request.idempotencyKey}`).digest('hex').slice(0, 32)}` : `op-${randomUUID()}`,
    type: 'CREATE',
    cluster: { name: spec.name, region: deps.settings.region(), account: request.account },
    requestedBy: request.caller,
    requestedAt: deps.clock().toISOString(),
  };

  if (request.idempotencyKey) {
    const previous = await deps.registry.getOperation(operation.id);
    if (previous && previous.requestHash !== requestHash) {
      return problem({ status: 422, title: 'Idempotency key reused', detail: `Idempotency-Key ${request.idempotencyKey} was used with a different request (operation ${previous.id})` });
    }
    if (previous) return accepted(previous.id, previous.clusterName, previous.status);
  }

  try {
    await deps.registry.beginCreate(operation, spec);
  } catch (error) {
    if (error instanceof ClusterBusyError) return problem({ status: 409, title: 'Cluster busy', detail: error.message, runningOperationId: error.runningOperationId });
    if (error instanceof ClusterExistsError) return problem({ status: 409, title: 'Cluster exists', detail: error.message });
    throw error;
  }
  await deps.registry.putOperation({
    id: operation.id,
    type: operation.type,
    clusterName: spec.name,
    status: 'ACCEPTED',
    phase: 'Accepted',
    requestedBy: operation.requestedBy,
    requestedAt: operation.requestedAt,
    updatedAt: operation.requestedAt,
    steps: {},
    requestHash,
  });
  // ACCEPTED goes out before the execution starts, so it is always the operation's first event.
  await deps.events.publish(statusEvent(operation, { status: 'ACCEPTED', phase: 'Accepted' }, deps.clock()));
  try {
    const executionArn = await deps.workflows.start(deps.settings.provisionStateMachineArn(), operation.id, { operation, spec });
    await deps.registry.setExecution(operation.id, executionArn);
  } catch (error) {
    // Nothing was made: free the name and end the accepted operation with its one terminal event.
    await deps.registry.abandonCreate(operation);
    await reportOutcome(deps, operation, { status: 'FAILED', phase: 'Accepted', error: { code: (error as Error).name, message: (error as Error).message } }, 'ROLLED_BACK');
    throw error;
  }
  return accepted(operation.id, spec.name, 'ACCEPTED');
}

function accepted(operationId: string, clusterName: string, status: string): APIGatewayProxyResult {
  return json(202, { operationId, cluster: clusterName, status, links: { operation: `/operations/${operationId}` } }, { location: `/operations/${operationId}` });
}

/** The plan a platform engineer reviews: normalised spec, ordered steps and the exact template. */
function dryRun(spec: Spec, request: ApiRequest) {
  const stackName = clusterStackName(spec.name);
  const tags = ownershipTags(spec.tags, { clusterName: spec.name, owner: request.caller, operationId: 'dry-run' });
  const canRender = !spec.network.subnets;
  return {
    spec,
    stackName,
    steps: provisioningSteps(spec),
    initialEndpointAccess: initialEndpointAccess(spec),
    // Existing subnets need their VPC id from EC2, which a dry run does not call.
    template: canRender ? renderClusterTemplate({ spec, stackName, tags, initialEndpointAccess: initialEndpointAccess(spec) }) : null,
  };
}
