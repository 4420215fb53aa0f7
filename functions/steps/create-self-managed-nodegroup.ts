/**
 * Task "Create Self-managed Nodegroup" (one Map iteration): resolves the AMI (the spec's, else
 * the EKS optimized AL2023 one of the cluster's version from SSM), reads what nodeadm needs of the
 * cluster (DescribeCluster: endpoint, CA, service CIDR), and creates the nodegroup's stack
 * `eksp-<cluster>-nodegroup-<ng>` with a token from the operation, as eksctl makes one per
 * nodegroup. Its Check step follows the stack and then admits the node role.
 */
import { validateSelfManagedNodegroupItem } from '../generated/validators';
import type { Poll, SelfManagedNodegroupItem } from '../generated/types';
import { nodegroupStackName, TAG_OPERATION } from '../domain/naming';
import { renderSelfManagedNodegroupTemplate } from '../domain/self-managed-nodegroup-template';
import type { StepDeps } from '../shared/deps';
import { StackFailedError } from '../shared/errors';
import { step } from '../shared/step';
import { ownedStackRequest, stackTags } from '../step-support/owned-stack';
import { startedResource } from '../step-support/resource-poll';
import { nodeadmCluster, resolveImageId } from '../step-support/self-managed-launch';
import { selfManagedPolling } from '../step-support/self-managed-nodegroup';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { dynamoRegistry } from '../ports/registry';
import { sdkSsm } from '../ports/ssm';
import { eventBridgeStatusEvents } from '../ports/status-events';

type Deps = StepDeps<'cloudFormation' | 'eks' | 'ssm' | 'events' | 'registry'>;

export async function createSelfManagedNodegroup(input: SelfManagedNodegroupItem, deps: Deps): Promise<Poll> {
  const { operation, spec, item: nodegroup } = input;
  const clusterName = operation.cluster.name;
  const stackName = nodegroupStackName(clusterName, nodegroup.name);
  const template = renderSelfManagedNodegroupTemplate({
    stackName,
    nodegroup,
    cluster: await nodeadmCluster(deps, clusterName),
    imageId: await resolveImageId(deps, spec, nodegroup),
    tags: stackTags(operation, spec),
    permissionsBoundaryArn: deps.settings.permissionsBoundaryArn(),
  });
  const request = ownedStackRequest(operation, spec, { stackName, template, tags: stackTags(operation, spec), step: 'create-self-managed-nodegroup', resource: nodegroup.name, roleArn: deps.settings.cloudFormationRoleArn() });
  const created = await deps.cloudFormation.createStack(request);
  const stack = await deps.cloudFormation.describeStack(stackName);
  if (!created && stack?.tags[TAG_OPERATION] !== operation.id) {
    throw new StackFailedError(`already exists (status ${stack?.status ?? 'unknown'}) and was not created by this operation`, { resource: `stack ${stackName}` });
  }
  return startedResource(deps, operation, selfManagedPolling(nodegroup.name), stack ? { status: stack.status, ...(stack.creationTime ? { createdAt: stack.creationTime } : {}) } : undefined);
}

export const handler = step(validateSelfManagedNodegroupItem, { cloudFormation: sdkCloudFormation, eks: sdkEks, ssm: sdkSsm, events: eventBridgeStatusEvents, registry: dynamoRegistry }, createSelfManagedNodegroup);
