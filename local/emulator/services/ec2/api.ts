/**
 * The EC2 operations (ec2Query, Version 2016-11-15) over the World's EC2 records: the network
 * CloudFormation built, the instances and interfaces nodegroups, NAT gateways and VPC endpoints
 * hold, security groups with their rules, launch templates, VPC endpoints. Resources are made by
 * CloudFormation and EKS; the only writes are what a cleanup of a cluster's VPC does: revoking
 * rules by id, deleting a security group or an interface, refused as EC2 refuses them
 * (deletions.ts). Any other action answers InvalidAction, as EC2 does (query/dispatch.ts).
 *
 * Wire shape (shared REFERENCE "Wire protocols"): form `Action=X&Version=...`, lists as
 * `SubnetId.N`, filters as `Filter.N.Name` / `Filter.N.Value.M` (query/filters.ts), paging with
 * MaxResults/NextToken (query/paging.ts); answers are lowerCamel XML (renderers.ts).
 */
import { EmulatorError, formList } from '../../protocol';
import { applyFilters, pageOf, parseFilters, type FieldReader, type QueryOperation } from '../../query';
import type { Instance, SecurityGroup, SecurityGroupRule, Tagged, World } from '../../world';
import { deleteNetworkInterface, deleteSecurityGroup, revokeSecurityGroupRules } from './deletions';
import { forgetOldTerminated } from './instances';
import {
  instanceStatusXml,
  launchTemplateVersionXml,
  launchTemplateXml,
  natGatewayXml,
  networkInterfaceXml,
  reservationXml,
  securityGroupRuleXml,
  securityGroupXml,
  subnetXml,
  vpcEndpointXml,
  vpcXml,
  zoneXml,
  type Zone,
} from './renderers';
import { rulesOf } from './security-group-rules';
import { availableAddressCount, availabilityZoneId, derivedId, groupNameOf, isDefaultVpc, isRequesterManaged, launchTemplates, natGateways, privateDnsNameOf, publicDnsNameOf, type LaunchTemplate, type LaunchTemplateVersion } from './state';
import { vpcEndpoints } from './vpc-endpoints';

/** Resources named by id, in the order asked; unknown ids fail the whole call, naming each. */
function byIds<T>(ids: string[], map: Map<string, T>, prefix: string, notFoundCode: string, what: string): T[] {
  const malformed = ids.find((id) => !id.startsWith(`${prefix}-`));
  if (malformed !== undefined) {
    throw new EmulatorError(400, notFoundCode.replace('.NotFound', '.Malformed'), `Invalid id: "${malformed}" (expecting "${prefix}-...")`);
  }
  const missing = ids.filter((id) => !map.has(id));
  if (missing.length === 1) throw new EmulatorError(400, notFoundCode, `The ${what} ID '${missing[0]}' does not exist`);
  if (missing.length > 1) throw new EmulatorError(400, notFoundCode, `The ${what} IDs '${missing.join(', ')}' do not exist`);
  return [...new Set(ids)].map((id) => map.get(id)!);
}

/** Ids given explicitly are never paged, as in AWS; otherwise MaxResults/NextToken apply. */
function pageUnlessIds<T>(form: URLSearchParams, ids: string[], items: T[]): { items: T[]; nextToken?: string } {
  return ids.length ? { items } : pageOf(form, items);
}

const tagless = { tags: {} };

