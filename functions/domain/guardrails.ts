/**
 * Guardrails: the limits a platform team sets on every cluster (schemas/config/guardrails.schema.json).
 * normaliseSpec reports their violations with the spec's other problems, so a caller gets one 422
 * naming each field before any AWS call. resolveGuardrails is the one check of the configuration
 * itself, shared by the functions (env GUARDRAILS, at cold start) and the CDK stack (at synth).
 */
import type { ErrorObject } from 'ajv';
import type { Guardrails } from '../generated/types';
import { validateGuardrails } from '../generated/validators';
import type { SpecProblem } from '../shared/errors';
import { cidrContains, cidrProblem } from './cidr';
import { SERVICE_TAG_PREFIX } from './naming';
import type { Spec } from './spec';
import { escapePointer } from './spec-rules';

export type { Guardrails };

/** Guardrails with their defaults applied: what the checks read. */
export type ResolvedGuardrails = Guardrails & Required<Pick<Guardrails, 'kubernetesVersions' | 'defaultKubernetesVersion'>>;

/**
 * AWS managed policies that administer IAM, the organization or the account. Never allowed on a node
 * role, whatever the configuration says: every pod on the node could use them (through IMDS) to make
 * itself an administrator.
 */
const ADMINISTRATION_POLICIES = ['AdministratorAccess', 'IAMFullAccess', 'AWSOrganizationsFullAccess', 'AWSAccountManagementFullAccess'];

export type GuardrailsResolution = { guardrails: ResolvedGuardrails; problems?: undefined } | { guardrails?: undefined; problems: SpecProblem[] };

/**
 * Applies the defaults (the schema's, then the default version: the newest allowed) and checks what
 * the schema cannot. Problems point into the configuration, e.g. /maxNodesPerCluster "must be integer".
 */
export function resolveGuardrails(input: unknown): GuardrailsResolution {
  const candidate = structuredClone(input ?? {});
  if (!validateGuardrails(candidate)) return { problems: configSchemaProblems(validateGuardrails.errors ?? []) };
  const guardrails = candidate as Guardrails & Required<Pick<Guardrails, 'kubernetesVersions'>>;
  const versions = guardrails.kubernetesVersions;
  const defaultKubernetesVersion = guardrails.defaultKubernetesVersion ?? newest(versions);
  const problems: SpecProblem[] = [];
  if (!versions.includes(defaultKubernetesVersion)) {
    problems.push({ pointer: '/defaultKubernetesVersion', message: `${defaultKubernetesVersion} must be one of kubernetesVersions (${versions.join(', ')})` });
  }
  guardrails.publicAccessCidrs?.forEach((cidr, i) => {
    const problem = cidrProblem(cidr);
    if (problem) problems.push({ pointer: `/publicAccessCidrs/${i}`, message: problem });
  });
  guardrails.requiredTags?.forEach((key, i) => {
    // Callers may not set the service's ownership tags, so requiring one would refuse every spec.
    if (key.startsWith(SERVICE_TAG_PREFIX)) problems.push({ pointer: `/requiredTags/${i}`, message: `${key} cannot be required: tag keys starting with ${SERVICE_TAG_PREFIX} are set by the service, never by callers` });
  });
  guardrails.allowedNodePolicyArns?.forEach((arn, i) => {
    const name = ADMINISTRATION_POLICIES.find((policy) => arn.endsWith(`:iam::aws:policy/${policy}`));
    if (name) problems.push({ pointer: `/allowedNodePolicyArns/${i}`, message: `${name} cannot be allowed on node roles: it administers IAM, the organization or the account, and every pod on the node could use it` });
  });
  guardrails.allowedPodPolicyArns?.forEach((arn, i) => {
    const name = ADMINISTRATION_POLICIES.find((policy) => arn.endsWith(`:iam::aws:policy/${policy}`));
    if (name) problems.push({ pointer: `/allowedPodPolicyArns/${i}`, message: `${name} cannot be allowed on Pod Identity roles: it administers IAM, the organization or the account, and any pod of the service account could use it` });
  });
  return problems.length > 0 ? { problems } : { guardrails: { ...guardrails, defaultKubernetesVersion } };
}

