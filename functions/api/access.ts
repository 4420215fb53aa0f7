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

/**
 * The one answer for a cluster the caller may not see and for one that does not exist: the same
 * status and body, so nobody learns which names other teams use (as S3 answers 404 for a bucket
 * you cannot read when you may not list it).
 */
export const clusterNotFound = (name: string) => problem({ status: 404, title: 'Cluster not found', detail: `no cluster ${name}` });

/** Likewise for an operation of someone else's. */
export const operationNotFound = (id: string) => problem({ status: 404, title: 'Operation not found', detail: `no operation ${id}` });

/** The cluster the caller may act on, or the 404 to answer (for a missing cluster and another's alike). */
export async function ownedCluster(request: ApiRequest, deps: ApiDeps, name: string): Promise<{ cluster: ClusterRecord } | { denied: APIGatewayProxyResult }> {
  const cluster = await deps.registry.getCluster(name);
  if (!cluster || GONE.has(cluster.status) || !mayUse(request, deps, cluster.owner)) return { denied: clusterNotFound(name) };
  return { cluster };
}