function instanceFilters(world: World): Record<string, FieldReader<Instance>> {
  const live = (i: Instance) => i.state !== 'terminated';
  return {
    'instance-id': (i) => i.instanceId,
    'reservation-id': (i) => i.reservationId ?? derivedId('r', i.instanceId),
    'private-ip-address': (i) => (live(i) ? i.privateIpAddress : undefined),
    'private-dns-name': (i) => (live(i) ? i.privateDnsName : undefined),
    'ip-address': (i) => (live(i) ? i.publicIpAddress : undefined),
    'dns-name': (i) => (live(i) && i.publicIpAddress ? publicDnsNameOf(world, i.publicIpAddress) : undefined),
    'subnet-id': (i) => (live(i) ? i.subnetId : undefined),
    'vpc-id': (i) => (live(i) ? i.vpcId : undefined),
    'availability-zone': (i) => i.availabilityZone,
    'instance-state-name': (i) => i.state,
    'instance-state-code': (i) => ({ pending: 0, running: 16, 'shutting-down': 32, terminated: 48 })[i.state],
    'instance-type': (i) => i.instanceType,
    'image-id': (i) => i.imageId,
    architecture: (i) => i.architecture,
    'instance-lifecycle': (i) => (i.capacityType === 'SPOT' ? 'spot' : undefined),
    'iam-instance-profile.arn': (i) => i.iamInstanceProfileArn,
    'instance.group-id': (i) => (live(i) ? i.securityGroupIds : undefined),
    'instance.group-name': (i) => (live(i) ? i.securityGroupIds.map((id) => world.ec2.securityGroups.get(id)).filter((g): g is SecurityGroup => g !== undefined).map(groupNameOf) : undefined),
    'network-interface.network-interface-id': (i) => (live(i) ? i.networkInterfaceId : undefined),
    'network-interface.addresses.private-ip-address': (i) => (live(i) ? i.privateIpAddress : undefined),
    'launch-time': (i) => i.launchTime.toISOString(),
    'owner-id': () => world.account,
    'root-device-type': () => 'ebs',
    'tenancy': () => 'default',
  };
}

interface RuleRow extends Tagged {
  group: SecurityGroup;
  rule: SecurityGroupRule;
  isEgress: boolean;
}

function ruleRows(world: World): RuleRow[] {
  return [...world.ec2.securityGroups.values()].flatMap((group) => [
    ...rulesOf(group, 'ingress').map((rule) => ({ group, rule, isEgress: false, ...tagless })),
    ...rulesOf(group, 'egress').map((rule) => ({ group, rule, isEgress: true, ...tagless })),
  ]);
}

/** Revoke by SecurityGroupRuleId.N only: rules given as IpPermissions are not taken here. */
function revokeRules(world: World, form: URLSearchParams, direction: 'ingress' | 'egress') {
  const groupId = form.get('GroupId');
  const ruleIds = formList(form, 'SecurityGroupRuleId', false);
  if (!groupId) throw new EmulatorError(400, 'MissingParameter', 'The request must contain the parameter groupId');
  if (ruleIds.length === 0) throw new EmulatorError(400, 'InvalidParameterValue', 'The local emulator revokes rules by SecurityGroupRuleId only (IpPermissions are not supported)');
  revokeSecurityGroupRules(world, groupId, direction, ruleIds);
  return { return: true };
}

