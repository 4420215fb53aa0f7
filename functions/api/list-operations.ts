/** GET /operations?cluster=: a cluster's operations, newest first, in pages (owner or admin). */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { OperationRecord } from '../ports/registry';
import { mayUse, mayUseOperation } from './access';
import { pageQuery } from './paging';
import { json, problem } from './problem';
import type { ApiDeps, ApiRequest } from './request';

export async function listOperations(request: ApiRequest, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const name = request.query.cluster;
  if (!name) return problem({ status: 400, title: 'Invalid query', detail: 'name the cluster: /operations?cluster=<name>', errors: [{ pointer: '/query/cluster', message: 'is required' }] });
  const query = pageQuery(request);
  if ('rejected' in query) return query.rejected;
  // A deleted cluster's history stays readable by its owner.
  const cluster = await deps.registry.getCluster(name);
  if (!cluster) return problem({ status: 404, title: 'Cluster not found', detail: `no cluster ${name}` });
  const page = await deps.registry.listOperations(name, query.page);
  // Each operation is its requester's and its cluster's owner's at the time: a name reused by another owner keeps the earlier operations to theirs.
  const visible = page.items.filter((operation) => mayUseOperation(request, deps, operation));
  if (visible.length === 0 && !mayUse(request, deps, cluster.owner)) return problem({ status: 403, title: 'Forbidden', detail: `cluster ${name} belongs to another principal` });
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
