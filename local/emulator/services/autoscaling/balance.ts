/**
 * How an Auto Scaling group keeps its zones balanced, for managed nodegroups' groups
 * (ec2/nodegroup-capacity.ts) and those stacks make (stack-groups.ts) alike: a launch goes to the
 * zone with the fewest instances, a scale-in takes the newest instance of the zone with the most.
 */
import type { AutoScalingGroup, Instance, World } from '../../world';
import { terminateInstance } from '../ec2/instances';

/** How many of `members` run in a zone. */
export const perZone = (members: Instance[]) => (zone: string) => members.filter((i) => i.availabilityZone === zone).length;

/** Takes the instance out of the group at once (EKS's own groups). */
const terminateNow = (world: World, group: AutoScalingGroup) => (victim: Instance) => {
  terminateInstance(world, victim.instanceId);
  group.instanceIds = group.instanceIds.filter((id) => id !== victim.instanceId);
};

/** Terminates members (as `terminate` does it) until the group is at its desired capacity. */
export function scaleInToDesired(world: World, group: AutoScalingGroup, members: Instance[], terminate: (victim: Instance, from: number) => void = terminateNow(world, group)): void {
  let left = members;
  while (left.length > group.desiredCapacity) {
    const count = perZone(left);
    const crowded = left.reduce((best, i) => (count(i.availabilityZone) > count(best.availabilityZone) ? i : best)).availabilityZone;
    const victim = left.filter((i) => i.availabilityZone === crowded).reduce((newest, i) => (i.launchTime >= newest.launchTime ? i : newest));
    terminate(victim, left.length);
    left = left.filter((i) => i !== victim);
  }
}
