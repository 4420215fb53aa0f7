/**
 * Security group rules: how they are added and removed (CloudFormation's SecurityGroupIngress /
 * SecurityGroupEgress resources and a group's inline lists, EKS's cluster security group), and
 * how EC2 reports them — DescribeSecurityGroups' ipPermissions, which gather the rules of one
 * protocol and port range into one permission, and DescribeSecurityGroupRules' one rule per entry.
 *
 * A group whose `egress` is absent has the allow-all egress rule every new group gets.
 */
import { EmulatorError } from '../../protocol';
import { canonicalCidr } from '../../ipv4';
import type { SecurityGroup, SecurityGroupRule, World } from '../../world';
import { derivedId } from './state';

export type Direction = 'ingress' | 'egress';

/** Protocol numbers EC2 reports by name; everything else as its number, -1 for all. */
const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' };

export function normalizeProtocol(value: string): string {
  const lower = value.toLowerCase();
  return PROTOCOL_NAMES[lower] ?? lower;
}

/** The rule every group has until its egress is set: all traffic to anywhere. */
export function defaultEgressRule(groupId: string): SecurityGroupRule {
  return { ruleId: derivedId('sgr', `${groupId}/default-egress`), ipProtocol: '-1', cidrIp: '0.0.0.0/0' };
}

export function rulesOf(group: SecurityGroup, direction: Direction): SecurityGroupRule[] {
  if (direction === 'ingress') return group.ingress ?? [];
  return group.egress ?? [defaultEgressRule(group.groupId)];
}

/** A rule as CloudFormation's IpProtocol/FromPort/ToPort/CidrIp/Source|DestinationSecurityGroupId/Description describe it: a rule before it has an id. */
export type RuleSpec = Omit<SecurityGroupRule, 'ruleId'>;

/** Reads a rule from CloudFormation properties (a SecurityGroupIngress/Egress resource or an inline entry). */
export function ruleSpecFromProperties(properties: Record<string, unknown>, direction: Direction): RuleSpec {
  const text = (value: unknown) => (value === undefined || value === null || value === '' ? undefined : String(value));
  const port = (value: unknown) => (value === undefined || value === null || value === '' ? undefined : Number(value));
  const ipProtocol = text(properties.IpProtocol);
  if (ipProtocol === undefined) throw new EmulatorError(400, 'MissingParameter', 'The request must contain the parameter ipProtocol');
  const peer = direction === 'ingress' ? properties.SourceSecurityGroupId : properties.DestinationSecurityGroupId;
  return {
    ipProtocol,
    fromPort: port(properties.FromPort),
    toPort: port(properties.ToPort),
    cidrIp: text(properties.CidrIp),
    groupId: text(peer),
    description: text(properties.Description),
  };
}

function checkSpec(world: World, spec: RuleSpec): RuleSpec {
  const ipProtocol = normalizeProtocol(spec.ipProtocol);
  if (!spec.cidrIp === !spec.groupId) {
    throw new EmulatorError(400, 'InvalidParameterValue', 'Either a CIDR range or a source security group must be given, not both (the local emulator has no IPv6 or prefix-list sources)');
  }
  let cidrIp: string | undefined;
  if (spec.cidrIp !== undefined) {
    cidrIp = canonicalCidr(spec.cidrIp);
    if (!cidrIp) throw new EmulatorError(400, 'InvalidParameterValue', `CIDR block ${spec.cidrIp} is malformed`);
  }
  if (spec.groupId !== undefined && !world.ec2.securityGroups.has(spec.groupId)) throw new EmulatorError(400, 'InvalidGroup.NotFound', `The security group '${spec.groupId}' does not exist`);
  const portless = ipProtocol === '-1' || !['tcp', 'udp', 'icmp', 'icmpv6'].includes(ipProtocol);
  if (!portless && (spec.fromPort === undefined || spec.toPort === undefined || Number.isNaN(spec.fromPort) || Number.isNaN(spec.toPort))) {
    throw new EmulatorError(400, 'InvalidParameterValue', `Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange`);
  }
  if (!portless && ['tcp', 'udp'].includes(ipProtocol) && (spec.fromPort! < 0 || spec.toPort! > 65535 || spec.fromPort! > spec.toPort!)) {
    throw new EmulatorError(400, 'InvalidParameterValue', `Invalid port range ${spec.fromPort}-${spec.toPort}`);
  }
  return {
    ipProtocol,
    // All traffic has no ports: EC2 drops them.
    ...(portless ? {} : { fromPort: spec.fromPort, toPort: spec.toPort }),
    ...(cidrIp ? { cidrIp } : {}),
    ...(spec.groupId ? { groupId: spec.groupId } : {}),
    ...(spec.description ? { description: spec.description } : {}),
  };
}

