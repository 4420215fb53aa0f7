/**
 * POST /clusters: read the body (a cluster spec, or an eksctl ClusterConfig translated into one;
 * JSON or YAML) → validate (schema, EKS rules, guardrails) → `?dryRun=true` answers the plan;
 * otherwise lock the name and start provision-cluster. Bad input never reaches AWS.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { renderClusterTemplate } from '../domain/cluster-template';
import { clusterStackName, ownershipTags } from '../domain/naming';
import { provisioningSteps } from '../domain/plan';
import { looksLikeClusterConfig, pointBack, translateClusterConfig, type ClusterConfigTranslation } from '../domain/eksctl-config';
import { normaliseSpec, type Spec } from '../domain/spec';
import { ClusterBusyError, ClusterExistsError, InvalidSpecError } from '../shared/errors';
import { acceptOperation, replayed } from './accept-operation';
import { mayUse } from './access';
import { json, problem } from './problem';
import { parseBody } from './body';
import type { ApiDeps, ApiRequest } from './request';

export async function createCluster(request: ApiRequest, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const body = parseBody(request, 'a cluster spec (see schemas/cluster-spec.schema.json) or an eksctl ClusterConfig, as JSON or YAML');
  if ('rejected' in body) return body.rejected;
  const requested = specOf(body.value, deps);
  if ('rejected' in requested) return requested.rejected;
  let spec: Spec;
  try {
    spec = normaliseSpec(requested.spec, deps.settings.guardrails());
  } catch (error) {
    if (!(error instanceof InvalidSpecError)) throw error;
    if (requested.origins) {
      // The caller wrote a ClusterConfig: point at its fields, not the translation's.
      const origins = requested.origins;
      return problem({ status: 422, title: 'Invalid cluster spec', detail: `${error.problems.length} problem(s) in the cluster spec translated from the ClusterConfig (pointers are into the ClusterConfig)`, errors: error.problems.map((p) => pointBack(p, origins)) });
    }
    return problem({ status: 422, title: 'Invalid cluster spec', detail: `${error.problems.length} problem(s) in the cluster spec`, errors: error.problems });
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

/**
 * The cluster spec a body asks for: the body itself, or the translation of an eksctl
 * ClusterConfig, with where each of its fields came from. A ClusterConfig with fields the service
 * cannot honour is a 422 naming every one of them.
 */
function specOf(body: unknown, deps: ApiDeps): { spec: unknown; origins?: ClusterConfigTranslation['origins'] } | { rejected: APIGatewayProxyResult } {
  if (!looksLikeClusterConfig(body)) return { spec: body };
  const translation = translateClusterConfig(body, { region: deps.settings.region() });
  if (translation.refusals.length > 0) {
    return {
      rejected: problem({
        status: 422,
        title: 'Unsupported ClusterConfig fields',
        detail: `${translation.refusals.length} field(s) of the eksctl ClusterConfig cannot be honoured (docs/eksctl-config.md lists what is)`,
        errors: translation.refusals,
      }),
    };
  }
  return { spec: translation.spec, origins: translation.origins };
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
    template: canRender ? renderClusterTemplate({ spec, stackName, tags, kubeAgentCode: deps.settings.kubeAgentCode(), permissionsBoundaryArn: deps.settings.permissionsBoundaryArn(), podRoleBoundaryArn: deps.settings.podRoleBoundaryArn() }) : null,
  };
}
