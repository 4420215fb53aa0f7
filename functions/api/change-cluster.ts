/**
 * The update routes: each request becomes one ClusterChange, applied to the registered spec and
 * validated as a whole (schema and EKS rules) and against the guardrails in what it changes (a
 * 422 names each problem at its pointer in the body), then update-cluster runs it against the
 * live cluster (docs/architecture.md, Workflows).
 *
 *   PUT    /clusters/{name}/endpoint-access          SET_ENDPOINT_ACCESS
 *   POST   /clusters/{name}/nodegroups               ADD_NODEGROUP
 *   PATCH  /clusters/{name}/nodegroups/{ng}          SCALE_NODEGROUP
 *   DELETE /clusters/{name}/nodegroups/{ng}          REMOVE_NODEGROUP
 *   POST   /clusters/{name}/fargate-profiles         ADD_FARGATE_PROFILE
 *   DELETE /clusters/{name}/fargate-profiles/{fp}    REMOVE_FARGATE_PROFILE
 *   POST   /clusters/{name}/access-entries           ADD_ACCESS_ENTRY (access entry or aws-auth mapping)
 *   DELETE /clusters/{name}/access-entries/{arn}     REMOVE_ACCESS_ENTRY
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ClusterChange } from '../generated/types';
import { applyChange, pointerInBody, UnknownTargetError, type AppliedChange } from '../domain/spec-change';
import { changeGuardrailProblems, specRulesOnly } from '../domain/guardrails';
import { normaliseSpec, type Spec } from '../domain/spec';
import { InvalidSpecError, type SpecProblem } from '../shared/errors';
import { acceptOperation, replayed } from './accept-operation';
import { ownedCluster } from './access';
import { parseObjectBody } from './body';
import { problem } from './problem';
import type { ApiDeps, ApiRequest } from './request';

type Built = { change: ClusterChange } | { rejected: APIGatewayProxyResult };

const invalid = (detail: string, errors: SpecProblem[]): { rejected: APIGatewayProxyResult } => ({ rejected: problem({ status: 422, title: 'Invalid change', detail, errors }) });

export const setEndpointAccess = (request: ApiRequest, deps: ApiDeps, name: string) =>
  changeCluster(request, deps, name, () => withBody(request, 'a JSON endpointAccess object ({"public": …, "private": …, "publicAccessCidrs": […]})', (body) => ({ change: { action: 'SET_ENDPOINT_ACCESS', endpointAccess: body } })));

export const addNodegroup = (request: ApiRequest, deps: ApiDeps, name: string) =>
  changeCluster(request, deps, name, () => withBody(request, 'a JSON managed nodegroup (as in managedNodeGroups[] of the cluster spec)', (body) => ({ change: { action: 'ADD_NODEGROUP', target: String(body.name ?? ''), item: body } })));

const SCALING_FIELDS = new Set(['minSize', 'maxSize', 'desiredSize']);

export const scaleNodegroup = (request: ApiRequest, deps: ApiDeps, name: string, nodegroup: string) =>
  changeCluster(request, deps, name, () =>
    withBody(request, 'a JSON object with minSize, maxSize and/or desiredSize', (body): Built => {
      const unknown = Object.keys(body).filter((field) => !SCALING_FIELDS.has(field));
      if (unknown.length > 0) return invalid('only minSize, maxSize and desiredSize can be changed on a nodegroup', unknown.map((field) => ({ pointer: `/${field}`, message: 'is not a scaling field (minSize, maxSize, desiredSize)' })));
      if (Object.keys(body).length === 0) return invalid('nothing to change', [{ pointer: '', message: 'must give at least one of minSize, maxSize, desiredSize' }]);
      return { change: { action: 'SCALE_NODEGROUP', target: nodegroup, scaling: body as ClusterChange['scaling'] } };
    }),
  );

export const removeNodegroup = (request: ApiRequest, deps: ApiDeps, name: string, nodegroup: string) =>
  changeCluster(request, deps, name, () => ({ change: { action: 'REMOVE_NODEGROUP', target: nodegroup } }));

export const addFargateProfile = (request: ApiRequest, deps: ApiDeps, name: string) =>
  changeCluster(request, deps, name, () => withBody(request, 'a JSON Fargate profile (as in fargateProfiles[] of the cluster spec)', (body) => ({ change: { action: 'ADD_FARGATE_PROFILE', target: String(body.name ?? ''), item: body } })));

export const removeFargateProfile = (request: ApiRequest, deps: ApiDeps, name: string, profile: string) =>
  changeCluster(request, deps, name, () => ({ change: { action: 'REMOVE_FARGATE_PROFILE', target: profile } }));

export const addAccessEntry = (request: ApiRequest, deps: ApiDeps, name: string) =>
  changeCluster(request, deps, name, () =>
    withBody(request, 'a JSON access entry ({"principalArn": …}) or aws-auth identity mapping ({"arn": …})', (body): Built => {
      const isEntry = 'principalArn' in body;
      if (isEntry === 'arn' in body) return invalid('say which kind of mapping this is', [{ pointer: '', message: 'must have either principalArn (an EKS access entry) or arn (an aws-auth identity mapping), not both' }]);
      return { change: { action: 'ADD_ACCESS_ENTRY', target: String(isEntry ? body.principalArn : body.arn), item: body, itemKind: isEntry ? 'accessEntry' : 'identityMapping' } };
    }),
  );

export const removeAccessEntry = (request: ApiRequest, deps: ApiDeps, name: string, principalArn: string) =>
  changeCluster(request, deps, name, () => ({ change: { action: 'REMOVE_ACCESS_ENTRY', target: principalArn } }));

function withBody(request: ApiRequest, expected: string, build: (body: Record<string, unknown>) => Built): Built {
  const body = parseObjectBody(request, expected);
  return 'rejected' in body ? body : build(body.value);
}

async function changeCluster(request: ApiRequest, deps: ApiDeps, name: string, build: () => Built): Promise<APIGatewayProxyResult> {
  const built = build();
  if ('rejected' in built) return built.rejected;
  const identity = { type: 'UPDATE' as const, action: built.change.action, clusterName: name, fingerprint: built.change };
  const replay = await replayed(request, deps, identity);
  if (replay) return replay;
  const found = await ownedCluster(request, deps, name);
  if ('denied' in found) return found.denied;
  const { cluster } = found;
  // A held lock is answered by acceptOperation: a replay of the holder, or 409 naming it.
  if (!cluster.lockedBy && cluster.status !== 'ACTIVE') return problem({ status: 409, title: 'Cluster not changeable', detail: `cluster ${name} is ${cluster.status}; only an ACTIVE cluster can be changed (a FAILED one can be deleted)` });

  const planned = desiredAfter(cluster.spec as Spec, built.change, deps);
  if ('rejected' in planned) return planned.rejected;
  const { change, desired } = planned;

  return acceptOperation(request, deps, {
    ...identity,
    clusterOwner: cluster.owner,
    stateMachineArn: deps.settings.updateStateMachineArn(),
    lock: (operation) => deps.registry.beginOperation(operation, { expectedVersion: cluster.version, from: ['ACTIVE'], to: 'UPDATING' }),
    unlock: async (operation) => {
      await deps.registry.abandonOperation(operation, 'ACTIVE');
      return 'ACTIVE';
    },
    executionInput: (operation) => ({ operation, change, spec: desired }),
  });
}

/** The whole spec after the change, or the 404/422 that says why there is none. */
function desiredAfter(current: Spec, asked: ClusterChange, deps: ApiDeps): { change: ClusterChange; desired: Spec } | { rejected: APIGatewayProxyResult } {
  let applied: AppliedChange;
  try {
    applied = applyChange(current, asked);
  } catch (error) {
    if (error instanceof UnknownTargetError) return { rejected: problem({ status: 404, title: `${capitalise(error.kind)} not found`, detail: error.message }) };
    throw error;
  }
  let desired: Spec;
  let errors: SpecProblem[];
  try {
    desired = normaliseSpec(applied.spec, specRulesOnly(current));
    errors = changeGuardrailProblems(current, desired, applied.changed, deps.settings.guardrails());
  } catch (error) {
    if (!(error instanceof InvalidSpecError)) throw error;
    errors = error.problems;
  }
  if (errors.length > 0) {
    const inBody = errors.map((p) => ({ ...p, pointer: pointerInBody(p.pointer, applied.bodyPointer) }));
    return { rejected: problem({ status: 422, title: 'Invalid change', detail: `${inBody.length} problem(s) with the cluster after this change`, errors: inBody }) };
  }
  // The added item as normalised (defaults applied), which is what the workflow creates.
  const change = asked.item && applied.bodyPointer ? { ...asked, item: itemAt(desired!, applied.bodyPointer) } : asked;
  return { change, desired: desired! };
}

function itemAt(spec: Spec, pointer: string): Record<string, unknown> {
  const [, list, index] = pointer.split('/');
  return (spec as unknown as Record<string, Array<Record<string, unknown>>>)[list!]![Number(index)]!;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
