/**
 * A minimal Kubernetes API per emulated EKS cluster, under `/k8s/<cluster>` (the cluster's
 * endpoint): /version, ConfigMaps (aws-auth above all: get, list, create, replace, merge-patch,
 * delete, with resourceVersion optimistic concurrency) and nodes reflecting the cluster's
 * nodegroups (and Fargate nodes for coredns when it runs on Fargate). Replies and errors are
 * shaped like the real API server's (errors are `Status` objects).
 *
 * In front of it, what EKS puts there:
 * - Endpoint access. Local callers are outside the cluster's VPC: a private-only endpoint
 *   (endpointPublicAccess false) refuses them (403), and so does a public endpoint whose
 *   publicAccessCidrs do not contain the caller's IP (option `callerIp`, default 203.0.113.10).
 * - Authentication (aws-iam-authenticator). The bearer token must be `k8s-aws-v1.` + base64url
 *   (no padding) of a presigned STS GetCallerIdentity URL (path /, Action and Version, an STS or
 *   local host) that signs `x-k8s-aws-id`. It is checked as STS would check it when replayed with
 *   `x-k8s-aws-id: <this cluster>`: not expired (X-Amz-Date + X-Amz-Expires against the wall
 *   clock) and, when the key's secret is known (the `credentials` option or a key STS handed out),
 *   a SigV4 signature that matches — which also binds the token to this cluster. A key whose
 *   secret is unknown is checked for shape and expiry only. Failures are 401 Unauthorized; so is
 *   a valid caller that no access entry or aws-auth entry maps, as with EKS.
 * - Authorization. The caller's principal (an assumed role is its role) is cluster admin when:
 *   it created the cluster and the mode is CONFIG_MAP (EKS's hidden bootstrap admin); or, in API
 *   modes, its access entry has AmazonEKSClusterAdminPolicy at cluster scope (EKS gives the
 *   creator that entry when bootstrapClusterCreatorAdminPermissions is true); or, in CONFIG_MAP
 *   modes, aws-auth maps it (mapRoles rolearn / mapUsers userarn, compared exactly — a role ARN
 *   with a path never matches, as in EKS) into system:masters. Short of admin, access entries
 *   with AmazonEKSAdminPolicy/AmazonEKSEditPolicy grant ConfigMap writes and AmazonEKSViewPolicy
 *   reads, in their scope's namespaces. Nodes and namespaces need admin. No other RBAC is
 *   emulated. Anonymous callers may read /version only.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { RequestContext, ServiceModule } from '../server';
import { EmulatorError, sendJson } from '../protocol';
import type { World } from '../world';
import { ACCESS_POLICY_PREFIX } from './eks/catalog';
import { awsAuthRoles, awsAuthUsers, type ConfigMapObject } from './eks/kube-store';
import { cidrContains, type Cluster, type EksState, type Nodegroup } from './eks/state';
import { principalArnOf, samePrincipal, stsIdentities, verifyPresigned, type KeySecret } from './sts';

export interface KubernetesOptions {
  /** The EKS emulator (its module or its state): clusters, their access config and Kubernetes objects. */
  eks: EksState | { state: EksState };
  /** Static access keys (id → secret) whose presigned tokens can be signature-checked. */
  credentials?: Record<string, string>;
  /** The IP local callers come from, checked against publicAccessCidrs. */
  callerIp?: string;
}

const TOKEN_PREFIX = 'k8s-aws-v1.';
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';

/** A Kubernetes error: rendered as a Status with `reason` = code. */
function status(code: number, reason: string, message: string): EmulatorError {
  return new EmulatorError(code, reason, message);
}

function statusBody(code: number, reason: string, message: string, details?: { name?: string; kind?: string }) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

class StatusError extends EmulatorError {
  constructor(
    code: number,
    reason: string,
    message: string,
    readonly details?: { name?: string; kind?: string },
  ) {
    super(code, reason, message);
  }
}

const notFoundConfigMap = (name: string) => new StatusError(404, 'NotFound', `configmaps "${name}" not found`, { name, kind: 'configmaps' });

// ── Who the caller is ────────────────────────────────────────────────────────────────────────

interface Caller {
  arn: string;
  principal: string;
  username: string;
  admin: boolean;
  /** Namespaces ('*' = all) where ConfigMaps may be read / written. */
  read: Set<string>;
  write: Set<string>;
}
const ANONYMOUS: Caller = { arn: '', principal: '', username: 'system:anonymous', admin: false, read: new Set(), write: new Set() };

