/**
 * Who may do what on an emulated cluster (local/emulator/services/kubernetes/authorization.ts and
 * reviews.ts): system:masters, EKS access policies with their scopes, the default discovery and
 * self-review bindings, the anonymous user, and the 403 messages kube-apiserver words.
 */
import { ANONYMOUS, type AccessPolicyGrant, type KubeUser } from '../../local/emulator/services/kubernetes/authentication';
import { authorize, forbidden, type RequestAttributes } from '../../local/emulator/services/kubernetes/authorization';
import { selfSubjectAccessReview, selfSubjectReview, selfSubjectRulesReview } from '../../local/emulator/services/kubernetes/reviews';

const user = (accessPolicies: AccessPolicyGrant[], groups: string[] = []): KubeUser => ({
  username: 'arn:aws:iam::111122223333:user/someone',
  uid: 'aws-iam-authenticator:111122223333:AIDAEXAMPLE',
  groups: [...groups, 'system:authenticated'],
  extra: { canonicalArn: ['arn:aws:iam::111122223333:user/someone'] },
  accessPolicies,
  anonymous: false,
});
const resource = (verb: string, resourceName: string, namespace?: string, group = ''): RequestAttributes => ({ kind: 'resource', verb, group, resource: resourceName, ...(namespace ? { namespace } : {}) });
const allowed = (who: KubeUser, attributes: RequestAttributes) => authorize(who, attributes).allowed;

