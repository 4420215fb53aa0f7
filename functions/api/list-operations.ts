/** GET /operations?cluster=: a cluster's operations, newest first, in pages (owner or admin; to anyone else the cluster does not exist). */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { OperationRecord } from '../ports/registry';
import { clusterNotFound, mayUse, mayUseOperation } from './access';
import { pageQuery } from './paging';
import { json } from './problem';
import type { ApiDeps, ApiRequest } from './request';

export async function listOperations(request: ApiRequest, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  // The router requires it (routes.ts) and checked it is a cluster name.
  const name = request.query.cluster!;
  // The page first: its cursor is checked before anything is read.
  const page = await deps.registry.listOperations(name, pageQuery(request));
  // A deleted cluster's history stays readable by its owner.
  const cluster = await deps.registry.getCluster(name);
  if (!cluster) return clusterNotFound(name);
  // Each operation is its requester's and its cluster's owner's at the time: a name reused by another owner keeps the earlier operations to theirs.
  const visible = page.items.filter((operation) => mayUseOperation(request, deps, operation));
  if (visible.length === 0 && !mayUse(request, deps, cluster.owner)) return clusterNotFound(name);
  return json(200, { operations: visible.map(operationSummary), ...(page.cursor ? { nextCursor: page.cursor } : {}) });
}

function operationSummary(record: OperationRecord) {
  return {
    id: record.id,
    type: record.type,
    ...(record.action ? { action: record.action } : {}),
    cluster: record.clusterName,
    status: record.status,
    phase: record.phase,
    requestedBy: record.requestedBy,
    requestedAt: record.requestedAt,
    updatedAt: record.updatedAt,
    ...(record.error ? { error: record.error } : {}),
    links: { self: `/operations/${record.id}` },
  };
}
