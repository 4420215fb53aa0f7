/**
 * Every REST route (docs/api.md) in one table: the handler routes by it, and scripts/openapi.ts
 * writes the OpenAPI document from it and the schemas, so the two cannot drift.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { changeRoutes } from './change-cluster';
import { abortOperation } from './abort-operation';
import { createCluster } from './create-cluster';
import { deleteCluster } from './delete-cluster';
import { getCluster } from './get-cluster';
import { getKubeconfig } from './get-kubeconfig';
import { getOperation } from './get-operation';
import { getOpenApi } from './get-openapi';
import { listClusters } from './list-clusters';
import { listOperations } from './list-operations';
import { UPGRADE_BODY_SCHEMA, upgradeCluster } from './upgrade-cluster';
import { CLUSTER_NAME, CURSOR, PAGE_SIZE, type BodyFormats, type ParameterSchema } from './limits';
import type { ApiDeps, ApiRequest } from './request';
import type { RequestedOperation } from '../domain/operation-request';

export type RouteHandler = (request: ApiRequest, deps: ApiDeps, ...params: string[]) => Promise<APIGatewayProxyResult>;

/** Where a route's request body is described: a definition of the cluster spec schema, or inline. */
export type BodySchema = { definition: string } | { clusterSpec: true } | { inline: Record<string, unknown> };

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path template; `{param}` is one path segment. */
  path: string;
  operationId: string;
  summary: string;
  handler: RouteHandler;
  /** A parameter that may span segments (an IAM ARN with `/`, when API Gateway has decoded %2F). */
  greedyParam?: string;
  /** formats: 'json-or-yaml' where the route also reads YAML bodies (default JSON only). */
  body?: { description: string; schema: BodySchema; formats?: BodyFormats };
  /** Checked by the router (admission.ts) before the handler runs; path parameters are in limits.ts. */
  query?: Array<{ name: string; description: string; required?: boolean; schema: ParameterSchema }>;
  /** The success answer: 202 (an operation started), 200, …; `schema` names its OpenAPI component where one describes it. */
  success: { status: number; description: string; contentType?: string; schema?: 'ClusterDetail' };
  /** Starts an operation: takes Idempotency-Key, answers 409 while another runs. */
  startsOperation?: boolean;
  /** The operation an "Operation Requested" event names to ask for this route (operation-requests.ts). */
  operation?: RequestedOperation;
  /** Problem answers of this route alone (status → when), documented over the common ones. */
  problems?: Record<string, string>;
}

const PAGING = [
  { name: 'limit', description: `Page size, ${PAGE_SIZE.schema.minimum}–${PAGE_SIZE.schema.maximum} (default ${PAGE_SIZE.default}).`, schema: PAGE_SIZE.schema },
  { name: 'cursor', description: 'nextCursor of the previous page, as given; it works only for the caller and listing it came from.', schema: CURSOR },
];
const ACCEPTED = { status: 202, description: 'Accepted: the operation started. Follow links.operation (or the Location header) for its progress.' };

