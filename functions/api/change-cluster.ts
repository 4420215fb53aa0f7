/**
 * The update routes, one per change action (CHANGE_ROUTES, checked complete by the compiler):
 * each request becomes a ChangeRequest, applied to the registered spec and validated as a whole
 * (schema and EKS rules) and against the guardrails in what it changes (a 422 names each problem
 * at its pointer in the body), then update-cluster runs the resulting ClusterChange against the
 * live cluster (docs/architecture.md, Workflows).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ClusterChange, RequestedChangeAction } from '../generated/types';
import { ADDON_FIELDS, applyChange, NODEGROUP_SETTING_FIELDS, pointerInBody, SCALING_FIELDS, SELF_MANAGED_SETTING_FIELDS, UnknownTargetError, type AppliedChange, type ChangeRequest } from '../domain/spec-change';
import { changeGuardrailProblems, specRulesOnly } from '../domain/guardrails';
import { CLUSTER_SETTING_FIELDS, normaliseSpec, type Spec } from '../domain/spec';
import { InvalidSpecError, type SpecProblem } from '../shared/errors';
import { acceptOperation, replayed } from './accept-operation';
import { ownedCluster } from './access';
import { parseObjectBody } from './body';
import { problem } from './problem';
import type { ApiDeps, ApiRequest } from './request';
import type { Route } from './routes';

type Built = { request: ChangeRequest } | { rejected: APIGatewayProxyResult };

interface ChangeRoute extends Omit<Route, 'handler' | 'operation' | 'success' | 'startsOperation'> {
  /** What the body must be, in a 400's words; absent: the route takes no body. */
  expects?: string;
  /** Checks beyond the body's schema that the spec cannot express once merged into it. */
  check?: (body: Record<string, unknown>) => { detail: string; errors: SpecProblem[] } | undefined;
  /** What the route's query parameters (`query`, checked by admission) add to the request. */
  options?: (query: ApiRequest['query']) => Pick<ChangeRequest, 'preserve' | 'selfManaged'>;
}

/**
 * A PATCH route's body: some of `fields`, each with the schema it has in the spec (the merged spec
 * is validated as a whole afterwards), and the 422 naming any other field, or an empty body.
 */
function partialBody(fields: readonly string[], schemaOf: (field: string) => string, description: string, where: string): Pick<ChangeRoute, 'body' | 'expects' | 'check'> {
  const list = fields.join(', ');
  const schema = { type: 'object', additionalProperties: false, minProperties: 1, properties: Object.fromEntries(fields.map((field) => [field, { $ref: schemaOf(field) }])) };
  return {
    body: { description, schema: { inline: schema } },
    expects: `a JSON object with some of ${list}`,
    check: (body) => {
      const unknown = Object.keys(body).filter((field) => !fields.includes(field));
      if (unknown.length > 0) return { detail: `only ${list} can be changed ${where}`, errors: unknown.map((field) => ({ pointer: `/${field}`, message: `is not changeable ${where} (${list})` })) };
      if (Object.keys(body).length === 0) return { detail: 'nothing to change', errors: [{ pointer: '', message: `must give at least one of ${list}` }] };
      return undefined;
    },
  };
}

