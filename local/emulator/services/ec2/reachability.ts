/**
 * Whether a packet gets somewhere in the emulated network: where a subnet's traffic to the
 * internet leaves (its route table's 0.0.0.0/0 route: a NAT gateway and that NAT's Elastic IP,
 * an internet gateway, or nothing), and whether a set of security groups admits a TCP
 * connection from a given source (an ingress rule whose source is one of the caller's groups or
 * a CIDR containing its address). The Kubernetes API's endpoint access and EKS's node join read
 * these; route tables and routes are the records CloudFormation made (world.ec2.other).
 */
import { cidrContains } from '../../ipv4';
import type { SecurityGroupRule, World } from '../../world';
import { normalizeProtocol, rulesOf } from './security-group-rules';

export type InternetEgress =
  | { via: 'nat'; natGatewayId: string; publicIp: string }
  | { via: 'internet-gateway'; gatewayId: string }
  /** `routeTableId` absent: the subnet has no explicit association (the VPC's main table, which the emulator keeps without routes). */
  | { via: 'none'; routeTableId?: string };

/** Where the subnet's traffic to 0.0.0.0/0 goes. */
export function internetEgressOf(world: World, subnetId: string): InternetEgress {
  const association = [...world.ec2.other.values()].find((o) => o.type === 'AWS::EC2::SubnetRouteTableAssociation' && o.properties.SubnetId === subnetId);
  const routeTableId = association ? String(association.properties.RouteTableId) : undefined;
  if (!routeTableId) return { via: 'none' };
  const route = [...world.ec2.other.values()].find((o) => o.type === 'AWS::EC2::Route' && o.properties.RouteTableId === routeTableId && o.properties.DestinationCidrBlock === '0.0.0.0/0');
  const natGatewayId = typeof route?.properties.NatGatewayId === 'string' ? route.properties.NatGatewayId : undefined;
  if (natGatewayId) {
    const publicIp = world.ec2.other.get(natGatewayId)?.properties.PublicIp;
    if (typeof publicIp === 'string') return { via: 'nat', natGatewayId, publicIp };
    return { via: 'none', routeTableId };
  }
  const gatewayId = typeof route?.properties.GatewayId === 'string' ? route.properties.GatewayId : undefined;
  if (gatewayId?.startsWith('igw-')) return { via: 'internet-gateway', gatewayId };
  return { via: 'none', routeTableId };
}

/** A TCP connection's source as a security group sees it. */
export interface ConnectionSource {
  securityGroupIds: string[];
  ip: string;
}

function ruleAdmits(rule: SecurityGroupRule, port: number, source: ConnectionSource): boolean {
  const protocol = normalizeProtocol(rule.ipProtocol);
  if (protocol !== '-1' && protocol !== 'tcp') return false;
  if (protocol === 'tcp' && ((rule.fromPort ?? 0) > port || (rule.toPort ?? 65535) < port)) return false;
  if (rule.groupId) return source.securityGroupIds.includes(rule.groupId);
  return rule.cidrIp !== undefined && cidrContains(rule.cidrIp, source.ip);
}

/** The first ingress rule of `groupIds` admitting TCP `port` from `source` (with its group), or undefined: the connection is dropped. */
export function admittingRule(world: World, groupIds: string[], port: number, source: ConnectionSource): { groupId: string; rule: SecurityGroupRule } | undefined {
  for (const groupId of groupIds) {
    const group = world.ec2.securityGroups.get(groupId);
    const rule = group ? rulesOf(group, 'ingress').find((r) => ruleAdmits(r, port, source)) : undefined;
    if (rule) return { groupId, rule };
  }
  return undefined;
}
