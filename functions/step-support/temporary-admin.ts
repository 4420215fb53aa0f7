/**
 * The service keeps no standing admin in its clusters (docs/security.md). It needs the Kubernetes
 * API only to write aws-auth, and for exactly that time its own principal (kubernetes.principal())
 * gets an access entry with AmazonEKSClusterAdminPolicy, removed when the write is done or has
 * failed. The entry carries TEMPORARY_ADMIN_TAG: a retry after a crash between create and delete
 * finds it, reuses it and removes it (so does the retry after a 401/403 from an entry EKS has not
 * put into effect yet); an entry without the tag was not made here (the owner's, a
 * spec's, the creator's of a cluster made before, an operator's) and is never touched.
 *
 * CONFIG_MAP mode has no access entries: the creator's bootstrap admin (which EKS requires there)
 * is the service's way in, and nothing is granted. API mode reads no aws-auth, so never asks.
 */
import type { Operation } from '../generated/types';
import { accessPolicyArn, idempotencyToken, ownershipTags, TEMPORARY_ADMIN_TAG } from '../domain/naming';
import type { Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { AwsUnavailableError, KubernetesApiError } from '../shared/errors';
import { logger } from '../shared/logger';

const CLUSTER_ADMIN = accessPolicyArn('AmazonEKSClusterAdminPolicy');

type Deps = StepDeps<'eks' | 'kubernetes'>;

export interface TemporaryAdminScope {
  operation: Operation;
  /** The cluster's authentication mode as it is now. */
  mode: Spec['authenticationMode'];
  /** Principals whose entries belong to someone else (the owner, the spec's entries): never granted nor removed here. */
  othersPrincipals: string[];
}

/**
 * Runs `work` (an aws-auth read and write, a look at nodes, a round of a drain) with the service
 * holding cluster-admin for that time only. `heldWhile` names the errors that mean "come back
 * soon" (a wait the ASL retries): the entry then stays for the next look instead of being made
 * and put into effect again each time, and goes when the work ends either way. Should the
 * execution stop between looks (aborted, timed out), the execution-ended listener removes it
 * (listeners/leftover-admin.ts); failing that, the next grant of any operation finds it by its tag and
 * removes it, or the cluster's deletion does.
 */
export async function withTemporaryAdmin<T>(deps: Deps, scope: TemporaryAdminScope, work: () => Promise<T>, heldWhile: (error: unknown) => boolean = () => false): Promise<T> {
  if (scope.mode === 'CONFIG_MAP') return work();
  const principal = await deps.kubernetes.principal();
  const granted = scope.othersPrincipals.includes(principal) ? 'not ours' : await grant(deps, scope.operation, principal);
  if (granted === 'not ours') return work();
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // EKS takes a few seconds to put a new entry into effect: the retry (retryable by name)
    // finds the tagged entry, uses it and removes it then.
    if (granted === 'created' && error instanceof KubernetesApiError && (error.status === 401 || error.status === 403)) {
      throw new AwsUnavailableError(`the access entry of ${principal} is not in effect yet at the Kubernetes API; retrying`, { resource: 'aws-auth', cause: error });
    }
    if (heldWhile(error)) throw error;
    await revoke(deps, scope.operation, principal).catch((cleanup: unknown) => {
      // The work's error is the one to report; the entry is found again by the step's retry.
      logger.warn('could not remove the temporary access entry after a failed write', { principal, error: String(cleanup) });
    });
    throw error;
  }
  await revoke(deps, scope.operation, principal);
  return result;
}

/** Makes (or, after a crash or a retry, finds) the service's tagged entry with cluster-admin; 'not ours' when an entry someone else made exists. */
async function grant(deps: Deps, operation: Operation, principal: string): Promise<'created' | 'found' | 'not ours'> {
  const cluster = operation.cluster.name;
  const existing = await deps.eks.describeAccessEntry(cluster, principal);
  if (existing && existing.tags?.[TEMPORARY_ADMIN_TAG] === undefined) return 'not ours';
  if (!existing) {
    await deps.eks.putAccessEntry({
      clusterName: cluster,
      principalArn: principal,
      type: 'STANDARD',
      tags: { ...ownershipTags(undefined, { clusterName: cluster, owner: operation.requestedBy, operationId: operation.id }), [TEMPORARY_ADMIN_TAG]: operation.id },
      clientRequestToken: idempotencyToken(operation.id, 'temporary-admin', principal),
    });
  }
  await deps.eks.associateAccessPolicy({ clusterName: cluster, principalArn: principal, policyArn: CLUSTER_ADMIN, accessScope: { type: 'cluster' } });
  return existing ? 'found' : 'created';
}

/** Deletes the service's entry, checking the tag again: an absent entry is success. */
async function revoke(deps: Deps, operation: Operation, principal: string): Promise<void> {
  const cluster = operation.cluster.name;
  const entry = await deps.eks.describeAccessEntry(cluster, principal);
  if (entry?.tags?.[TEMPORARY_ADMIN_TAG] === undefined) return;
  await deps.eks.deleteAccessEntry(cluster, principal);
}
