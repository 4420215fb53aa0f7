/**
 * VPC endpoints (interface and gateway) as EC2 keeps them: a record among world.ec2.other, of
 * type AWS::EC2::VPCEndpoint like the NAT gateways and launch templates CloudFormation makes,
 * so it is saved with the World and retagged with its stack. An interface endpoint holds one
 * requester-managed network interface (`vpc_endpoint`) in each of its subnets; a gateway
 * endpoint (S3, DynamoDB) is a target on route tables and holds no address.
 *
 * EC2's own rules are kept where a template could break them: the service must exist in the
 * region and take the endpoint's type, subnets must be in the VPC and in distinct zones, and
 * two endpoints with private DNS may not claim the same service name in one VPC.
 */
import { createHash } from 'node:crypto';
import { EmulatorError } from '../../protocol';
import type { GenericResource, NetworkInterface, World } from '../../world';
import { createNetworkInterface, requireSubnet } from './state';

export const VPC_ENDPOINT_TYPE = 'AWS::EC2::VPCEndpoint';

export type VpcEndpointType = 'Interface' | 'Gateway';

export interface VpcEndpoint {
  id: string;
  type: VpcEndpointType;
  vpcId: string;
  serviceName: string;
  /** The part after com.amazonaws.<region>.: `ec2`, `ecr.api`, `s3`. */
  service: string;
  privateDnsEnabled: boolean;
  subnetIds: string[];
  routeTableIds: string[];
  securityGroupIds: string[];
  networkInterfaceIds: string[];
  policyDocument?: unknown;
  /** The regional DNS name's random part (vpce-<id>-<suffix>.<service>…): fixed when made. */
  dnsSuffix: string;
  createTime: Date;
  tags: Record<string, string>;
}

/** Services AWS serves through gateway endpoints; every other service is reached through interface endpoints. */
const GATEWAY_SERVICES = new Set(['s3', 'dynamodb']);

export interface NewVpcEndpoint {
  vpcId: string;
  serviceName: string;
  /** EC2's default when none is given: Gateway. */
  type?: string;
  subnetIds?: string[];
  routeTableIds?: string[];
  securityGroupIds?: string[];
  /** Interface endpoints only; EC2 and CloudFormation default it to false. */
  privateDnsEnabled?: boolean;
  policyDocument?: unknown;
  tags?: Record<string, string>;
}

const invalid = (code: string, message: string) => new EmulatorError(400, code, message);

/** `com.amazonaws.<region>.<service>` → the service, or undefined for another region or shape. */
function serviceOf(world: World, serviceName: string): string | undefined {
  const prefix = `com.amazonaws.${world.region}.`;
  const service = serviceName.startsWith(prefix) ? serviceName.slice(prefix.length) : '';
  return /^[a-z0-9][a-z0-9.-]*$/.test(service) ? service : undefined;
}

/**
 * The name an interface endpoint with private DNS answers for: the service's own regional name
 * (ecr.api → api.ecr.<region>.amazonaws.com; ECR's registries are a wildcard under dkr.ecr).
 */
export function servicePrivateDnsName(world: World, service: string): string {
  const name = `${service.split('.').reverse().join('.')}.${world.region}.amazonaws.com`;
  return service === 'ecr.dkr' ? `*.${name}` : name;
}

export function vpcEndpoints(world: World): VpcEndpoint[] {
  return [...world.ec2.other.values()].filter((o) => o.type === VPC_ENDPOINT_TYPE).map((o) => vpcEndpointOf(o));
}

const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);

