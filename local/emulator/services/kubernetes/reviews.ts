/**
 * The self reviews kubectl's `auth` commands create: `kubectl auth whoami` (SelfSubjectReview:
 * the user as the authenticator mapped it), `kubectl auth can-i` (SelfSubjectAccessReview: the
 * authorizer's decision for resource or non-resource attributes) and `kubectl auth can-i --list`
 * (SelfSubjectRulesReview: the rules that apply in a namespace). Nothing is stored.
 */
import type { KubeUser } from './authentication';
import { authorize, type RequestAttributes } from './authorization';
import { badRequest, type Json } from './status';
import { timestamp } from './names';

function userInfo(user: KubeUser): Json {
  return { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(Object.keys(user.extra).length ? { extra: user.extra } : {}) };
}

export function selfSubjectReview(user: KubeUser, now: Date): Json {
  return { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: timestamp(now) }, status: { userInfo: userInfo(user) } };
}

export function selfSubjectAccessReview(user: KubeUser, body: Json): Json {
  const spec = (body.spec ?? {}) as Json;
  const resource = spec.resourceAttributes as Json | undefined;
  const nonResource = spec.nonResourceAttributes as Json | undefined;
  if (!resource === !nonResource) throw badRequest('exactly one of nonResourceAttributes or resourceAttributes must be specified');
  const attributes: RequestAttributes = resource
    ? {
        kind: 'resource',
        verb: String(resource.verb ?? ''),
        group: String(resource.group ?? ''),
        resource: String(resource.resource ?? ''),
        ...(resource.subresource ? { subresource: String(resource.subresource) } : {}),
        ...(resource.namespace ? { namespace: String(resource.namespace) } : {}),
        ...(resource.name ? { name: String(resource.name) } : {}),
      }
    : { kind: 'path', verb: String(nonResource!.verb ?? ''), path: String(nonResource!.path ?? '') };
  const decision = authorize(user, attributes);
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
  };
}

/** The rules of a user in a namespace, as RBAC lists them for `kubectl auth can-i --list`. */
export function selfSubjectRulesReview(user: KubeUser, body: Json): Json {
  const namespace = String(((body.spec ?? {}) as Json).namespace ?? 'default');
  const resourceRules: Json[] = [{ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] }, { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] }];
  const nonResourceRules: Json[] = [
    { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'] },
  ];
  const admin = user.groups.includes('system:masters') || user.accessPolicies.some((p) => p.policy === 'AmazonEKSClusterAdminPolicy' && p.namespaces === undefined);
  if (admin) {
    resourceRules.unshift({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    nonResourceRules.unshift({ verbs: ['*'], nonResourceURLs: ['*'] });
  } else {
    for (const grant of user.accessPolicies) {
      const applies = grant.namespaces === undefined || grant.namespaces.some((p) => (p.endsWith('*') ? namespace.startsWith(p.slice(0, -1)) : p === namespace));
      if (!applies) continue;
      const read = ['get', 'list', 'watch'];
      if (grant.policy === 'AmazonEKSClusterAdminPolicy') resourceRules.unshift({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
      else if (grant.policy === 'AmazonEKSAdminViewPolicy') resourceRules.unshift({ verbs: read, apiGroups: ['*'], resources: ['*'] });
      else if (grant.policy === 'AmazonEKSViewPolicy') resourceRules.unshift({ verbs: read, apiGroups: ['', 'apps'], resources: ['configmaps', 'pods', 'services', 'daemonsets', 'deployments', 'replicasets'] });
      else if (grant.policy === 'AmazonEKSAdminPolicy' || grant.policy === 'AmazonEKSEditPolicy') resourceRules.unshift({ verbs: ['*'], apiGroups: ['', 'apps'], resources: ['configmaps', 'pods', 'services', 'daemonsets', 'deployments', 'replicasets'] });
      if (grant.namespaces === undefined && grant.policy !== 'AmazonEKSClusterAdminPolicy' && grant.policy !== 'AmazonEKSAdminViewPolicy') resourceRules.push({ verbs: read, apiGroups: [''], resources: ['namespaces'] });
    }
  }
  return { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { namespace }, status: { resourceRules, nonResourceRules, incomplete: false } };
}
