/**
 * update-cluster's "Change Pod Identity" decisions (ADD/REMOVE_POD_IDENTITY_ASSOCIATION) against
 * the live association and, for a role the service makes, its own stack
 * (`eksp-<cluster>-podidentity-…`, pod-identity.ts): the cluster stack is never updated for a
 * later association. EKS makes and deletes associations at once, so only a stack is waited for.
 */
import type { ChangeFor } from './change-actions';
import { apply, deleteLeftoverStack, failed, foreignStack, IN_SYNC, refused, wait, type DeleteOwnStack, type LiveStack, type NextStep } from './cluster-change';
import { podIdentityRoleOutputName } from './cluster-template';
import { hasServiceRole } from './pod-identity';
import type { PodIdentityAssociationSpec } from './spec';
import { stackCreateProgress, stackDeleteProgress } from './status';

/** What Change Pod Identity read of the live cluster. */
export interface LivePodIdentity {
  /** The service account's association (ListPodIdentityAssociations, DescribePodIdentityAssociation); absent: none. */
  association?: { associationId: string; roleArn?: string };
  /** The association's role stack, when one of that name exists. */
  stack?: LiveStack;
}

export type PodIdentityCall =
  | { call: 'createPodIdentityStack'; association: PodIdentityAssociationSpec }
  | { call: 'createPodIdentityAssociation'; association: PodIdentityAssociationSpec; roleArn: string }
  | { call: 'deletePodIdentityAssociation'; associationId: string }
  | DeleteOwnStack;

export function planPodIdentityChange(change: ChangeFor<'Change Pod Identity'>, clusterName: string, live: LivePodIdentity, operationId: string): NextStep<PodIdentityCall> {
  const foreign = foreignStack(live, clusterName);
  if (foreign) return foreign;
  switch (change.action) {
    case 'ADD_POD_IDENTITY_ASSOCIATION':
      return addAssociation(change.item, live, operationId);
    case 'REMOVE_POD_IDENTITY_ASSOCIATION':
      return removeAssociation(live);
  }
}

/**
 * With roleArn: the association. With permissionPolicyArns: the role's stack (a leftover of an
 * earlier operation deleted first: its role was made for another request), then the association
 * with the stack's role. An association already there with the role asked for is the change done;
 * one with another role was made by someone else and is not replaced.
 */
function addAssociation(item: PodIdentityAssociationSpec, live: LivePodIdentity, operationId: string): NextStep<PodIdentityCall> {
  const stack = live.stack;
  const stackRole = stack?.outputs[podIdentityRoleOutputName(item)];
  const existing = live.association;
  if (existing) {
    const wanted = item.roleArn ?? stackRole;
    if (wanted !== undefined && existing.roleArn === wanted) return IN_SYNC;
    return refused(`already has an association (${existing.associationId}) with role ${existing.roleArn ?? '(none)'}; EKS allows one per service account: remove it first`);
  }
  if (!hasServiceRole(item)) return apply(undefined, { call: 'createPodIdentityAssociation', association: item, roleArn: item.roleArn! });
  if (!stack) return apply('podIdentityStack', { call: 'createPodIdentityStack', association: item });
  if (stack.operationId !== operationId) return deleteLeftoverStack(stack, 'podIdentityStackDelete');
  const progress = stackCreateProgress(stack.status);
  if (progress === 'pending') return wait('podIdentityStack', stack.status);
  if (progress === 'failed') return failed('podIdentityStack', stack.status);
  if (!stackRole) return failed('podIdentityStack', `${stack.status} without a ${podIdentityRoleOutputName(item)} output`);
  return apply(undefined, { call: 'createPodIdentityAssociation', association: item, roleArn: stackRole });
}

/** The association (EKS deletes it at once), then the role stack the service made for it after provisioning, if any. */
function removeAssociation(live: LivePodIdentity): NextStep<PodIdentityCall> {
  const stack = live.stack;
  const stackGone = !stack || stackDeleteProgress(stack.status) === 'gone';
  // The association first: its stack waits for the next look, so a stack still settling is waited for, not deleted mid-way.
  if (live.association) return apply(stackGone ? undefined : 'podIdentityStackDelete', { call: 'deletePodIdentityAssociation', associationId: live.association.associationId });
  if (stackGone) return IN_SYNC;
  const progress = stackDeleteProgress(stack.status);
  if (progress === 'pending') return wait('podIdentityStackDelete', stack.status);
  if (progress === 'failed') return failed('podIdentityStackDelete', stack.status);
  return apply('podIdentityStackDelete', { call: 'deleteStack' });
}