export const ROUTES: Route[] = [
  {
    method: 'POST', path: '/clusters', operationId: 'createCluster', summary: 'Create a cluster from a cluster spec or an eksctl ClusterConfig (or review its plan with ?dryRun=true)', handler: createCluster,
    body: { description: 'The cluster spec, or an eksctl ClusterConfig (apiVersion eksctl.io/v1alpha5, kind ClusterConfig; docs/eksctl-config.md), as JSON or YAML', schema: { clusterSpec: true }, formats: 'json-or-yaml' },
    query: [{ name: 'dryRun', description: 'true: validate and answer the plan (normalised spec, steps, rendered template) without creating anything.', schema: { type: 'boolean' } }],
    success: ACCEPTED, startsOperation: true, operation: 'CREATE_CLUSTER',
  },
  { method: 'GET', path: '/clusters', operationId: 'listClusters', summary: 'List your clusters (every cluster for an admin)', handler: listClusters, query: PAGING, success: { status: 200, description: 'A page of clusters' } },
  { method: 'GET', path: '/clusters/{name}', operationId: 'getCluster', summary: 'A cluster: its spec, live state, version support and running operation', handler: getCluster, success: { status: 200, description: 'The cluster; an ACTIVE one with versionSupport (or versionSupportUnavailable saying why not)', schema: 'ClusterDetail' } },
  {
    method: 'DELETE', path: '/clusters/{name}', operationId: 'deleteCluster', summary: 'Delete a cluster and everything the service made for it', handler: deleteCluster,
    query: [{ name: 'disableDeletionProtection', description: "true: a cluster with deletion protection has it turned off, then is deleted (without it such a cluster is refused with 409).", schema: { type: 'boolean' } }],
    success: ACCEPTED, startsOperation: true, operation: 'DELETE_CLUSTER',
    problems: { '409': 'Another operation runs on the cluster, or it has deletion protection and ?disableDeletionProtection=true was not given' },
  },
  ...changeRoutes(ACCEPTED),
  {
    method: 'POST', path: '/clusters/{name}/upgrade', operationId: 'upgradeCluster', summary: 'Upgrade the Kubernetes version: preflight, control plane one minor at a time, add-ons and nodegroups (or review the plan with ?dryRun=true)',
    handler: (request, deps, name) => upgradeCluster(request, deps, name!),
    body: { description: 'The version to reach, and whether to force past upgrade insights and PodDisruptionBudgets', schema: { inline: UPGRADE_BODY_SCHEMA } },
    query: [{ name: 'dryRun', description: "true: answer the upgrade plan (passes, add-on and nodegroup versions, preflight problems) from the cluster as it is, with EKS's upgrade insights as they are (no refresh), without changing anything.", schema: { type: 'boolean' } }],
    success: ACCEPTED, startsOperation: true, operation: 'UPGRADE_CLUSTER',
  },
  { method: 'GET', path: '/clusters/{name}/kubeconfig', operationId: 'getKubeconfig', summary: 'A kubeconfig using the `aws eks get-token` exec plugin', handler: getKubeconfig, success: { status: 200, description: 'kubeconfig YAML', contentType: 'application/yaml' } },
  { method: 'GET', path: '/operations', operationId: 'listOperations', summary: "A cluster's operations, newest first", handler: listOperations, query: [{ name: 'cluster', description: 'The cluster name', required: true, schema: CLUSTER_NAME }, ...PAGING], success: { status: 200, description: 'A page of operations' } },
  { method: 'GET', path: '/operations/{id}', operationId: 'getOperation', summary: 'An operation: status, phase, error or outputs, and its step timeline', handler: getOperation, success: { status: 200, description: 'The operation' } },
  {
    method: 'POST', path: '/operations/{id}/abort', operationId: 'abortOperation', summary: 'Abort an operation (admins only): stop its execution and end it FAILED, releasing the cluster', handler: abortOperation,
    success: { status: 200, description: 'The operation, ended FAILED with settledBy "abort"' },
    problems: { '403': 'The IAM signature was refused, or the caller may see the operation but is not an admin', '409': 'The operation had already ended: the answer names how' },
  },
  { method: 'GET', path: '/openapi.json', operationId: 'getOpenApi', summary: 'This API as an OpenAPI 3.1 document', handler: getOpenApi, success: { status: 200, description: 'The OpenAPI document' } },
];

export interface RouteMatch {
  route?: Route;
  /** Methods the path supports, for a 405. */
  allowed: string[];
  /** As they appear in the path (percent-encoded): the router decodes and checks them. */
  params: string[];
}

const compiled = ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === route.greedyParam ? '(.+)' : '([^/]+)'))}/?$`),
}));

export function matchRoute(method: string, path: string): RouteMatch {
  const matching = compiled.filter((c) => c.pattern.test(path));
  const hit = matching.find((c) => c.route.method === method);
  if (!hit) return { allowed: [...new Set(matching.map((c) => c.route.method))], params: [] };
  return { route: hit.route, allowed: [], params: hit.pattern.exec(path)!.slice(1) };
}
