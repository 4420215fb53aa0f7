/**
 * The Kubernetes API of each emulated EKS cluster, under `/k8s/<cluster>` (the cluster's
 * endpoint), answering kubectl as an EKS API server does. This module is the service: it finds
 * the cluster, applies what EKS puts in front of the API server, and routes; each concern has
 * its own module:
 * - endpoint-access.ts: who reaches the endpoint. Callers outside every VPC are refused by a
 *   private-only endpoint (403) and by a public one whose publicAccessCidrs do not contain their
 *   IP (option `callerIp`, default 203.0.113.10); code running attached to a VPC (a Lambda
 *   function's ENI) reaches the private endpoint if the control plane's security groups admit
 *   it, else the public one through its subnet's NAT gateway, and a connection with no path is
 *   dropped (recorded in world.network.drops);
 * - authentication.ts: the `k8s-aws-v1.` token and EKS's mapping to a Kubernetes user (401);
 * - authorization.ts: one decision per request from access policies and system:masters (403);
 * - resources.ts (what is served), discovery.ts, openapi.ts: what kubectl learns first;
 * - workloads.ts and nodes.ts: the objects derived from the cluster and its EC2 instances
 *   (node-readiness.ts: when a node registers and is Ready); configmaps.ts, budgets.ts
 *   (PodDisruptionBudgets) and patch.ts: the objects clients write; node-writes.ts: cordons;
 *   evictions.ts: pod evictions (disruption.ts: the budget arithmetic) and deletions;
 * - tables.ts: `kubectl get` output; selectors.ts: list filters; reviews.ts: `kubectl auth`.
 * Every answer is JSON; every error a `Status` (status.ts). Unknown paths and resources answer
 * 404 NotFound, a served resource asked for a verb it does not serve 405 MethodNotAllowed (watch
 * included: `kubectl get` and `kubectl drain` poll rather than watch).
 */
import type { ServerResponse } from 'node:http';
import { overTls, type RequestContext, type ServiceModule } from '../../server';
import { EmulatorError, sendJson } from '../../protocol';
import type { World } from '../../world';
import type { ConfigMapObject } from '../eks/kube-store';
import type { Cluster, EksState } from '../eks/state';
import { controlPlaneGitVersion } from '../eks/versions';
import { stsIdentities, type KeySecret } from '../sts';
import { authenticate, type KubeUser } from './authentication';
import { authorize, forbidden, type RequestAttributes } from './authorization';
import { endpointDecision, recordDrop } from './endpoint-access';
import { createConfigMap, deleteConfigMap, patchConfigMap, replaceConfigMap, type WriteOptions } from './configmaps';
import { AGGREGATED_DISCOVERY_CONTENT_TYPE, aggregatedDiscovery, discoveryDocument, wantsAggregatedDiscovery } from './discovery';
import { openApiDocument, openApiIndex } from './openapi';
import { PROTOBUF_CONTENT_TYPE, decodeProtobuf } from './protobuf';
import { findResource, type ResourceType } from './resources';
import { selfSubjectAccessReview, selfSubjectReview, selfSubjectRulesReview } from './reviews';
import { fieldSelector, labelSelector } from './selectors';
import { StatusError, badRequest, methodNotAllowed, noSuchResource, notFound, statusBody, type Json } from './status';
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from './tables';
import { clusterObjects, type ClusterObjects } from './workloads';
import { budgetsOf, createBudget, deleteBudget, patchBudget, reconcileAddonBudgets, replaceBudget, withStatus } from './budgets';
import { deletePod, evictPod } from './evictions';
import { patchNode } from './node-writes';
import { instanceNodes } from './nodes';
import type { PodDisruptionBudgetObject } from '../eks/kube-store';

export interface KubernetesOptions {
  /** The EKS emulator (its module or its state): clusters, their access config and Kubernetes objects. */
  eks: EksState | { state: EksState };
  /** Static access keys (id → secret) whose presigned tokens can be signature-checked. */
  credentials?: Record<string, string>;
  /** The IP local callers come from, checked against publicAccessCidrs. */
  callerIp?: string;
}

