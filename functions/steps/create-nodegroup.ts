/** Task "Create Nodegroup" (one Map iteration): CreateNodegroup with the stack's roles and subnets. */
import type { CreateNodegroupCommandInput } from '@aws-sdk/client-eks';
import { validateNodegroupItem } from '../generated/validators';
import type { Operation, Poll, NodegroupItem, StackOutputs } from '../generated/types';
import { launchTemplateInstanceType, launchTemplateOutputName, nodeRoleOutputName } from '../domain/cluster-template';
import { idempotencyToken, ownershipTags } from '../domain/naming';
import { eksTaints } from '../domain/nodegroup-update';
import type { NodegroupSpec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { nodegroupPolling, observeNodegroup } from '../step-support/nodegroup';
import { startedResource } from '../step-support/resource-poll';
import { outputList, stackOutputs } from '../step-support/stack-outputs';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export function nodegroupRequest(input: NodegroupItem, ng: NodegroupSpec): CreateNodegroupCommandInput {
  const outputs = stackOutputs(input);
  return nodegroupRequestFor(input.operation, ng, { nodeRole: outputs[nodeRoleOutputName(ng)], launchTemplateId: outputs[launchTemplateOutputName(ng)], clusterStackOutputs: outputs });
}

/** Where a nodegroup's role and launch template come from: the cluster stack at provisioning, its own stack when added later. */
export interface NodegroupResources {
  nodeRole: string | undefined;
  launchTemplateId: string | undefined;
  /** The cluster stack's outputs: the subnets of nodegroups that name none. */
  clusterStackOutputs: Record<string, string>;
}

export function nodegroupRequestFor(operation: Operation, ng: NodegroupSpec, resources: NodegroupResources): CreateNodegroupCommandInput {
  const subnets = ng.subnets ?? outputList(resources.clusterStackOutputs as StackOutputs, ng.privateNetworking ? 'SubnetsPrivate' : 'SubnetsPublic');
  return {
    clusterName: operation.cluster.name,
    nodegroupName: ng.name,
    nodeRole: resources.nodeRole,
    subnets,
    scalingConfig: { minSize: ng.minSize, desiredSize: ng.desiredSize, maxSize: ng.maxSize },
    // One type is in the launch template (cluster-template.ts), where a new version can change it; several only here, for good.
    ...(launchTemplateInstanceType(ng) ? {} : { instanceTypes: ng.instanceTypes }),
    amiType: ng.amiType,
    capacityType: ng.capacityType,
    // Volume size and type, IMDSv2, the SSH key and security groups live in the stack's launch template.
    launchTemplate: { id: resources.launchTemplateId },
    labels: ng.labels,
    taints: eksTaints(ng.taints),
    // Absent: EKS's defaults (one node at a time; the newest AMI release of the version).
    ...(ng.updateConfig ? { updateConfig: ng.updateConfig } : {}),
    ...(ng.releaseVersion ? { releaseVersion: ng.releaseVersion } : {}),
    tags: ownershipTags(undefined, { clusterName: operation.cluster.name, owner: operation.requestedBy, operationId: operation.id }),
    clientRequestToken: idempotencyToken(operation.id, 'create-nodegroup', ng.name),
  };
}

export async function createNodegroup(input: NodegroupItem, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const ng = input.item;
  await deps.eks.createNodegroup(nodegroupRequest(input, ng));
  const observed = observeNodegroup(await deps.eks.describeNodegroup(input.operation.cluster.name, ng.name));
  return startedResource(deps, input.operation, nodegroupPolling(ng.name), observed);
}

export const handler = step(validateNodegroupItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, createNodegroup);