function vpcEndpointOf(record: GenericResource): VpcEndpoint {
  const p = record.properties;
  const created = p.CreateTime;
  const serviceName = String(p.ServiceName);
  return {
    id: record.id,
    type: p.VpcEndpointType === 'Interface' ? 'Interface' : 'Gateway',
    vpcId: String(p.VpcId),
    serviceName,
    service: String(p.Service ?? serviceName.split('.').slice(3).join('.')),
    privateDnsEnabled: p.PrivateDnsEnabled === true,
    subnetIds: strings(p.SubnetIds),
    routeTableIds: strings(p.RouteTableIds),
    securityGroupIds: strings(p.SecurityGroupIds),
    networkInterfaceIds: strings(p.NetworkInterfaceIds),
    ...(p.PolicyDocument !== undefined ? { policyDocument: p.PolicyDocument } : {}),
    dnsSuffix: String(p.DnsSuffix ?? ''),
    createTime: created instanceof Date ? created : new Date(typeof created === 'string' ? created : 0),
    tags: record.tags,
  };
}

/** A hosted zone id of Route 53's shape, derived from what the zone is for: stable without being stored. */
function hostedZoneId(of: string): string {
  return `Z${createHash('sha256').update(of).digest('hex').slice(0, 13).toUpperCase()}`;
}

export interface DnsEntry {
  dnsName: string;
  hostedZoneId: string;
}

/**
 * An interface endpoint's DNS entries in EC2's order: the regional name, one per zone of its
 * subnets, then the service's own name when private DNS is on. Gateway endpoints have none.
 */
export function dnsEntriesOf(world: World, endpoint: VpcEndpoint): DnsEntry[] {
  if (endpoint.type !== 'Interface') return [];
  const regionalZone = hostedZoneId(`vpce:${world.region}`);
  const base = `${endpoint.id}-${endpoint.dnsSuffix}`;
  const domain = `${endpoint.service}.${world.region}.vpce.amazonaws.com`;
  const zones = [...new Set(endpoint.subnetIds.map((id) => world.ec2.subnets.get(id)?.availabilityZone).filter((z): z is string => z !== undefined))];
  return [
    { dnsName: `${base}.${domain}`, hostedZoneId: regionalZone },
    ...zones.map((zone) => ({ dnsName: `${base}-${zone}.${domain}`, hostedZoneId: regionalZone })),
    ...(endpoint.privateDnsEnabled ? [{ dnsName: servicePrivateDnsName(world, endpoint.service), hostedZoneId: hostedZoneId(`private:${endpoint.vpcId}:${endpoint.service}`) }] : []),
  ];
}

