/** Who may see and change a cluster: its owner (the principal that created it) or a configured admin. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mayAccess, principalOf } from '../domain/caller';
import type { ClusterRecord, OperationRecord } from '../ports/registry';
import { problem } from './problem';
import type { ApiDeps, ApiRequest } from './request';

export function isAdmin(request: ApiRequest, deps: ApiDeps): boolean {
  return request.system === true || deps.settings.adminPrincipalArns().map(principalOf).includes(principalOf(request.caller));
}

export function mayUse(request: ApiRequest, deps: ApiDeps, owner: string): boolean {
  return request.system === true || mayAccess(request.caller, owner, deps.settings.adminPrincipalArns());
}

/** An operation is its requester's and its cluster's owner's at the time (a reused name has a new owner). */
export function mayUseOperation(request: ApiRequest, deps: ApiDeps, operation: OperationRecord): boolean {
  return mayUse(request, deps, operation.requestedBy) || (operation.clusterOwner !== undefined && mayUse(request, deps, operation.clusterOwner));
}

/** Clusters that were rolled back or deleted no longer exist for the API (their name is free). */
const GONE = new Set(['ROLLED_BACK', 'DELETED']);

/** The cluster the caller may act on, or the 404/403 problem to answer. */
export async function ownedCluster(request: ApiRequest, deps: ApiDeps, name: string): Promise<{ cluster: ClusterRecord } | { denied: APIGatewayProxyResult }> {
  const cluster = await deps.registry.getCluster(name);
  if (!cluster || GONE.has(cluster.status)) return { denied: problem({ status: 404, title: 'Cluster not found', detail: `no cluster ${name}` }) };
  if (!mayUse(request, deps, cluster.owner)) return { denied: problem({ status: 403, title: 'Forbidden', detail: `cluster ${name} belongs to another principal; only its owner or an admin may use it` }) };
  return { cluster };
}
