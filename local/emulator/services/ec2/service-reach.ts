/**
 * Whether something in a subnet (a node, a Fargate pod) can reach an AWS service's API: through
 * the internet (a default route to an internet gateway, from a public address; or to a NAT
 * gateway that itself sits in such a subnet), or through the VPC's endpoints (an interface
 * endpoint with private DNS for the service, so its usual name resolves inside the VPC; or a
 * gateway endpoint on the subnet's route table). The EKS emulator asks it before a node joins.
 */
import type { World } from '../../world';
import { isDefaultVpc, natGateways } from './state';
import { vpcEndpoints } from './vpc-endpoints';

const ROUTE_TABLE = 'AWS::EC2::RouteTable';
const ASSOCIATION = 'AWS::EC2::SubnetRouteTableAssociation';
const INTERNET_GATEWAY = 'AWS::EC2::InternetGateway';

/** `ec2`, `ecr.api`… or the full `com.amazonaws.<region>.ec2`. */
export function awsServiceReachable(world: World, subnetId: string, service: string): boolean {
  const subnet = world.ec2.subnets.get(subnetId);
  if (!subnet) return false;
  const short = service.startsWith(`com.amazonaws.${world.region}.`) ? service.slice(`com.amazonaws.${world.region}.`.length) : service;
  return reachesInternet(world, subnetId) || reachesThroughEndpoint(world, subnet.vpcId, subnetId, short);
}

/** The route table CloudFormation associated with the subnet (the emulator models no main route tables). */
function routeTableOf(world: World, subnetId: string): string | undefined {
  const association = [...world.ec2.other.values()].find((o) => o.type === ASSOCIATION && o.properties.SubnetId === subnetId);
  const table = association ? String(association.properties.RouteTableId) : undefined;
  return table && world.ec2.other.get(table)?.type === ROUTE_TABLE ? table : undefined;
}

/** The target of the table's 0.0.0.0/0 route (routes are kept as `route:<table>|<destination>`). */
function defaultRoute(world: World, table: string): { gatewayId?: string; natGatewayId?: string } | undefined {
  const route = world.ec2.other.get(`route:${table}|0.0.0.0/0`);
  if (!route) return undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const gatewayId = text(route.properties.GatewayId);
  const natGatewayId = text(route.properties.NatGatewayId);
  return { ...(gatewayId ? { gatewayId } : {}), ...(natGatewayId ? { natGatewayId } : {}) };
}

/** From the subnet's own addresses through an internet gateway, or through a public NAT gateway that reaches it. */
function reachesInternet(world: World, subnetId: string, throughNat = false): boolean {
  const subnet = world.ec2.subnets.get(subnetId);
  if (!subnet) return false;
  const table = routeTableOf(world, subnetId);
  // A default VPC's subnets use its main route table, which AWS routes to the VPC's internet gateway.
  if (!table) return isDefaultVpc(world, subnet.vpcId) && (subnet.mapPublicIpOnLaunch || throughNat);
  const route = defaultRoute(world, table);
  if (route?.gatewayId) {
    const gateway = world.ec2.other.get(route.gatewayId);
    const attached = gateway?.type === INTERNET_GATEWAY && gateway.properties.attachedVpcId === subnet.vpcId;
    // Without a public address (or a NAT gateway's), packets to the internet gateway go nowhere.
    return attached && (subnet.mapPublicIpOnLaunch || throughNat);
  }
  if (route?.natGatewayId && !throughNat) {
    const nat = natGateways(world).find((n) => n.id === route.natGatewayId);
    return nat?.connectivityType === 'public' && reachesInternet(world, nat.subnetId, true);
  }
  return false;
}

function reachesThroughEndpoint(world: World, vpcId: string, subnetId: string, service: string): boolean {
  const table = routeTableOf(world, subnetId);
  return vpcEndpoints(world).some(
    (e) => e.vpcId === vpcId && e.service === service && ((e.type === 'Interface' && e.privateDnsEnabled) || (e.type === 'Gateway' && table !== undefined && e.routeTableIds.includes(table))),
  );
}
