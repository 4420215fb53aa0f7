/**
 * Resource providers: what each resource type does to the emulated account when CloudFormation
 * creates or deletes it, how long that takes (world.durations), its physical id and the
 * attributes Fn::GetAtt reads. EC2 and IAM resources land in world.ec2 / world.iam, where the EC2
 * and EKS emulators see them; AWS::EKS::Cluster is delegated to the EKS emulator (world.eks).
 * Types in the resource specification without a provider here are created generically (an id,
 * a short wait) so templates using them still deploy.
 *
 * Failures carry the reason CloudFormation shows in the resource's CREATE_FAILED/DELETE_FAILED
 * event, in the registry handlers' wording.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DurationKind } from '../../durations';
import { EmulatorError } from '../../protocol';
import type { AutoScalingGroup, GenericResource, SecurityGroup, World } from '../../world';
import { cidrsOverlap, formatIpv4, ipv4Range } from '../../ipv4';
import { addDefaultSecurityGroup } from '../ec2/default-network';
import { dependencyViolation, securityGroupDependents } from '../ec2/deletions';
import { authorize, groupOfRule, revokeByIds, ruleSpecFromProperties, type Direction } from '../ec2/security-group-rules';
import { createNetworkInterface, findLaunchTemplate } from '../ec2/state';
import { checkGroupSizes, deleteStackGroup, reconcileStackGroup, resizeStackGroup } from '../autoscaling/stack-groups';
import { createVpcEndpoint, deleteVpcEndpoint, dnsEntriesOf } from '../ec2/vpc-endpoints';
import { iamUniqueId, roleIdFor } from '../iam/state';
import { createFunction, deleteFunction, type NewFunction } from '../lambda-deploy';
import { isObject } from './intrinsics';

export type Json = Record<string, unknown>;

export interface ProviderContext {
  world: World;
  stackName: string;
  stackId: string;
  logicalId: string;
  type: string;
  /** Resolved properties (no intrinsics left). */
  properties: Json;
  /** Stack tags and CloudFormation's aws:cloudformation:* tags, which AWS puts on every resource it tags. */
  stackTags: Record<string, string>;
  /** Attributes the specification lists for the type (generic provider). */
  specAttributes: string[];
  /** Who CloudFormation acts as for this stack (engine.ts actingAs): its role's session, else the caller. */
  actingAs?: string;
  /** Aborted when the stack gives up on this creation (another resource failed, or a delete). */
  signal: AbortSignal;
  /** Samples a duration of this kind for this resource and waits it out (rejects when aborted). */
  wait(kind: DurationKind): Promise<void>;
}

export interface DeleteContext extends ProviderContext {
  physicalId: string;
  attributes: Json;
}

export interface Created {
  physicalId: string;
  attributes: Json;
}

export interface Provider {
  create(context: ProviderContext): Promise<Created>;
  delete(context: DeleteContext): Promise<void>;
  /**
   * A create under way when local mode stopped, if it had already acted (an EKS cluster keeps
   * creating in the EKS emulator): resolves when it is done. Absent or undefined: nothing was made
   * yet (other providers act after their wait), so the create simply runs again.
   */
  resume?(context: ProviderContext): Promise<Created> | undefined;
}

/** A resource failure with CloudFormation's reason text. */
export class ResourceFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ResourceFailure';
  }
}

