/**
 * The EC2 records on the World seen the way EC2 reports them: names, DNS names, addresses in a
 * subnet, network interfaces, and the launch templates and NAT gateways CloudFormation or EKS
 * keep among world.ec2.other. The services that make EC2 resources (CloudFormation's providers,
 * the EKS emulator through nodegroup-capacity.ts and control-plane-network.ts) go through here
 * so every record is complete and every address unique.
 */
import { createHash } from 'node:crypto';
import { EmulatorError } from '../../protocol';
import { allocateAddress, formatIpv4, parseIpv4, usableAddressCount } from '../../ipv4';
import type { GenericResource, NetworkInterface, SecurityGroup, Subnet, World } from '../../world';

export const EC2_VERSION = '2016-11-15';

export function isDefaultVpc(world: World, vpcId: string): boolean {
  return world.ec2.defaultVpcIds.has(vpcId);
}

/** GroupName: recorded when made; older records fall back to their logical id, then their id. */
export function groupNameOf(group: SecurityGroup): string {
  return group.groupName ?? group.tags?.['aws:cloudformation:logical-id'] ?? group.groupId;
}

/** AZ id as AWS names them: us-east-1a → use1-az1 (the letter→number mapping is per account in AWS; fixed here). */
export function availabilityZoneId(zoneName: string): string {
  const match = /^([a-z]+)-([a-z]+)-(\d+)([a-z])$/.exec(zoneName);
  if (!match) return zoneName;
  const [, geo, direction, number, letter] = match as unknown as [string, string, string, string, string];
  const directions: Record<string, string> = { east: 'e', west: 'w', north: 'n', south: 's', central: 'c', northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw' };
  return `${geo}${directions[direction] ?? direction[0]}${number}-az${letter.charCodeAt(0) - 96}`;
}

/** `ip-10-0-1-5.ec2.internal` in us-east-1, `ip-10-0-1-5.<region>.compute.internal` elsewhere (EC2's ip-name hostnames). */
export function privateDnsNameOf(world: World, ip: string): string {
  const host = `ip-${ip.replace(/\./g, '-')}`;
  return world.region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${world.region}.compute.internal`;
}

/** `ec2-54-1-2-3.compute-1.amazonaws.com` in us-east-1, `ec2-….<region>.compute.amazonaws.com` elsewhere. */
export function publicDnsNameOf(world: World, ip: string): string {
  const host = `ec2-${ip.replace(/\./g, '-')}`;
  return world.region === 'us-east-1' ? `${host}.compute-1.amazonaws.com` : `${host}.${world.region}.compute.amazonaws.com`;
}

/** A public address from Amazon's ranges, reproducible with the world's seed. */
export function publicAddress(world: World): string {
  const base = parseIpv4('54.0.0.0')!;
  return formatIpv4(base + 1 + Math.floor(world.random() * (2 ** 24 - 2)));
}

/** A MAC address derived from an interface id: stable across restarts without being stored. */
export function macAddressOf(networkInterfaceId: string): string {
  const bytes = createHash('sha256').update(networkInterfaceId).digest().subarray(0, 5);
  return ['0e', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** An id of EC2's shape derived from another (attachment ids, the default egress rule's id): stable without being stored. */
export function derivedId(prefix: string, from: string): string {
  return `${prefix}-0${createHash('sha256').update(from).digest('hex').slice(0, 16)}`;
}

export function requireSubnet(world: World, subnetId: string): Subnet {
  const subnet = world.ec2.subnets.get(subnetId);
  if (!subnet) throw new EmulatorError(400, 'InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
  return subnet;
}

/** Private addresses interfaces hold in the subnet (an instance's is its primary interface's). */
export function addressesInUse(world: World, subnetId: string): Set<string> {
  const taken = new Set<string>();
  for (const eni of world.ec2.networkInterfaces.values()) if (eni.subnetId === subnetId) taken.add(eni.privateIpAddress);
  for (const instance of world.ec2.instances.values()) if (instance.subnetId === subnetId && instance.state !== 'terminated') taken.add(instance.privateIpAddress);
  return taken;
}

/** AvailableIpAddressCount: the usable addresses no interface holds. */
export function availableAddressCount(world: World, subnet: Subnet): number {
  const held = [...world.ec2.networkInterfaces.values()].filter((eni) => eni.subnetId === subnet.subnetId).length;
  return Math.max(0, usableAddressCount(subnet.cidrBlock) - held);
}

/** An interface a service holds in the account's subnet (a NAT gateway's, a VPC endpoint's): EC2's RequesterManaged. */
export function isRequesterManaged(eni: NetworkInterface): boolean {
  // A load balancer's interfaces are Elastic Load Balancing's (requester amazon-elb).
  return eni.interfaceType === 'nat_gateway' || eni.interfaceType === 'vpc_endpoint' || eni.interfaceType === 'lambda' || eni.requesterId === 'amazon-elb';
}

export interface NewNetworkInterface {
  subnet: Subnet;
  description: string;
  /** `interface` for instances' and EKS's, `nat_gateway` for NAT gateways', `vpc_endpoint` for interface endpoints'. */
  interfaceType: string;
  securityGroupIds: string[];
  instanceId?: string;
  /** The service that made it for the account (EKS's cross-account ENIs, NAT gateways). */
  requesterId?: string;
  /** Default: in-use when attached to an instance or made by a service, else available. */
  status?: NetworkInterface['status'];
  tags?: Record<string, string>;
}

/** A group a service (a Kubernetes controller) makes in a VPC, known by its name there as CloudFormation's are; no rules yet. */
export function createNamedSecurityGroup(world: World, spec: { vpcId: string; groupName: string; description: string; tags: Record<string, string> }): SecurityGroup {
  const group: SecurityGroup = { groupId: world.newId('sg'), ...spec, tags: { ...spec.tags }, ingress: [] };
  world.ec2.securityGroups.set(group.groupId, group);
  world.ec2.groupNames.set(spec.vpcId, new Map([...(world.ec2.groupNames.get(spec.vpcId) ?? []), [spec.groupName, group.groupId]]));
  return group;
}

/** An ENI with a free private address of its subnet; InsufficientFreeAddressesInSubnet when it is full, as EC2 answers. */
export function createNetworkInterface(world: World, spec: NewNetworkInterface): NetworkInterface {
  const privateIpAddress = allocateAddress(spec.subnet.cidrBlock, addressesInUse(world, spec.subnet.subnetId), world.random);
  if (!privateIpAddress) throw new EmulatorError(400, 'InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${spec.subnet.subnetId}' to satisfy the requested number of instances.`);
  const eni: NetworkInterface = {
    networkInterfaceId: world.newId('eni'),
    subnetId: spec.subnet.subnetId,
    vpcId: spec.subnet.vpcId,
    availabilityZone: spec.subnet.availabilityZone,
    privateIpAddress,
    description: spec.description,
    interfaceType: spec.interfaceType,
    securityGroupIds: [...spec.securityGroupIds],
    status: spec.status ?? (spec.instanceId || spec.requesterId ? 'in-use' : 'available'),
    ...(spec.instanceId ? { instanceId: spec.instanceId } : {}),
    ...(spec.requesterId ? { requesterId: spec.requesterId } : {}),
    tags: { ...(spec.tags ?? {}) },
  };
  world.ec2.networkInterfaces.set(eni.networkInterfaceId, eni);
  return eni;
}