interface Reply {
  status: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

interface Route {
  operation: string;
  attributes: RequestAttributes;
  run: (user: KubeUser) => Reply;
}

const SERVER_BUILD = { gitCommit: '2ea9a15e3a2f8f7a3c2e1d0b9c8a7f6e5d4c3b2a', gitTreeState: 'clean', buildDate: '2025-10-15T00:00:00Z', goVersion: 'go1.24.6', compiler: 'gc', platform: 'linux/amd64' };

function parseBody(ctx: RequestContext, allowEmpty = false): unknown {
  const contentType = String(ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (contentType === PROTOBUF_CONTENT_TYPE) return decodeProtobuf(ctx.rawBody ?? Buffer.from(ctx.body, 'utf8'));
  if (!ctx.body.trim()) {
    if (allowEmpty) return {};
    throw badRequest('the request body is empty');
  }
  try {
    return JSON.parse(ctx.body) as unknown;
  } catch (error) {
    throw badRequest(`the body of the request is not valid JSON: ${(error as Error).message}`);
  }
}

function parseObject(ctx: RequestContext, allowEmpty = false): Json {
  const value = parseBody(ctx, allowEmpty);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('the request body is not a JSON object');
  return value as Json;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Items of a typed list carry no kind/apiVersion, as kube-apiserver encodes them. */
function listOf(type: ResourceType, items: Json[], resourceVersion: string): Json {
  return { kind: `${type.kind}List`, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, metadata: { resourceVersion }, items: items.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest) };
}

export function createKubernetesService(world: World, options: KubernetesOptions): ServiceModule {
  const state = 'state' in options.eks ? options.eks.state : options.eks;
  const identities = stsIdentities(world);
  const callerIp = options.callerIp ?? '203.0.113.10';
  // Where a Deployment's pods could go: a Ready node with no NoSchedule taint but the one coredns tolerates.
  world.kubeNodes.hasSchedulableNode = (clusterName) => {
    const cluster = state.clusters.get(clusterName);
    return cluster !== undefined && instanceNodes(world, cluster).some((node) => node.ready && !node.unschedulable && !node.taints.some((t) => t.effect !== 'PreferNoSchedule' && t.key !== 'CriticalAddonsOnly'));
  };
  const lookup = (accessKeyId: string): KeySecret | undefined => {
    const secret = options.credentials?.[accessKeyId];
    return secret !== undefined ? { secretAccessKey: secret } : identities.secretOf(accessKeyId);
  };

  /** A GET of a non-resource path: /version, health, discovery, OpenAPI. */
  function nonResourceRoute(ctx: RequestContext, cluster: Cluster, path: string): Route | undefined {
    const method = ctx.req.method ?? 'GET';
    if (method !== 'GET') return undefined;
    const attributes: RequestAttributes = { kind: 'path', verb: 'get', path };
    const route = (operation: string, body: () => unknown, contentType?: string): Route => ({ operation, attributes, run: () => ({ status: 200, body: body(), ...(contentType ? { contentType } : {}) }) });
    if (path === '/version') {
      const [major, minor] = cluster.version.split('.');
      return route('GetVersion', () => ({ major, minor, gitVersion: controlPlaneGitVersion(cluster.version), ...SERVER_BUILD }));
    }
    if (['/healthz', '/livez', '/readyz'].includes(path)) {
      return { operation: 'Health', attributes, run: () => ({ status: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' }) };
    }
    if (path === '/api' || path === '/apis' || /^\/api\/v1$/.test(path) || /^\/apis\/[^/]+(\/[^/]+)?$/.test(path)) {
      return {
        operation: 'Discovery',
        attributes,
        run: () => {
          if ((path === '/api' || path === '/apis') && wantsAggregatedDiscovery(ctx.req.headers.accept)) {
            return { status: 200, body: aggregatedDiscovery(path), contentType: AGGREGATED_DISCOVERY_CONTENT_TYPE };
          }
          const document = discoveryDocument(path, `${ctx.req.headers.host ?? '127.0.0.1'}`);
          if (!document) throw noSuchResource();
          return { status: 200, body: document };
        },
      };
    }
    if (path === '/openapi/v3') return route('OpenAPI', () => openApiIndex(`/k8s/${encodeURIComponent(cluster.name)}`));
    const openapi = /^\/openapi\/v3\/(.+)$/.exec(path);
    if (openapi) {
      return {
        operation: 'OpenAPI',
        attributes,
        run: () => {
          const document = openApiDocument(openapi[1]!);
          if (!document) throw noSuchResource();
          return { status: 200, body: document };
        },
      };
    }
    return undefined;
  }

  function resourceRoute(ctx: RequestContext, cluster: Cluster, path: string): Route | undefined {
    const match = /^\/api\/(v1)\/(.+)$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
    if (!match) return undefined;
    const [group, version] = match[1]!.includes('/') ? (match[1]!.split('/') as [string, string]) : ['', match[1]!];
    let segments = match[2]!.split('/').map((s) => decodeURIComponent(s));
    const query = ctx.url.searchParams;
    let watch = query.get('watch') === 'true' || query.get('watch') === '1';
    if (segments[0] === 'watch') {
      watch = true;
      segments = segments.slice(1);
    }
    const namespaced = segments[0] === 'namespaces' && segments.length >= 3;
    const [namespace, resource, name, subresource, ...rest] = namespaced ? segments.slice(1) : [undefined, ...segments];
    if (!resource) return undefined;
    const method = ctx.req.method ?? 'GET';
    const collection = name === undefined;
    const verb =
      method === 'GET' ? (watch ? 'watch' : collection ? 'list' : 'get') : method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : method === 'DELETE' ? (collection ? 'deletecollection' : 'delete') : method.toLowerCase();
    const attributes: RequestAttributes = {
      kind: 'resource',
      verb,
      group,
      resource,
      ...(subresource ? { subresource } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
    };
    const type = findResource(group, version, resource);
    const operation = type ? `${capitalize(verb === 'update' ? 'replace' : verb)}${type.kind}${verb === 'list' ? 's' : ''}` : 'Unknown';
    return {
      operation,
      attributes,
      run: (user) => {
        // The one subresource served: a pod's eviction (what `kubectl drain` posts).
        if (type?.name === 'pods' && subresource === 'eviction' && namespace !== undefined && !rest.length) {
          if (verb !== 'create') throw methodNotAllowed('pods', name);
          return { status: 201, body: evictPod(world, cluster, namespace, name!, parseObject(ctx, true), query.getAll('dryRun').includes('All')) };
        }
        if (!type || subresource !== undefined || rest.length) throw noSuchResource();
        if (namespace !== undefined && !type.namespaced) throw noSuchResource();
        if (namespace === undefined && type.namespaced && !collection) throw noSuchResource();
        if (!(type.verbs as string[]).includes(verb)) throw methodNotAllowed(type.name, name);
        if (namespace === undefined && type.namespaced && verb !== 'list') throw methodNotAllowed(type.name);
        return serve(ctx, cluster, type, verb, namespace, name, user);
      },
    };
  }

  function serve(ctx: RequestContext, cluster: Cluster, type: ResourceType, verb: string, namespace: string | undefined, name: string | undefined, user: KubeUser): Reply {
    const kube = cluster.kube;
    const query = ctx.url.searchParams;
    const now = world.clock.now();
    const render = (objects: Json[], single: boolean): Reply => {
      if (wantsTable(String(ctx.req.headers.accept ?? ''))) {
        const table = toTable(type, objects, kube.resourceVersion, now, query.get('includeObject'));
        if (table) return { status: 200, body: table, contentType: TABLE_CONTENT_TYPE };
      }
      return { status: 200, body: single ? objects[0] : listOf(type, objects, kube.resourceVersion) };
    };
    const writeOptions = (): WriteOptions => ({ fieldValidation: query.get('fieldValidation') ?? 'Warn', dryRun: query.getAll('dryRun').includes('All'), warnings: [] });
    const withWarnings = (reply: Reply, options: WriteOptions): Reply => (options.warnings.length ? { ...reply, headers: { warning: options.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } } : reply);
    const filter = (objects: Json[]) => {
      const byLabels = labelSelector(query.get('labelSelector'));
      const byFields = fieldSelector(query.get('fieldSelector'));
      const key = (o: Json) => {
        const metadata = (o.metadata ?? {}) as Json;
        return `${String(metadata.namespace ?? '')}/${String(metadata.name)}`;
      };
      // In the order etcd lists them: by namespace, then name.
      return objects
        .filter((o) => (namespace === undefined || ((o.metadata ?? {}) as Json).namespace === namespace) && byLabels(o) && byFields(o))
        .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    };

    switch (type.name) {
      case 'selfsubjectreviews':
        parseObject(ctx);
        return { status: 201, body: selfSubjectReview(user, now) };
      case 'selfsubjectaccessreviews':
        return { status: 201, body: selfSubjectAccessReview(user, parseObject(ctx)) };
      case 'selfsubjectrulesreviews':
        return { status: 201, body: selfSubjectRulesReview(user, parseObject(ctx)) };
      case 'nodes':
        if (verb === 'patch') {
          const contentType = String(ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim();
          return { status: 200, body: patchNode(world, cluster, name!, contentType, parseBody(ctx), query.getAll('dryRun').includes('All')) };
        }
        break;
      case 'pods':
        if (verb === 'delete') return { status: 200, body: deletePod(world, cluster, namespace!, name!, parseObject(ctx, true), query.getAll('dryRun').includes('All')) };
        break;
      case 'poddisruptionbudgets': {
        const dryRun = query.getAll('dryRun').includes('All');
        const derived = () => clusterObjects(world, cluster);
        const served = (budget: PodDisruptionBudgetObject) => withStatus(budget, derived(), now);
        switch (verb) {
          case 'list': {
            const objects = derived();
            return render(filter(budgetsOf(cluster, namespace).map((b) => withStatus(b, objects, now))), false);
          }
          case 'get': {
            const found = budgetsOf(cluster, namespace).find((b) => b.metadata.name === name);
            if (!found) throw notFound('poddisruptionbudgets', 'policy', name!);
            return render([served(found)], true);
          }
          case 'create':
            reconcileAddonBudgets(cluster);
            return { status: 201, body: served(createBudget(kube, namespace!, parseObject(ctx), dryRun, now)) };
          case 'update':
            reconcileAddonBudgets(cluster);
            return { status: 200, body: served(replaceBudget(kube, namespace!, name!, parseObject(ctx), dryRun, now)) };
          case 'patch': {
            reconcileAddonBudgets(cluster);
            const contentType = String(ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim();
            return { status: 200, body: served(patchBudget(kube, namespace!, name!, contentType, parseBody(ctx), dryRun, now)) };
          }
          case 'delete':
            reconcileAddonBudgets(cluster);
            return { status: 200, body: deleteBudget(kube, namespace!, name!, dryRun) };
        }
        throw methodNotAllowed(type.name, name);
      }
      case 'configmaps': {
        const all = (): Json[] => kube.listConfigMaps(namespace) as unknown as Json[];
        switch (verb) {
          case 'list':
            return render(filter(all()), false);
          case 'get': {
            const found = kube.getConfigMap(namespace!, name!);
            if (!found) throw notFound('configmaps', '', name!);
            return render([found as unknown as Json], true);
          }
          case 'create': {
            const options = writeOptions();
            return withWarnings({ status: 201, body: createConfigMap(kube, namespace!, parseObject(ctx), options) }, options);
          }
          case 'update': {
            const options = writeOptions();
            return withWarnings({ status: 200, body: replaceConfigMap(kube, namespace!, name!, parseObject(ctx), options) }, options);
          }
          case 'patch': {
            const options = writeOptions();
            const contentType = String(ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim();
            const written: ConfigMapObject = patchConfigMap(kube, namespace!, name!, contentType, parseBody(ctx), options);
            return withWarnings({ status: 200, body: written }, options);
          }
          case 'delete':
            return { status: 200, body: deleteConfigMap(kube, namespace!, name!, parseObject(ctx, true), query.getAll('dryRun').includes('All')) };
        }
        throw methodNotAllowed(type.name, name);
      }
    }
    // The derived, read-only kinds (and the reads of nodes and pods).
    const objects = clusterObjects(world, cluster)[type.name as keyof ClusterObjects];
    if (!objects) throw noSuchResource();
    if (verb === 'list') return render(filter(objects), false);
    if (verb !== 'get') throw methodNotAllowed(type.name, name);
    const found = objects.find((o) => {
      const metadata = (o.metadata ?? {}) as Json;
      return metadata.name === name && (namespace === undefined || metadata.namespace === namespace);
    });
    if (!found) throw notFound(type.name, type.group, name!);
    return render([found], true);
  }

  async function handle(ctx: RequestContext): Promise<void> {
    if (!overTls(ctx.req)) {
      // What kube-apiserver (Go's net/http) answers plain HTTP on its TLS port: the endpoint is HTTPS only.
      ctx.res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      ctx.res.end('Client sent an HTTP request to an HTTPS server.\n');
      return;
    }
    const match = /^\/k8s\/([^/]+)(\/.*)?$/.exec(ctx.url.pathname);
    if (!match) throw noSuchResource();
    const clusterName = decodeURIComponent(match[1]!);
    const path = (match[2] ?? '/').replace(/\/+$/, '') || '/';
    const cluster = state.clusters.get(clusterName);
    if (!cluster?.endpoint) {
      throw new StatusError(503, 'ServiceUnavailable', `the API server of cluster ${clusterName} is not reachable: ${cluster ? `the cluster is ${cluster.status}` : 'no such cluster'}`);
    }
    // Found by the connection, not by the request: a VPC function's socket was bound to its ENI when it connected.
    const scope = world.network.scopeOfPort(ctx.req.socket.remotePort);
    const decision = endpointDecision(world, cluster, scope, callerIp);
    if (decision.kind === 'drop') {
      // As a security group or a missing route drops a packet: no answer, the caller's connection fails.
      recordDrop(world, cluster, scope, callerIp, decision.reason);
      ctx.req.socket.destroy();
      return;
    }
    if (decision.kind === 'forbidden') throw new StatusError(403, 'Forbidden', decision.message);

    const route: Route = nonResourceRoute(ctx, cluster, path) ??
      resourceRoute(ctx, cluster, path) ?? {
        operation: 'Unknown',
        attributes: { kind: 'path', verb: (ctx.req.method ?? 'GET').toLowerCase(), path },
        run: () => {
          throw noSuchResource();
        },
      };
    world.calls.push(`kubernetes:${route.operation}`);
    // Only rules that name the Kubernetes API apply here: AWS throttling does not reach it.
    if (world.faults.list().some((rule) => 'service' in rule && rule.service === 'kubernetes')) {
      try {
        world.faults.checkCall('kubernetes', route.operation);
      } catch (error) {
        if (error instanceof EmulatorError && error.status < 500) throw new StatusError(429, 'TooManyRequests', 'Too many requests, please try again later.');
        throw new StatusError(500, 'InternalError', (error as Error).message);
      }
    }
    const user = await authenticate(ctx.req, cluster, { identities, lookup });
    if (!authorize(user, route.attributes).allowed) throw forbidden(user, route.attributes);
    const reply = route.run(user);
    if (typeof reply.body === 'string') {
      ctx.res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain', 'content-length': Buffer.byteLength(reply.body), ...reply.headers });
      ctx.res.end(reply.body);
      return;
    }
    if (reply.headers) for (const [header, value] of Object.entries(reply.headers)) ctx.res.setHeader(header, value);
    sendJson(ctx.res, reply.status, reply.body, reply.contentType ?? 'application/json');
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