describe('authorization', () => {
  it('lets system:masters and a cluster-scoped AmazonEKSClusterAdminPolicy do everything', () => {
    for (const who of [user([], ['system:masters']), user([{ policy: 'AmazonEKSClusterAdminPolicy' }])]) {
      expect(allowed(who, resource('delete', 'nodes'))).toBe(true);
      expect(allowed(who, resource('patch', 'configmaps', 'kube-system'))).toBe(true);
      expect(allowed(who, { kind: 'path', verb: 'get', path: '/metrics' })).toBe(true);
    }
  });

  it('scopes a namespace association to its namespaces (with prefix wildcards), never to lists across namespaces or cluster-scoped kinds', () => {
    const editor = user([{ policy: 'AmazonEKSEditPolicy', namespaces: ['team-a', 'dev-*'] }]);

    expect(allowed(editor, resource('create', 'configmaps', 'team-a'))).toBe(true);
    expect(allowed(editor, resource('delete', 'configmaps', 'dev-42'))).toBe(true);
    expect(allowed(editor, resource('get', 'configmaps', 'kube-system'))).toBe(false);
    expect(allowed(editor, resource('list', 'pods'))).toBe(false);
    expect(allowed(editor, resource('list', 'namespaces'))).toBe(false);
    expect(allowed(editor, resource('list', 'nodes'))).toBe(false);
  });

  it('gives AmazonEKSViewPolicy reads (not secrets) and AmazonEKSAdminViewPolicy reads of everything; cluster scope adds namespaces', () => {
    const viewer = user([{ policy: 'AmazonEKSViewPolicy' }]);
    const adminViewer = user([{ policy: 'AmazonEKSAdminViewPolicy' }]);

    expect(allowed(viewer, resource('list', 'pods'))).toBe(true);
    expect(allowed(viewer, resource('get', 'deployments', 'kube-system', 'apps'))).toBe(true);
    expect(allowed(viewer, resource('list', 'namespaces'))).toBe(true);
    expect(allowed(viewer, resource('get', 'secrets', 'default'))).toBe(false);
    expect(allowed(viewer, resource('patch', 'configmaps', 'default'))).toBe(false);
    expect(allowed(viewer, resource('list', 'nodes'))).toBe(false);
    expect(allowed(adminViewer, resource('list', 'nodes'))).toBe(true);
    expect(allowed(adminViewer, resource('get', 'secrets', 'default'))).toBe(true);
    expect(allowed(adminViewer, resource('delete', 'configmaps', 'default'))).toBe(false);
  });

  it('grants nothing for other groups (RBAC bindings are not emulated), but discovery and self reviews to every authenticated user', () => {
    const grouped = user([], ['developers']);

    expect(allowed(grouped, resource('get', 'configmaps', 'default'))).toBe(false);
    expect(allowed(grouped, { kind: 'path', verb: 'get', path: '/apis/apps/v1' })).toBe(true);
    expect(allowed(grouped, { kind: 'path', verb: 'get', path: '/openapi/v3' })).toBe(true);
    expect(allowed(grouped, resource('create', 'selfsubjectaccessreviews', undefined, 'authorization.k8s.io'))).toBe(true);
    expect(allowed(grouped, resource('create', 'selfsubjectreviews', undefined, 'authentication.k8s.io'))).toBe(true);
  });

  it('lets the anonymous user read /version and the health checks only', () => {
    expect(allowed(ANONYMOUS, { kind: 'path', verb: 'get', path: '/version' })).toBe(true);
    expect(allowed(ANONYMOUS, { kind: 'path', verb: 'get', path: '/readyz' })).toBe(true);
    expect(allowed(ANONYMOUS, { kind: 'path', verb: 'get', path: '/api' })).toBe(false);
    expect(allowed(ANONYMOUS, resource('create', 'selfsubjectreviews', undefined, 'authentication.k8s.io'))).toBe(false);
  });

  it('words 403s as kube-apiserver does', () => {
    const who = user([]);

    expect(forbidden(who, { kind: 'resource', verb: 'patch', group: '', resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth' })).toMatchObject({
      status: 403,
      code: 'Forbidden',
      message: 'configmaps "aws-auth" is forbidden: User "arn:aws:iam::111122223333:user/someone" cannot patch resource "configmaps" in API group "" in the namespace "kube-system"',
      details: { name: 'aws-auth', kind: 'configmaps' },
    });
    expect(forbidden(who, resource('list', 'deployments', undefined, 'apps')).message).toBe('deployments.apps is forbidden: User "arn:aws:iam::111122223333:user/someone" cannot list resource "deployments" in API group "apps" at the cluster scope');
    expect(forbidden(ANONYMOUS, { kind: 'path', verb: 'get', path: '/api' }).message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
  });

  it('needs create on pods/eviction to evict (namespaced editors may, viewers not) and patch on nodes to cordon (cluster admins only)', () => {
    const eviction: RequestAttributes = { kind: 'resource', verb: 'create', group: '', resource: 'pods', subresource: 'eviction', namespace: 'kube-system', name: 'coredns-abc' };
    const cordon: RequestAttributes = { kind: 'resource', verb: 'patch', group: '', resource: 'nodes', name: 'ip-10-0-1-5.ec2.internal' };
    const editor = user([{ policy: 'AmazonEKSEditPolicy', namespaces: ['kube-system'] }]);
    const viewer = user([{ policy: 'AmazonEKSViewPolicy' }]);

    expect(allowed(editor, eviction)).toBe(true);
    expect(allowed(viewer, eviction)).toBe(false);
    expect(allowed(user([{ policy: 'AmazonEKSClusterAdminPolicy' }]), cordon)).toBe(true);
    expect(allowed(user([{ policy: 'AmazonEKSAdminPolicy' }]), cordon)).toBe(false);
    expect(forbidden(viewer, eviction).message).toBe('pods "coredns-abc" is forbidden: User "arn:aws:iam::111122223333:user/someone" cannot create resource "pods/eviction" in API group "" in the namespace "kube-system"');
    expect(forbidden(editor, cordon).message).toBe('nodes "ip-10-0-1-5.ec2.internal" is forbidden: User "arn:aws:iam::111122223333:user/someone" cannot patch resource "nodes" in API group "" at the cluster scope');
  });
});

describe('self reviews', () => {
  it('SelfSubjectReview returns the user as mapped', () => {
    const review = selfSubjectReview(user([]), new Date('2026-12-01T10:00:00.123Z'));

    expect(review).toEqual({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: '2026-12-01T10:00:00Z' },
      status: { userInfo: { username: 'arn:aws:iam::111122223333:user/someone', uid: 'aws-iam-authenticator:111122223333:AIDAEXAMPLE', groups: ['system:authenticated'], extra: { canonicalArn: ['arn:aws:iam::111122223333:user/someone'] } } },
    });
  });

  it('SelfSubjectAccessReview answers resource and non-resource attributes with the authorizer, and refuses neither or both', () => {
    const viewer = user([{ policy: 'AmazonEKSViewPolicy', namespaces: ['kube-system'] }]);

    const read = selfSubjectAccessReview(viewer, { spec: { resourceAttributes: { verb: 'get', resource: 'configmaps', namespace: 'kube-system' } } });
    const write = selfSubjectAccessReview(viewer, { spec: { resourceAttributes: { verb: 'update', resource: 'configmaps', namespace: 'kube-system' } } });
    const path = selfSubjectAccessReview(viewer, { spec: { nonResourceAttributes: { verb: 'get', path: '/version' } } });

    expect(read.status).toEqual({ allowed: true, reason: expect.stringContaining('arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy') });
    expect(write.status).toEqual({ allowed: false });
    expect(path.status).toMatchObject({ allowed: true });
    expect(() => selfSubjectAccessReview(viewer, { spec: {} })).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('SelfSubjectRulesReview lists the rules of the namespace asked about', () => {
    const viewer = user([{ policy: 'AmazonEKSViewPolicy', namespaces: ['kube-system'] }]);

    const inScope = selfSubjectRulesReview(viewer, { spec: { namespace: 'kube-system' } }) as { status: { resourceRules: Array<{ verbs: string[]; resources: string[] }> } };
    const outOfScope = selfSubjectRulesReview(viewer, { spec: { namespace: 'default' } }) as { status: { resourceRules: Array<{ verbs: string[]; resources: string[] }> } };

    expect(inScope.status.resourceRules).toContainEqual(expect.objectContaining({ verbs: ['get', 'list', 'watch'], resources: expect.arrayContaining(['configmaps', 'pods']) }));
    expect(outOfScope.status.resourceRules.every((rule) => rule.verbs.includes('create'))).toBe(true);
  });
});
