/**
 * Who reaches a cluster's API server endpoint, as EKS's endpoint access and the VPC decide it.
 * The caller is found by its connection (network-scope.ts): code the emulator runs attached to a
 * VPC (a Lambda function's ENI), or an outside caller (the internet, at `callerIp`).
 *
 * - In the cluster's VPC with private access on: the private endpoint, whose ENIs carry the
 *   cluster security group and the additional ones (resourcesVpcConfig.securityGroupIds). One of
 *   their ingress rules must admit TCP 443 from the caller's security groups or address, else the
 *   connection is dropped (no answer: the caller sees a reset/timeout) and the drop is recorded.
 * - Otherwise, in a VPC: the public endpoint, reached through the subnet's route: 0.0.0.0/0 to a
 *   NAT gateway, whose Elastic IP is the source publicAccessCidrs are checked against. A subnet
 *   without that route (or with an internet gateway route: a Lambda ENI has no public IP) has no
 *   path: dropped. A private-only endpoint from another VPC: the name resolves to addresses the
 *   caller cannot route to: dropped.
 * - Outside callers: a private-only endpoint answers 403, a public one checks `callerIp`.
 */
import { cidrContains } from '../../ipv4';
import { describeSource, type NetworkScope } from '../../network-scope';
import type { World } from '../../world';
import { admittingRule, internetEgressOf } from '../ec2/reachability';
import type { Cluster } from '../eks/state';

/** The API server's port: what the control plane's security groups must admit. */
export const API_SERVER_PORT = 443;

export type EndpointDecision = { kind: 'serve' } | { kind: 'forbidden'; message: string } | { kind: 'drop'; reason: string };

function publicCidrCheck(cluster: Cluster, sourceIp: string, how: string): EndpointDecision {
  if (cluster.vpc.publicAccessCidrs.some((cidr) => cidrContains(cidr, sourceIp))) return { kind: 'serve' };
  return { kind: 'forbidden', message: `the API server endpoint of cluster ${cluster.name} does not accept ${sourceIp}${how}: it is not in publicAccessCidrs [${cluster.vpc.publicAccessCidrs.join(', ')}]` };
}

function fromInsideVpc(world: World, cluster: Cluster, scope: NetworkScope): EndpointDecision {
  const { vpc } = cluster;
  if (vpc.endpointPrivateAccess && scope.vpcId === vpc.vpcId) {
    const guards = [vpc.clusterSecurityGroupId, ...vpc.securityGroupIds];
    if (admittingRule(world, guards, API_SERVER_PORT, { securityGroupIds: scope.securityGroupIds, ip: scope.privateIpAddress })) return { kind: 'serve' };
    return {
      kind: 'drop',
      reason: `no ingress rule of the control plane's security groups [${guards.join(', ')}] admits TCP ${API_SERVER_PORT} from security groups [${scope.securityGroupIds.join(', ')}] or ${scope.privateIpAddress}: add an ingress rule to ${vpc.clusterSecurityGroupId} with IpProtocol tcp, port ${API_SERVER_PORT}, SourceSecurityGroupId one of the caller's groups`,
    };
  }
  if (!vpc.endpointPublicAccess) {
    return { kind: 'drop', reason: `the endpoint of cluster ${cluster.name} is private to ${vpc.vpcId}; the caller is in ${scope.vpcId}, which has no route to it` };
  }
  const egress = internetEgressOf(world, scope.subnetId);
  if (egress.via !== 'nat') {
    const why = egress.via === 'internet-gateway' ? `routes 0.0.0.0/0 to ${egress.gatewayId}, but a Lambda ENI has no public IP` : `has no 0.0.0.0/0 route to a NAT gateway${egress.routeTableId ? ` in ${egress.routeTableId}` : ''}`;
    const privateHint = vpc.vpcId === scope.vpcId ? ' (and the cluster has private access off)' : '';
    return { kind: 'drop', reason: `no path to the public endpoint of cluster ${cluster.name}: subnet ${scope.subnetId} ${why}${privateHint}` };
  }
  return publicCidrCheck(cluster, egress.publicIp, ` (the Elastic IP of ${egress.natGatewayId}, where ${scope.subnetId} leaves for the internet)`);
}

/** What the endpoint does with a connection from `scope` (undefined: from outside, at callerIp). */
export function endpointDecision(world: World, cluster: Cluster, scope: NetworkScope | undefined, callerIp: string): EndpointDecision {
  if (scope) return fromInsideVpc(world, cluster, scope);
  if (!cluster.vpc.endpointPublicAccess) {
    return { kind: 'forbidden', message: `the API server endpoint of cluster ${cluster.name} is private (endpointPublicAccess=false): callers outside VPC ${cluster.vpc.vpcId}, like this local one, cannot reach it` };
  }
  return publicCidrCheck(cluster, callerIp, '');
}

/** Records a dropped connection where tests and developers can read it. */
export function recordDrop(world: World, cluster: Cluster, scope: NetworkScope | undefined, callerIp: string, reason: string): void {
  const drop = world.network.recordDrop(describeSource(scope, callerIp), `${cluster.name} API server endpoint (TCP ${API_SERVER_PORT})`, reason);
  world.network.warn(`dropped ${drop.source} → ${drop.destination}: ${reason}`);
}