export const CHANGE_ROUTES: Record<RequestedChangeAction, ChangeRoute> = {
  SET_ENDPOINT_ACCESS: {
    method: 'PUT', path: '/clusters/{name}/endpoint-access', operationId: 'setEndpointAccess', summary: 'Switch the API endpoint: public, private, both, and the public CIDRs',
    body: { description: 'The endpoint access wanted', schema: { definition: 'EndpointAccess' } }, expects: 'a JSON endpointAccess object ({"public": …, "private": …, "publicAccessCidrs": […]})',
  },
  ADD_NODEGROUP: {
    method: 'POST', path: '/clusters/{name}/nodegroups', operationId: 'addNodegroup', summary: 'Add a managed nodegroup, or with ?managed=false a self-managed one (its own stack: launch template, Auto Scaling group, node role admitted)',
    body: {
      description: 'The nodegroup, as in managedNodeGroups[] of the cluster spec; with ?managed=false, as in selfManagedNodeGroups[]',
      schema: { inline: { oneOf: [{ $ref: '#/components/schemas/ManagedNodeGroup' }, { $ref: '#/components/schemas/SelfManagedNodeGroup' }] } },
    },
    expects: 'a JSON nodegroup (as in managedNodeGroups[] of the cluster spec, or selfManagedNodeGroups[] with ?managed=false)',
    query: [{ name: 'managed', description: "false: a self-managed nodegroup (eksctl's --managed=false), the body as in selfManagedNodeGroups[]. Default true.", schema: { type: 'boolean' } }],
    options: (query) => (query.managed === 'false' ? { selfManaged: true } : {}),
  },
  UPDATE_NODEGROUP: {
    method: 'PATCH', path: '/clusters/{name}/nodegroups/{nodegroup}', operationId: 'updateNodegroup', summary: "Change a running nodegroup: sizes, labels, taints, update config, AMI release version, instance type (one, through its launch template); a self-managed one's sizes, AMI, labels and taints (its nodes then replaced one at a time, each drained first)",
    ...partialBody(
      [...SCALING_FIELDS, ...NODEGROUP_SETTING_FIELDS, ...SELF_MANAGED_SETTING_FIELDS.filter((field) => !(NODEGROUP_SETTING_FIELDS as readonly string[]).includes(field))],
      (field) => `#/components/schemas/${field === 'ami' ? 'SelfManagedNodeGroup' : 'ManagedNodeGroup'}/properties/${field}`,
      'The settings to change, as in managedNodeGroups[] (or selfManagedNodeGroups[]) of the cluster spec; labels and taints given replace the whole set',
      'on a running nodegroup',
    ),
  },
  UPDATE_SETTINGS: {
    method: 'PATCH', path: '/clusters/{name}', operationId: 'updateClusterSettings', summary: "Change the running cluster's settings: logging, tags, deletion protection, upgrade policy, zonal shift, authentication mode, secrets encryption, maintenance (unattended upgrades), Auto Mode, the IAM OIDC provider (iam.withOIDC)",
    ...partialBody(CLUSTER_SETTING_FIELDS, (field) => `#/components/schemas/ClusterSpec/properties/${field}`, 'The settings to change, as in the cluster spec; tags given replace the whole set of your tags', 'with PATCH /clusters/{name}'),
  },
  ADD_ADDON: {
    method: 'POST', path: '/clusters/{name}/addons', operationId: 'addAddon', summary: 'Install an EKS add-on (at the version asked, or EKS\'s default for the cluster\'s Kubernetes version)',
    body: { description: 'The add-on, as in addons[] of the cluster spec', schema: { definition: 'Addon' } }, expects: 'a JSON add-on (as in addons[] of the cluster spec)',
  },
  UPDATE_ADDON: {
    method: 'PATCH', path: '/clusters/{name}/addons/{addon}', operationId: 'updateAddon', summary: "Change an add-on's version or configuration values (only what differs from the live add-on is sent to EKS)",
    ...partialBody(ADDON_FIELDS, (field) => `#/components/schemas/Addon/properties/${field}`, 'The fields to change', 'on an add-on'),
  },
  REMOVE_ADDON: {
    method: 'DELETE', path: '/clusters/{name}/addons/{addon}', operationId: 'removeAddon', summary: 'Remove an add-on (with ?preserve=true its Kubernetes resources stay on the cluster)',
    query: [{ name: 'preserve', description: "true: EKS stops managing the add-on but leaves its Kubernetes resources on the cluster (DeleteAddon's preserve).", schema: { type: 'boolean' } }],
    options: (query) => (query.preserve === 'true' ? { preserve: true } : {}),
  },
  REMOVE_NODEGROUP: { method: 'DELETE', path: '/clusters/{name}/nodegroups/{nodegroup}', operationId: 'removeNodegroup', summary: "Remove a nodegroup (a self-managed one's nodes are cordoned and drained first, honouring PodDisruptionBudgets)" },
  ADD_FARGATE_PROFILE: {
    method: 'POST', path: '/clusters/{name}/fargate-profiles', operationId: 'addFargateProfile', summary: 'Add a Fargate profile',
    body: { description: 'The profile, as in fargateProfiles[] of the cluster spec', schema: { definition: 'FargateProfile' } }, expects: 'a JSON Fargate profile (as in fargateProfiles[] of the cluster spec)',
  },
  REMOVE_FARGATE_PROFILE: { method: 'DELETE', path: '/clusters/{name}/fargate-profiles/{profile}', operationId: 'removeFargateProfile', summary: 'Remove a Fargate profile' },
  ADD_ACCESS_ENTRY: {
    method: 'POST', path: '/clusters/{name}/access-entries', operationId: 'addAccessEntry', summary: 'Give an IAM principal access: an EKS access entry, or an aws-auth identity mapping',
    body: { description: 'An access entry ({"principalArn": …}) or an aws-auth identity mapping ({"arn": …})', schema: { inline: { oneOf: [{ $ref: '#/components/schemas/AccessEntry' }, { $ref: '#/components/schemas/IdentityMapping' }] } } },
    expects: 'a JSON access entry ({"principalArn": …}) or aws-auth identity mapping ({"arn": …})',
    check: (body) =>
      'principalArn' in body === 'arn' in body
        ? { detail: 'say which kind of mapping this is', errors: [{ pointer: '', message: 'must have either principalArn (an EKS access entry) or arn (an aws-auth identity mapping), not both' }] }
        : undefined,
  },
  ADD_POD_IDENTITY_ASSOCIATION: {
    method: 'POST', path: '/clusters/{name}/pod-identity-associations', operationId: 'addPodIdentityAssociation', summary: 'Give a service account an IAM role through EKS Pod Identity (an existing roleArn, or a role made with permissionPolicyArns)',
    body: { description: 'The association, as in podIdentityAssociations[] of the cluster spec', schema: { definition: 'PodIdentityAssociation' } }, expects: 'a JSON Pod Identity association (as in podIdentityAssociations[] of the cluster spec)',
  },
  REMOVE_POD_IDENTITY_ASSOCIATION: {
    method: 'DELETE', path: '/clusters/{name}/pod-identity-associations/{namespace}/{serviceAccount}', operationId: 'removePodIdentityAssociation', summary: "Remove a service account's Pod Identity association (and the role the service made for it after provisioning)",
  },
  REMOVE_ACCESS_ENTRY: {
    method: 'DELETE', path: '/clusters/{name}/access-entries/{principalArn}', operationId: 'removeAccessEntry', summary: "Remove a principal's access entry or aws-auth mapping (the ARN percent-encoded)",
    greedyParam: 'principalArn',
  },
};

