/** The ordered steps a provisioning will take: shown by a dry run and recorded by the Plan step. */
import { publicEndpointNeedsNodeEgress } from './endpoint-access';
import { clusterStackName, nodegroupStackName } from './naming';
import { ownerGrant } from './owner-access';
import { natGatewayCount, type SelfManagedNodegroupSpec, type Spec } from './spec';
import { GATEWAY_ENDPOINT_SERVICE, getsVpcEndpoints, INTERFACE_ENDPOINT_SERVICES } from './vpc-endpoints';

/** `requester`: who asks (the operation's owner), whose own access is part of the plan. */
export function provisioningSteps(spec: Spec, requester: string): string[] {
  const owner = ownerGrant(spec, requester);
  const stackName = clusterStackName(spec.name);
  return [
    `Create cluster stack ${stackName} (Kubernetes ${spec.version}, endpoint ${describeAccess(spec)}${describeVpcEndpoints(spec)})`,
    ...spec.managedNodeGroups.map((ng) => `Create nodegroup ${ng.name} (${ng.instanceTypes.join(', ')} ${ng.capacityType}, ${ng.minSize}/${ng.desiredSize}/${ng.maxSize})`),
    ...(spec.selfManagedNodeGroups ?? []).map((ng) => `Create self-managed nodegroup ${ng.name}: stack ${nodegroupStackName(spec.name, ng.name)} (${ng.instanceTypes.join(', ')} ${describeCapacity(ng)}, ${ng.minSize}/${ng.desiredSize}/${ng.maxSize}, ${ng.ami ?? 'EKS optimized AL2023 AMI'}), its node role admitted ${spec.authenticationMode === 'CONFIG_MAP' ? 'in aws-auth' : 'as EC2_LINUX'}`),
    ...spec.fargateProfiles.map((fp) => `Create Fargate profile ${fp.name} (${fp.selectors.map((s) => s.namespace).join(', ')})`),
    ...spec.addons.map((addon) => `Create add-on ${addon.name}${addon.version ? ` ${addon.version}` : ''}`),
    ...spec.accessEntries.map((entry) => `Create access entry ${entry.principalArn}`),
    ...spec.identityMappings.map((mapping) => `Map ${mapping.arn} in aws-auth`),
    ...(owner.accessEntry ? [`Create access entry ${owner.principalArn} for the owner (${owner.accessEntry.accessPolicies.map(describePolicy).join(', ')})`] : []),
    ...(owner.identityMapping ? [`Map ${owner.principalArn} in aws-auth for the owner (${owner.identityMapping.groups.join(', ')})`] : []),
    ...spec.podIdentityAssociations.map((a) => `Associate service account ${a.namespace}/${a.serviceAccountName} with ${a.roleArn ?? `a role of the cluster stack (${(a.permissionPolicyArns ?? []).join(', ')})`} (EKS Pod Identity)`),
  ];
}

/** ON_DEMAND, SPOT, or the mix an instancesDistribution asks for. */
function describeCapacity(ng: SelfManagedNodegroupSpec): string {
  if (ng.spot) return 'SPOT';
  const d = ng.instancesDistribution;
  if (!d || (d.onDemandBaseCapacity === 0 && d.onDemandPercentageAboveBaseCapacity === 100)) return 'ON_DEMAND';
  return `${d.onDemandBaseCapacity} ON_DEMAND + ${d.onDemandPercentageAboveBaseCapacity}% ON_DEMAND above, the rest SPOT ${d.spotAllocationStrategy}`;
}

function describePolicy(policy: { policy: string; scope?: string; namespaces?: string[] }): string {
  return policy.scope === 'namespace' ? `${policy.policy} in ${(policy.namespaces ?? []).join(', ')}` : `${policy.policy}, cluster-wide`;
}

function describeAccess(spec: Spec): string {
  const a = spec.endpointAccess;
  const natAdded = publicEndpointNeedsNodeEgress(a) && natGatewayCount(spec.network.vpc) > 0 ? ' + the NAT addresses' : '';
  const parts = [a.public ? `public (${a.publicAccessCidrs.join(', ')}${natAdded})` : '', a.private ? 'private' : ''].filter(Boolean);
  return parts.join(' + ');
}

/** A fully private cluster's VPC endpoints, which stand in for the NAT gateway it has not. */
function describeVpcEndpoints(spec: Spec): string {
  if (!getsVpcEndpoints(spec)) return '';
  return `, VPC endpoints for ${INTERFACE_ENDPOINT_SERVICES.join(', ')} and ${GATEWAY_ENDPOINT_SERVICE} (gateway)`;
}

/** Private subnets must span at least two AZs (EKS requires it for the control plane). */
export function subnetAzProblems(subnets: Array<{ subnetId: string; vpcId: string; availabilityZone: string }>, privateIds: string[]): string[] {
  const problems: string[] = [];
  const vpcs = new Set(subnets.map((s) => s.vpcId));
  if (vpcs.size > 1) problems.push(`subnets belong to different VPCs (${[...vpcs].join(', ')}); all must be in one VPC`);
  const privateSubnets = subnets.filter((s) => privateIds.includes(s.subnetId));
  const zones = new Set(privateSubnets.map((s) => s.availabilityZone));
  if (privateSubnets.length >= 2 && zones.size < 2) {
    const [first, ...rest] = privateSubnets;
    problems.push(`${rest.map((s) => s.subnetId).join(', ')} ${rest.length > 1 ? 'are' : 'is'} in the same AZ as ${first!.subnetId} (${first!.availabilityZone}); EKS needs private subnets in at least two AZs`);
  }
  return problems;
}
