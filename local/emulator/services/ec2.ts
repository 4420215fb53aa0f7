/**
 * EC2 (ec2Query, Version 2016-11-15): the reads the service and its tools make of the network
 * CloudFormation built — DescribeSubnets, DescribeVpcs, DescribeAvailabilityZones,
 * DescribeSecurityGroups. State lives in world.ec2 (filled by the CloudFormation engine, or by
 * seedDefaultNetwork for local users who bring their own `network.subnets`).
 *
 * Wire shape (shared REFERENCE "Wire protocols"): form `Action=X&Version=...`, lists as
 * `SubnetId.N`, filters as `Filter.N.Name` / `Filter.N.Value.M`; answers are lowerCamel XML with
 * lists in `<item>` and no Result wrapper; errors are `<Response><Errors><Error>`. Element names
 * follow the EC2 service model's locationNames (zoneState, groupDescription, tagSet...), the
 * same ones moto and AWS return.
 */
import type { ServerResponse } from 'node:http';
import { EmulatorError, formList, parseForm, sendEc2Error, sendEc2Result, type XmlValue } from '../protocol';
import type { RequestContext, ServiceModule } from '../server';
import type { SecurityGroup, Subnet, Tagged, Vpc, World } from '../world';

export const EC2_VERSION = '2016-11-15';

function isDefaultVpc(world: World, vpcId: string): boolean {
  return world.ec2.defaultVpcIds.has(vpcId);
}

// ── Helpers ─────────────────────────────────────────────────────────────────────────────────

/** AZ id as AWS names them: us-east-1a → use1-az1 (the letter→number mapping is per account in AWS; fixed here). */
export function availabilityZoneId(zoneName: string): string {
  const match = /^([a-z]+)-([a-z]+)-(\d+)([a-z])$/.exec(zoneName);
  if (!match) return zoneName;
  const [, geo, direction, number, letter] = match as unknown as [string, string, string, string, string];
  const directions: Record<string, string> = { east: 'e', west: 'w', north: 'n', south: 's', central: 'c', northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw' };
  return `${geo}${directions[direction] ?? direction[0]}${number}-az${letter.charCodeAt(0) - 96}`;
}

function tagSet(resource: Tagged): Array<{ key: string; value: string }> {
  return Object.entries(resource.tags ?? {}).map(([key, value]) => ({ key, value }));
}

/** Usable addresses in a subnet: AWS reserves 5 per subnet. */
function availableIpAddressCount(cidrBlock: string): number {
  const prefix = Number(cidrBlock.split('/')[1] ?? 32);
  return Math.max(0, 2 ** (32 - prefix) - 5);
}

interface Filter {
  name: string;
  values: string[];
}

function parseFilters(form: URLSearchParams): Filter[] {
  const filters: Filter[] = [];
  for (let i = 1; ; i++) {
    const name = form.get(`Filter.${i}.Name`);
    if (name === null) return filters;
    filters.push({ name, values: formList(form, `Filter.${i}.Value`, false) });
  }
}

/** EC2 filter values accept `*` and `?` wildcards. */
function globMatches(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return regex.test(value);
}

type FieldReader<T> = (resource: T) => string | string[] | undefined;

/** Every filter must match (AND); within a filter any value may match (OR). */
function applyFilters<T extends Tagged>(items: T[], filters: Filter[], fields: Record<string, FieldReader<T>>): T[] {
  for (const filter of filters) {
    if (!filter.name.startsWith('tag:') && filter.name !== 'tag-key' && filter.name !== 'tag-value' && !(filter.name in fields)) {
      throw new EmulatorError(400, 'InvalidParameterValue', `The filter '${filter.name}' is invalid`);
    }
  }
  return items.filter((item) =>
    filters.every((filter) => {
      let candidates: string[];
      if (filter.name.startsWith('tag:')) {
        const value = item.tags?.[filter.name.slice(4)];
        candidates = value === undefined ? [] : [value];
      } else if (filter.name === 'tag-key') {
        candidates = Object.keys(item.tags ?? {});
      } else if (filter.name === 'tag-value') {
        candidates = Object.values(item.tags ?? {});
      } else {
        const read = fields[filter.name]!(item);
        candidates = read === undefined ? [] : Array.isArray(read) ? read : [read];
      }
      return filter.values.some((pattern) => candidates.some((candidate) => globMatches(pattern, candidate)));
    }),
  );
}

/** `MaxResults` / `NextToken` paging over an already filtered list. Ids given explicitly are never paged, as in AWS. */
function page<T>(form: URLSearchParams, items: T[]): { items: T[]; nextToken?: string } {
  const maxResults = form.get('MaxResults');
  const token = form.get('NextToken');
  let start = 0;
  if (token) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw new EmulatorError(400, 'InvalidNextToken', 'The token provided is invalid or expired.');
    start = decoded;
  }
  if (maxResults === null) return { items: items.slice(start) };
  const size = Number(maxResults);
  if (!Number.isInteger(size) || size < 5 || size > 1000) throw new EmulatorError(400, 'InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}) };
}

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

// ── Renderers (element names from the EC2 service model) ────────────────────────────────────

function subnetXml(world: World, subnet: Subnet): Record<string, XmlValue> {
  return {
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: availabilityZoneId(subnet.availabilityZone),
    availableIpAddressCount: availableIpAddressCount(subnet.cidrBlock),
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

function vpcXml(world: World, vpc: Vpc): Record<string, XmlValue> {
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

function groupName(group: SecurityGroup): string {
  return (group as SecurityGroup & { groupName?: string }).groupName ?? group.tags?.['aws:cloudformation:logical-id'] ?? group.groupId;
}

function securityGroupXml(world: World, group: SecurityGroup): Record<string, XmlValue> {
  return {
    ownerId: world.account,
    groupId: group.groupId,
    groupName: groupName(group),
    groupDescription: group.description,
    vpcId: group.vpcId,
    ipPermissions: [],
    ipPermissionsEgress: [{ ipProtocol: '-1', groups: [], ipRanges: [{ cidrIp: '0.0.0.0/0' }], ipv6Ranges: [], prefixListIds: [] }],
    tagSet: tagSet(group),
    securityGroupArn: world.arn('ec2', `security-group/${group.groupId}`),
  };
}

interface Zone {
  zoneName: string;
  zoneId: string;
  regionName: string;
}

function zoneXml(zone: Zone): Record<string, XmlValue> {
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

// ── Operations ──────────────────────────────────────────────────────────────────────────────

type Operation = (world: World, form: URLSearchParams) => Record<string, XmlValue>;

const tagless = { tags: {} };

const OPERATIONS: Record<string, Operation> = {
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
      'default-for-az': (s) => String(isDefaultVpc(world, s.vpcId)),
      defaultForAz: (s) => String(isDefaultVpc(world, s.vpcId)),
      'map-public-ip-on-launch': (s) => String(s.mapPublicIpOnLaunch),
      'owner-id': () => world.account,
      state: () => 'available',
      'subnet-arn': (s) => world.arn('ec2', `subnet/${s.subnetId}`),
      'available-ip-address-count': (s) => String(availableIpAddressCount(s.cidrBlock)),
    });
    const { items, nextToken } = ids.length ? { items: filtered, nextToken: undefined } : page(form, filtered);
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
      'is-default': (v) => String(isDefaultVpc(world, v.vpcId)),
      isDefault: (v) => String(isDefaultVpc(world, v.vpcId)),
      'owner-id': () => world.account,
      state: () => 'available',
      'dhcp-options-id': () => 'default',
    });
    const { items, nextToken } = ids.length ? { items: filtered, nextToken: undefined } : page(form, filtered);
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
      const missing = names.find((name) => !all.some((g) => groupName(g) === name));
      if (missing !== undefined) throw new EmulatorError(400, 'InvalidGroup.NotFound', `The security group '${missing}' does not exist in default VPC 'vpc-default'`);
      groups = groups.filter((g) => names.includes(groupName(g)));
    }
    const filtered = applyFilters(groups, parseFilters(form), {
      'group-id': (g) => g.groupId,
      'group-name': (g) => groupName(g),
      description: (g) => g.description,
      'vpc-id': (g) => g.vpcId,
      'owner-id': () => world.account,
    });
    const { items, nextToken } = ids.length || names.length ? { items: filtered, nextToken: undefined } : page(form, filtered);
    return { securityGroupInfo: items.map((g) => securityGroupXml(world, g)), nextToken };
  },
};

