/**
 * The account's default VPC, for local users whose cluster spec brings `network.subnets`.
 */
import type { SecurityGroup, Subnet, Vpc, World } from '../../world';
import { authorize } from './security-group-rules';

export interface DefaultNetwork {
  vpc: Vpc;
  subnets: Subnet[];
}

/**
 * The default VPC (172.31.0.0/16) with one public /20 subnet in each of the first three AZs and
 * its `default` security group (members reach each other), as every AWS region has.
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
  addDefaultSecurityGroup(world, vpc.vpcId, world.newId('sg'));
  return { vpc, subnets };
}

/** A VPC's `default` group: all traffic from its own members in, all traffic out. */
export function addDefaultSecurityGroup(world: World, vpcId: string, groupId: string): SecurityGroup {
  const group: SecurityGroup = { groupId, vpcId, description: 'default VPC security group', groupName: 'default', tags: {} };
  world.ec2.securityGroups.set(groupId, group);
  authorize(world, group, 'ingress', [{ ipProtocol: '-1', groupId }]);
  return group;
}