// ── Launch templates and NAT gateways (kept in world.ec2.other, as CloudFormation made them) ──

export const LAUNCH_TEMPLATE_TYPE = 'AWS::EC2::LaunchTemplate';
export const NAT_GATEWAY_TYPE = 'AWS::EC2::NatGateway';

export interface LaunchTemplate {
  id: string;
  name: string;
  /** LaunchTemplateData as CloudFormation or EKS gave it (PascalCase, the API's request shape): the latest version's, or the version asked for. */
  data: Record<string, unknown>;
  createTime: Date;
  createdBy: string;
  /** The latest version's number, which is also the default (a new version becomes both). */
  version: number;
  /** Every version, oldest first: EC2 keeps them, and a nodegroup runs the one it names. */
  versions: LaunchTemplateVersion[];
  tags: Record<string, string>;
}

export interface LaunchTemplateVersion {
  number: number;
  data: Record<string, unknown>;
  createTime: Date;
}

/** The launch templates of the account, each with its latest version's data. */
export function launchTemplates(world: World): LaunchTemplate[] {
  return [...world.ec2.other.values()].filter((o) => o.type === LAUNCH_TEMPLATE_TYPE).map((o) => launchTemplateOf(world, o));
}

const asDate = (value: unknown) => (value instanceof Date ? value : new Date(typeof value === 'string' ? value : 0));
const asData = (value: unknown) => (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;

/**
 * A record's versions (`Versions`, one `{VersionNumber, LaunchTemplateData, CreateTime}` each). A
 * record saved before versions were kept has only its latest: it stands as the one version.
 */
function versionsOf(record: GenericResource): LaunchTemplateVersion[] {
  const p = record.properties;
  const kept = Array.isArray(p.Versions) ? (p.Versions as Array<Record<string, unknown>>) : [];
  if (kept.length > 0) return kept.map((v) => ({ number: Number(v.VersionNumber), data: asData(v.LaunchTemplateData), createTime: asDate(v.CreateTime) }));
  return [{ number: Number(p.LatestVersionNumber ?? 1), data: asData(p.LaunchTemplateData), createTime: asDate(p.CreateTime) }];
}

function launchTemplateOf(world: World, record: GenericResource, versionNumber?: number): LaunchTemplate {
  const p = record.properties;
  const versions = versionsOf(record);
  const latest = versions[versions.length - 1]!;
  const chosen = versions.find((v) => v.number === versionNumber) ?? latest;
  return {
    id: record.id,
    name: String(p.LaunchTemplateName ?? record.id),
    data: chosen.data,
    createTime: asDate(p.CreateTime),
    createdBy: String(p.CreatedBy ?? `arn:aws:iam::${world.account}:root`),
    version: latest.number,
    versions,
    tags: record.tags,
  };
}

/**
 * A new version with `data`, which becomes the latest and the default (as a CloudFormation update
 * or EKS's own template update makes it); earlier versions stay. Returns its number.
 */
export function addLaunchTemplateVersion(record: GenericResource, data: Record<string, unknown>, now: Date): number {
  const versions = versionsOf(record);
  const number = versions[versions.length - 1]!.number + 1;
  const kept = [...versions, { number, data, createTime: now }].map((v) => ({ VersionNumber: v.number, LaunchTemplateData: v.data, CreateTime: v.createTime.toISOString() }));
  record.properties = { ...record.properties, LaunchTemplateData: data, LatestVersionNumber: number, Versions: kept };
  return number;
}

export interface NewLaunchTemplate {
  name: string;
  data: Record<string, unknown>;
  createdBy: string;
  tags?: Record<string, string>;
}

export function createLaunchTemplate(world: World, spec: NewLaunchTemplate): LaunchTemplate {
  const id = world.newId('lt');
  const record: GenericResource = {
    id,
    type: LAUNCH_TEMPLATE_TYPE,
    properties: { LaunchTemplateName: spec.name, LaunchTemplateData: spec.data, LatestVersionNumber: 1, CreateTime: world.clock.now(), CreatedBy: spec.createdBy },
    tags: { ...(spec.tags ?? {}) },
  };
  world.ec2.other.set(id, record);
  return launchTemplateOf(world, record);
}

/**
 * By id or name, as a nodegroup or instance names it, with the data of the version it names
 * (a number, `$Latest` or `$Default`; the latest when it names none or one that does not exist).
 */
export function findLaunchTemplate(world: World, ref: { id?: string; name?: string; version?: string }): LaunchTemplate | undefined {
  const record = [...world.ec2.other.values()].find(
    (o) => o.type === LAUNCH_TEMPLATE_TYPE && ((ref.id !== undefined && o.id === ref.id) || (ref.id === undefined && ref.name !== undefined && String(o.properties.LaunchTemplateName ?? o.id) === ref.name)),
  );
  return record ? launchTemplateOf(world, record, ref.version !== undefined && /^\d+$/.test(ref.version) ? Number(ref.version) : undefined) : undefined;
}

export interface NatGateway {
  id: string;
  subnetId: string;
  vpcId: string;
  connectivityType: 'public' | 'private';
  allocationId?: string;
  networkInterfaceId?: string;
  privateIp?: string;
  publicIp?: string;
  createTime: Date;
  tags: Record<string, string>;
}

export function natGateways(world: World): NatGateway[] {
  return [...world.ec2.other.values()]
    .filter((o) => o.type === NAT_GATEWAY_TYPE)
    .map((o) => {
      const p = o.properties;
      const text = (value: unknown) => (value === undefined || value === null ? undefined : String(value));
      const created = p.CreateTime;
      return {
        id: o.id,
        subnetId: String(p.SubnetId),
        vpcId: String(p.VpcId ?? world.ec2.subnets.get(String(p.SubnetId))?.vpcId ?? ''),
        connectivityType: p.ConnectivityType === 'private' ? 'private' : 'public',
        allocationId: text(p.AllocationId),
        networkInterfaceId: text(p.NetworkInterfaceId),
        privateIp: text(p.PrivateIp),
        publicIp: text(p.PublicIp),
        createTime: created instanceof Date ? created : new Date(typeof created === 'string' ? created : 0),
        tags: o.tags,
      };
    });
}
