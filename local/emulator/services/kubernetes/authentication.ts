/**
 * Who a request comes from, as EKS's authenticator (aws-iam-authenticator) decides it.
 *
 * The bearer token must be `k8s-aws-v1.` + base64url (no padding) of a presigned STS
 * GetCallerIdentity URL (path /, Action and Version, an STS or local host) that signs
 * `x-k8s-aws-id`. It is checked as STS would check it when replayed with `x-k8s-aws-id: <this
 * cluster>`: not expired (X-Amz-Date + X-Amz-Expires against the wall clock) and, when the key's
 * secret is known (the `credentials` option or a key STS handed out), a SigV4 signature that
 * matches — which also binds the token to this cluster. A key whose secret is unknown is checked
 * for shape and expiry only. A bad token is 401 Unauthorized; so is a valid IAM caller that no
 * access entry and no aws-auth entry maps, as with EKS. No token at all is the anonymous user,
 * whom the authorizer allows /version and the health checks only (EKS keeps anonymous auth on).
 *
 * The IAM identity becomes a Kubernetes user the way EKS maps it:
 * - CONFIG_MAP mode: the cluster's creator is EKS's hidden bootstrap admin, `kubernetes-admin`
 *   in system:masters (it appears in no access entry and no aws-auth entry).
 * - API modes: a STANDARD access entry of the principal (an assumed role is its role) gives the
 *   entry's username (default: the user ARN, or `arn:aws:sts::<account>:assumed-role/<role>/{{SessionName}}`),
 *   its kubernetesGroups and its associated access policies, which the authorizer reads.
 * - CONFIG_MAP modes (and API_AND_CONFIG_MAP when no access entry matched): aws-auth mapRoles
 *   `rolearn` / mapUsers `userarn`, compared exactly (a role ARN with a path never matches an
 *   assumed-role session, as in EKS), with the mapping's username and groups.
 * Every user is also in system:authenticated, and carries aws-iam-authenticator's uid and
 * extra (accessKeyId, arn, canonicalArn, principalId, sessionName).
 */
import type { IncomingMessage } from 'node:http';
import type { AccessEntry, Cluster } from '../eks/state';
import { ACCESS_POLICY_PREFIX } from '../eks/catalog';
import { awsAuthRoles, awsAuthUsers } from '../eks/kube-store';
import { principalArnOf, samePrincipal, verifyPresigned, type CallerIdentity, type KeySecret, type StsIdentities } from '../sts';
import { StatusError } from './status';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';

/** An access policy associated with the user's access entry, and where it applies. */
export interface AccessPolicyGrant {
  /** `AmazonEKSClusterAdminPolicy`... */
  policy: string;
  /** Namespaces it applies in; undefined = cluster scope (every namespace and the cluster-scoped resources). */
  namespaces?: string[];
}

export interface KubeUser {
  username: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
  /** From the access entry (API modes); the authorizer evaluates them. */
  accessPolicies: AccessPolicyGrant[];
  anonymous: boolean;
}

export const ANONYMOUS: KubeUser = { username: 'system:anonymous', groups: ['system:unauthenticated'], extra: {}, accessPolicies: [], anonymous: true };

export interface TokenCheckOptions {
  identities: StsIdentities;
  lookup: (accessKeyId: string) => KeySecret | undefined;
}

/**
 * kube-apiserver's 401 says only "Unauthorized" (kubectl prints "You must be logged in to the
 * server (Unauthorized)"); the reason the emulator refused is kept in details.causes for whoever
 * reads the body.
 */
const unauthorized = (why: string) => new StatusError(401, 'Unauthorized', 'Unauthorized', { causes: [{ reason: 'Unauthorized', message: why }] });