/** Maps an authenticated IAM caller to its Kubernetes identity and grants, or undefined when nothing maps it. */
function mapCaller(cluster: Cluster, arn: string): Caller | undefined {
  const principal = principalArnOf(arn);
  const caller: Caller = { arn, principal, username: arn, admin: false, read: new Set(), write: new Set() };
  let mapped = false;
  if (cluster.authenticationMode === 'CONFIG_MAP' && samePrincipal(principal, cluster.creatorArn)) {
    caller.admin = true;
    mapped = true;
  }
  if (cluster.authenticationMode !== 'CONFIG_MAP') {
    const entry = [...cluster.accessEntries.values()].find((e) => e.type === 'STANDARD' && samePrincipal(e.principalArn, principal));
    if (entry) {
      mapped = true;
      caller.username = entry.username.replace('{{SessionName}}', arn.split('/').pop() ?? '');
      for (const association of entry.policies.values()) {
        const name = association.policyArn.slice(ACCESS_POLICY_PREFIX.length);
        const scope = association.accessScope.type === 'cluster' ? ['*'] : association.accessScope.namespaces;
        if (name === 'AmazonEKSClusterAdminPolicy' && association.accessScope.type === 'cluster') caller.admin = true;
        if (['AmazonEKSClusterAdminPolicy', 'AmazonEKSAdminPolicy', 'AmazonEKSEditPolicy'].includes(name)) scope.forEach((ns) => caller.write.add(ns));
        scope.forEach((ns) => caller.read.add(ns));
      }
    }
  }
  if (cluster.authenticationMode !== 'API') {
    const awsAuth = cluster.kube.getConfigMap('kube-system', 'aws-auth');
    const mapping = /:role\//.test(principal) ? awsAuthRoles(awsAuth).find((r) => r.rolearn === principal) : awsAuthUsers(awsAuth).find((u) => u.userarn === principal);
    if (mapping) {
      mapped = true;
      if (mapping.username) caller.username = mapping.username.replace('{{SessionName}}', arn.split('/').pop() ?? '');
      if ((mapping.groups ?? []).includes('system:masters')) caller.admin = true;
    }
  }
  return mapped ? caller : undefined;
}

function canRead(caller: Caller, namespace: string): boolean {
  return caller.admin || caller.read.has('*') || caller.read.has(namespace) || caller.write.has('*') || caller.write.has(namespace);
}
function canWrite(caller: Caller, namespace: string): boolean {
  return caller.admin || caller.write.has('*') || caller.write.has(namespace);
}

// ── Objects ──────────────────────────────────────────────────────────────────────────────────

type Json = Record<string, unknown>;

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Json = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function stringMap(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value as Json).some((v) => typeof v !== 'string')) {
    throw new StatusError(422, 'Invalid', `ConfigMap is invalid: ${field}: Invalid value: every value must be a string`);
  }
  return value as Record<string, string>;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function configMapFields(object: Json) {
  const metadata = (object.metadata ?? {}) as Json;
  return {
    data: stringMap(object.data, 'data'),
    binaryData: stringMap(object.binaryData, 'binaryData'),
    ...(typeof object.immutable === 'boolean' ? { immutable: object.immutable } : {}),
    labels: stringMap(metadata.labels, 'metadata.labels'),
    annotations: stringMap(metadata.annotations, 'metadata.annotations'),
  };
}

function checkKind(object: Json): void {
  if (object.kind !== undefined && object.kind !== 'ConfigMap') throw new StatusError(400, 'BadRequest', `the object kind ${String(object.kind)} is not ConfigMap`);
  if (object.apiVersion !== undefined && object.apiVersion !== 'v1') throw new StatusError(400, 'BadRequest', `the API version ${String(object.apiVersion)} is not v1`);
}

/** One node name and address per (nodegroup, index), stable across calls. */
function nodeIdentity(world: World, nodegroup: Nodegroup, index: number) {
  const digest = createHash('sha1').update(`${nodegroup.arn}/${index}`).digest();
  const subnetId = nodegroup.subnets[index % nodegroup.subnets.length] ?? '';
  const subnet = world.ec2.subnets.get(subnetId);
  const [a = 10, b = 0, c = 0] = (subnet?.cidrBlock ?? '10.0.0.0/16').split(/[./]/).map(Number);
  const ip = `${a}.${b}.${(c + digest[0]!) % 256}.${10 + (digest[1]! % 240)}`;
  const domain = world.region === 'us-east-1' ? 'ec2.internal' : `${world.region}.compute.internal`;
  return { name: `ip-${ip.replace(/\./g, '-')}.${domain}`, ip, zone: subnet?.availabilityZone ?? `${world.region}a`, instanceId: `i-0${digest.toString('hex').slice(2, 18)}`, uid: digest.toString('hex').slice(0, 32) };
}