/** The change routes as the router and the OpenAPI document take them; `accepted` is every operation route's 202. */
export function changeRoutes(accepted: Route['success']): Route[] {
  return (Object.entries(CHANGE_ROUTES) as Array<[RequestedChangeAction, ChangeRoute]>).map(([action, { expects, check, options, ...route }]) => ({
    ...route,
    operation: action,
    success: accepted,
    startsOperation: true,
    // Several path parameters after the name (namespace, service account) make one target, `/`-joined as the spec keys it.
    handler: (request, deps, name, ...targets) => changeCluster(request, deps, name!, () => buildRequest(request, action, targets.length > 0 ? targets.join('/') : undefined, { expects, check, options })),
  }));
}

function buildRequest(request: ApiRequest, action: RequestedChangeAction, target: string | undefined, { expects, check, options }: Pick<ChangeRoute, 'expects' | 'check' | 'options'>): Built {
  const asked = { action, ...(target !== undefined ? { target } : {}), ...options?.(request.query) };
  if (expects === undefined) return { request: asked };
  const body = parseObjectBody(request, expects);
  if ('rejected' in body) return body;
  const refused = check?.(body.value);
  if (refused) return { rejected: problem({ status: 422, title: 'Invalid change', ...refused }) };
  return { request: { ...asked, body: body.value } };
}

async function changeCluster(request: ApiRequest, deps: ApiDeps, name: string, build: () => Built): Promise<APIGatewayProxyResult> {
  const built = build();
  if ('rejected' in built) return built.rejected;
  const identity = { type: 'UPDATE' as const, action: built.request.action, clusterName: name, fingerprint: built.request };
  const replay = await replayed(request, deps, identity);
  if (replay) return replay;
  const found = await ownedCluster(request, deps, name);
  if ('denied' in found) return found.denied;
  const { cluster } = found;
  // A held lock is answered by acceptOperation: a replay of the holder, or 409 naming it.
  if (!cluster.lockedBy && cluster.status !== 'ACTIVE') return problem({ status: 409, title: 'Cluster not changeable', detail: `cluster ${name} is ${cluster.status}; only an ACTIVE cluster can be changed (a FAILED one can be deleted)` });

  const planned = desiredAfter(cluster.spec as Spec, built.request, deps);
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
function desiredAfter(current: Spec, asked: ChangeRequest, deps: ApiDeps): { change: ClusterChange; desired: Spec } | { rejected: APIGatewayProxyResult } {
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
  errors = [...(applied.problems ?? []), ...errors];
  if (errors.length > 0) {
    const inBody = errors.map((p) => ({ ...p, pointer: pointerInBody(p.pointer, applied.bodyPointer) }));
    return { rejected: problem({ status: 422, title: 'Invalid change', detail: `${inBody.length} problem(s) with the cluster after this change`, errors: inBody }) };
  }
  return { change: applied.change(desired!), desired: desired! };
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