/** How a registry handler reports a failed AWS call: `Resource handler returned message: "... (Service: Ec2, ...)"`. */
export function handlerFailure(message: string, service: string, statusCode: number, handlerErrorCode: string): ResourceFailure {
  return new ResourceFailure(`Resource handler returned message: "${message} (Service: ${service}, Status Code: ${statusCode}, Request ID: ${randomUUID()})" (RequestToken: ${randomUUID()}, HandlerErrorCode: ${handlerErrorCode})`);
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function randomSuffix(length: number, alphabet = ALPHANUMERIC): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** CloudFormation's generated names: `<stack>-<logicalId>-<SUFFIX>`, the first two parts cut to fit `max`. */
export function generatedName(stackName: string, logicalId: string, max: number, suffixLength = 12): string {
  const suffix = randomSuffix(suffixLength);
  const room = max - suffixLength - 2;
  let stack = stackName;
  let logical = logicalId;
  while (stack.length + logical.length > room) {
    if (stack.length >= logical.length) stack = stack.slice(0, -1);
    else logical = logical.slice(0, -1);
  }
  return `${stack}-${logical}-${suffix}`;
}

function tagsOf(value: unknown): Record<string, string> {
  if (!Array.isArray(value)) return isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {};
  return Object.fromEntries(value.filter(isObject).map((tag) => [String(tag.Key), String(tag.Value)]));
}

function resourceTags(context: ProviderContext, tags: unknown = context.properties.Tags): Record<string, string> {
  return { ...context.stackTags, 'aws:cloudformation:logical-id': context.logicalId, ...tagsOf(tags) };
}

const bool = (value: unknown) => value === true || value === 'true';
const str = (value: unknown) => (value === undefined || value === null ? undefined : String(value));

const ec2 = (message: string, handlerErrorCode = 'InvalidRequest', status = 400) => handlerFailure(message, 'Ec2', status, handlerErrorCode);
const iam = (message: string, handlerErrorCode = 'InvalidRequest', status = 400) => handlerFailure(message, 'Iam', status, handlerErrorCode);

function requireVpc(world: World, vpcId: unknown): string {
  const id = str(vpcId);
  if (!id || !world.ec2.vpcs.has(id)) throw ec2(`The vpc ID '${String(vpcId)}' does not exist`, 'NotFound');
  return id;
}

/** Generic EC2 records (gateways, routes, EIPs, launch templates): `world.ec2.other`. */
function saveOther(context: ProviderContext, id: string, extra: Json = {}, tags = resourceTags(context)): void {
  const record: GenericResource = { id, type: context.type, properties: { ...context.properties, ...extra }, tags };
  context.world.ec2.other.set(id, record);
}

/** A provider that waits `kind`, then records and returns what `make` produces. */
function simple(kind: DurationKind, make: (context: ProviderContext) => Created, remove: (context: DeleteContext) => void = () => {}, deleteKind: DurationKind = 'networkResource'): Provider {
  return {
    async create(context) {
      await context.wait(kind);
      return make(context);
    },
    async delete(context) {
      await context.wait(deleteKind);
      remove(context);
    },
  };
}

// ── EC2 ──────────────────────────────────────────────────────────────────────────────────────

const vpc: Provider = simple(
  'networkResource',
  (context) => {
    const { world, properties } = context;
    const cidr = str(properties.CidrBlock);
    if (!cidr) throw ec2('Either CidrBlock or Ipv4IpamPoolId must be specified (the local emulator does not model IPAM)');
    const range = ipv4Range(cidr);
    if (!range || range.prefix < 16 || range.prefix > 28) throw ec2(`The CIDR '${cidr}' is invalid.`);
    const vpcId = world.newId('vpc');
    const defaultSecurityGroup = world.newId('sg');
    const tags = resourceTags(context);
    world.ec2.vpcs.set(vpcId, { vpcId, cidrBlock: `${formatIpv4(range.first)}/${range.prefix}`, tags });
    addDefaultSecurityGroup(world, vpcId, defaultSecurityGroup);
    return {
      physicalId: vpcId,
      attributes: {
        VpcId: vpcId,
        CidrBlock: `${formatIpv4(range.first)}/${range.prefix}`,
        CidrBlockAssociations: [world.newId('vpc-cidr-assoc')],
        DefaultNetworkAcl: world.newId('acl'),
        DefaultSecurityGroup: defaultSecurityGroup,
        Ipv6CidrBlocks: [],
      },
    };
  },
  (context) => {
    const { world, physicalId } = context;
    const defaultGroup = str(context.attributes.DefaultSecurityGroup);
    const dependents = [
      ...[...world.ec2.subnets.values()].filter((s) => s.vpcId === physicalId).map((s) => s.subnetId),
      ...[...world.ec2.securityGroups.values()].filter((g) => g.vpcId === physicalId && g.groupId !== defaultGroup).map((g) => g.groupId),
      ...[...world.ec2.other.values()].filter((o) => o.properties.VpcId === physicalId || o.properties.attachedVpcId === physicalId).map((o) => o.id),
    ];
    if (dependents.length > 0) throw ec2(`The vpc '${physicalId}' has dependencies and cannot be deleted.`, 'GeneralServiceException');
    if (defaultGroup) world.ec2.securityGroups.delete(defaultGroup);
    world.ec2.vpcs.delete(physicalId);
  },
);

const subnet: Provider = simple(
  'networkResource',
  (context) => {
    const { world, properties } = context;
    const vpcId = requireVpc(world, properties.VpcId);
    const vpcRange = ipv4Range(world.ec2.vpcs.get(vpcId)?.cidrBlock ?? '');
    const cidr = str(properties.CidrBlock);
    if (!cidr) throw ec2('Either CidrBlock or Ipv4IpamPoolId must be specified');
    const range = ipv4Range(cidr);
    if (!range || !vpcRange || range.prefix < 16 || range.prefix > 28 || range.first < vpcRange.first || range.first + range.size > vpcRange.first + vpcRange.size || `${formatIpv4(range.first)}/${range.prefix}` !== cidr) {
      throw ec2(`The CIDR '${cidr}' is invalid.`);
    }
    for (const other of world.ec2.subnets.values()) {
      if (other.vpcId === vpcId && cidrsOverlap(other.cidrBlock, cidr)) {
        throw ec2(`The CIDR '${cidr}' conflicts with another subnet`, 'AlreadyExists');
      }
    }
    const zones = world.availabilityZones();
    const zone = str(properties.AvailabilityZone) ?? zones[0] ?? `${world.region}a`;
    if (!zones.includes(zone)) throw ec2(`Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.join(', ')}.`);
    const subnetId = world.newId('subnet');
    world.ec2.subnets.set(subnetId, { subnetId, vpcId, cidrBlock: cidr, availabilityZone: zone, mapPublicIpOnLaunch: bool(properties.MapPublicIpOnLaunch), tags: resourceTags(context) });
    return {
      physicalId: subnetId,
      attributes: {
        SubnetId: subnetId,
        VpcId: vpcId,
        AvailabilityZone: zone,
        AvailabilityZoneId: `${world.region.replace(/^(\w\w)-(\w)\w*-(\d+)$/, '$1$2$3')}-az${zones.indexOf(zone) + 1}`,
        CidrBlock: cidr,
        NetworkAclAssociationId: world.newId('aclassoc'),
        Ipv6CidrBlocks: [],
      },
    };
  },
  (context) => {
    const { world, physicalId } = context;
    // EC2 refuses while an interface (an instance's, a NAT gateway's, EKS's) still holds an address of it.
    const holder = [...world.ec2.networkInterfaces.values()].find((eni) => eni.subnetId === physicalId);
    if (holder) throw ec2(`The subnet '${physicalId}' has dependencies and cannot be deleted.`, 'GeneralServiceException');
    world.ec2.subnets.delete(physicalId);
  },
);

/** An EC2 error (a rule refused) as the resource's failure. */
function ec2Failure(error: unknown): ResourceFailure {
  if (error instanceof EmulatorError) return ec2(error.message, error.code.endsWith('.NotFound') ? 'NotFound' : error.code.endsWith('.Duplicate') ? 'AlreadyExists' : 'InvalidRequest');
  throw error;
}

/** The rules of a group's inline SecurityGroupIngress / SecurityGroupEgress list. */
function inlineRules(value: unknown, direction: Direction): ReturnType<typeof ruleSpecFromProperties>[] {
  return (Array.isArray(value) ? value.filter(isObject) : []).map((entry) => ruleSpecFromProperties(entry, direction));
}

const securityGroup: Provider = simple(
  'networkResource',
  (context) => {
    const { world, properties, stackName, logicalId } = context;
    if (properties.VpcId === undefined) throw ec2('No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.', 'InvalidRequest');
    const vpcId = requireVpc(world, properties.VpcId);
    const groupName = str(properties.GroupName) ?? generatedName(stackName, logicalId, 255);
    const groupNames = world.ec2.groupNames;
    if (groupNames.get(vpcId)?.has(groupName)) throw ec2(`The security group '${groupName}' already exists for VPC '${vpcId}'`, 'AlreadyExists');
    const groupId = world.newId('sg');
    const group: SecurityGroup = { groupId, vpcId, description: String(properties.GroupDescription ?? ''), groupName, tags: resourceTags(context) };
    world.ec2.securityGroups.set(groupId, group);
    try {
      authorize(world, group, 'ingress', inlineRules(properties.SecurityGroupIngress, 'ingress'));
      // Egress given replaces the default allow-all rule, as CloudFormation does.
      if (properties.SecurityGroupEgress !== undefined) {
        group.egress = [];
        authorize(world, group, 'egress', inlineRules(properties.SecurityGroupEgress, 'egress'));
      }
    } catch (error) {
      // A refused rule leaves no group behind.
      world.ec2.securityGroups.delete(groupId);
      throw ec2Failure(error);
    }
    groupNames.set(vpcId, new Map([...(groupNames.get(vpcId) ?? []), [groupName, groupId]]));
    return { physicalId: groupId, attributes: { GroupId: groupId, VpcId: vpcId, Id: groupId } };
  },
  (context) => {
    const { world, physicalId } = context;
    const group = world.ec2.securityGroups.get(physicalId);
    if (!group) return;
    // EC2 refuses while an interface (a load balancer's, one the VPC CNI left) uses it or another group's rule names it.
    if (securityGroupDependents(world, physicalId).length > 0) throw ec2(dependencyViolation(physicalId).message, 'ResourceConflict');
    const names = world.ec2.groupNames.get(group.vpcId);
    for (const [name, id] of names ?? []) if (id === physicalId) names?.delete(name);
    world.ec2.securityGroups.delete(physicalId);
  },
);

/** AWS::EC2::SecurityGroupIngress / Egress: one rule added to GroupId; its physical id is the rule's id (sgr-…). */
function securityGroupRule(direction: Direction): Provider {
  return simple(
    'networkResource',
    (context) => {
      const { world, properties } = context;
      const groupId = str(properties.GroupId);
      if (!groupId) throw ec2('GroupId is required: the local emulator has no default VPC groups to name by GroupName', 'InvalidRequest');
      const group = world.ec2.securityGroups.get(groupId);
      if (!group) throw ec2(`The security group '${groupId}' does not exist`, 'NotFound');
      let added;
      try {
        added = authorize(world, group, direction, [ruleSpecFromProperties(properties, direction)]);
      } catch (error) {
        throw ec2Failure(error);
      }
      const ruleId = added[0]!.ruleId;
      return { physicalId: ruleId, attributes: { Id: ruleId } };
    },
    (context) => {
      const group = groupOfRule(context.world, context.physicalId);
      if (group) revokeByIds(group, new Set([context.physicalId]));
    },
  );
}

const internetGateway: Provider = simple(
  'networkResource',
  (context) => {
    const id = context.world.newId('igw');
    saveOther(context, id);
    return { physicalId: id, attributes: { InternetGatewayId: id } };
  },
  (context) => {
    if (context.world.ec2.other.get(context.physicalId)?.properties.attachedVpcId) throw ec2(`The internetGateway '${context.physicalId}' has dependencies and cannot be deleted.`, 'GeneralServiceException');
    context.world.ec2.other.delete(context.physicalId);
  },
);

const gatewayAttachment: Provider = simple(
  'networkResource',
  (context) => {
    const { world, properties } = context;
    const vpcId = requireVpc(world, properties.VpcId);
    const gatewayId = str(properties.InternetGatewayId);
    if (!gatewayId) throw ec2('The local emulator only models internet gateway attachments (InternetGatewayId)');
    const gateway = world.ec2.other.get(gatewayId);
    if (!gateway) throw ec2(`The internetGateway ID '${gatewayId}' does not exist`, 'NotFound');
    if (gateway.properties.attachedVpcId) throw ec2(`resource ${gatewayId} is already attached to network ${String(gateway.properties.attachedVpcId)}`, 'AlreadyExists');
    gateway.properties.attachedVpcId = vpcId;
    return { physicalId: `IGW|${vpcId}`, attributes: { AttachmentType: 'IGW', VpcId: vpcId } };
  },
  (context) => {
    const gateway = context.world.ec2.other.get(String(context.properties.InternetGatewayId));
    if (gateway) delete gateway.properties.attachedVpcId;
  },
);

const routeTable: Provider = simple(
  'networkResource',
  (context) => {
    const vpcId = requireVpc(context.world, context.properties.VpcId);
    const id = context.world.newId('rtb');
    saveOther(context, id, { VpcId: vpcId });
    return { physicalId: id, attributes: { RouteTableId: id } };
  },
  (context) => {
    const associated = [...context.world.ec2.other.values()].some((o) => o.type === 'AWS::EC2::SubnetRouteTableAssociation' && o.properties.RouteTableId === context.physicalId);
    if (associated) throw ec2(`The routeTable '${context.physicalId}' has dependencies and cannot be deleted.`, 'GeneralServiceException');
    context.world.ec2.other.delete(context.physicalId);
  },
);

const route: Provider = simple(
  'networkResource',
  (context) => {
    const { world, properties } = context;
    const table = str(properties.RouteTableId);
    if (!table || !world.ec2.other.has(table)) throw ec2(`The routeTable ID '${String(table)}' does not exist`, 'NotFound');
    const destination = str(properties.DestinationCidrBlock) ?? str(properties.DestinationIpv6CidrBlock) ?? str(properties.DestinationPrefixListId) ?? '';
    for (const target of ['GatewayId', 'NatGatewayId']) {
      const id = str(properties[target]);
      if (id && id.startsWith(target === 'GatewayId' ? 'igw-' : 'nat-') && !world.ec2.other.has(id)) throw ec2(`The ${target === 'GatewayId' ? 'gateway' : 'natGateway'} ID '${id}' does not exist`, 'NotFound');
      const gateway = id ? world.ec2.other.get(id) : undefined;
      if (gateway?.type === 'AWS::EC2::InternetGateway' && !gateway.properties.attachedVpcId) throw ec2(`route table ${table} and network gateway ${id} belong to different networks`);
    }
    const id = `${table}|${destination}`;
    if (world.ec2.other.has(`route:${id}`)) throw ec2(`The route identified by ${destination} already exists.`, 'AlreadyExists');
    saveOther(context, `route:${id}`);
    return { physicalId: id, attributes: { CidrBlock: destination } };
  },
  (context) => void context.world.ec2.other.delete(`route:${context.physicalId}`),
);

const subnetRouteTableAssociation: Provider = simple(
  'networkResource',
  (context) => {
    const { world, properties } = context;
    if (!world.ec2.subnets.has(String(properties.SubnetId))) throw ec2(`The subnet ID '${String(properties.SubnetId)}' does not exist`, 'NotFound');
    if (!world.ec2.other.has(String(properties.RouteTableId))) throw ec2(`The routeTable ID '${String(properties.RouteTableId)}' does not exist`, 'NotFound');
    const id = world.newId('rtbassoc');
    saveOther(context, id);
    return { physicalId: id, attributes: { Id: id } };
  },
  (context) => void context.world.ec2.other.delete(context.physicalId),
);

const eip: Provider = simple(
  'networkResource',
  (context) => {
    const allocationId = context.world.newId('eipalloc');
    const [a, b, c] = [...randomBytes(3)];
    const publicIp = `54.${a}.${b}.${(c ?? 0) % 254 + 1}`;
    saveOther(context, allocationId, { PublicIp: publicIp });
    return { physicalId: publicIp, attributes: { AllocationId: allocationId, PublicIp: publicIp } };
  },
  (context) => {
    const allocationId = String(context.attributes.AllocationId);
    const inUse = [...context.world.ec2.other.values()].some((o) => o.type === 'AWS::EC2::NatGateway' && o.properties.AllocationId === allocationId);
    if (inUse) throw ec2(`The address with allocation id [${allocationId}] is in use`, 'ResourceConflict');
    context.world.ec2.other.delete(allocationId);
  },
);

const natGateway: Provider = simple(
  'natGatewayCreate',
  (context) => {
    const { world, properties } = context;
    const subnetId = String(properties.SubnetId);
    if (!world.ec2.subnets.has(subnetId)) throw ec2(`The subnet ID '${subnetId}' does not exist`, 'NotFound');
    const allocationId = str(properties.AllocationId);
    if (properties.ConnectivityType !== 'private' && (!allocationId || !world.ec2.other.has(allocationId))) throw ec2(`The allocation ID '${String(allocationId)}' does not exist`, 'NotFound');
    const id = world.newId('nat');
    const subnet = world.ec2.subnets.get(subnetId)!;
    // The gateway's interface takes an address of its subnet, as EC2 shows it in DescribeNetworkInterfaces.
    let eni;
    try {
      eni = createNetworkInterface(world, { subnet, description: `Interface for NAT Gateway ${id}`, interfaceType: 'nat_gateway', securityGroupIds: [], status: 'in-use' });
    } catch (error) {
      throw ec2Failure(error);
    }
    const publicIp = allocationId ? world.ec2.other.get(allocationId)?.properties.PublicIp : undefined;
    saveOther(context, id, { VpcId: subnet.vpcId, NetworkInterfaceId: eni.networkInterfaceId, PrivateIp: eni.privateIpAddress, ...(publicIp ? { PublicIp: publicIp } : {}), CreateTime: world.clock.now() });
    return { physicalId: id, attributes: { NatGatewayId: id, EniId: eni.networkInterfaceId } };
  },
  (context) => {
    const gateway = context.world.ec2.other.get(context.physicalId);
    const eniId = gateway?.properties.NetworkInterfaceId;
    if (typeof eniId === 'string') context.world.ec2.networkInterfaces.delete(eniId);
    context.world.ec2.other.delete(context.physicalId);
  },
);

/**
 * AWS::EC2::VPCEndpoint: interface endpoints take a while (their interfaces and private DNS),
 * gateway ones are a route target at once. GetAtt DnsEntries is `<hosted zone>:<name>` strings.
 */
const vpcEndpoint: Provider = {
  async create(context) {
    const { world, properties } = context;
    await context.wait(properties.VpcEndpointType === 'Interface' ? 'vpcEndpointCreate' : 'networkResource');
    const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : undefined);
    let endpoint;
    try {
      endpoint = createVpcEndpoint(world, {
        vpcId: requireVpc(world, properties.VpcId),
        serviceName: String(properties.ServiceName ?? ''),
        ...(properties.VpcEndpointType !== undefined ? { type: String(properties.VpcEndpointType) } : {}),
        ...(list(properties.SubnetIds) ? { subnetIds: list(properties.SubnetIds) } : {}),
        ...(list(properties.RouteTableIds) ? { routeTableIds: list(properties.RouteTableIds) } : {}),
        ...(list(properties.SecurityGroupIds) ? { securityGroupIds: list(properties.SecurityGroupIds) } : {}),
        privateDnsEnabled: bool(properties.PrivateDnsEnabled),
        ...(properties.PolicyDocument !== undefined ? { policyDocument: properties.PolicyDocument } : {}),
        tags: resourceTags(context),
      });
    } catch (error) {
      throw ec2Failure(error);
    }
    return {
      physicalId: endpoint.id,
      attributes: {
        Id: endpoint.id,
        CreationTimestamp: endpoint.createTime.toISOString(),
        NetworkInterfaceIds: endpoint.networkInterfaceIds,
        DnsEntries: dnsEntriesOf(world, endpoint).map((entry) => `${entry.hostedZoneId}:${entry.dnsName}`),
      },
    };
  },
  async delete(context) {
    await context.wait('networkResource');
    if (!context.world.ec2.other.has(context.physicalId)) return;
    deleteVpcEndpoint(context.world, context.physicalId);
  },
};