/** The caller of a request: ANONYMOUS without a bearer token; throws 401 for a token EKS would refuse. */
export async function authenticate(req: IncomingMessage, cluster: Cluster, options: TokenCheckOptions): Promise<KubeUser> {
  const header = req.headers.authorization;
  if (!header) return ANONYMOUS;
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token?.startsWith(TOKEN_PREFIX)) throw unauthorized(`the bearer token is not a ${TOKEN_PREFIX} token`);
  const encoded = token.slice(TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw unauthorized('the token is not base64url without padding');
  let url: URL;
  try {
    url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw unauthorized('the token does not hold a URL');
  }
  const localHost = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (!localHost && !/^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(url.hostname)) throw unauthorized(`unexpected STS host ${url.hostname}`);
  if (url.pathname !== '/' || url.searchParams.get('Action') !== 'GetCallerIdentity' || url.searchParams.get('Version') !== '2011-06-15') {
    throw unauthorized('the token is not a presigned STS GetCallerIdentity request');
  }
  if (!(url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';').includes(CLUSTER_ID_HEADER)) throw unauthorized(`client did not sign the ${CLUSTER_ID_HEADER} header`);
  const check = await verifyPresigned(url, { host: url.host, [CLUSTER_ID_HEADER]: cluster.name }, options.lookup, options.identities);
  if (!check.ok) throw unauthorized(check.code === 'SignatureDoesNotMatch' ? `STS refused the token: ${check.message} (is it for cluster ${cluster.name}?)` : `STS refused the token: ${check.message}`);
  const user = mapIdentity(cluster, check.identity, check.accessKeyId);
  if (!user) throw unauthorized(`${check.identity.arn} is not mapped to a Kubernetes identity (no access entry or aws-auth entry)`);
  return user;
}

const ASSUMED_ROLE = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[^/]+\/(.+)$/;

/** The values aws-iam-authenticator substitutes into a mapped username. */
function expandUsername(template: string, identity: CallerIdentity, accessKeyId: string, sessionName: string): string {
  return template
    .replace(/\{\{SessionNameRaw\}\}/g, sessionName)
    .replace(/\{\{SessionName\}\}/g, sessionName.replace(/@/g, '-'))
    .replace(/\{\{AccessKeyID\}\}/g, accessKeyId)
    .replace(/\{\{AccountID\}\}/g, identity.account);
}

/** Maps an authenticated IAM caller to its Kubernetes user, or undefined when nothing maps it (EKS answers 401). */
export function mapIdentity(cluster: Cluster, identity: CallerIdentity, accessKeyId: string): KubeUser | undefined {
  const principal = principalArnOf(identity.arn);
  const sessionName = ASSUMED_ROLE.exec(identity.arn)?.[1] ?? '';
  const principalId = identity.userId.split(':')[0]!;
  const base = {
    uid: `aws-iam-authenticator:${identity.account}:${principalId}`,
    extra: { accessKeyId: [accessKeyId], arn: [identity.arn], canonicalArn: [principal], principalId: [principalId], sessionName: [sessionName] },
    anonymous: false,
  };
  const user = (username: string, groups: string[], accessPolicies: AccessPolicyGrant[] = []): KubeUser => ({
    ...base,
    username: expandUsername(username, identity, accessKeyId, sessionName),
    groups: [...new Set([...groups, 'system:authenticated'])],
    accessPolicies,
  });

  if (cluster.authenticationMode === 'CONFIG_MAP' && samePrincipal(principal, cluster.creatorArn)) return user('kubernetes-admin', ['system:masters']);
  if (cluster.authenticationMode !== 'CONFIG_MAP') {
    const entry = [...cluster.accessEntries.values()].find((e) => e.type === 'STANDARD' && samePrincipal(e.principalArn, principal));
    if (entry) return user(entry.username, entry.kubernetesGroups, accessPoliciesOf(entry));
  }
  if (cluster.authenticationMode !== 'API') {
    const awsAuth = cluster.kube.getConfigMap('kube-system', 'aws-auth');
    const mapping = /:role\//.test(principal) ? awsAuthRoles(awsAuth).find((r) => r.rolearn === principal) : awsAuthUsers(awsAuth).find((u) => u.userarn === principal);
    if (mapping) return user(mapping.username ?? identity.arn, mapping.groups ?? []);
  }
  return undefined;
}

function accessPoliciesOf(entry: AccessEntry): AccessPolicyGrant[] {
  return [...entry.policies.values()].map((association) => ({
    policy: association.policyArn.slice(ACCESS_POLICY_PREFIX.length),
    ...(association.accessScope.type === 'namespace' ? { namespaces: association.accessScope.namespaces } : {}),
  }));
}
