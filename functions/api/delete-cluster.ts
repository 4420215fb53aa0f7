/**
 * DELETE /clusters/{name}: locks the cluster (ACTIVE, or FAILED — e.g. a provisioning that
 * failed with onFailure: retain) and starts delete-cluster.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { acceptOperation, replayed } from './accept-operation';
import { ownedCluster } from './access';
import type { ApiDeps, ApiRequest } from './request';

export async function deleteCluster(request: ApiRequest, deps: ApiDeps, name: string): Promise<APIGatewayProxyResult> {
  const identity = { type: 'DELETE' as const, clusterName: name, fingerprint: { delete: name } };
  const replay = await replayed(request, deps, identity);
  if (replay) return replay;
  const found = await ownedCluster(request, deps, name);
  if ('denied' in found) return found.denied;
  const { cluster } = found;
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
    executionInput: (operation) => ({ operation, spec: cluster.spec }),
  });
}