function sameRule(a: RuleSpec, b: RuleSpec): boolean {
  return a.ipProtocol === b.ipProtocol && a.fromPort === b.fromPort && a.toPort === b.toPort && a.cidrIp === b.cidrIp && a.groupId === b.groupId;
}

/** Adds rules to a group; a rule it already has is InvalidPermission.Duplicate, as EC2 answers. Returns the new rules. */
export function authorize(world: World, group: SecurityGroup, direction: Direction, specs: RuleSpec[]): SecurityGroupRule[] {
  const existing = rulesOf(group, direction);
  const added: SecurityGroupRule[] = [];
  for (const raw of specs) {
    const spec = checkSpec(world, raw);
    if ([...existing, ...added].some((rule) => sameRule(rule, spec))) {
      const peer = spec.cidrIp ?? spec.groupId;
      throw new EmulatorError(400, 'InvalidPermission.Duplicate', `the specified rule "peer: ${peer}, ${spec.ipProtocol === '-1' ? 'ALL' : spec.ipProtocol.toUpperCase()}${spec.fromPort !== undefined ? `, from port: ${spec.fromPort}, to port: ${spec.toPort}` : ''}, ALLOW" already exists`);
    }
    added.push({ ruleId: world.newId('sgr'), ...spec });
  }
  if (direction === 'ingress') group.ingress = [...existing, ...added];
  else group.egress = [...existing, ...added];
  return added;
}

/** Removes rules by id (a CloudFormation rule resource's physical id); ids the group lacks are ignored. */
export function revokeByIds(group: SecurityGroup, ruleIds: ReadonlySet<string>): void {
  if (group.ingress) group.ingress = group.ingress.filter((r) => !ruleIds.has(r.ruleId));
  group.egress = rulesOf(group, 'egress').filter((r) => !ruleIds.has(r.ruleId));
}

/** The group holding a rule, by the rule's id. */
export function groupOfRule(world: World, ruleId: string): SecurityGroup | undefined {
  return [...world.ec2.securityGroups.values()].find((g) => rulesOf(g, 'ingress').some((r) => r.ruleId === ruleId) || rulesOf(g, 'egress').some((r) => r.ruleId === ruleId));
}

/** Rules in other groups that name this one as their peer (EC2 refuses to delete a group still referenced). */
export function referencingGroups(world: World, groupId: string): SecurityGroup[] {
  return [...world.ec2.securityGroups.values()].filter((g) => g.groupId !== groupId && [...rulesOf(g, 'ingress'), ...rulesOf(g, 'egress')].some((r) => r.groupId === groupId));
}

/** Forgets rules other groups hold that name `groupId` (EKS removing its own group with its cluster). */
export function dropReferencesTo(world: World, groupId: string): void {
  for (const group of world.ec2.securityGroups.values()) {
    if (group.ingress) group.ingress = group.ingress.filter((r) => r.groupId !== groupId);
    if (group.egress) group.egress = group.egress.filter((r) => r.groupId !== groupId);
  }
}

/** One IpPermission: the rules of one protocol and port range, their CIDRs and groups together. */
export interface IpPermission {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  ipRanges: Array<{ cidrIp: string; description?: string }>;
  groups: Array<{ groupId: string; userId: string; description?: string }>;
}

export function ipPermissions(world: World, rules: SecurityGroupRule[]): IpPermission[] {
  const permissions = new Map<string, IpPermission>();
  for (const rule of rules) {
    const key = `${rule.ipProtocol}/${rule.fromPort ?? ''}/${rule.toPort ?? ''}`;
    let permission = permissions.get(key);
    if (!permission) {
      permission = { ipProtocol: rule.ipProtocol, ...(rule.fromPort !== undefined ? { fromPort: rule.fromPort, toPort: rule.toPort } : {}), ipRanges: [], groups: [] };
      permissions.set(key, permission);
    }
    if (rule.cidrIp) permission.ipRanges.push({ cidrIp: rule.cidrIp, ...(rule.description ? { description: rule.description } : {}) });
    if (rule.groupId) permission.groups.push({ groupId: rule.groupId, userId: world.account, ...(rule.description ? { description: rule.description } : {}) });
  }
  return [...permissions.values()];
}
