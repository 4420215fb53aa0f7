/**
 * EC2 records as the API answers them: lowerCamel XML element names from the EC2 service model's
 * locationNames (zoneState, groupDescription, instancesSet, tagSet...), the same ones AWS and moto
 * return. Lists render as `<item>` children (protocol.ts).
 */
import type { XmlValue } from '../../protocol';
import type { Instance, NetworkInterface, SecurityGroup, SecurityGroupRule, Subnet, Tagged, Vpc, World } from '../../world';
import { ipPermissions, rulesOf } from './security-group-rules';
import { availableAddressCount, availabilityZoneId, derivedId, groupNameOf, isDefaultVpc, isRequesterManaged, macAddressOf, privateDnsNameOf, publicDnsNameOf, type LaunchTemplate, type LaunchTemplateVersion, type NatGateway } from './state';
import { dnsEntriesOf, type VpcEndpoint } from './vpc-endpoints';

type Xml = Record<string, XmlValue>;

export function tagSet(resource: Tagged): Array<{ key: string; value: string }> {
  return Object.entries(resource.tags ?? {}).map(([key, value]) => ({ key, value }));
}

export function subnetXml(world: World, subnet: Subnet): Xml {
  return {
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: availabilityZoneId(subnet.availabilityZone),
    availableIpAddressCount: availableAddressCount(world, subnet),
    cidrBlock: subnet.cidrBlock,
    defaultForAz: isDefaultVpc(world, subnet.vpcId),
    mapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
    mapCustomerOwnedIpOnLaunch: false,
    state: 'available',
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    ownerId: world.account,
    assignIpv6AddressOnCreation: false,
    ipv6CidrBlockAssociationSet: [],
    tagSet: tagSet(subnet),
    subnetArn: world.arn('ec2', `subnet/${subnet.subnetId}`),
    enableDns64: false,
    ipv6Native: false,
    privateDnsNameOptionsOnLaunch: { hostnameType: 'ip-name', enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false },
  };
}

export function vpcXml(world: World, vpc: Vpc): Xml {
  return {
    vpcId: vpc.vpcId,
    ownerId: world.account,
    state: 'available',
    cidrBlock: vpc.cidrBlock,
    cidrBlockAssociationSet: [{ associationId: `vpc-cidr-assoc-${vpc.vpcId.slice(4)}`, cidrBlock: vpc.cidrBlock, cidrBlockState: { state: 'associated' } }],
    ipv6CidrBlockAssociationSet: [],
    dhcpOptionsId: 'default',
    instanceTenancy: 'default',
    isDefault: isDefaultVpc(world, vpc.vpcId),
    tagSet: tagSet(vpc),
  };
}

function ipPermissionsXml(world: World, rules: SecurityGroupRule[]): Xml[] {
  return ipPermissions(world, rules).map((p) => ({
    ipProtocol: p.ipProtocol,
    fromPort: p.fromPort,
    toPort: p.toPort,
    groups: p.groups.map((g) => ({ description: g.description, groupId: g.groupId, userId: g.userId })),
    ipRanges: p.ipRanges.map((r) => ({ cidrIp: r.cidrIp, description: r.description })),
    ipv6Ranges: [],
    prefixListIds: [],
  }));
}

export function securityGroupXml(world: World, group: SecurityGroup): Xml {
  return {
    ownerId: world.account,
    groupId: group.groupId,
    groupName: groupNameOf(group),
    groupDescription: group.description,
    vpcId: group.vpcId,
    ipPermissions: ipPermissionsXml(world, rulesOf(group, 'ingress')),
    ipPermissionsEgress: ipPermissionsXml(world, rulesOf(group, 'egress')),
    tagSet: tagSet(group),
    securityGroupArn: world.arn('ec2', `security-group/${group.groupId}`),
  };
}

export function securityGroupRuleXml(world: World, group: SecurityGroup, rule: SecurityGroupRule, isEgress: boolean): Xml {
  return {
    securityGroupRuleId: rule.ruleId,
    groupId: group.groupId,
    groupOwnerId: world.account,
    isEgress,
    ipProtocol: rule.ipProtocol,
    // DescribeSecurityGroupRules says -1 where a rule has no ports.
    fromPort: rule.fromPort ?? -1,
    toPort: rule.toPort ?? -1,
    cidrIpv4: rule.cidrIp,
    referencedGroupInfo: rule.groupId ? { groupId: rule.groupId, userId: world.account } : undefined,
    description: rule.description,
    tagSet: [],
    securityGroupRuleArn: world.arn('ec2', `security-group-rule/${rule.ruleId}`),
  };
}