const TAINT_EFFECTS: Record<string, string> = { NO_SCHEDULE: 'NoSchedule', NO_EXECUTE: 'NoExecute', PREFER_NO_SCHEDULE: 'PreferNoSchedule' };

function nodes(world: World, state: EksState, cluster: Cluster): Json[] {
  const created = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const result: Json[] = [];
  for (const nodegroup of cluster.nodegroups.values()) {
    if (!['ACTIVE', 'UPDATING', 'DEGRADED'].includes(nodegroup.status)) continue;
    const arch = /ARM/.test(nodegroup.amiType) ? 'arm64' : 'amd64';
    for (let i = 0; i < nodegroup.scalingConfig.desiredSize; i++) {
      const node = nodeIdentity(world, nodegroup, i);
      const instanceType = nodegroup.instanceTypes[i % Math.max(1, nodegroup.instanceTypes.length)] ?? 't3.medium';
      result.push({
        metadata: {
          name: node.name,
          uid: node.uid,
          resourceVersion: cluster.kube.resourceVersion,
          creationTimestamp: created(nodegroup.createdAt),
          labels: {
            'beta.kubernetes.io/arch': arch,
            'beta.kubernetes.io/instance-type': instanceType,
            'beta.kubernetes.io/os': 'linux',
            'eks.amazonaws.com/capacityType': nodegroup.capacityType,
            'eks.amazonaws.com/nodegroup': nodegroup.name,
            'eks.amazonaws.com/nodegroup-image': `ami-0${node.uid.slice(0, 16)}`,
            ...(nodegroup.launchTemplate?.id ? { 'eks.amazonaws.com/sourceLaunchTemplateId': nodegroup.launchTemplate.id } : {}),
            'kubernetes.io/arch': arch,
            'kubernetes.io/hostname': node.name,
            'kubernetes.io/os': 'linux',
            'node.kubernetes.io/instance-type': instanceType,
            'topology.kubernetes.io/region': world.region,
            'topology.kubernetes.io/zone': node.zone,
            ...nodegroup.labels,
          },
        },
        spec: {
          providerID: `aws:///${node.zone}/${node.instanceId}`,
          ...(nodegroup.taints.length ? { taints: nodegroup.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: TAINT_EFFECTS[t.effect] })) } : {}),
        },
        status: {
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
          addresses: [
            { type: 'InternalIP', address: node.ip },
            { type: 'InternalDNS', address: node.name },
            { type: 'Hostname', address: node.name },
          ],
          nodeInfo: { kubeletVersion: `v${nodegroup.version}.0-eks-5e0fdde`, operatingSystem: 'linux', architecture: arch, containerRuntimeVersion: 'containerd://1.7.27', osImage: 'Amazon Linux 2023' },
        },
      });
    }
  }
  // coredns on Fargate (no nodegroup to run it): one Fargate node per replica.
  const coredns = cluster.addons.get('coredns');
  const nodegroupCapacity = [...cluster.nodegroups.values()].some((n) => n.status === 'ACTIVE' && n.scalingConfig.desiredSize > 0);
  if (coredns && coredns.status === 'ACTIVE' && !nodegroupCapacity && state.hasCapacityForCoreDns(cluster)) {
    const profile = [...cluster.fargateProfiles.values()].find((p) => p.status === 'ACTIVE' && p.selectors.some((s) => s.namespace === 'kube-system'));
    for (let i = 0; i < 2 && profile; i++) {
      const digest = createHash('sha1').update(`${profile.arn}/coredns/${i}`).digest();
      const subnet = world.ec2.subnets.get(profile.subnets[i % profile.subnets.length] ?? '');
      const ip = `10.0.${digest[0]}.${10 + (digest[1]! % 240)}`;
      const name = `fargate-ip-${ip.replace(/\./g, '-')}.${world.region === 'us-east-1' ? 'ec2.internal' : `${world.region}.compute.internal`}`;
      result.push({
        metadata: {
          name,
          uid: digest.toString('hex').slice(0, 32),
          resourceVersion: cluster.kube.resourceVersion,
          creationTimestamp: created(profile.createdAt),
          labels: {
            'eks.amazonaws.com/compute-type': 'fargate',
            'eks.amazonaws.com/fargate-profile': profile.name,
            'kubernetes.io/arch': 'amd64',
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'topology.kubernetes.io/region': world.region,
            'topology.kubernetes.io/zone': subnet?.availabilityZone ?? `${world.region}a`,
          },
        },
        spec: { providerID: `aws:///${subnet?.availabilityZone ?? `${world.region}a`}/${digest.toString('hex').slice(0, 20)}/${name}`, taints: [{ key: 'eks.amazonaws.com/compute-type', value: 'fargate', effect: 'NoSchedule' }] },
        status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }], addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
      });
    }
  }
  return result;
}

