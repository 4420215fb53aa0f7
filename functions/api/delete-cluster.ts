/**
 * DELETE /clusters/{name}: locks the cluster (ACTIVE, or FAILED — e.g. a provisioning that
 * failed with onFailure: retain) and starts delete-cluster. A cluster with deletion protection
 * (EKS refuses to delete it while ACTIVE) is refused with 409 unless the caller asks
 * `?disableDeletionProtection=true`: then delete-cluster turns the protection off first.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Spec } from '../domain/spec';
import { acceptOperation, replayed } from './accept-operation';
import { ownedCluster } from './access';
import { problem } from './problem';
import type { ApiDeps, ApiRequest } from './request';

export async function deleteCluster(request: ApiRequest, deps: ApiDeps, name: string): Promise<APIGatewayProxyResult> {
  const disableProtection = request.query.disableDeletionProtection === 'true';
  const identity = { type: 'DELETE' as const, clusterName: name, fingerprint: { delete: name, ...(disableProtection ? { disableDeletionProtection: true } : {}) } };
  const replay = await replayed(request, deps, identity);
  if (replay) return replay;
  const found = await ownedCluster(request, deps, name);
  if ('denied' in found) return found.denied;
  const { cluster } = found;
  if (!disableProtection && !cluster.lockedBy && (await hasDeletionProtection(name, cluster.spec as Spec | undefined, deps))) {
    return problem({ status: 409, title: 'Cluster has deletion protection', detail: `cluster ${name} has deletion protection; PATCH it off first, or DELETE with ?disableDeletionProtection=true` });
  }
  return acceptOperation(request, deps, {
    ...identity,
    clusterOwner: cluster.owner,
    clusterStatusBefore: cluster.status,
    stateMachineArn: deps.settings.deleteStateMachineArn(),
    lock: (operation) => deps.registry.beginOperation(operation, { expectedVersion: cluster.version, from: ['ACTIVE', 'FAILED'], to: 'DELETING' }),
    unlock: async (operation) => {
      await deps.registry.abandonOperation(operation, cluster.status);
      return cluster.status;
    },
    executionInput: (operation) => ({ operation, spec: cluster.spec, ...(disableProtection ? { disableDeletionProtection: true } : {}) }),
  });
}

/**
 * The live cluster decides (protection may have been set or cleared outside the service): EKS
 * refuses to delete only an ACTIVE protected cluster. A cluster EKS does not know is not
 * protected; when EKS cannot be asked, the registered spec answers.
 */
async function hasDeletionProtection(name: string, spec: Spec | undefined, deps: ApiDeps): Promise<boolean> {
  try {
    const live = await deps.eks.describeCluster(name);
    return live !== undefined && live.status !== 'FAILED' && live.status !== 'DELETING' && live.deletionProtection === true;
  } catch {
    return spec?.deletionProtection === true;
  }
}
