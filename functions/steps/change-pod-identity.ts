/**
 * Task "Change Pod Identity" (update-cluster, ADD/REMOVE_POD_IDENTITY_ASSOCIATION), looked at
 * again after each wait (functions/domain/pod-identity-change.ts decides). Added with roleArn:
 * CreatePodIdentityAssociation. Added with permissionPolicyArns: the role's own stack first
 * (`eksp-<cluster>-podidentity-<namespace>-<sa>-<hash>`), then the association with its role.
 * Removed: DeletePodIdentityAssociation, then that stack if there is one. The association is found
 * by namespace and service account (ListPodIdentityAssociations) on every look.
 */
import { validateUpdateInput } from '../generated/validators';
import type { Poll, UpdateInput } from '../generated/types';
import { changeFor } from '../domain/change-actions';
import { STACK_STAGES } from '../domain/cluster-change';
import { renderPodIdentityTemplate } from '../domain/cluster-template';
import { rootCauseFromStackEvents } from '../domain/diagnosis';
import { idempotencyToken, TAG_CLUSTER, TAG_OPERATION } from '../domain/naming';
import { parseAssociationKey, podIdentityStackName } from '../domain/pod-identity';
import { planPodIdentityChange, type LivePodIdentity, type PodIdentityCall } from '../domain/pod-identity-change';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { ownedStackRequest, stackTags } from '../step-support/owned-stack';
import { podIdentityAssociationRequest } from '../step-support/pod-identity';
import { ChangeProgress } from '../step-support/update-change';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

type Deps = StepDeps<'cloudFormation' | 'eks' | 'events' | 'registry'>;

export async function changePodIdentity(input: UpdateInput, deps: Deps): Promise<Poll> {
  const change = changeFor(input.change, 'Change Pod Identity');
  const progress = new ChangeProgress(input, deps, 'Change Pod Identity');
  const { cluster, target } = progress;
  const key = parseAssociationKey(target);
  const stackName = podIdentityStackName(cluster, key);

  const live: LivePodIdentity = {};
  const found = await deps.eks.findPodIdentityAssociation(cluster, key.namespace, key.serviceAccountName);
  if (found?.associationId) {
    const association = await deps.eks.describePodIdentityAssociation(cluster, found.associationId);
    if (association) live.association = { associationId: found.associationId, ...(association.roleArn ? { roleArn: association.roleArn } : {}) };
  }
  const stack = await deps.cloudFormation.describeStack(stackName);
  if (stack) live.stack = { status: stack.status, operationId: stack.tags[TAG_OPERATION], cluster: stack.tags[TAG_CLUSTER], outputs: stack.outputs };

  return progress.follow(
    planPodIdentityChange(change, cluster, live, input.operation.id),
    (call) => makeCall(call, input, stackName, deps),
    async (stage) => (STACK_STAGES.includes(stage) ? rootCauseFromStackEvents(await deps.cloudFormation.stackEvents(stackName))?.message : undefined),
  );
}

async function makeCall(call: PodIdentityCall, input: UpdateInput, stackName: string, deps: Deps): Promise<void> {
  const { operation, spec } = input;
  const cluster = operation.cluster.name;
  switch (call.call) {
    case 'createPodIdentityStack': {
      const tags = stackTags(operation, spec);
      const template = renderPodIdentityTemplate({ clusterName: cluster, association: call.association, stackName, tags, permissionsBoundaryArn: deps.settings.permissionsBoundaryArn(), podRoleBoundaryArn: deps.settings.podRoleBoundaryArn() });
      await deps.cloudFormation.createStack(ownedStackRequest(operation, spec, { stackName, template, tags, step: 'create-pod-identity-stack', roleArn: deps.settings.cloudFormationRoleArn() }));
      return;
    }
    case 'createPodIdentityAssociation':
      await deps.eks.createPodIdentityAssociation(podIdentityAssociationRequest(operation, call.association, call.roleArn));
      return;
    case 'deletePodIdentityAssociation':
      await deps.eks.deletePodIdentityAssociation(cluster, call.associationId);
      return;
    case 'deleteStack':
      await deps.cloudFormation.setTerminationProtection(stackName, false);
      await deps.cloudFormation.deleteStack(stackName, idempotencyToken(operation.id, 'delete-pod-identity-stack', stackName), deps.settings.cloudFormationRoleArn());
      return;
  }
}

export const handler = step(validateUpdateInput, { cloudFormation: sdkCloudFormation, eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, changePodIdentity);
