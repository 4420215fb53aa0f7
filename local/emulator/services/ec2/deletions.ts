/**
 * What EC2 refuses to delete and why, shared by its own Delete* actions and CloudFormation's
 * providers: a security group while an interface uses it or another group's rule names it
 * (DependencyViolation, "resource sg-… has a dependent object"), an interface while it is
 * attached or held by a service (InvalidNetworkInterface.InUse). These refusals are what make a
 * cluster's VPC undeletable while a load balancer controller's leftovers remain. Revoking a
 * group's rules by id (what a cleanup does to rules that name a group it is about to delete).
 */
import { EmulatorError } from '../../protocol';
import type { World } from '../../world';
import { referencingGroups, revokeByIds, rulesOf, type Direction } from './security-group-rules';
import { groupNameOf } from './state';

/** What keeps a group from being deleted: interfaces using it, then groups whose rules name it. */
export function securityGroupDependents(world: World, groupId: string): string[] {
  const interfaces = [...world.ec2.networkInterfaces.values()].filter((eni) => eni.securityGroupIds.includes(groupId)).map((eni) => eni.networkInterfaceId);
  const instances = [...world.ec2.instances.values()].filter((i) => i.state !== 'terminated' && i.securityGroupIds.includes(groupId)).map((i) => i.instanceId);
  return [...interfaces, ...instances, ...referencingGroups(world, groupId).map((g) => g.groupId)];
}

export function dependencyViolation(groupId: string): EmulatorError {
  return new EmulatorError(400, 'DependencyViolation', `resource ${groupId} has a dependent object`);
}

/** DeleteSecurityGroup (GroupId): refused for the VPC's default group and while anything depends on it. */
export function deleteSecurityGroup(world: World, groupId: string): void {
  const group = world.ec2.securityGroups.get(groupId);
  if (!group) throw new EmulatorError(400, 'InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
  if (groupNameOf(group) === 'default') throw new EmulatorError(400, 'CannotDelete', `the specified group: "${groupId}" name: "default" cannot be deleted by a user`);
  if (securityGroupDependents(world, groupId).length > 0) throw dependencyViolation(groupId);
  const names = world.ec2.groupNames.get(group.vpcId);
  for (const [name, id] of names ?? []) if (id === groupId) names?.delete(name);
  world.ec2.securityGroups.delete(groupId);
}

/** DeleteNetworkInterface: only an `available` interface (detached, not a service's) can go. */
export function deleteNetworkInterface(world: World, networkInterfaceId: string): void {
  const eni = world.ec2.networkInterfaces.get(networkInterfaceId);
  if (!eni) throw new EmulatorError(400, 'InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${networkInterfaceId}' does not exist`);
  if (eni.status !== 'available') throw new EmulatorError(400, 'InvalidNetworkInterface.InUse', `The network interface ${networkInterfaceId} is currently in use.`);
  world.ec2.networkInterfaces.delete(networkInterfaceId);
}

/** RevokeSecurityGroupIngress / Egress by SecurityGroupRuleId.N: every id must be a rule of that group and direction. */
export function revokeSecurityGroupRules(world: World, groupId: string, direction: Direction, ruleIds: string[]): void {
  const group = world.ec2.securityGroups.get(groupId);
  if (!group) throw new EmulatorError(400, 'InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
  const known = new Set(rulesOf(group, direction).map((r) => r.ruleId));
  const unknown = ruleIds.find((id) => !known.has(id));
  if (unknown !== undefined) throw new EmulatorError(400, 'InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${unknown}' does not exist`);
  revokeByIds(group, new Set(ruleIds));
}
