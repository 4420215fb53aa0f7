/**
 * What Auto Scaling reads of the emulated account: the groups in world.autoScaling (a managed
 * nodegroup's, made by the EKS emulator) and their instances in world.ec2.instances, with the
 * lifecycle each instance is in and the scaling activities that brought it there. Reads change
 * nothing but finish the terminations that are due (activities.ts); the writes are stack-groups.ts's.
 */
import { createHash } from 'node:crypto';
import { EmulatorError } from '../../protocol';
import { matchesTagFilter, type QueryFilter } from '../../query/member-lists';
import type { AutoScalingGroup, Instance, ScalingActivity, World } from '../../world';
import { settleTerminations } from './activities';

export type LifecycleState = 'Pending' | 'InService' | 'Terminating';

/** An instance of a group, as Auto Scaling sees it. */
export interface Member {
  group: AutoScalingGroup;
  instance: Instance;
  lifecycleState: LifecycleState;
}

/** A scaling activity as DescribeScalingActivities answers it: one launch or termination of an instance. */
export type Activity = Omit<ScalingActivity, 'instanceId' | 'dueAt'> & { groupName: string; groupArn: string };

/** EC2's state as the group's lifecycle: a terminated instance has left its group. */
const LIFECYCLE: Record<Instance['state'], LifecycleState | undefined> = {
  pending: 'Pending',
  running: 'InService',
  'shutting-down': 'Terminating',
  terminated: undefined,
};

/** A stable UUID-shaped id for an activity, so pages and repeated calls agree. */
function activityId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export class AutoScalingReads {
  constructor(private readonly world: World) {}

  get account(): string {
    return this.world.account;
  }

  /**
   * Groups by name (unknown names are left out, not refused, as in AWS), then by filters; in
   * name order, as AWS lists them.
   */
  groups(names: string[], filters: QueryFilter[]): AutoScalingGroup[] {
    const all = [...this.world.autoScaling.groups.values()].sort((a, b) => a.name.localeCompare(b.name));
    const named = names.length ? all.filter((group) => names.includes(group.name)) : all;
    return named.filter((group) =>
      filters.every((filter) => {
        const matched = matchesTagFilter(group.tags, filter);
        if (matched === undefined) throw new EmulatorError(400, 'ValidationError', `Filter type ${filter.name} is not correct. Allowed Filter types are: tag-key tag-value tag:<key>`);
        return matched;
      }),
    );
  }

  /** The group's instances EC2 still has and that have not left it (terminated). */
  members(group: AutoScalingGroup): Member[] {
    settleTerminations(this.world, group);
    return group.instanceIds.flatMap((id) => {
      const instance = this.world.ec2.instances.get(id);
      const lifecycleState = instance && LIFECYCLE[instance.state];
      return instance && lifecycleState ? [{ group, instance, lifecycleState }] : [];
    });
  }

  /** Every group's members, or those of the given instance ids (ids outside any group are left out). */
  allMembers(instanceIds: string[]): Member[] {
    const members = this.groups([], []).flatMap((group) => this.members(group));
    return instanceIds.length ? members.filter((member) => instanceIds.includes(member.instance.instanceId)) : members;
  }

  /**
   * The group's instances are bought as Spot when its instances are (EKS puts a Spot nodegroup's
   * whole group on Spot); a group without instances yet reads as On-Demand.
   */
  isSpot(group: AutoScalingGroup): boolean {
    return this.members(group).some((member) => member.instance.capacityType === 'SPOT');
  }

  /**
   * What the groups did, newest first: a stack's group's log of launches and terminations
   * (activities.ts); for EKS's own groups, which keep none, the launches derived from their
   * instances' launch times and states.
   */
  activities(groupName: string | undefined): Activity[] {
    const groups = this.groups(groupName ? [groupName] : [], []);
    const activities = groups.flatMap((group): Activity[] => {
      if (group.activities) {
        settleTerminations(this.world, group);
        // Newest first, those of one instant too.
        return [...group.activities].reverse().map(({ instanceId: _instance, dueAt: _due, ...activity }) => ({ ...activity, groupName: group.name, groupArn: group.arn }));
      }
      const launched = group.instanceIds
        .map((id) => this.world.ec2.instances.get(id))
        .filter((instance): instance is Instance => instance !== undefined)
        .sort((a, b) => a.launchTime.getTime() - b.launchTime.getTime());
      return launched.map((instance, index): Activity => ({
        activityId: activityId(`launch/${instance.instanceId}`),
        groupName: group.name,
        groupArn: group.arn,
        description: `Launching a new EC2 instance: ${instance.instanceId}`,
        cause: `At ${instance.launchTime.toISOString()} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${index} to ${index + 1}.`,
        startTime: instance.launchTime,
        subnetId: instance.subnetId,
        availabilityZone: instance.availabilityZone,
        ...(instance.state === 'pending' ? { statusCode: 'InProgress', progress: 30 } : { statusCode: 'Successful', progress: 100, endTime: instance.launchTime }),
      }));
    });
    return activities.sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
  }
}
