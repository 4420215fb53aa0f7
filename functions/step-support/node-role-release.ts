/**
 * Taking a removed self-managed nodegroup's node role out of the cluster: the counterpart of
 * node-role-admission.ts, so nothing the nodegroup was given outlives it.
 */
import type { Operation } from '../generated/types';
import { removeIdentityMapping } from '../domain/aws-auth';
import type { Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import type { ClusterEndpoint } from './node-role-admission';

/** Takes the node role's admission back: its access entry, or its aws-auth mapping (read-merge-written). Absent already is success. */
export async function releaseNodeRole(deps: StepDeps<'eks' | 'kubernetes'>, operation: Operation, spec: Pick<Spec, 'authenticationMode'>, roleArn: string, cluster: ClusterEndpoint): Promise<void> {
  if (spec.authenticationMode !== 'CONFIG_MAP') {
    await deps.eks.deleteAccessEntry(operation.cluster.name, roleArn);
    return;
  }
  const current = await deps.kubernetes.readAwsAuth(cluster);
  const kept = removeIdentityMapping(current?.data, roleArn);
  if (kept) await deps.kubernetes.writeAwsAuth(cluster, kept, current?.resourceVersion);
}
