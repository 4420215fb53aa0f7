/** What provisioning and update-cluster share about Pod Identity associations. */
import type { Operation } from '../generated/types';
import { idempotencyToken, ownershipTags } from '../domain/naming';
import { associationKey } from '../domain/pod-identity';
import type { PodIdentityAssociationSpec } from '../domain/spec';
import type { PodIdentityAssociationRequest } from '../ports/eks';

/** CreatePodIdentityAssociation as both make it: owned, and idempotent per operation and service account. */
export function podIdentityAssociationRequest(operation: Operation, association: PodIdentityAssociationSpec, roleArn: string): PodIdentityAssociationRequest {
  const cluster = operation.cluster.name;
  return {
    clusterName: cluster,
    namespace: association.namespace,
    serviceAccount: association.serviceAccountName,
    roleArn,
    tags: ownershipTags(undefined, { clusterName: cluster, owner: operation.requestedBy, operationId: operation.id }),
    clientRequestToken: idempotencyToken(operation.id, 'create-pod-identity-association', associationKey(association)),
  };
}
