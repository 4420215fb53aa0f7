/**
 * Auto Scaling groups CloudFormation makes (AWS::AutoScaling::AutoScalingGroup: a self-managed
 * nodegroup's), as Auto Scaling runs them: the group launches DesiredCapacity instances from its
 * launch template (or a MixedInstancesPolicy's, over its instance type overrides), spread over
 * its subnets' zones, each tagged with the group's PropagateAtLaunch tags and Auto Scaling's own,
 * On-Demand or Spot as its InstancesDistribution says. Deleting the group terminates them.
 * EKS's own groups (managed nodegroups) are ec2/nodegroup-capacity.ts's.
 */
import { forgetOldTerminated, launchInstance, architectureOf, terminateInstance } from '../ec2/instances';
import { findLaunchTemplate } from '../ec2/state';
import { perZone, scaleInToDesired } from './balance';
import type { AutoScalingGroup, Instance, Subnet, World } from '../../world';

function membersOf(world: World, group: AutoScalingGroup): Instance[] {
  return group.instanceIds.map((id) => world.ec2.instances.get(id)).filter((i): i is Instance => i !== undefined && i.state !== 'terminated');
}

/**
 * Whether the group's next instance is On-Demand, given the instances it has: of DesiredCapacity,
 * the first onDemandBaseCapacity are, then onDemandPercentageAboveBaseCapacity percent of the
 * rest (Auto Scaling rounds the On-Demand share up); every other one is Spot.
 */
export function nextIsOnDemand(group: Pick<AutoScalingGroup, 'instancesDistribution' | 'desiredCapacity'>, members: Array<Pick<Instance, 'capacityType'>>): boolean {
  const distribution = group.instancesDistribution;
  if (!distribution) return true;
  const base = Math.min(distribution.onDemandBaseCapacity, group.desiredCapacity);
  const wanted = base + Math.ceil(((group.desiredCapacity - base) * distribution.onDemandPercentageAboveBaseCapacity) / 100);
  return members.filter((m) => m.capacityType === 'ON_DEMAND').length < wanted;
}

/** Launches or terminates until the group has DesiredCapacity instances, balancing zones as Auto Scaling does. */
export function reconcileStackGroup(world: World, group: AutoScalingGroup): void {
  forgetOldTerminated(world);
  const subnets = group.subnetIds.map((id) => world.ec2.subnets.get(id)).filter((s): s is Subnet => s !== undefined);
  if (subnets.length === 0) return;
  const template = group.launchTemplate ? findLaunchTemplate(world, group.launchTemplate) : undefined;
  const data = template?.data ?? {};
  const types = group.mixedInstanceTypes?.length ? group.mixedInstanceTypes : [String(data.InstanceType ?? 't3.medium')];
  let members = membersOf(world, group);
  while (members.length < group.desiredCapacity) {
    const count = perZone(members);
    const subnet = subnets.reduce((best, s) => (count(s.availabilityZone) < count(best.availabilityZone) ? s : best));
    const onDemand = nextIsOnDemand(group, members);
    // On-Demand takes the types in order (prioritized); Spot spreads over them (capacity pools).
    const spotSoFar = members.filter((m) => m.capacityType === 'SPOT').length;
    const instanceType = onDemand ? types[0]! : types[spotSoFar % types.length]!;
    const instance = launchInstance(world, {
      subnet,
      instanceType,
      imageId: String(data.ImageId ?? ''),
      architecture: architectureOf('', instanceType),
      securityGroupIds: Array.isArray(data.SecurityGroupIds) ? data.SecurityGroupIds.map(String) : [],
      capacityType: onDemand ? 'ON_DEMAND' : 'SPOT',
      ...(typeof (data.IamInstanceProfile as { Arn?: unknown } | undefined)?.Arn === 'string' ? { iamInstanceProfileArn: (data.IamInstanceProfile as { Arn: string }).Arn } : {}),
      ...(group.launchTemplate ? { launchTemplate: group.launchTemplate } : {}),
      autoScalingGroupName: group.name,
      tags: {
        ...Object.fromEntries(Object.entries(group.tags).filter(([key]) => !group.notPropagatedAtLaunch?.includes(key))),
        'aws:autoscaling:groupName': group.name,
        ...(group.launchTemplate ? { 'aws:ec2launchtemplate:id': group.launchTemplate.id, 'aws:ec2launchtemplate:version': group.launchTemplate.version } : {}),
      },
    });
    group.instanceIds.push(instance.instanceId);
    members = [...members, instance];
  }
  scaleInToDesired(world, group, members);
}

/** The group is deleted: its instances terminated (ForceDelete, as CloudFormation deletes a group), the group gone. */
export function deleteStackGroup(world: World, name: string): void {
  const group = world.autoScaling.groups.get(name);
  if (!group) return;
  for (const id of group.instanceIds) terminateInstance(world, id);
  world.autoScaling.groups.delete(name);
}
