/**
 * How an Auto Scaling group keeps its zones balanced, for managed nodegroups' groups
 * (ec2/nodegroup-capacity.ts) and those stacks make (stack-groups.ts) alike: a launch goes to the
 * zone with the fewest instances, a scale-in takes the newest instance of the zone with the most.
 */
import type { AutoScalingGroup, Instance, World } from '../../world';
import { terminateInstance } from '../ec2/instances';

/** How many of `members` run in a zone. */
export const perZone = (members: Instance[]) => (zone: string) => members.filter((i) => i.availabilityZone === zone).length;

/** Terminates members until the group is at its desired capacity. */
export function scaleInToDesired(world: World, group: AutoScalingGroup, members: Instance[]): void {
  let left = members;
  while (left.length > group.desiredCapacity) {
    const count = perZone(left);
    const crowded = left.reduce((best, i) => (count(i.availabilityZone) > count(best.availabilityZone) ? i : best)).availabilityZone;
    const victim = left.filter((i) => i.availabilityZone === crowded).reduce((newest, i) => (i.launchTime >= newest.launchTime ? i : newest));
    terminateInstance(world, victim.instanceId);
    group.instanceIds = group.instanceIds.filter((id) => id !== victim.instanceId);
    left = left.filter((i) => i !== victim);
  }
}