// ── The service ──────────────────────────────────────────────────────────────────────────────

interface Route {
  operation: string;
  /** 'public' (anyone), 'admin', or a namespaced ConfigMap verb. */
  access: 'public' | 'admin' | { verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete'; namespace: string; name?: string };
  run: () => { status: number; body: unknown };
}

export function createKubernetesService(world: World, options: KubernetesOptions): ServiceModule {
  const state = 'state' in options.eks ? options.eks.state : options.eks;
  const identities = stsIdentities(world);
  const callerIp = options.callerIp ?? '203.0.113.10';
  const lookup = (accessKeyId: string): KeySecret | undefined => {
    const secret = options.credentials?.[accessKeyId];
    return secret !== undefined ? { secretAccessKey: secret } : identities.secretOf(accessKeyId);
  };

  async function authenticate(ctx: RequestContext, cluster: Cluster): Promise<Caller> {
    const header = ctx.req.headers.authorization;
    if (!header) return ANONYMOUS;
    const unauthorized = (why: string) => status(401, 'Unauthorized', `Unauthorized: ${why}`);
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
    const check = await verifyPresigned(url, { host: url.host, [CLUSTER_ID_HEADER]: cluster.name }, lookup, identities);
    if (!check.ok) throw unauthorized(check.code === 'SignatureDoesNotMatch' ? `STS refused the token: ${check.message} (is it for cluster ${cluster.name}?)` : `STS refused the token: ${check.message}`);
    const caller = mapCaller(cluster, check.identity.arn);
    if (!caller) throw unauthorized(`${check.identity.arn} is not mapped to a Kubernetes identity (no access entry or aws-auth entry)`);
    return caller;
  }

  function authorize(caller: Caller, route: Route): void {
    if (route.access === 'public') return;
    if (route.access === 'admin') {
      if (!caller.admin) throw status(403, 'Forbidden', `${route.operation === 'ListNamespaces' ? 'namespaces' : 'nodes'} is forbidden: User "${caller.username}" cannot list resource "${route.operation === 'ListNamespaces' ? 'namespaces' : 'nodes'}" in API group "" at the cluster scope`);
      return;
    }
    const { verb, namespace, name } = route.access;
    const allowed = verb === 'get' || verb === 'list' ? canRead(caller, namespace) : canWrite(caller, namespace);
    if (!allowed) {
      throw new StatusError(403, 'Forbidden', `configmaps${name ? ` "${name}"` : ''} is forbidden: User "${caller.username}" cannot ${verb} resource "configmaps" in API group "" in the namespace "${namespace}"`, {
        ...(name ? { name } : {}),
        kind: 'configmaps',
      });
    }
  }

  function parseObject(ctx: RequestContext): Json {
    try {
      const object = JSON.parse(ctx.body || 'null') as unknown;
      if (!object || typeof object !== 'object' || Array.isArray(object)) throw new Error('not an object');
      return object as Json;
    } catch {
      throw new StatusError(400, 'BadRequest', 'the request body is not a JSON object');
    }
  }

  function requireNamespace(cluster: Cluster, namespace: string): void {
    if (!cluster.kube.namespaces.has(namespace)) throw new StatusError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
  }

  function route(ctx: RequestContext, cluster: Cluster, path: string): Route | undefined {
    const method = ctx.req.method ?? 'GET';
    const kube = cluster.kube;
    if (path === '/version' && method === 'GET') {
      const [major, minor] = cluster.version.split('.');
      return {
        operation: 'GetVersion',
        access: 'public',
        run: () => ({
          status: 200,
          body: { major, minor, gitVersion: `v${cluster.version}.5-eks-2ea9a15`, gitCommit: '2ea9a15e3a2f8f7a3c2e1d0b9c8a7f6e5d4c3b2a', gitTreeState: 'clean', buildDate: '2025-10-15T00:00:00Z', goVersion: 'go1.24.6', compiler: 'gc', platform: 'linux/amd64' },
        }),
      };
    }
    if (path === '/api/v1/nodes' && method === 'GET') {
      return { operation: 'ListNodes', access: 'admin', run: () => ({ status: 200, body: { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: kube.resourceVersion }, items: nodes(world, state, cluster) } }) };
    }
    const node = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
    if (node && method === 'GET') {
      return {
        operation: 'GetNode',
        access: 'admin',
        run: () => {
          const found = nodes(world, state, cluster).find((n) => (n.metadata as Json).name === node[1]);
          if (!found) throw new StatusError(404, 'NotFound', `nodes "${node[1]}" not found`, { name: node[1]!, kind: 'nodes' });
          return { status: 200, body: { kind: 'Node', apiVersion: 'v1', ...found } };
        },
      };
    }
    if (path === '/api/v1/namespaces' && method === 'GET') {
      return {
        operation: 'ListNamespaces',
        access: 'admin',
        run: () => ({
          status: 200,
          body: { kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: kube.resourceVersion }, items: [...kube.namespaces].map((name) => ({ metadata: { name }, status: { phase: 'Active' } })) },
        }),
      };
    }
    if (path === '/api/v1/configmaps' && method === 'GET') {
      return { operation: 'ListConfigMaps', access: { verb: 'list', namespace: '*' }, run: () => ({ status: 200, body: configMapList(kube.listConfigMaps(), kube.resourceVersion) }) };
    }
    const collection = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps$/.exec(path);
    if (collection) {
      const namespace = decodeURIComponent(collection[1]!);
      if (method === 'GET') {
        return {
          operation: 'ListConfigMaps',
          access: { verb: 'list', namespace },
          run: () => {
            requireNamespace(cluster, namespace);
            return { status: 200, body: configMapList(kube.listConfigMaps(namespace), kube.resourceVersion) };
          },
        };
      }
      if (method === 'POST') {
        let named = '';
        try {
          named = String((JSON.parse(ctx.body) as { metadata?: { name?: string } })?.metadata?.name ?? '');
        } catch {
          // parseObject reports it, after authentication
        }
        return {
          operation: 'CreateConfigMap',
          access: { verb: 'create', namespace, ...(named ? { name: named } : {}) },
          run: () => {
            const object = parseObject(ctx);
            const name = String(((object.metadata ?? {}) as Json).name ?? '');
            checkKind(object);
            const metadata = (object.metadata ?? {}) as Json;
            if (!name) throw new StatusError(422, 'Invalid', 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required', { kind: 'ConfigMap' });
            if (!DNS_SUBDOMAIN.test(name) || name.length > 253) throw new StatusError(422, 'Invalid', `ConfigMap "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`, { name, kind: 'ConfigMap' });
            if (metadata.namespace !== undefined && metadata.namespace !== namespace) throw new StatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
            if (metadata.resourceVersion) throw new StatusError(400, 'BadRequest', 'resourceVersion should not be set on objects to be created');
            requireNamespace(cluster, namespace);
            if (kube.getConfigMap(namespace, name)) throw new StatusError(409, 'AlreadyExists', `configmaps "${name}" already exists`, { name, kind: 'configmaps' });
            return { status: 201, body: kube.createConfigMap(namespace, name, configMapFields(object)) };
          },
        };
      }
      return undefined;
    }
    const item = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(path);
    if (!item) return undefined;
    const namespace = decodeURIComponent(item[1]!);
    const name = decodeURIComponent(item[2]!);
    const existing = () => {
      const found = kube.getConfigMap(namespace, name);
      if (!found) throw notFoundConfigMap(name);
      return found;
    };
    const conflict = () => new StatusError(409, 'Conflict', `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: 'configmaps' });
    const write = (current: ConfigMapObject, next: Json) => {
      const fields = configMapFields(next);
      if (current.immutable && (JSON.stringify(fields.data ?? {}) !== JSON.stringify(current.data ?? {}) || fields.immutable === false)) {
        throw new StatusError(422, 'Invalid', `ConfigMap "${name}" is invalid: data: Forbidden: field is immutable when \`immutable\` is set`, { name, kind: 'ConfigMap' });
      }
      return kube.replaceConfigMap(current, fields);
    };
    switch (method) {
      case 'GET':
        return { operation: 'GetConfigMap', access: { verb: 'get', namespace, name }, run: () => ({ status: 200, body: existing() }) };
      case 'PUT':
        return {
          operation: 'ReplaceConfigMap',
          access: { verb: 'update', namespace, name },
          run: () => {
            const object = parseObject(ctx);
            checkKind(object);
            const metadata = (object.metadata ?? {}) as Json;
            if (metadata.name !== undefined && metadata.name !== name) throw new StatusError(400, 'BadRequest', `the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`);
            if (metadata.namespace !== undefined && metadata.namespace !== namespace) throw new StatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
            const current = existing();
            if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict();
            return { status: 200, body: write(current, object) };
          },
        };
      case 'PATCH': {
        const contentType = String(ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim();
        return {
          operation: 'PatchConfigMap',
          access: { verb: 'patch', namespace, name },
          run: () => {
            if (contentType !== 'application/merge-patch+json' && contentType !== 'application/strategic-merge-patch+json') {
              throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType || 'none'})`);
            }
            const patch = parseObject(ctx);
            const current = existing();
            const wanted = ((patch.metadata ?? {}) as Json).resourceVersion;
            if (wanted !== undefined && wanted !== current.metadata.resourceVersion) throw conflict();
            const merged = mergePatch(current, patch) as Json;
            checkKind(merged);
            const metadata = (merged.metadata ?? {}) as Json;
            if (metadata.name !== name || metadata.namespace !== namespace) throw new StatusError(400, 'BadRequest', 'a patch cannot change the name or namespace of an object');
            return { status: 200, body: write(current, merged) };
          },
        };
      }
      case 'DELETE':
        return {
          operation: 'DeleteConfigMap',
          access: { verb: 'delete', namespace, name },
          run: () => {
            const current = existing();
            kube.deleteConfigMap(namespace, name);
            return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'configmaps', uid: current.metadata.uid } } };
          },
        };
      default:
        return undefined;
    }
  }

  async function handle(ctx: RequestContext): Promise<void> {
    const match = /^\/k8s\/([^/]+)(\/.*)?$/.exec(ctx.url.pathname);
    if (!match) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const clusterName = decodeURIComponent(match[1]!);
    const path = (match[2] ?? '/').replace(/\/+$/, '') || '/';
    const cluster = state.clusters.get(clusterName);
    if (!cluster?.endpoint) {
      throw new StatusError(503, 'ServiceUnavailable', `the API server of cluster ${clusterName} is not reachable: ${cluster ? `the cluster is ${cluster.status}` : 'no such cluster'}`);
    }
    if (!cluster.vpc.endpointPublicAccess) {
      throw new StatusError(403, 'Forbidden', `the API server endpoint of cluster ${clusterName} is private (endpointPublicAccess=false): callers outside VPC ${cluster.vpc.vpcId}, like this local one, cannot reach it`);
    }
    if (!cluster.vpc.publicAccessCidrs.some((cidr) => cidrContains(cidr, callerIp))) {
      throw new StatusError(403, 'Forbidden', `the API server endpoint of cluster ${clusterName} does not accept ${callerIp}: it is not in publicAccessCidrs [${cluster.vpc.publicAccessCidrs.join(', ')}]`);
    }

    const found = route(ctx, cluster, path);
    if (!found) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    world.calls.push(`kubernetes:${found.operation}`);
    // Only rules that name the Kubernetes API apply here: AWS throttling does not reach it.
    if (world.faults.list().some((rule) => 'service' in rule && rule.service === 'kubernetes')) {
      try {
        world.faults.checkCall('kubernetes', found.operation);
      } catch (error) {
        if (error instanceof EmulatorError && error.status < 500) throw new StatusError(429, 'TooManyRequests', 'Too many requests, please try again later.');
        throw new StatusError(500, 'InternalError', (error as Error).message);
      }
    }
    const caller = await authenticate(ctx, cluster);
    if (caller === ANONYMOUS && found.access !== 'public') throw status(401, 'Unauthorized', 'Unauthorized: no bearer token');
    authorize(caller, found);
    const result = found.run();
    sendJson(ctx.res, result.status, result.body);
  }

  return {
    name: 'kubernetes',
    handle,
    renderError(res: ServerResponse, error: EmulatorError) {
      const reason = error.code === 'InternalFailure' ? 'InternalError' : error.code;
      sendJson(res, error.status, statusBody(error.status, reason, error.message, error instanceof StatusError ? error.details : undefined));
    },
  };
}

function configMapList(items: ConfigMapObject[], resourceVersion: string) {
  return { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion }, items: items.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest) };
}