const launchTemplate: Provider = simple(
  'networkResource',
  (context) => {
    const { world, properties } = context;
    const name = str(properties.LaunchTemplateName) ?? `${context.logicalId}_${randomSuffix(12).toLowerCase()}`;
    const taken = [...world.ec2.other.values()].some((o) => o.type === 'AWS::EC2::LaunchTemplate' && o.properties.LaunchTemplateName === name);
    if (taken) throw ec2(`Launch template name already in use.`, 'AlreadyExists');
    const id = world.newId('lt');
    const specification = (properties.TagSpecifications as unknown[] | undefined)?.filter(isObject).find((s) => s.ResourceType === 'launch-template');
    saveOther(context, id, { LaunchTemplateName: name, LatestVersionNumber: 1, CreateTime: world.clock.now(), CreatedBy: `arn:aws:iam::${world.account}:root` }, resourceTags(context, specification?.Tags));
    return { physicalId: id, attributes: { LaunchTemplateId: id, LatestVersionNumber: '1', DefaultVersionNumber: '1' } };
  },
  (context) => void context.world.ec2.other.delete(context.physicalId),
);

// ── IAM ──────────────────────────────────────────────────────────────────────────────────────

const IAM_PATH = /^\/(?:[\x21-\x7e]*\/)?$/;
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy\/.+$/;