/** Every guardrail the spec breaks, one problem per violation, pointing at the offending field. */
export function guardrailProblems(spec: Spec, guardrails: ResolvedGuardrails): SpecProblem[] {
  return [...versionProblems(spec, guardrails), ...instanceTypeProblems(spec, guardrails), ...nodeCountProblems(spec, guardrails), ...publicAccessProblems(spec, guardrails), ...requiredTagProblems(spec, guardrails), ...nodePolicyProblems(spec, guardrails), ...podPolicyProblems(spec, guardrails)];
}

/** Both kinds of nodegroup, with the pointer of their list: the guardrails on nodes hold for each alike. */
function nodegroupLists(spec: Spec): Array<{ at: string; nodegroups: Array<Pick<Spec['managedNodeGroups'][number], 'instanceTypes' | 'maxSize' | 'iam'>> }> {
  return [
    { at: '/managedNodeGroups', nodegroups: spec.managedNodeGroups },
    { at: '/selfManagedNodeGroups', nodegroups: spec.selfManagedNodeGroups ?? [] },
  ];
}

/** The most nodes the cluster's nodegroups of both kinds may grow to. */
function nodeTotal(spec: Spec): number {
  return nodegroupLists(spec).reduce((sum, { nodegroups }) => nodegroups.reduce((inner, ng) => inner + ng.maxSize, sum), 0);
}

/** "m5.large" allows exactly that type; "m5.*" the m5 family; "t3*" every type starting with t3 (t3, t3a). */
export function instanceTypeAllowed(instanceType: string, allowed: readonly string[]): boolean {
  return allowed.some((pattern) => (pattern.endsWith('*') ? instanceType.startsWith(pattern.slice(0, -1)) : instanceType === pattern));
}

function versionProblems(spec: Spec, guardrails: ResolvedGuardrails): SpecProblem[] {
  if (guardrails.kubernetesVersions.includes(spec.version)) return [];
  return [{ pointer: '/version', message: `Kubernetes ${spec.version} is not an allowed version (guardrail kubernetesVersions: ${guardrails.kubernetesVersions.join(', ')})` }];
}

function instanceTypeProblems(spec: Spec, guardrails: ResolvedGuardrails): SpecProblem[] {
  const allowed = guardrails.instanceTypes;
  if (!allowed) return [];
  return nodegroupLists(spec).flatMap(({ at, nodegroups }) =>
    nodegroups.flatMap((ng, i) =>
      ng.instanceTypes.flatMap((type, t) =>
        instanceTypeAllowed(type, allowed) ? [] : [{ pointer: `${at}/${i}/instanceTypes/${t}`, message: `${type} is not an allowed instance type (guardrail instanceTypes: ${allowed.join(', ')})` }],
      ),
    ),
  );
}

function nodeCountProblems(spec: Spec, guardrails: ResolvedGuardrails): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const perNodegroup = guardrails.maxNodesPerNodegroup;
  if (perNodegroup !== undefined) {
    for (const { at, nodegroups } of nodegroupLists(spec)) {
      nodegroups.forEach((ng, i) => {
        if (ng.maxSize > perNodegroup) problems.push({ pointer: `${at}/${i}/maxSize`, message: `maxSize ${ng.maxSize} is above the nodegroup limit (guardrail maxNodesPerNodegroup: ${perNodegroup})` });
      });
    }
  }
  const perCluster = guardrails.maxNodesPerCluster;
  // maxSize, not desiredSize: the autoscaler may grow every nodegroup to its maximum.
  const total = nodeTotal(spec);
  if (perCluster !== undefined && total > perCluster) {
    problems.push({ pointer: spec.managedNodeGroups.length > 0 ? '/managedNodeGroups' : '/selfManagedNodeGroups', message: `the nodegroups' maxSize adds up to ${total} nodes, above the cluster limit (guardrail maxNodesPerCluster: ${perCluster})` });
  }
  return problems;
}

function publicAccessProblems(spec: Spec, guardrails: ResolvedGuardrails): SpecProblem[] {
  const allowed = guardrails.publicAccessCidrs;
  if (!allowed || !spec.endpointAccess.public) return [];
  return spec.endpointAccess.publicAccessCidrs.flatMap((cidr, i) => {
    // A malformed block is the spec rules' to report; containment means nothing for it.
    if (cidrProblem(cidr) || allowed.some((outer) => cidrContains(outer, cidr))) return [];
    const what = cidr === '0.0.0.0/0' ? '0.0.0.0/0 (the whole internet; also what a public endpoint without publicAccessCidrs gets)' : cidr;
    return [{ pointer: `/endpointAccess/publicAccessCidrs/${i}`, message: `${what} is not inside the allowed public access CIDRs (guardrail publicAccessCidrs: ${allowed.join(', ')})` }];
  });
}