export const EC2_OPERATIONS = Object.keys(OPERATIONS);

export function createEc2Service(world: World): ServiceModule {
  return {
    name: 'ec2',
    async handle(ctx: RequestContext): Promise<void> {
      // The SDKs POST a form; the query string carries it for GET requests.
      const form = ctx.body ? parseForm(ctx.body) : new URLSearchParams(ctx.url.search);
      const action = form.get('Action') ?? '';
      world.calls.push(`ec2:${action || 'Unknown'}`);
      world.faults.checkCall('ec2', action, 'RequestLimitExceeded');
      if (!action) throw new EmulatorError(400, 'MissingAction', 'The request must contain the parameter Action');
      const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      if (!operation) throw new EmulatorError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
      const version = form.get('Version');
      if (version && version !== EC2_VERSION) throw new EmulatorError(400, 'InvalidParameterValue', `Version ${version} is not supported by the local EC2 emulator (use ${EC2_VERSION})`);
      if (form.get('DryRun') === 'true') throw new EmulatorError(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
      sendEc2Result(ctx.res, action, operation(world, form));
    },
    renderError(res: ServerResponse, error: EmulatorError): void {
      sendEc2Error(res, error.status, error.code, error.message);
    },
  };
}

// ── Seeding ─────────────────────────────────────────────────────────────────────────────────

export interface DefaultNetwork {
  vpc: Vpc;
  subnets: Subnet[];
}

/**
 * The account's default VPC (172.31.0.0/16) with one public /20 subnet in each of the first three
 * AZs, as every AWS region has: for local users whose cluster spec brings `network.subnets`.
 * Idempotent: a second call returns the VPC already made.
 */
export function seedDefaultNetwork(world: World): DefaultNetwork {
  const known = world.ec2.defaultVpcIds;
  const existing = [...known].map((id) => world.ec2.vpcs.get(id)).find((v): v is Vpc => v !== undefined);
  if (existing) {
    return { vpc: existing, subnets: [...world.ec2.subnets.values()].filter((s) => s.vpcId === existing.vpcId) };
  }
  const vpc: Vpc = { vpcId: world.newId('vpc'), cidrBlock: '172.31.0.0/16', tags: {} };
  world.ec2.vpcs.set(vpc.vpcId, vpc);
  known.add(vpc.vpcId);
  const subnets = world
    .availabilityZones()
    .slice(0, 3)
    .map((availabilityZone, i): Subnet => ({ subnetId: world.newId('subnet'), vpcId: vpc.vpcId, cidrBlock: `172.31.${i * 16}.0/20`, availabilityZone, mapPublicIpOnLaunch: true, tags: {} }));
  for (const subnet of subnets) world.ec2.subnets.set(subnet.subnetId, subnet);
  const group: SecurityGroup & { groupName: string } = { groupId: world.newId('sg'), vpcId: vpc.vpcId, description: 'default VPC security group', groupName: 'default', tags: {} };
  world.ec2.securityGroups.set(group.groupId, group);
  return { vpc, subnets };
}
