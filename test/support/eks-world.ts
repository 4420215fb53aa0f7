/**
 * What EKS emulator tests need in the World before CreateCluster: a VPC with a private subnet in
 * each of two zones, and IAM roles carrying the managed policies EKS checks for.
 */
import type { World } from '../../local/emulator/world';

/** Makes the VPC and its two subnets (us-east-1a, us-east-1b); answers the subnet ids. */
export function seedTwoZoneVpc(world: World): string[] {
  const vpcId = world.newId('vpc');
  world.ec2.vpcs.set(vpcId, { vpcId, cidrBlock: '10.0.0.0/16', tags: {} });
  return ['a', 'b'].map((zone, i) => {
    const subnetId = world.newId('subnet');
    world.ec2.subnets.set(subnetId, { subnetId, vpcId, cidrBlock: `10.0.${i * 32}.0/19`, availabilityZone: `us-east-1${zone}`, mapPublicIpOnLaunch: false, tags: {} });
    return subnetId;
  });
}

/** Roles by name with their AWS managed policies (by policy name). */
export function seedRoles(world: World, account: string, roles: Record<string, readonly string[]>): void {
  for (const [name, policies] of Object.entries(roles)) {
    world.iam.roles.set(name, { arn: `arn:aws:iam::${account}:role/${name}`, roleName: name, path: '/', assumeRolePolicyDocument: {}, managedPolicyArns: policies.map((p) => `arn:aws:iam::aws:policy/${p}`), tags: {} });
  }
}