function requiredTagProblems(spec: Spec, guardrails: ResolvedGuardrails): SpecProblem[] {
  const required = guardrails.requiredTags ?? [];
  const named = `(guardrail requiredTags: ${required.join(', ')})`;
  return required.flatMap((key) => {
    const value = spec.tags[key];
    if (value === undefined) return [{ pointer: '/tags', message: `tag ${key} is required ${named}` }];
    if (value.trim() === '') return [{ pointer: `/tags/${escapePointer(key)}`, message: `tag ${key} must have a non-empty value ${named}` }];
    return [];
  });
}

function nodePolicyProblems(spec: Spec, guardrails: ResolvedGuardrails): SpecProblem[] {
  const allowed = guardrails.allowedNodePolicyArns;
  if (!allowed) return [];
  const named = allowed.length > 0 ? `(guardrail allowedNodePolicyArns: ${allowed.join(', ')})` : '(guardrail allowedNodePolicyArns allows none)';
  return nodegroupLists(spec).flatMap(({ at, nodegroups }) =>
    nodegroups.flatMap((ng, i) =>
      (ng.iam?.additionalPolicyArns ?? []).flatMap((arn, p) =>
        allowed.includes(arn) ? [] : [{ pointer: `${at}/${i}/iam/additionalPolicyArns/${p}`, message: `${arn} is not a policy nodes may have ${named}` }],
      ),
    ),
  );
}

/** Like nodePolicyProblems, for the roles the service makes for service accounts (resolved, the guardrail defaults to none allowed). */
function podPolicyProblems(spec: Spec, guardrails: ResolvedGuardrails): SpecProblem[] {
  const allowed = guardrails.allowedPodPolicyArns;
  if (!allowed) return [];
  const named = allowed.length > 0 ? `(guardrail allowedPodPolicyArns: ${allowed.join(', ')})` : '(guardrail allowedPodPolicyArns allows none: ask the platform team to list it, or give a roleArn made and vetted yourself)';
  return spec.podIdentityAssociations.flatMap((association, i) =>
    (association.permissionPolicyArns ?? []).flatMap((arn, p) =>
      allowed.includes(arn) ? [] : [{ pointer: `/podIdentityAssociations/${i}/permissionPolicyArns/${p}`, message: `${arn} is not a policy pods may have ${named}` }],
    ),
  );
}

function newest(versions: readonly string[]): string {
  const minor = (version: string) => Number(version.split('.')[1]);
  return versions.reduce((a, b) => (minor(b) > minor(a) ? b : a));
}

/** Ajv's errors as pointers into the configuration and the rule broken ("/maxNodesPerCluster", "must be integer"). */
function configSchemaProblems(errors: ErrorObject[]): SpecProblem[] {
  return errors.map((error) =>
    error.keyword === 'additionalProperties'
      ? { pointer: `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`, message: 'is not a known guardrail (see schemas/config/guardrails.schema.json)' }
      : { pointer: error.instancePath, message: error.message ?? 'is invalid' },
  );
}

/** Only the spec rules: what a cluster that already exists is normalised with, its guardrails judged by the change (below). */
export function specRulesOnly(spec: Pick<Spec, 'version'>): ResolvedGuardrails {
  return { kubernetesVersions: [spec.version], defaultKubernetesVersion: spec.version };
}

/**
 * The guardrails a change breaks, judged by what it sets (`changed`: the item it adds, the sizes
 * it scales, the endpoint access) and by the cluster's node total when it grows. What the cluster
 * already broke before a guardrail was tightened (its version, a tag, another nodegroup's type)
 * does not refuse a change that leaves it as it was: it can still be scaled down or trimmed.
 */
export function changeGuardrailProblems(before: Spec, after: Spec, changed: readonly string[], guardrails: ResolvedGuardrails): SpecProblem[] {
  return guardrailProblems(after, guardrails).filter(
    (problem) => changed.some((pointer) => problem.pointer === pointer || problem.pointer.startsWith(`${pointer}/`)) || (['/managedNodeGroups', '/selfManagedNodeGroups'].includes(problem.pointer) && nodeTotal(after) > nodeTotal(before)),
  );
}
