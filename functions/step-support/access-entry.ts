/** The CreateAccessEntry request for a spec's access entry: Map Identities and Change Access send the same one. */
import type { CreateAccessEntryCommandInput } from '@aws-sdk/client-eks';
import type { Operation } from '../generated/types';
import { idempotencyToken, ownershipTags } from '../domain/naming';
import type { AccessEntrySpec } from '../domain/spec';

export function accessEntryRequest(operation: Operation, entry: AccessEntrySpec): CreateAccessEntryCommandInput {
  const cluster = operation.cluster.name;
  return {
    clusterName: cluster,
    principalArn: entry.principalArn,
    type: entry.type,
    ...(entry.username ? { username: entry.username } : {}),
    ...(entry.kubernetesGroups.length ? { kubernetesGroups: entry.kubernetesGroups } : {}),
    tags: ownershipTags(undefined, { clusterName: cluster, owner: operation.requestedBy, operationId: operation.id }),
    clientRequestToken: idempotencyToken(operation.id, 'create-access-entry', entry.principalArn),
  };
}