export const OPERATIONS: Record<string, QueryOperation> = {
  DescribeSubnets(world, form) {
    const ids = formList(form, 'SubnetId', false);
    const subnets = ids.length ? byIds(ids, world.ec2.subnets, 'subnet', 'InvalidSubnetID.NotFound', 'subnet') : [...world.ec2.subnets.values()];
    const filtered = applyFilters(subnets, parseFilters(form), {
      'subnet-id': (s) => s.subnetId,
      'vpc-id': (s) => s.vpcId,
      vpcId: (s) => s.vpcId,
      'availability-zone': (s) => s.availabilityZone,
      availabilityZone: (s) => s.availabilityZone,
      'availability-zone-id': (s) => availabilityZoneId(s.availabilityZone),
      'cidr-block': (s) => s.cidrBlock,
      cidr: (s) => s.cidrBlock,
      cidrBlock: (s) => s.cidrBlock,
      'default-for-az': (s) => isDefaultVpc(world, s.vpcId),
      defaultForAz: (s) => isDefaultVpc(world, s.vpcId),
      'map-public-ip-on-launch': (s) => s.mapPublicIpOnLaunch,
      'owner-id': () => world.account,
      state: () => 'available',
      'subnet-arn': (s) => world.arn('ec2', `subnet/${s.subnetId}`),
      'available-ip-address-count': (s) => availableAddressCount(world, s),
    });
    const { items, nextToken } = pageUnlessIds(form, ids, filtered);
    return { subnetSet: items.map((s) => subnetXml(world, s)), nextToken };
  },

  DescribeVpcs(world, form) {
    const ids = formList(form, 'VpcId', false);
    const vpcs = ids.length ? byIds(ids, world.ec2.vpcs, 'vpc', 'InvalidVpcID.NotFound', 'vpc') : [...world.ec2.vpcs.values()];
    const filtered = applyFilters(vpcs, parseFilters(form), {
      'vpc-id': (v) => v.vpcId,
      cidr: (v) => v.cidrBlock,
      'cidr-block-association.cidr-block': (v) => v.cidrBlock,
      'cidr-block-association.state': () => 'associated',
      'is-default': (v) => isDefaultVpc(world, v.vpcId),
      isDefault: (v) => isDefaultVpc(world, v.vpcId),
      'owner-id': () => world.account,
      state: () => 'available',
      'dhcp-options-id': () => 'default',
    });
    const { items, nextToken } = pageUnlessIds(form, ids, filtered);
    return { vpcSet: items.map((v) => vpcXml(world, v)), nextToken };
  },

  DescribeAvailabilityZones(world, form) {
    const zones: Array<Zone & Tagged> = world.availabilityZones().map((zoneName) => ({ zoneName, zoneId: availabilityZoneId(zoneName), regionName: world.region, ...tagless }));
    const names = formList(form, 'ZoneName', false);
    const zoneIds = formList(form, 'ZoneId', false);
    for (const name of names) {
      if (!zones.some((z) => z.zoneName === name)) throw new EmulatorError(400, 'InvalidParameterValue', `The zone '${name}' does not exist.`);
    }
    for (const id of zoneIds) {
      if (!zones.some((z) => z.zoneId === id)) throw new EmulatorError(400, 'InvalidParameterValue', `The zone ID '${id}' does not exist.`);
    }
    const selected = zones.filter((z) => (!names.length && !zoneIds.length) || names.includes(z.zoneName) || zoneIds.includes(z.zoneId));
    const filtered = applyFilters(selected, parseFilters(form), {
      'zone-name': (z) => z.zoneName,
      'zone-id': (z) => z.zoneId,
      'region-name': (z) => z.regionName,
      'group-name': (z) => z.regionName,
      'network-border-group': (z) => z.regionName,
      'opt-in-status': () => 'opt-in-not-required',
      state: () => 'available',
      'zone-type': () => 'availability-zone',
    });
    return { availabilityZoneInfo: filtered.map(zoneXml) };
  },

  DescribeSecurityGroups(world, form) {
    const ids = formList(form, 'GroupId', false);
    const names = formList(form, 'GroupName', false);
    let groups = ids.length ? byIds(ids, world.ec2.securityGroups, 'sg', 'InvalidGroup.NotFound', 'security group') : [...world.ec2.securityGroups.values()];
    if (names.length) {
      const all = [...world.ec2.securityGroups.values()];
      const missing = names.find((name) => !all.some((g) => groupNameOf(g) === name));
      if (missing !== undefined) throw new EmulatorError(400, 'InvalidGroup.NotFound', `The security group '${missing}' does not exist in default VPC 'vpc-default'`);
      groups = groups.filter((g) => names.includes(groupNameOf(g)));
    }
    const peers = (rules: SecurityGroupRule[]) => rules.map((r) => r.groupId).filter((id): id is string => id !== undefined);
    const cidrs = (rules: SecurityGroupRule[]) => rules.map((r) => r.cidrIp).filter((c): c is string => c !== undefined);
    const filtered = applyFilters(groups, parseFilters(form), {
      'group-id': (g) => g.groupId,
      'group-name': (g) => groupNameOf(g),
      description: (g) => g.description,
      'vpc-id': (g) => g.vpcId,
      'owner-id': () => world.account,
      'ip-permission.group-id': (g) => peers(rulesOf(g, 'ingress')),
      'ip-permission.cidr': (g) => cidrs(rulesOf(g, 'ingress')),
      'ip-permission.protocol': (g) => rulesOf(g, 'ingress').map((r) => r.ipProtocol),
      'ip-permission.from-port': (g) => rulesOf(g, 'ingress').flatMap((r) => (r.fromPort === undefined ? [] : [r.fromPort])),
      'ip-permission.to-port': (g) => rulesOf(g, 'ingress').flatMap((r) => (r.toPort === undefined ? [] : [r.toPort])),
      'egress.ip-permission.group-id': (g) => peers(rulesOf(g, 'egress')),
      'egress.ip-permission.cidr': (g) => cidrs(rulesOf(g, 'egress')),
      'egress.ip-permission.protocol': (g) => rulesOf(g, 'egress').map((r) => r.ipProtocol),
    });
    const { items, nextToken } = ids.length || names.length ? { items: filtered, nextToken: undefined } : pageOf(form, filtered);
    return { securityGroupInfo: items.map((g) => securityGroupXml(world, g)), nextToken };
  },

  DescribeSecurityGroupRules(world, form) {
    const ids = formList(form, 'SecurityGroupRuleId', false);
    let rows = ruleRows(world);
    if (ids.length) {
      const missing = ids.find((id) => !rows.some((row) => row.rule.ruleId === id));
      if (missing !== undefined) throw new EmulatorError(400, 'InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${missing}' does not exist`);
      rows = rows.filter((row) => ids.includes(row.rule.ruleId));
    }
    const filtered = applyFilters(rows, parseFilters(form), {
      'group-id': (row) => row.group.groupId,
      'security-group-rule-id': (row) => row.rule.ruleId,
    });
    const { items, nextToken } = pageUnlessIds(form, ids, filtered);
    return { securityGroupRuleSet: items.map((row) => securityGroupRuleXml(world, row.group, row.rule, row.isEgress)), nextToken };
  },

  DescribeInstances(world, form) {
    forgetOldTerminated(world);
    const ids = formList(form, 'InstanceId', false);
    if (ids.length && form.get('MaxResults') !== null) throw new EmulatorError(400, 'InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
    const instances = ids.length ? byIds(ids, world.ec2.instances, 'i', 'InvalidInstanceID.NotFound', 'instance') : [...world.ec2.instances.values()];
    const filtered = applyFilters(instances, parseFilters(form), instanceFilters(world));
    const { items, nextToken } = pageUnlessIds(form, ids, filtered);
    return { reservationSet: items.map((i) => reservationXml(world, i)), nextToken };
  },

  DescribeInstanceStatus(world, form) {
    forgetOldTerminated(world);
    const ids = formList(form, 'InstanceId', false);
    const all = ids.length ? byIds(ids, world.ec2.instances, 'i', 'InvalidInstanceID.NotFound', 'instance') : [...world.ec2.instances.values()];
    // Only running instances unless IncludeAllInstances, as EC2 answers.
    const selected = form.get('IncludeAllInstances') === 'true' ? all : all.filter((i) => i.state === 'running');
    const filtered = applyFilters(selected, parseFilters(form), {
      'availability-zone': (i) => i.availabilityZone,
      'instance-state-name': (i) => i.state,
      'instance-status.status': (i) => (i.state === 'running' ? 'ok' : 'not-applicable'),
      'system-status.status': (i) => (i.state === 'running' ? 'ok' : 'not-applicable'),
    });
    const { items, nextToken } = pageUnlessIds(form, ids, filtered);
    return { instanceStatusSet: items.map(instanceStatusXml), nextToken };
  },

  DescribeNetworkInterfaces(world, form) {
    const ids = formList(form, 'NetworkInterfaceId', false);
    const enis = ids.length ? byIds(ids, world.ec2.networkInterfaces, 'eni', 'InvalidNetworkInterfaceID.NotFound', 'networkInterface') : [...world.ec2.networkInterfaces.values()];
    const filtered = applyFilters(enis, parseFilters(form), {
      'network-interface-id': (e) => e.networkInterfaceId,
      'subnet-id': (e) => e.subnetId,
      'vpc-id': (e) => e.vpcId,
      'availability-zone': (e) => e.availabilityZone,
      description: (e) => e.description,
      status: (e) => e.status,
      'interface-type': (e) => e.interfaceType,
      'private-ip-address': (e) => e.privateIpAddress,
      'addresses.private-ip-address': (e) => e.privateIpAddress,
      'private-dns-name': (e) => privateDnsNameOf(world, e.privateIpAddress),
      'group-id': (e) => e.securityGroupIds,
      'attachment.instance-id': (e) => e.instanceId,
      'attachment.instance-owner-id': (e) => (e.status === 'in-use' ? (e.requesterId ?? world.account) : undefined),
      'requester-id': (e) => e.requesterId,
      'requester-managed': (e) => isRequesterManaged(e),
      'owner-id': () => world.account,
    });
    const { items, nextToken } = pageUnlessIds(form, ids, filtered);
    return { networkInterfaceSet: items.map((e) => networkInterfaceXml(world, e)), nextToken };
  },

  DeleteNetworkInterface(world, form) {
    const id = form.get('NetworkInterfaceId');
    if (!id) throw new EmulatorError(400, 'MissingParameter', 'The request must contain the parameter NetworkInterfaceId');
    deleteNetworkInterface(world, id);
    return { return: true };
  },

  RevokeSecurityGroupIngress(world, form) {
    return revokeRules(world, form, 'ingress');
  },

  RevokeSecurityGroupEgress(world, form) {
    return revokeRules(world, form, 'egress');
  },

  DeleteSecurityGroup(world, form) {
    const id = form.get('GroupId');
    const name = form.get('GroupName');
    if (!id && !name) throw new EmulatorError(400, 'MissingParameter', 'The request must contain the parameter GroupName or GroupId');
    const groupId = id ?? [...world.ec2.securityGroups.values()].find((g) => groupNameOf(g) === name && isDefaultVpc(world, g.vpcId))?.groupId;
    if (!groupId) throw new EmulatorError(400, 'InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC`);
    deleteSecurityGroup(world, groupId);
    return { return: true, groupId };
  },

  DescribeNatGateways(world, form) {
    const ids = formList(form, 'NatGatewayId', false);
    const all = natGateways(world);
    const missing = ids.find((id) => !all.some((n) => n.id === id));
    if (missing !== undefined) throw new EmulatorError(400, 'NatGatewayNotFound', `The Nat Gateway ${missing} was not found`);
    const selected = ids.length ? all.filter((n) => ids.includes(n.id)) : all;
    // DescribeNatGateways names its filters Filter.N like the others.
    const filtered = applyFilters(selected, parseFilters(form), {
      'nat-gateway-id': (n) => n.id,
      'subnet-id': (n) => n.subnetId,
      'vpc-id': (n) => n.vpcId,
      state: () => 'available',
    });
    const { items, nextToken } = pageUnlessIds(form, ids, filtered);
    return { natGatewaySet: items.map(natGatewayXml), nextToken };
  },

  DescribeVpcEndpoints(world, form) {
    const ids = formList(form, 'VpcEndpointId', false);
    const all = vpcEndpoints(world);
    const missing = ids.filter((id) => !all.some((e) => e.id === id));
    if (missing.length > 0) throw new EmulatorError(400, 'InvalidVpcEndpointId.NotFound', `The VpcEndpoint ID${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' ${missing.length > 1 ? 'do' : 'does'} not exist`);
    const selected = ids.length ? all.filter((e) => ids.includes(e.id)) : all;
    const filtered = applyFilters(selected, parseFilters(form), {
      'vpc-endpoint-id': (e) => e.id,
      'vpc-id': (e) => e.vpcId,
      'service-name': (e) => e.serviceName,
      'service-region': () => world.region,
      'vpc-endpoint-type': (e) => e.type,
      'vpc-endpoint-state': () => 'available',
      'ip-address-type': () => 'ipv4',
    });
    const { items, nextToken } = pageUnlessIds(form, ids, filtered);
    return { vpcEndpointSet: items.map((e) => vpcEndpointXml(world, e)), nextToken };
  },

  DescribeLaunchTemplates(world, form) {
    const ids = formList(form, 'LaunchTemplateId', false);
    const names = formList(form, 'LaunchTemplateName', false);
    const all = launchTemplates(world);
    if (ids.some((id) => !all.some((t) => t.id === id))) throw new EmulatorError(400, 'InvalidLaunchTemplateId.NotFound', 'At least one of the launch templates specified in the request does not exist.');
    if (names.some((name) => !all.some((t) => t.name === name))) throw new EmulatorError(400, 'InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.');
    const selected = all.filter((t) => (!ids.length || ids.includes(t.id)) && (!names.length || names.includes(t.name)));
    const filtered = applyFilters(selected, parseFilters(form), {
      'launch-template-name': (t) => t.name,
      'create-time': (t) => t.createTime.toISOString(),
    });
    const { items, nextToken } = ids.length || names.length ? { items: filtered, nextToken: undefined } : pageOf(form, filtered, { min: 1, max: 200 });
    return { launchTemplates: items.map(launchTemplateXml), nextToken };
  },

  DescribeLaunchTemplateVersions(world, form) {
    const id = form.get('LaunchTemplateId');
    const name = form.get('LaunchTemplateName');
    const all = launchTemplates(world);
    const templates = id !== null || name !== null ? all.filter((t) => t.id === id || t.name === name) : all;
    if (id !== null && templates.length === 0) throw new EmulatorError(400, 'InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`);
    if (name !== null && templates.length === 0) throw new EmulatorError(400, 'InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${name}, does not exist.`);
    // Every version is kept; the latest is also the default (each new version becomes both).
    const asked = formList(form, 'LaunchTemplateVersion', false);
    const named = (t: LaunchTemplate, v: LaunchTemplateVersion) => asked.length === 0 || asked.some((a) => a === String(v.number) || ((a === '$Latest' || a === '$Default') && v.number === t.version));
    const unknown = asked.find((a) => !['$Latest', '$Default'].includes(a) && !templates.some((t) => t.versions.some((v) => String(v.number) === a)));
    if (unknown !== undefined) throw new EmulatorError(400, 'InvalidLaunchTemplateVersion.NotFound', `Could not find launch template version ${unknown}`);
    const pairs = templates.flatMap((t) => [...t.versions].reverse().filter((v) => named(t, v)).map((v) => ({ template: t, version: v })));
    const filtered = applyFilters(pairs, parseFilters(form), {
      'is-default-version': (p) => p.version.number === p.template.version,
      'image-id': (p) => (typeof p.version.data.ImageId === 'string' ? p.version.data.ImageId : undefined),
      'instance-type': (p) => (typeof p.version.data.InstanceType === 'string' ? p.version.data.InstanceType : undefined),
    }, (p) => p.template.tags);
    const { items, nextToken } = pageOf(form, filtered, { min: 1, max: 200 });
    return { launchTemplateVersionSet: items.map((p) => launchTemplateVersionXml(p.template, p.version)), nextToken };
  },
};

export const EC2_OPERATIONS = Object.keys(OPERATIONS);
