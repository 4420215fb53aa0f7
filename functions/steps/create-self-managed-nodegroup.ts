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
import { eksOptimizedAmiParameter, renderSelfManagedNodegroupTemplate, selfManagedArchitecture, type NodeadmCluster } from '../domain/self-managed-nodegroup-template';
import type { SelfManagedNodegroupSpec, Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { StackFailedError } from '../shared/errors';
import { step } from '../shared/step';
import { ownedStackRequest, stackTags } from '../step-support/owned-stack';
import { startedResource } from '../step-support/resource-poll';
import { selfManagedPolling } from '../step-support/self-managed-nodegroup';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { dynamoRegistry } from '../ports/registry';
import { sdkSsm } from '../ports/ssm';
import { eventBridgeStatusEvents } from '../ports/status-events';

type Deps = StepDeps<'cloudFormation' | 'eks' | 'ssm' | 'events' | 'registry'>;

/** The spec's AMI, else the recommended EKS optimized AL2023 AMI for the version and the types' architecture. */
export async function resolveImageId(deps: Pick<Deps, 'ssm'>, spec: Pick<Spec, 'version'>, nodegroup: SelfManagedNodegroupSpec): Promise<string> {
  if (nodegroup.ami) return nodegroup.ami;
  const parameter = eksOptimizedAmiParameter(spec.version, selfManagedArchitecture(nodegroup));
  const imageId = await deps.ssm.getParameter(parameter);
  if (!imageId) throw new StackFailedError(`no EKS optimized Amazon Linux 2023 AMI for Kubernetes ${spec.version}: SSM has no parameter ${parameter}`, { resource: `nodegroup ${nodegroup.name}` });
  return imageId;
}

/** What nodeadm needs, as EKS describes the cluster now (the cluster stack is complete before this step). */
export async function nodeadmCluster(deps: Pick<Deps, 'eks'>, clusterName: string): Promise<NodeadmCluster> {
  const cluster = await deps.eks.describeCluster(clusterName);
  const endpoint = cluster?.endpoint;
  const certificateAuthority = cluster?.certificateAuthority?.data;
  const cidr = cluster?.kubernetesNetworkConfig?.serviceIpv4Cidr;
  if (!endpoint || !certificateAuthority || !cidr) throw new StackFailedError('has no endpoint, certificate authority or service CIDR yet: nodes could not join it', { resource: `cluster ${clusterName}` });
  return { name: clusterName, apiServerEndpoint: endpoint, certificateAuthority, cidr };
}

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
