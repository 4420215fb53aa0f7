/** GET /clusters: the caller's clusters (every cluster for an admin), by name, in pages. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { principalOf } from '../domain/caller';
import type { ClusterRecord } from '../ports/registry';
import { isAdmin } from './access';
import { pageQuery } from './paging';
import { json } from './problem';
import type { ApiDeps, ApiRequest } from './request';

export async function listClusters(request: ApiRequest, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const owner = isAdmin(request, deps) ? undefined : principalOf(request.caller);
  const page = await deps.registry.listClusters({ ...pageQuery(request), ...(owner ? { owner } : {}) });
  return json(200, { clusters: page.items.map(clusterSummary), ...(page.cursor ? { nextCursor: page.cursor } : {}) });
}

export function clusterSummary(cluster: ClusterRecord) {
  const spec = cluster.spec as { version?: string } | undefined;
  return {
    name: cluster.name,
    status: cluster.status,
    owner: cluster.owner,
    kubernetesVersion: spec?.version,
    createdAt: cluster.createdAt,
    updatedAt: cluster.updatedAt,
    currentOperation: cluster.lockedBy ? { id: cluster.lockedBy, link: `/operations/${cluster.lockedBy}` } : null,
    links: { self: `/clusters/${cluster.name}` },
  };
}