export interface Zone {
  zoneName: string;
  zoneId: string;
  regionName: string;
}

export function zoneXml(zone: Zone): Xml {
  return {
    optInStatus: 'opt-in-not-required',
    messageSet: [],
    regionName: zone.regionName,
    zoneName: zone.zoneName,
    zoneId: zone.zoneId,
    groupName: zone.regionName,
    networkBorderGroup: zone.regionName,
    zoneType: 'availability-zone',
    zoneState: 'available',
  };
}

const STATE_CODES: Record<Instance['state'], number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48 };

function groupSetXml(world: World, ids: string[]): Xml[] {
  return ids.map((groupId) => {
    const group = world.ec2.securityGroups.get(groupId);
    return { groupId, groupName: group ? groupNameOf(group) : groupId };
  });
}

/** The two vCPU figures DescribeInstances reports; types not listed here count as 2 vCPUs. */
function cpuOptions(instanceType: string): Xml {
  const size = instanceType.split('.')[1] ?? '';
  const vcpus: Record<string, number> = { nano: 2, micro: 2, small: 2, medium: 2, large: 2, xlarge: 4, '2xlarge': 8, '4xlarge': 16, '8xlarge': 32, '12xlarge': 48, '16xlarge': 64, '24xlarge': 96 };
  const threadsPerCore = /g/.test(instanceType.split('.')[0] ?? '') ? 1 : 2;
  return { coreCount: Math.max(1, (vcpus[size] ?? 2) / threadsPerCore), threadsPerCore };
}

function attachmentXml(world: World, eni: NetworkInterface, since: Date): Xml {
  return {
    attachmentId: derivedId('eni-attach', eni.networkInterfaceId),
    ...(eni.instanceId ? { instanceId: eni.instanceId } : {}),
    instanceOwnerId: eni.requesterId ?? world.account,
    deviceIndex: eni.instanceId ? 0 : 1,
    status: 'attached',
    attachTime: since,
    deleteOnTermination: Boolean(eni.instanceId),
    networkCardIndex: 0,
  };
}

/** An instance's interface inside DescribeInstances: DescribeNetworkInterfaces' view, less what the instance's own record says already. */
function instanceInterfaceXml(world: World, instance: Instance, eni: NetworkInterface): Xml {
  const { availabilityZone: _zone, requesterId: _requester, requesterManaged: _managed, tagSet: _tags, attachment: _attachment, ...shared } = networkInterfaceXml(world, eni);
  const { instanceId: _instanceId, instanceOwnerId: _owner, ...attachment } = attachmentXml(world, eni, instance.launchTime);
  return { ...shared, attachment };
}

