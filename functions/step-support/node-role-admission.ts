/**
 * Letting a self-managed nodegroup's node role into the cluster. EKS admits the roles of managed
 * nodegroups itself; a self-managed nodegroup's role needs an EC2_LINUX access entry (API modes;
 * EKS then maps it to system:node:{{EC2PrivateDNSName}} in system:nodes) or, in CONFIG_MAP mode,
 * the aws-auth mapping eksctl writes for it.
 */
import type { Operation } from '../generated/types';
import { mergeIdentityMappings } from '../domain/aws-auth';
import { idempotencyToken, ownershipTags } from '../domain/naming';
import type { Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';

/** The groups a node's role needs in aws-auth: to bootstrap (CSRs) and to be a node. */
export const NODE_ROLE_GROUPS = ['system:bootstrappers', 'system:nodes'];
/** The username nodes get (the node authorizer requires system:node:<node name>). */
export const NODE_USERNAME = 'system:node:{{EC2PrivateDNSName}}';

export interface ClusterEndpoint {
  name: string;
  endpoint: string;
  certificateAuthority?: string;
}

/**
 * Admits the node role: an EC2_LINUX access entry where the cluster has access entries
 * (API, API_AND_CONFIG_MAP: the entry is EKS's own way and survives aws-auth edits), else an
 * aws-auth mapping through the kube agent, read-merge-written with its resourceVersion.
 */
export async function admitNodeRole(deps: StepDeps<'eks' | 'kubernetes'>, operation: Operation, spec: Pick<Spec, 'authenticationMode'>, roleArn: string, cluster: ClusterEndpoint): Promise<'access entry' | 'aws-auth'> {
  if (spec.authenticationMode !== 'CONFIG_MAP') {
    await deps.eks.putAccessEntry({
      clusterName: operation.cluster.name,
      principalArn: roleArn,
      type: 'EC2_LINUX',
      tags: ownershipTags(undefined, { clusterName: operation.cluster.name, owner: operation.requestedBy, operationId: operation.id }),
      clientRequestToken: idempotencyToken(operation.id, 'admit-node-role', roleArn),
    });
    return 'access entry';
  }
  // CONFIG_MAP: the service reaches the Kubernetes API as the cluster's creator, EKS's bootstrap
  // admin there (temporary-admin.ts grants nothing in this mode), so it writes aws-auth directly.
  const current = await deps.kubernetes.readAwsAuth(cluster);
  const merged = mergeIdentityMappings(current?.data, [{ arn: roleArn, username: NODE_USERNAME, groups: NODE_ROLE_GROUPS }]);
  if (merged) await deps.kubernetes.writeAwsAuth(cluster, merged, current?.resourceVersion);
  return 'aws-auth';
}
