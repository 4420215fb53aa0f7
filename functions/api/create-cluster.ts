/**
 * POST /clusters: validate (schema, EKS rules, guardrails) → `?dryRun=true` answers the plan;
 * otherwise lock the name and start provision-cluster. Bad input never reaches AWS.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { renderClusterTemplate } from '../domain/cluster-template';
import { initialEndpointAccess } from '../domain/endpoint-access';
import { clusterStackName, ownershipTags } from '../domain/naming';
import { provisioningSteps } from '../domain/plan';
import { normaliseSpec, type Spec } from '../domain/spec';
import { InvalidSpecError } from '../shared/errors';
import { acceptOperation, replayed } from './accept-operation';
import { json, problem } from './problem';
import { parseBody } from './body';
import type { ApiDeps, ApiRequest } from './request';

export async function createCluster(request: ApiRequest, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const body = parseBody(request, 'a JSON cluster spec (see schemas/cluster-spec.schema.json)');
  if ('rejected' in body) return body.rejected;
  let spec: Spec;
  try {
    spec = normaliseSpec(body.value, deps.settings.guardrails());
  } catch (error) {
    if (error instanceof InvalidSpecError) return problem({ status: 422, title: 'Invalid cluster spec', detail: `${error.problems.length} problem(s) in the cluster spec`, errors: error.problems });
    throw error;
  }
  if (request.query.dryRun === 'true') return json(200, dryRun(spec, request, deps));

  const identity = { type: 'CREATE' as const, clusterName: spec.name, fingerprint: spec };
  const replay = await replayed(request, deps, identity);
  if (replay) return replay;
  return acceptOperation(request, deps, {
    ...identity,
    stateMachineArn: deps.settings.provisionStateMachineArn(),
    lock: (operation) => deps.registry.beginCreate(operation, spec),
    unlock: async (operation) => {
      await deps.registry.abandonCreate(operation);
      return 'ROLLED_BACK';
    },
    executionInput: (operation) => ({ operation, spec }),
  });
}

/** The plan a platform engineer reviews: normalised spec, ordered steps and the exact template. */
function dryRun(spec: Spec, request: ApiRequest, deps: ApiDeps) {
  const stackName = clusterStackName(spec.name);
  const tags = ownershipTags(spec.tags, { clusterName: spec.name, owner: request.caller, operationId: 'dry-run' });
  const canRender = !spec.network.subnets;
  return {
    spec,
    stackName,
    steps: provisioningSteps(spec),
    initialEndpointAccess: initialEndpointAccess(spec),
    // Existing subnets need their VPC id from EC2, which a dry run does not call.
    template: canRender ? renderClusterTemplate({ spec, stackName, tags, initialEndpointAccess: initialEndpointAccess(spec), permissionsBoundaryArn: deps.settings.permissionsBoundaryArn() }) : null,
  };
}