export function instanceXml(world: World, instance: Instance): Xml {
  const live = instance.state !== 'terminated';
  const eni = world.ec2.networkInterfaces.get(instance.networkInterfaceId);
  return {
    amiLaunchIndex: 0,
    imageId: instance.imageId,
    instanceId: instance.instanceId,
    instanceType: instance.instanceType,
    launchTime: instance.launchTime,
    monitoring: { state: 'disabled' },
    placement: { availabilityZone: instance.availabilityZone, groupName: '', tenancy: 'default' },
    // A terminated instance has given its addresses back.
    privateDnsName: live ? instance.privateDnsName : '',
    privateIpAddress: live ? instance.privateIpAddress : undefined,
    productCodes: [],
    dnsName: live && instance.publicIpAddress ? publicDnsNameOf(world, instance.publicIpAddress) : '',
    ipAddress: live ? instance.publicIpAddress : undefined,
    instanceState: { code: STATE_CODES[instance.state], name: instance.state },
    reason: instance.stateTransitionReason ?? '',
    stateReason: instance.state === 'terminated' ? { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' } : undefined,
    subnetId: live ? instance.subnetId : undefined,
    vpcId: live ? instance.vpcId : undefined,
    architecture: instance.architecture,
    blockDeviceMapping: live ? [{ deviceName: '/dev/xvda', ebs: { attachTime: instance.launchTime, deleteOnTermination: true, status: 'attached', volumeId: derivedId('vol', instance.instanceId) } }] : [],
    clientToken: '',
    ebsOptimized: false,
    enaSupport: true,
    hypervisor: 'xen',
    iamInstanceProfile: instance.iamInstanceProfileArn ? { arn: instance.iamInstanceProfileArn, id: `AIPA${derivedId('x', instance.iamInstanceProfileArn).slice(3, 20).toUpperCase()}` } : undefined,
    instanceLifecycle: instance.capacityType === 'SPOT' ? 'spot' : undefined,
    networkInterfaceSet: live && eni ? [instanceInterfaceXml(world, instance, eni)] : [],
    rootDeviceName: '/dev/xvda',
    rootDeviceType: 'ebs',
    groupSet: live ? groupSetXml(world, instance.securityGroupIds) : [],
    sourceDestCheck: true,
    tagSet: tagSet(instance),
    virtualizationType: 'hvm',
    cpuOptions: cpuOptions(instance.instanceType),
    capacityReservationSpecification: { capacityReservationPreference: 'open' },
    hibernationOptions: { configured: false },
    metadataOptions: { state: 'applied', httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled', httpProtocolIpv6: 'disabled', instanceMetadataTags: 'disabled' },
    enclaveOptions: { enabled: false },
    bootMode: 'uefi-preferred',
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    usageOperationUpdateTime: instance.launchTime,
    privateDnsNameOptions: { hostnameType: 'ip-name', enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false },
    maintenanceOptions: { autoRecovery: 'default' },
    currentInstanceBootMode: 'legacy-bios',
  };
}

export function reservationXml(world: World, instance: Instance): Xml {
  return {
    reservationId: instance.reservationId ?? derivedId('r', instance.instanceId),
    ownerId: world.account,
    groupSet: [],
    instancesSet: [instanceXml(world, instance)],
  };
}

export function instanceStatusXml(instance: Instance): Xml {
  const checks = (name: string) => ({ status: instance.state === 'running' ? 'ok' : 'not-applicable', details: [{ name, status: instance.state === 'running' ? 'passed' : 'not-applicable' }] });
  return {
    instanceId: instance.instanceId,
    availabilityZone: instance.availabilityZone,
    instanceState: { code: STATE_CODES[instance.state], name: instance.state },
    systemStatus: checks('reachability'),
    instanceStatus: checks('reachability'),
    attachedEbsStatus: checks('reachability'),
  };
}

export function networkInterfaceXml(world: World, eni: NetworkInterface): Xml {
  const instance = eni.instanceId ? world.ec2.instances.get(eni.instanceId) : undefined;
  const publicIp = instance?.publicIpAddress;
  // A NAT gateway's, VPC endpoint's or Lambda's (Hyperplane) interface: the service holds it, attached to no instance.
  const managed = isRequesterManaged(eni);
  const association = publicIp ? { publicIp, publicDnsName: publicDnsNameOf(world, publicIp), ipOwnerId: 'amazon' } : undefined;
  const privateDnsName = privateDnsNameOf(world, eni.privateIpAddress);
  return {
    association,
    attachment: eni.status === 'in-use' && !managed ? attachmentXml(world, eni, instance?.launchTime ?? new Date(0)) : undefined,
    availabilityZone: eni.availabilityZone,
    description: eni.description,
    groupSet: groupSetXml(world, eni.securityGroupIds),
    interfaceType: eni.interfaceType,
    ipv6AddressesSet: [],
    macAddress: macAddressOf(eni.networkInterfaceId),
    networkInterfaceId: eni.networkInterfaceId,
    ownerId: world.account,
    privateDnsName,
    privateIpAddress: eni.privateIpAddress,
    privateIpAddressesSet: [{ association, primary: true, privateDnsName, privateIpAddress: eni.privateIpAddress }],
    requesterId: eni.requesterId,
    requesterManaged: managed,
    sourceDestCheck: eni.interfaceType !== 'nat_gateway',
    status: eni.status,
    subnetId: eni.subnetId,
    tagSet: tagSet(eni),
    vpcId: eni.vpcId,
  };
}

export function natGatewayXml(nat: NatGateway): Xml {
  return {
    createTime: nat.createTime,
    natGatewayAddressSet: [
      {
        allocationId: nat.allocationId,
        associationId: nat.allocationId ? derivedId('eipassoc', nat.allocationId) : undefined,
        networkInterfaceId: nat.networkInterfaceId,
        privateIp: nat.privateIp,
        publicIp: nat.publicIp,
        isPrimary: true,
        status: 'succeeded',
      },
    ],
    natGatewayId: nat.id,
    state: 'available',
    subnetId: nat.subnetId,
    vpcId: nat.vpcId,
    tagSet: tagSet(nat),
    connectivityType: nat.connectivityType,
  };
}

export function vpcEndpointXml(world: World, endpoint: VpcEndpoint): Xml {
  const isInterface = endpoint.type === 'Interface';
  return {
    vpcEndpointId: endpoint.id,
    vpcEndpointType: endpoint.type,
    vpcId: endpoint.vpcId,
    serviceName: endpoint.serviceName,
    state: 'available',
    // EC2 answers a gateway endpoint made without a policy with the full-access one it applied.
    policyDocument: endpoint.policyDocument !== undefined ? (typeof endpoint.policyDocument === 'string' ? endpoint.policyDocument : JSON.stringify(endpoint.policyDocument)) : isInterface ? undefined : FULL_ACCESS_POLICY,
    routeTableIdSet: endpoint.routeTableIds,
    subnetIdSet: endpoint.subnetIds,
    groupSet: endpoint.securityGroupIds.map((groupId) => {
      const group = world.ec2.securityGroups.get(groupId);
      return { groupId, groupName: group ? groupNameOf(group) : groupId };
    }),
    ipAddressType: 'ipv4',
    dnsOptions: isInterface ? { dnsRecordIpType: 'ipv4', privateDnsOnlyForInboundResolverEndpoint: false } : undefined,
    privateDnsEnabled: endpoint.privateDnsEnabled,
    requesterManaged: false,
    networkInterfaceIdSet: endpoint.networkInterfaceIds,
    dnsEntrySet: dnsEntriesOf(world, endpoint).map((entry) => ({ dnsName: entry.dnsName, hostedZoneId: entry.hostedZoneId })),
    creationTimestamp: endpoint.createTime,
    tagSet: tagSet(endpoint),
    ownerId: world.account,
  };
}

const FULL_ACCESS_POLICY = JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] });

