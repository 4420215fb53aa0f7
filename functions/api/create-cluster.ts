/**
 * POST /clusters: validate (schema, EKS rules, guardrails) → `?dryRun=true` answers the plan;
 * otherwise lock the name and start provision-cluster. Bad input never reaches AWS.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { renderClusterTemplate } from '../domain/cluster-template';
import { clusterStackName, ownershipTags } from '../domain/naming';
import { provisioningSteps } from '../domain/plan';
import { normaliseSpec, type Spec } from '../domain/spec';
import { ClusterBusyError, ClusterExistsError, InvalidSpecError } from '../shared/errors';
import { acceptOperation, replayed } from './accept-operation';
import { mayUse } from './access';
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
  try {
    return await acceptOperation(request, deps, {
      ...identity,
      stateMachineArn: deps.settings.provisionStateMachineArn(),
      lock: async (operation) => {
        try {
          await deps.registry.beginCreate(operation, spec);
        } catch (error) {
          if ((error instanceof ClusterBusyError || error instanceof ClusterExistsError) && !(await holdsName(request, deps, spec.name))) throw new NameTakenError(spec.name);
          throw error;
        }
      },
      unlock: async (operation) => {
        await deps.registry.abandonCreate(operation);
        return 'ROLLED_BACK';
      },
      executionInput: (operation) => ({ operation, spec }),
    });
  } catch (error) {
    // Another team's cluster: that the name is taken, and nothing about the cluster (its status, owner or running operation).
    if (error instanceof NameTakenError) return problem({ status: 409, title: 'Cluster exists', detail: `the name ${spec.name} is taken; choose another` });
    throw error;
  }
}

/** The name is held by someone else's cluster: the caller learns only that it is taken. */
class NameTakenError extends Error {
  override name = 'NameTakenError';
  constructor(clusterName: string) {
    super(`the name ${clusterName} is taken`);
  }
}

/** Whether the cluster holding the name is the caller's (or the caller is an admin): they see its status and running operation. */
async function holdsName(request: ApiRequest, deps: ApiDeps, name: string): Promise<boolean> {
  const holder = await deps.registry.getCluster(name);
  return holder === undefined || mayUse(request, deps, holder.owner);
}

/** The plan a platform engineer reviews: normalised spec, ordered steps and the exact template. */
function dryRun(spec: Spec, request: ApiRequest, deps: ApiDeps) {
  const stackName = clusterStackName(spec.name);
  const tags = ownershipTags(spec.tags, { clusterName: spec.name, owner: request.caller, operationId: 'dry-run' });
  const canRender = !spec.network.subnets;
  return {
    spec,
    stackName,
    steps: provisioningSteps(spec, request.caller),
    // Existing subnets need their VPC id from EC2, which a dry run does not call.
    template: canRender ? renderClusterTemplate({ spec, stackName, tags, kubeAgentCode: deps.settings.kubeAgentCode(), permissionsBoundaryArn: deps.settings.permissionsBoundaryArn() }) : null,
  };
}
