/**
 * Task "Change Self-managed Nodegroup" (update-cluster, ADD/UPDATE/REMOVE_SELF_MANAGED_NODEGROUP:
 * the nodegroup routes on a self-managed nodegroup), looked at again after each wait until the
 * nodegroup is as asked (domain/self-managed-change.ts decides; step-support/self-managed-change.ts
 * looks and makes an update's calls). It works on the nodegroup's stack as CloudFormation's
 * caller, passing it the execution role, and inside the cluster through the kube agent (nodes,
 * cordons, drains, aws-auth). This module makes what only adding or removing a nodegroup calls:
 * the stack created or deleted, the node role admitted or released.
 *
 * On update-cluster's failure path (`release`, state "Uncordon Self-managed Nodes") it only
 * uncordons the nodes this operation cordoned, as the upgrade's failure path does
 * (self-managed-nodes.ts): a replacement or drain that failed on any other ground than its own
 * time limit (its retries run out, the kube agent gone) would otherwise leave them unschedulable.
 */
import { validateUpdateInput } from '../generated/validators';
import type { Poll, UpdateInput } from '../generated/types';
import { changeFor } from '../domain/change-actions';
import { renderSelfManagedNodegroupTemplate } from '../domain/self-managed-nodegroup-template';
import { idempotencyToken, nodegroupStackName } from '../domain/naming';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { admitNodeRole, type ClusterEndpoint } from '../step-support/node-role-admission';
import { releaseNodeRole } from '../step-support/node-role-release';
import { ownedStackRequest, stackTags } from '../step-support/owned-stack';
import { lookAtSelfManagedChange, type OtherSelfManagedCall } from '../step-support/self-managed-change';
import { nodeadmCluster, resolveImageId } from '../step-support/self-managed-launch';
import { releaseNodegroupCordons } from '../step-support/self-managed-nodes';
import { ChangeProgress } from '../step-support/update-change';
import { sdkAutoScaling } from '../ports/autoscaling';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { inVpcKubernetes } from '../ports/kubernetes';
import { dynamoRegistry } from '../ports/registry';
import { sdkSsm } from '../ports/ssm';
import { eventBridgeStatusEvents } from '../ports/status-events';

type Deps = StepDeps<'autoScaling' | 'cloudFormation' | 'eks' | 'kubernetes' | 'ssm' | 'events' | 'registry'>;

export async function changeSelfManagedNodegroup(input: UpdateInput, deps: Deps): Promise<Poll> {
  if (input.release) {
    await releaseNodegroupCordons(deps, input, changeFor(input.change, 'Change Self-managed Nodegroup').target);
    return { ready: true, waitSeconds: 0 };
  }
  const progress = new ChangeProgress(input, deps, 'Change Self-managed Nodegroup');
  return lookAtSelfManagedChange(input, deps, progress, (call, access) => makeCall(call, input, access, deps));
}

async function makeCall(call: OtherSelfManagedCall, input: UpdateInput, access: ClusterEndpoint | undefined, deps: Deps): Promise<void> {
  const { operation, spec } = input;
  const cluster = operation.cluster.name;
  const stackName = nodegroupStackName(cluster, changeFor(input.change, 'Change Self-managed Nodegroup').target);
  switch (call.call) {
    case 'createSelfManagedStack': {
      const tags = stackTags(operation, spec);
      const template = renderSelfManagedNodegroupTemplate({
        stackName,
        nodegroup: call.nodegroup,
        cluster: await nodeadmCluster(deps, cluster),
        imageId: await resolveImageId(deps, spec, call.nodegroup),
        tags,
        permissionsBoundaryArn: deps.settings.permissionsBoundaryArn(),
      });
      await deps.cloudFormation.createStack(ownedStackRequest(operation, spec, { stackName, template, tags, step: 'create-self-managed-nodegroup', resource: call.nodegroup.name, roleArn: deps.settings.cloudFormationRoleArn() }));
      return;
    }
    case 'admitNodeRole':
      // In API modes the entry is EKS's; only CONFIG_MAP reaches inside (aws-auth).
      await admitNodeRole(deps, operation, spec, call.roleArn, access ?? { name: cluster, endpoint: '' });
      return;
    case 'releaseNodeRole':
      await releaseNodeRole(deps, operation, spec, call.roleArn, access ?? { name: cluster, endpoint: '' });
      return;
    case 'deleteStack':
      // Stacks are made termination-protected; this one is the service's to delete.
      await deps.cloudFormation.setTerminationProtection(stackName, false);
      await deps.cloudFormation.deleteStack(stackName, idempotencyToken(operation.id, 'delete-nodegroup-stack', stackName), deps.settings.cloudFormationRoleArn());
      return;
  }
}

export const handler = step(
  validateUpdateInput,
  { autoScaling: sdkAutoScaling, cloudFormation: sdkCloudFormation, eks: sdkEks, kubernetes: inVpcKubernetes, ssm: sdkSsm, events: eventBridgeStatusEvents, registry: dynamoRegistry },
  changeSelfManagedNodegroup,
);