export function launchTemplateXml(template: LaunchTemplate): Xml {
  return {
    launchTemplateId: template.id,
    launchTemplateName: template.name,
    createTime: template.createTime,
    createdBy: template.createdBy,
    defaultVersionNumber: template.version,
    latestVersionNumber: template.version,
    tagSet: tagSet(template),
  };
}

/** Request-shape list names (LaunchTemplateData as CloudFormation passes it) → response element names. */
const LIST_NAMES: Record<string, string> = {
  SecurityGroupIds: 'securityGroupIdSet',
  SecurityGroups: 'securityGroupSet',
  BlockDeviceMappings: 'blockDeviceMappingSet',
  TagSpecifications: 'tagSpecificationSet',
  Tags: 'tagSet',
  NetworkInterfaces: 'networkInterfaceSet',
  Groups: 'groupSet',
  ElasticGpuSpecifications: 'elasticGpuSpecificationSet',
  LicenseSpecifications: 'licenseSet',
};

/** LaunchTemplateData (PascalCase request shape) as ResponseLaunchTemplateData's elements. */
export function launchTemplateDataXml(value: unknown): XmlValue {
  if (Array.isArray(value)) return value.map(launchTemplateDataXml);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [Array.isArray(item) ? (LIST_NAMES[key] ?? `${key.charAt(0).toLowerCase()}${key.slice(1)}Set`) : `${key.charAt(0).toLowerCase()}${key.slice(1)}`, launchTemplateDataXml(item)]),
    );
  }
  return value as XmlValue;
}

export function launchTemplateVersionXml(template: LaunchTemplate, version: LaunchTemplateVersion): Xml {
  return {
    launchTemplateId: template.id,
    launchTemplateName: template.name,
    versionNumber: version.number,
    createTime: version.createTime,
    createdBy: template.createdBy,
    defaultVersion: version.number === template.version,
    launchTemplateData: launchTemplateDataXml(version.data),
  };
}
