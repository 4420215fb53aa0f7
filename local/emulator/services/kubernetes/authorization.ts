/**
 * What a user may do, decided once for every request (and for `kubectl auth can-i`'s
 * SelfSubjectAccessReviews) from what EKS authorizes with:
 * - system:masters (the CONFIG_MAP bootstrap admin, or an aws-auth mapping into it): everything,
 *   as RBAC's cluster-admin binding gives it.
 * - Access policies of the user's access entry (EKS's webhook authorizer), approximating the
 *   permissions EKS documents for each (it models them on the default user-facing roles):
 *   AmazonEKSClusterAdminPolicy everything; AmazonEKSAdminViewPolicy get/list/watch of everything;
 *   AmazonEKSAdminPolicy and AmazonEKSEditPolicy every verb on namespaced resources;
 *   AmazonEKSViewPolicy get/list/watch of namespaced resources except secrets. A namespace-scoped
 *   association applies to requests inside its namespaces (`dev*` matches by prefix); a
 *   cluster-scoped one to every namespace, to lists across namespaces and, for the last three,
 *   to reading namespaces (not nodes).
 * - What every authenticated user has by Kubernetes' default bindings: discovery, OpenAPI and
 *   /version (system:discovery), and creating self reviews (system:basic-user). Anonymous users
 *   get /version and the health checks (system:public-info-viewer).
 * RBAC objects (Roles, RoleBindings) are not emulated, so a group from aws-auth or an access
 * entry's kubernetesGroups other than system:masters grants nothing here, although a real
 * cluster would honour bindings to it.
 */
import type { KubeUser } from './authentication';
import { resourceNamed } from './resources';
import { StatusError, qualifiedResource } from './status';

export type RequestAttributes =
  | { kind: 'resource'; verb: string; group: string; resource: string; subresource?: string; namespace?: string; name?: string }
  | { kind: 'path'; verb: string; path: string };

export interface Decision {
  allowed: boolean;
  reason: string;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);
const PUBLIC_PATHS = ['/version', '/healthz', '/livez', '/readyz'];
const DISCOVERY_PATHS = [/^\/api(\/.*)?$/, /^\/apis(\/.*)?$/, /^\/openapi(\/.*)?$/];
const SELF_REVIEWS = new Set(['authentication.k8s.io/selfsubjectreviews', 'authorization.k8s.io/selfsubjectaccessreviews', 'authorization.k8s.io/selfsubjectrulesreviews']);

const POLICY_PREFIX = 'arn:aws:eks::aws:cluster-access-policy/';

function inScope(namespaces: string[] | undefined, namespace: string | undefined): boolean {
  if (namespaces === undefined) return true;
  if (namespace === undefined) return false;
  return namespaces.some((pattern) => (pattern.endsWith('*') ? namespace.startsWith(pattern.slice(0, -1)) : pattern === namespace));
}

/** Whether one access policy allows a resource request (scope already checked). */
function policyAllows(policy: string, verb: string, group: string, resource: string, namespaced: boolean, clusterScope: boolean): boolean {
  const read = READ_VERBS.has(verb);
  switch (policy) {
    case 'AmazonEKSClusterAdminPolicy':
      return true;
    case 'AmazonEKSAdminViewPolicy':
      return read;
    case 'AmazonEKSAdminPolicy':
    case 'AmazonEKSEditPolicy':
    case 'AmazonEKSViewPolicy': {
      if (!namespaced) return clusterScope && read && group === '' && resource === 'namespaces';
      if (policy === 'AmazonEKSViewPolicy') return read && !(group === '' && resource === 'secrets');
      if (policy === 'AmazonEKSEditPolicy' && group === 'rbac.authorization.k8s.io') return read;
      return true;
    }
    default:
      return false;
  }
}

export function authorize(user: KubeUser, attributes: RequestAttributes): Decision {
  const deny: Decision = { allowed: false, reason: '' };
  if (attributes.kind === 'path') {
    const path = attributes.path.replace(/\/+$/, '') || '/';
    if (attributes.verb === 'get' && PUBLIC_PATHS.includes(path)) return { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"' };
    if (user.anonymous) return deny;
    if (user.groups.includes('system:masters')) return { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"' };
    if (attributes.verb === 'get' && DISCOVERY_PATHS.some((pattern) => pattern.test(path))) return { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"' };
    const clusterAdmin = user.accessPolicies.find((p) => p.policy === 'AmazonEKSClusterAdminPolicy' && p.namespaces === undefined);
    return clusterAdmin ? { allowed: true, reason: policyReason(user, clusterAdmin.policy) } : deny;
  }
  if (user.anonymous) return deny;
  const { verb, group, resource, namespace } = attributes;
  if (verb === 'create' && SELF_REVIEWS.has(`${group}/${resource}`)) return { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated"' };
  if (user.groups.includes('system:masters')) return { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"' };
  const type = resourceNamed(group, resource);
  const namespaced = type ? type.namespaced : namespace !== undefined;
  for (const grant of user.accessPolicies) {
    if (!inScope(grant.namespaces, namespaced ? namespace : undefined)) continue;
    if (policyAllows(grant.policy, verb, group, resource, namespaced, grant.namespaces === undefined)) {
      return { allowed: true, reason: policyReason(user, grant.policy, grant.namespaces === undefined ? undefined : namespace) };
    }
  }
  return deny;
}

function policyReason(user: KubeUser, policy: string, namespace?: string): string {
  const binding = namespace ? `RoleBinding "${user.extra.canonicalArn?.[0] ?? user.username}/${namespace}"` : `ClusterRoleBinding "${user.extra.canonicalArn?.[0] ?? user.username}"`;
  return `EKS Access Policy: allowed by ${binding} of ClusterRole "${POLICY_PREFIX}${policy}" to User "${user.username}"`;
}

/** The 403 kube-apiserver answers for a denied request, worded as it words it. */
export function forbidden(user: KubeUser, attributes: RequestAttributes): StatusError {
  if (attributes.kind === 'path') {
    return new StatusError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${attributes.verb} path "${attributes.path}"`);
  }
  const { verb, group, resource, subresource, namespace, name } = attributes;
  // The object is named by its resource alone (`pods "x"`); the denied verb's resource carries the subresource.
  const subject = `${qualifiedResource(resource, group)}${name ? ` "${name}"` : ''}`;
  const where = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  return new StatusError(403, 'Forbidden', `${subject} is forbidden: User "${user.username}" cannot ${verb} resource "${subresource ? `${resource}/${subresource}` : resource}" in API group "${group}" ${where}`, {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    kind: resource,
  });
}
