/**
 * What a self-managed nodegroup's launch template is made of, read where it is needed: its AMI
 * (the spec's, else the EKS optimized AL2023 one from SSM's public parameter) and what nodeadm
 * needs of the cluster. Its own module so the steps that only change a launch template (Change
 * and Upgrade Self-managed Nodegroup) are charged only these calls (the infra test charges a step
 * with every call of the modules it imports).
 */
import { eksOptimizedAmiParameter, selfManagedArchitecture, type NodeadmCluster } from '../domain/self-managed-nodegroup-template';
import type { SelfManagedNodegroupSpec, Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { StackFailedError } from '../shared/errors';

/** The spec's AMI, else the recommended EKS optimized AL2023 AMI for the version and the types' architecture. */
export async function resolveImageId(deps: Pick<StepDeps<'ssm'>, 'ssm'>, spec: Pick<Spec, 'version'>, nodegroup: SelfManagedNodegroupSpec): Promise<string> {
  if (nodegroup.ami) return nodegroup.ami;
  const parameter = eksOptimizedAmiParameter(spec.version, selfManagedArchitecture(nodegroup));
  const imageId = await deps.ssm.getParameter(parameter);
  if (!imageId) throw new StackFailedError(`no EKS optimized Amazon Linux 2023 AMI for Kubernetes ${spec.version}: SSM has no parameter ${parameter}`, { resource: `nodegroup ${nodegroup.name}` });
  return imageId;
}

/** What nodeadm needs, as EKS describes the cluster now (the cluster stack is complete before this step). */
export async function nodeadmCluster(deps: Pick<StepDeps<'eks'>, 'eks'>, clusterName: string): Promise<NodeadmCluster> {
  const cluster = await deps.eks.describeCluster(clusterName);
  const endpoint = cluster?.endpoint;
  const certificateAuthority = cluster?.certificateAuthority?.data;
  const cidr = cluster?.kubernetesNetworkConfig?.serviceIpv4Cidr;
  if (!endpoint || !certificateAuthority || !cidr) throw new StackFailedError('has no endpoint, certificate authority or service CIDR yet: nodes could not join it', { resource: `cluster ${clusterName}` });
  return { name: clusterName, apiServerEndpoint: endpoint, certificateAuthority, cidr };
}