/** Makes the endpoint (and an interface endpoint's network interfaces), or throws EC2's error and leaves nothing behind. */
export function createVpcEndpoint(world: World, spec: NewVpcEndpoint): VpcEndpoint {
  const vpc = world.ec2.vpcs.get(spec.vpcId);
  if (!vpc) throw invalid('InvalidVpcId.NotFound', `The vpc ID '${spec.vpcId}' does not exist`);
  const type = spec.type ?? 'Gateway';
  if (type !== 'Interface' && type !== 'Gateway') throw invalid('InvalidParameter', `The local emulator models Interface and Gateway endpoints, not ${type}`);
  const service = serviceOf(world, spec.serviceName);
  if (!service) throw invalid('InvalidServiceName', `The Vpc Endpoint Service '${spec.serviceName}' does not exist`);
  if (type === 'Gateway' && !GATEWAY_SERVICES.has(service)) throw invalid('InvalidParameter', `Endpoint type (Gateway) does not match available service types ([Interface]).`);
  const id = world.newId('vpce');
  const subnetIds = type === 'Interface' ? [...new Set(spec.subnetIds ?? [])] : [];
  const routeTableIds = type === 'Gateway' ? [...new Set(spec.routeTableIds ?? [])] : [];
  const privateDnsEnabled = type === 'Interface' && spec.privateDnsEnabled === true;
  const securityGroupIds = type === 'Interface' ? interfaceGroups(world, spec) : [];
  const subnets = subnetIds.map((subnetId) => requireSubnet(world, subnetId));
  const seenZones = new Map<string, string>();
  for (const subnet of subnets) {
    if (subnet.vpcId !== spec.vpcId) throw invalid('InvalidParameter', `The subnet ID '${subnet.subnetId}' does not belong to the VPC '${spec.vpcId}'`);
    if (seenZones.has(subnet.availabilityZone)) throw invalid('DuplicateSubnetsInSameZone', `Found another VPC endpoint subnet in the availability zone of ${subnet.subnetId}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`);
    seenZones.set(subnet.availabilityZone, subnet.subnetId);
  }
  for (const table of routeTableIds) {
    const record = world.ec2.other.get(table);
    if (record?.type !== 'AWS::EC2::RouteTable') throw invalid('InvalidRouteTableId.NotFound', `The routeTable ID '${table}' does not exist`);
    if (record.properties.VpcId !== spec.vpcId) throw invalid('InvalidParameter', `The route table '${table}' does not belong to the VPC '${spec.vpcId}'`);
  }
  if (privateDnsEnabled) {
    const dnsName = servicePrivateDnsName(world, service);
    const claimed = vpcEndpoints(world).find((e) => e.vpcId === spec.vpcId && e.privateDnsEnabled && e.service === service);
    if (claimed) throw invalid('InvalidParameter', `private-dns-enabled cannot be set because there is already a conflicting DNS domain for ${dnsName} in the VPC ${spec.vpcId}`);
  }
  const interfaces: NetworkInterface[] = [];
  try {
    for (const subnet of subnets) {
      interfaces.push(createNetworkInterface(world, { subnet, description: `VPC Endpoint Interface ${id}`, interfaceType: 'vpc_endpoint', securityGroupIds, status: 'in-use' }));
    }
  } catch (error) {
    for (const eni of interfaces) world.ec2.networkInterfaces.delete(eni.networkInterfaceId);
    throw error;
  }
  const record: GenericResource = {
    id,
    type: VPC_ENDPOINT_TYPE,
    properties: {
      VpcEndpointType: type,
      VpcId: spec.vpcId,
      ServiceName: spec.serviceName,
      Service: service,
      PrivateDnsEnabled: privateDnsEnabled,
      SubnetIds: subnetIds,
      RouteTableIds: routeTableIds,
      SecurityGroupIds: securityGroupIds,
      NetworkInterfaceIds: interfaces.map((eni) => eni.networkInterfaceId),
      ...(spec.policyDocument !== undefined ? { PolicyDocument: spec.policyDocument } : {}),
      DnsSuffix: Math.floor(world.random() * 36 ** 8).toString(36).padStart(8, '0'),
      CreateTime: world.clock.now(),
    },
    tags: { ...(spec.tags ?? {}) },
  };
  world.ec2.other.set(id, record);
  return vpcEndpointOf(record);
}

/** An interface endpoint's groups: those given, in its VPC; none given, the VPC's default group, as EC2 does. */
function interfaceGroups(world: World, spec: NewVpcEndpoint): string[] {
  const given = [...new Set(spec.securityGroupIds ?? [])];
  for (const groupId of given) {
    const group = world.ec2.securityGroups.get(groupId);
    if (!group) throw invalid('InvalidSecurityGroupId.NotFound', `The security group '${groupId}' does not exist`);
    if (group.vpcId !== spec.vpcId) throw invalid('InvalidParameter', `The security group '${groupId}' does not belong to the VPC '${spec.vpcId}'`);
  }
  if (given.length > 0) return given;
  const fallback = [...world.ec2.securityGroups.values()].find((g) => g.vpcId === spec.vpcId && g.groupName === 'default');
  return fallback ? [fallback.groupId] : [];
}

/** Deletes the endpoint and its network interfaces; an unknown id is EC2's NotFound. */
export function deleteVpcEndpoint(world: World, id: string): void {
  const record = world.ec2.other.get(id);
  if (record?.type !== VPC_ENDPOINT_TYPE) throw invalid('InvalidVpcEndpointId.NotFound', `The VpcEndpoint ID '${id}' does not exist`);
  for (const eniId of vpcEndpointOf(record).networkInterfaceIds) world.ec2.networkInterfaces.delete(eniId);
  world.ec2.other.delete(id);
}