function policyDocument(value: unknown, field: string): Json {
  let document = value;
  if (typeof document === 'string') {
    try {
      document = JSON.parse(document);
    } catch {
      throw iam(`Syntax errors in policy. (${field})`, 'InvalidRequest');
    }
  }
  if (!isObject(document) || (!Array.isArray(document.Statement) && !isObject(document.Statement))) throw iam(`Syntax errors in policy. (${field})`, 'InvalidRequest');
  return document;
}

function iamPath(value: unknown): string {
  const path = str(value) ?? '/';
  if (!IAM_PATH.test(path) || path.length > 512) throw iam(`1 validation error detected: Value '${path}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)`);
  return path;
}

function requireRoles(world: World, roles: unknown): string[] {
  const names = Array.isArray(roles) ? roles.map(String) : [];
  for (const name of names) if (!world.iam.roles.has(name)) throw iam(`The role with name ${name} cannot be found.`, 'NotFound', 404);
  return names;
}

const role: Provider = simple(
  'iamRole',
  (context) => {
    const { world, properties, stackName, logicalId } = context;
    const roleName = str(properties.RoleName) ?? generatedName(stackName, logicalId, 64);
    if (world.iam.roles.has(roleName)) throw iam(`Role with name ${roleName} already exists.`, 'AlreadyExists', 409);
    const path = iamPath(properties.Path);
    const assumeRolePolicyDocument = policyDocument(properties.AssumeRolePolicyDocument, 'AssumeRolePolicyDocument');
    const managedPolicyArns = Array.isArray(properties.ManagedPolicyArns) ? properties.ManagedPolicyArns.map(String) : [];
    const bad = managedPolicyArns.find((arn) => !POLICY_ARN.test(arn));
    if (bad) throw iam(`ARN ${bad} is not valid.`);
    if (new Set(managedPolicyArns).size !== managedPolicyArns.length) throw iam('The same managed policy is attached more than once.');
    const inlinePolicies: Record<string, unknown> = {};
    for (const policy of Array.isArray(properties.Policies) ? properties.Policies.filter(isObject) : []) inlinePolicies[String(policy.PolicyName)] = policyDocument(policy.PolicyDocument, `Policies.${String(policy.PolicyName)}`);
    const permissionsBoundary = str(properties.PermissionsBoundary);
    if (permissionsBoundary !== undefined) {
      if (!POLICY_ARN.test(permissionsBoundary)) throw iam(`ARN ${permissionsBoundary} is not valid.`);
      // IAM's answer to CreateRole with a boundary that is not a policy of the account (nor an AWS managed one).
      if (!world.iam.policyExists(permissionsBoundary)) throw iam(`Scope ARN: ${permissionsBoundary} does not exist or is not attachable.`, 'NotFound', 404);
    }
    const arn = `arn:aws:iam::${world.account}:role${path}${roleName}`;
    const description = str(properties.Description);
    world.iam.roles.set(roleName, {
      arn,
      roleName,
      path,
      assumeRolePolicyDocument,
      managedPolicyArns,
      inlinePolicies,
      tags: resourceTags(context),
      createDate: world.clock.now(),
      ...(properties.MaxSessionDuration !== undefined ? { maxSessionDuration: Number(properties.MaxSessionDuration) } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(permissionsBoundary !== undefined ? { permissionsBoundary } : {}),
    });
    return { physicalId: roleName, attributes: { Arn: arn, RoleId: roleIdFor(world.account, roleName) } };
  },
  (context) => void context.world.iam.roles.delete(context.physicalId),
  'iamRole',
);

/**
 * An UpdateStack's change of a role's ManagedPolicyArns (`before` and `after` evaluated), made in
 * place as CloudFormation makes it: the policies no longer declared are detached and the new ones
 * attached, those attached some other way (an AWS::IAM::ManagedPolicy's `Roles`) left as they are.
 * IAM's refusals first, so a refused change leaves the role as it was: an ARN that is not a policy
 * ARN, one listed twice (as CreateRole), a customer managed policy that does not exist
 * (AttachRolePolicy's NoSuchEntity).
 */
export function reattachRolePolicies(world: World, roleName: string, before: unknown, after: unknown): void {
  const role = world.iam.roles.get(roleName);
  if (!role) throw iam(`The role with name ${roleName} cannot be found.`, 'NotFound', 404);
  const declaredBefore = Array.isArray(before) ? before.map(String) : [];
  const declaredAfter = Array.isArray(after) ? after.map(String) : [];
  const bad = declaredAfter.find((arn) => !POLICY_ARN.test(arn));
  if (bad) throw iam(`ARN ${bad} is not valid.`);
  if (new Set(declaredAfter).size !== declaredAfter.length) throw iam('The same managed policy is attached more than once.');
  const missing = declaredAfter.find((arn) => !world.iam.policyExists(arn));
  if (missing) throw iam(`Policy ${missing} does not exist or is not attachable.`, 'NotFound', 404);
  const kept = role.managedPolicyArns.filter((arn) => declaredAfter.includes(arn) || !declaredBefore.includes(arn));
  role.managedPolicyArns = [...kept, ...declaredAfter.filter((arn) => !kept.includes(arn))];
}

const inlinePolicy: Provider = simple(
  'iamRole',
  (context) => {
    const { world, properties, stackName } = context;
    const document = policyDocument(properties.PolicyDocument, 'PolicyDocument');
    // The policy is embedded in each role it names (its users and groups are not emulated).
    for (const roleName of requireRoles(world, properties.Roles)) {
      const named = world.iam.roles.get(roleName);
      if (named) named.inlinePolicies = { ...named.inlinePolicies, [String(properties.PolicyName)]: document };
    }
    const id = `${stackName.slice(0, 5)}-${String(properties.PolicyName).slice(0, 5)}-${randomSuffix(12)}`;
    return { physicalId: id, attributes: { Id: id } };
  },
  (context) => {
    const policyName = String(context.properties.PolicyName);
    for (const roleName of Array.isArray(context.properties.Roles) ? context.properties.Roles.map(String) : []) {
      const named = context.world.iam.roles.get(roleName);
      if (named?.inlinePolicies) delete named.inlinePolicies[policyName];
    }
  },
  'iamRole',
);

const managedPolicy: Provider = simple(
  'iamRole',
  (context) => {
    const { world, properties, stackName, logicalId } = context;
    const document = policyDocument(properties.PolicyDocument, 'PolicyDocument');
    const roles = requireRoles(world, properties.Roles);
    const name = str(properties.ManagedPolicyName) ?? generatedName(stackName, logicalId, 128);
    const arn = `arn:aws:iam::${world.account}:policy${iamPath(properties.Path)}${name}`;
    const description = str(properties.Description);
    world.iam.policies.set(arn, { arn, document, createDate: world.clock.now(), ...(description !== undefined ? { description } : {}) });
    for (const roleName of roles) world.iam.roles.get(roleName)?.managedPolicyArns.push(arn);
    const now = world.clock.now().toISOString();
    return {
      physicalId: arn,
      attributes: { PolicyArn: arn, PolicyId: iamUniqueId('ANPA', arn), DefaultVersionId: 'v1', AttachmentCount: roles.length, IsAttachable: 'true', PermissionsBoundaryUsageCount: 0, CreateDate: now, UpdateDate: now },
    };
  },
  (context) => {
    context.world.iam.policies.delete(context.physicalId);
    for (const r of context.world.iam.roles.values()) r.managedPolicyArns = r.managedPolicyArns.filter((arn) => arn !== context.physicalId);
  },
  'iamRole',
);

const instanceProfile: Provider = simple(
  'iamRole',
  (context) => {
    const { world, properties, stackName, logicalId } = context;
    const roleNames = requireRoles(world, properties.Roles);
    const name = str(properties.InstanceProfileName) ?? generatedName(stackName, logicalId, 128);
    if (world.iam.instanceProfiles.has(name)) throw iam(`Instance Profile ${name} already exists.`, 'AlreadyExists', 409);
    const path = iamPath(properties.Path);
    const arn = `arn:aws:iam::${world.account}:instance-profile${path}${name}`;
    world.iam.instanceProfiles.set(name, { name, arn, path, roleNames, createDate: world.clock.now(), tags: {} });
    return { physicalId: name, attributes: { Arn: arn } };
  },
  (context) => void context.world.iam.instanceProfiles.delete(context.physicalId),
  'iamRole',
);

/**
 * An IAM OIDC identity provider. IAM keeps the URL without its scheme, names the provider by it
 * (one per URL in an account) and refuses a URL that is not https; the thumbprint list may be
 * empty since IAM trusts well-known issuers (EKS's among them) through its own root CAs.
 */
const oidcProvider: Provider = simple(
  'iamRole',
  (context) => {
    const { world, properties } = context;
    const url = str(properties.Url) ?? '';
    if (!/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(url) || url.length > 255) throw iam(`1 validation error detected: Value '${url}' at 'url' failed to satisfy constraint: Member must be an https URL of at most 255 characters`);
    const hostAndPath = url.slice('https://'.length);
    const arn = `arn:aws:iam::${world.account}:oidc-provider/${hostAndPath}`;
    if (world.iam.oidcProviders.has(arn)) throw iam(`Provider with url ${url} already exists.`, 'AlreadyExists', 409);
    const clientIds = Array.isArray(properties.ClientIdList) ? properties.ClientIdList.map(String) : [];
    const thumbprints = Array.isArray(properties.ThumbprintList) ? properties.ThumbprintList.map(String) : [];
    const bad = thumbprints.find((t) => !/^[0-9A-Fa-f]{40}$/.test(t));
    if (bad !== undefined || thumbprints.length > 5) throw iam(`1 validation error detected: Value at 'thumbprintList' failed to satisfy constraint: at most 5 members, each 40 hexadecimal characters`);
    world.iam.oidcProviders.set(arn, { arn, url: hostAndPath, clientIds, thumbprints, createDate: world.clock.now(), tags: resourceTags(context) });
    return { physicalId: arn, attributes: { Arn: arn } };
  },
  (context) => void context.world.iam.oidcProviders.delete(context.physicalId),
  'iamRole',
);

// ── Auto Scaling ─────────────────────────────────────────────────────────────────────────────

const autoScaling = (message: string, handlerErrorCode = 'InvalidRequest', status = 400) => handlerFailure(message, 'AutoScaling', status, handlerErrorCode);

/** The launch template a group launches from: LaunchTemplate, or a MixedInstancesPolicy's specification. */
function groupLaunchTemplate(world: World, properties: Json): { id: string; name: string; version: string } {
  const mixed = isObject(properties.MixedInstancesPolicy) && isObject(properties.MixedInstancesPolicy.LaunchTemplate) ? properties.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification : undefined;
  const specification = isObject(properties.LaunchTemplate) ? properties.LaunchTemplate : isObject(mixed) ? mixed : undefined;
  if (!specification) throw autoScaling('Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.', 'InvalidRequest');
  const id = str(specification.LaunchTemplateId);
  const name = str(specification.LaunchTemplateName);
  const found = findLaunchTemplate(world, { ...(id ? { id } : {}), ...(name ? { name } : {}) });
  if (!found) throw autoScaling(id ? `The specified launch template, with template ID ${id}, does not exist.` : `The specified launch template, with template name ${name ?? ''}, does not exist.`, 'NotFound');
  const version = str(specification.Version) ?? '$Default';
  return { id: found.id, name: found.name, version: /^\d+$/.test(version) ? version : String(found.version) };
}

function instancesDistribution(properties: Json): AutoScalingGroup['instancesDistribution'] {
  const policy = isObject(properties.MixedInstancesPolicy) ? properties.MixedInstancesPolicy : undefined;
  if (!policy) return undefined;
  const distribution = isObject(policy.InstancesDistribution) ? policy.InstancesDistribution : {};
  return {
    onDemandBaseCapacity: Number(distribution.OnDemandBaseCapacity ?? 0),
    onDemandPercentageAboveBaseCapacity: Number(distribution.OnDemandPercentageAboveBaseCapacity ?? 100),
    spotAllocationStrategy: str(distribution.SpotAllocationStrategy) ?? 'lowest-price',
    onDemandAllocationStrategy: str(distribution.OnDemandAllocationStrategy) ?? 'prioritized',
  };
}

/** AWS::AutoScaling::AutoScalingGroup: the group in world.autoScaling, launching its instances at once (stack-groups.ts). */
const autoScalingGroup: Provider = simple(
  'networkResource',
  (context) => {
    const { world, properties } = context;
    const name = str(properties.AutoScalingGroupName) ?? generatedName(context.stackName, context.logicalId, 255);
    if (world.autoScaling.groups.has(name)) throw autoScaling(`AutoScalingGroup by this name already exists - A group with the name ${name} already exists`, 'AlreadyExists');
    const [minSize, maxSize] = [Number(properties.MinSize), Number(properties.MaxSize)];
    const desiredCapacity = properties.DesiredCapacity === undefined ? minSize : Number(properties.DesiredCapacity);
    asAutoScalingFailure(() => checkGroupSizes(minSize, maxSize, desiredCapacity));
    const subnetIds = (Array.isArray(properties.VPCZoneIdentifier) ? properties.VPCZoneIdentifier : String(properties.VPCZoneIdentifier ?? '').split(',')).map(String).filter(Boolean);
    const subnets = subnetIds.map((id) => {
      const subnet = world.ec2.subnets.get(id);
      if (!subnet) throw autoScaling(`The subnet ID '${id}' does not exist`, 'NotFound');
      return subnet;
    });
    const launchTemplate = groupLaunchTemplate(world, properties);
    const policy = isObject(properties.MixedInstancesPolicy) && isObject(properties.MixedInstancesPolicy.LaunchTemplate) ? properties.MixedInstancesPolicy.LaunchTemplate : undefined;
    const overrides = Array.isArray(policy?.Overrides) ? policy.Overrides.filter(isObject).map((o) => str(o.InstanceType)).filter((t): t is string => t !== undefined) : [];
    const tagList = Array.isArray(properties.Tags) ? properties.Tags.filter(isObject) : [];
    const ownTags = Object.fromEntries(tagList.map((t) => [String(t.Key), String(t.Value)]));
    const notPropagated = tagList.filter((t) => !bool(t.PropagateAtLaunch)).map((t) => String(t.Key));
    const group: AutoScalingGroup = {
      name,
      arn: world.arn('autoscaling', `autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`),
      minSize,
      maxSize,
      desiredCapacity,
      subnetIds,
      availabilityZones: [...new Set(subnets.map((s) => s.availabilityZone))],
      launchTemplate,
      ...(overrides.length ? { mixedInstanceTypes: overrides } : {}),
      ...(instancesDistribution(properties) ? { instancesDistribution: instancesDistribution(properties) } : {}),
      instanceIds: [],
      createdTime: world.clock.now(),
      // CloudFormation tags the group with the stack's tags, and they reach the instances too.
      tags: { ...context.stackTags, ...ownTags },
      ...(notPropagated.length ? { notPropagatedAtLaunch: notPropagated } : {}),
      stackName: context.stackName,
    };
    world.autoScaling.groups.set(name, group);
    reconcileStackGroup(world, group);
    return { physicalId: name, attributes: {} };
  },
  (context) => deleteStackGroup(context.world, context.physicalId),
);

/** Auto Scaling's refusal (an EmulatorError) as the resource handler reports it. */
function asAutoScalingFailure(change: () => void): void {
  try {
    change();
  } catch (error) {
    if (error instanceof EmulatorError) throw autoScaling(error.message);
    throw error;
  }
}

/**
 * An update of a stack's group in place, as CloudFormation makes it with UpdateAutoScalingGroup:
 * new sizes (DesiredCapacity left out keeps the current one within the new bounds) and the launch
 * template version its properties name now; Auto Scaling's refusal fails the resource.
 */
export function updateAutoScalingGroup(world: World, name: string, properties: Json): void {
  const group = world.autoScaling.groups.get(name);
  if (!group) throw autoScaling(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`, 'NotFound');
  const { version } = groupLaunchTemplate(world, properties);
  asAutoScalingFailure(() =>
    resizeStackGroup(world, group, {
      minSize: Number(properties.MinSize),
      maxSize: Number(properties.MaxSize),
      ...(properties.DesiredCapacity === undefined ? {} : { desiredCapacity: Number(properties.DesiredCapacity) }),
      launchTemplateVersion: version,
    }),
  );
}

// ── EKS ──────────────────────────────────────────────────────────────────────────────────────

function eksFailure(error: unknown): ResourceFailure {
  if (error instanceof ResourceFailure) return error;
  const message = (error as Error)?.message ?? String(error);
  if (message.startsWith('Resource handler returned message')) return new ResourceFailure(message);
  if (error instanceof EmulatorError) return handlerFailure(message, 'Eks', error.status, error.status === 404 ? 'NotFound' : error.status === 409 ? 'ResourceConflict' : error.status >= 500 ? 'ServiceInternalError' : 'InvalidRequest');
  return new ResourceFailure(`Resource handler returned message: "${message}" (RequestToken: ${randomUUID()}, HandlerErrorCode: GeneralServiceException)`);
}

/** The EKS backend's lowerCamel result as the type's attributes. */
function clusterAttributes(result: Record<string, string>): Json {
  const attributes: Json = {};
  for (const [key, value] of Object.entries(result)) attributes[key.charAt(0).toUpperCase() + key.slice(1)] = value;
  if (result.certificateAuthorityData !== undefined) attributes['CertificateAuthority.Data'] = result.certificateAuthorityData;
  return attributes;
}

/** A call CloudFormation makes as the stack's identity, in the principals record (CloudTrail's invokedBy). */
function recordOnBehalf(context: ProviderContext, call: string): void {
  if (!context.actingAs) return;
  context.world.callPrincipals.push({ call, principal: context.actingAs, time: context.world.clock.now().toISOString(), invokedBy: 'cloudformation.amazonaws.com' });
}

const eksCluster: Provider = {
  async create(context) {
    const { world, properties, logicalId } = context;
    if (!world.eks) throw new ResourceFailure('Resource handler returned message: "EKS is not emulated by this local endpoint" (HandlerErrorCode: ServiceInternalError)');
    const name = str(properties.Name) ?? `${logicalId}-${randomSuffix(12).toLowerCase()}`;
    recordOnBehalf(context, 'eks:CreateCluster');
    // Not abortable: like AWS, a cancelled cluster keeps creating and the rollback deletes it.
    // The cluster's creator (its bootstrap admin) is whoever CloudFormation acts as.
    const creator = context.actingAs ? { creatorArn: context.actingAs } : {};
    const result = await world.eks.createClusterForStack({ ...properties, Name: name }, { ...context.stackTags, 'aws:cloudformation:logical-id': logicalId }, creator).catch((error: unknown) => {
      throw eksFailure(error);
    });
    return { physicalId: result.name, attributes: clusterAttributes(result) };
  },
  resume(context) {
    const name = str(context.properties.Name);
    const creating = name ? context.world.eks?.resumeClusterForStack?.(name) : undefined;
    return creating?.then(
      (result) => ({ physicalId: result.name, attributes: clusterAttributes(result) }),
      (error: unknown) => {
        throw eksFailure(error);
      },
    );
  },
  async delete(context) {
    if (!context.world.eks) return;
    recordOnBehalf(context, 'eks:DeleteCluster');
    await context.world.eks.deleteClusterForStack(context.physicalId).catch((error: unknown) => {
      throw eksFailure(error);
    });
  },
};

// ── CloudWatch Logs and Lambda ──────────────────────────────────────────────────────────────

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const logGroup: Provider = simple(
  'networkResource',
  (context) => {
    const { world, properties, stackName, logicalId } = context;
    const name = str(properties.LogGroupName) ?? generatedName(stackName, logicalId, 512);
    if (!LOG_GROUP_NAME.test(name)) throw handlerFailure(`1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`, 'CloudWatchLogs', 400, 'InvalidRequest');
    if (world.logs.groups.has(name)) throw new ResourceFailure(`Resource of type 'AWS::Logs::LogGroup' with identifier '{"/properties/LogGroupName":"${name}"}' already exists.`);
    const retention = properties.RetentionInDays === undefined ? undefined : Number(properties.RetentionInDays);
    if (retention !== undefined && !RETENTION_DAYS.includes(retention)) throw handlerFailure(`Invalid value for parameter retentionInDays: ${retention}`, 'CloudWatchLogs', 400, 'InvalidRequest');
    const arn = world.arn('logs', `log-group:${name}:*`);
    world.logs.groups.set(name, { name, arn, ...(retention !== undefined ? { retentionInDays: retention } : {}), creationTime: world.clock.now(), tags: resourceTags(context) });
    return { physicalId: name, attributes: { Arn: arn } };
  },
  (context) => void context.world.logs.groups.delete(context.physicalId),
);

const lambdaFailure = (error: unknown): ResourceFailure => {
  if (error instanceof EmulatorError) return handlerFailure(error.message, 'Lambda', error.status, error.status === 409 ? 'AlreadyExists' : error.status >= 500 ? 'ServiceInternalError' : 'InvalidRequest');
  throw error;
};

function newFunction(context: ProviderContext): NewFunction {
  const { properties, stackName, logicalId } = context;
  const code = isObject(properties.Code) ? properties.Code : {};
  if (code.ZipFile !== undefined || code.ImageUri !== undefined || str(code.S3Bucket) === undefined || str(code.S3Key) === undefined) {
    throw new ResourceFailure('The local emulator deploys Lambda code from S3 only (Code.S3Bucket and Code.S3Key, registered by the local runtime); ZipFile and ImageUri are not emulated');
  }
  const vpc = isObject(properties.VpcConfig) ? properties.VpcConfig : undefined;
  const logging = isObject(properties.LoggingConfig) ? properties.LoggingConfig : undefined;
  const environment = isObject(properties.Environment) && isObject(properties.Environment.Variables) ? Object.fromEntries(Object.entries(properties.Environment.Variables).map(([k, v]) => [k, String(v)])) : undefined;
  const name = str(properties.FunctionName) ?? generatedName(stackName, logicalId, 64);
  const description = str(properties.Description);
  return {
    name,
    role: String(properties.Role ?? ''),
    runtime: String(properties.Runtime ?? ''),
    handler: String(properties.Handler ?? ''),
    architectures: Array.isArray(properties.Architectures) ? properties.Architectures.map(String) : [],
    memorySize: Number(properties.MemorySize ?? 128),
    timeout: Number(properties.Timeout ?? 3),
    ...(description !== undefined ? { description } : {}),
    ...(environment ? { environment } : {}),
    code: { s3Bucket: String(code.S3Bucket), s3Key: String(code.S3Key) },
    ...(vpc ? { vpc: { subnetIds: Array.isArray(vpc.SubnetIds) ? vpc.SubnetIds.map(String) : [], securityGroupIds: Array.isArray(vpc.SecurityGroupIds) ? vpc.SecurityGroupIds.map(String) : [] } } : {}),
    ...(logging ? { loggingConfig: { logGroup: str(logging.LogGroup) ?? `/aws/lambda/${name}`, logFormat: str(logging.LogFormat) ?? 'Text' } } : {}),
    tags: { ...resourceTags(context), 'lambda:createdBy': 'CloudFormation' },
  };
}

/** CloudFormation waits for the function to be Active (a VPC function is Pending while Lambda makes its ENIs). */
async function untilActive(world: World, name: string): Promise<Created> {
  const arn = world.functions.arnOf(name)!;
  const deployed = world.functions.deployed.get(arn);
  if (!deployed) throw new ResourceFailure(`Resource handler returned message: "Function not found: ${arn}" (HandlerErrorCode: NotFound)`);
  // Not abortable: like AWS, a cancelled function still becomes Active, and the rollback deletes it.
  await world.clock.sleepUntil(deployed.activeAt);
  return { physicalId: deployed.name, attributes: { Arn: deployed.arn, 'SnapStartResponse.ApplyOn': 'None', 'SnapStartResponse.OptimizationStatus': 'Off' } };
}

const lambdaFunction: Provider = {
  async create(context) {
    const input = newFunction(context);
    await context.wait('networkResource');
    try {
      createFunction(context.world, input);
    } catch (error) {
      throw lambdaFailure(error);
    }
    return untilActive(context.world, input.name);
  },
  resume(context) {
    // A function made before the restart is waited for; one not made yet is created again.
    const name = str(context.properties.FunctionName);
    const arn = name ? context.world.functions.arnOf(name) : undefined;
    return arn && context.world.functions.deployed.has(arn) ? untilActive(context.world, name!) : undefined;
  },
  async delete(context) {
    await context.wait('networkResource');
    deleteFunction(context.world, context.physicalId);
  },
};

// ── Everything else ──────────────────────────────────────────────────────────────────────────

/** Any type the specification knows: an id after a short wait; Id/Name/Arn attributes derived from it. */
const generic: Provider = simple('networkResource', (context) => {
  const { world, type, stackName, logicalId } = context;
  const physicalId = generatedName(stackName, logicalId, 128);
  const [, service = 'unknown', resource = 'resource'] = type.split('::');
  const attributes: Json = {};
  for (const attribute of context.specAttributes) {
    if (/Arn$/.test(attribute)) attributes[attribute] = `arn:aws:${service.toLowerCase()}:${world.region}:${world.account}:${resource.toLowerCase()}/${physicalId}`;
    else if (/(Id|Name)$/.test(attribute)) attributes[attribute] = physicalId;
  }
  return { physicalId, attributes };
});

const unsupported = (what: string): Provider => ({
  create: () => Promise.reject(new ResourceFailure(`${what} are not supported by the local emulator`)),
  delete: () => Promise.resolve(),
});

const PROVIDERS: Record<string, Provider> = {
  'AWS::EC2::VPC': vpc,
  'AWS::EC2::Subnet': subnet,
  'AWS::EC2::SecurityGroup': securityGroup,
  'AWS::EC2::SecurityGroupIngress': securityGroupRule('ingress'),
  'AWS::EC2::SecurityGroupEgress': securityGroupRule('egress'),
  'AWS::EC2::InternetGateway': internetGateway,
  'AWS::EC2::VPCGatewayAttachment': gatewayAttachment,
  'AWS::EC2::RouteTable': routeTable,
  'AWS::EC2::Route': route,
  'AWS::EC2::SubnetRouteTableAssociation': subnetRouteTableAssociation,
  'AWS::EC2::EIP': eip,
  'AWS::EC2::NatGateway': natGateway,
  'AWS::EC2::VPCEndpoint': vpcEndpoint,
  'AWS::EC2::LaunchTemplate': launchTemplate,
  'AWS::IAM::Role': role,
  'AWS::IAM::Policy': inlinePolicy,
  'AWS::IAM::ManagedPolicy': managedPolicy,
  'AWS::IAM::InstanceProfile': instanceProfile,
  'AWS::IAM::OIDCProvider': oidcProvider,
  'AWS::AutoScaling::AutoScalingGroup': autoScalingGroup,
  'AWS::EKS::Cluster': eksCluster,
  'AWS::Logs::LogGroup': logGroup,
  'AWS::Lambda::Function': lambdaFunction,
  'AWS::CloudFormation::Stack': unsupported('Nested stacks (AWS::CloudFormation::Stack)'),
  'AWS::CloudFormation::CustomResource': unsupported('Custom resources'),
  'AWS::CloudFormation::Macro': unsupported('Macros'),
};

export function providerFor(type: string): Provider {
  if (type.startsWith('Custom::')) return unsupported('Custom resources');
  return PROVIDERS[type] ?? generic;
}

export const MODELLED_TYPES = Object.keys(PROVIDERS);
