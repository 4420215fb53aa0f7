/**
 * The scaling activities a stack's group records as it launches and terminates (DescribeScalingActivities
 * shows them, newest first), and the termination of one of its instances as Auto Scaling runs it:
 * the instance goes Terminating (EC2 `shutting-down`, its kubelet stopped) and no longer counts
 * toward the group's capacity, so a replacement can launch at once; some 20–90 s later
 * (durations.ts `instanceShutdown`) EC2 has it `terminated` and it leaves the group. A restored
 * World's terminations finish when due (resumeTerminations).
 */
import { randomUUID } from 'node:crypto';
import type { AutoScalingGroup, Instance, ScalingActivity, World } from '../../world';
import { terminateInstance } from '../ec2/instances';

/** Auto Scaling's timestamps in causes: `2026-01-02T10:00:00Z`. */
export const causeTime = (at: Date): string => at.toISOString().replace(/\.\d+Z$/, 'Z');

function record(group: AutoScalingGroup, activity: Omit<ScalingActivity, 'activityId'>): ScalingActivity {
  const recorded: ScalingActivity = { activityId: randomUUID(), ...activity };
  (group.activities ??= []).push(recorded);
  return recorded;
}

/**
 * A launch, `why` saying what changed the desired capacity first (a user request), as Auto
 * Scaling chains causes; the instance runs at once, so the activity is over at once.
 */
export function recordLaunch(world: World, group: AutoScalingGroup, instance: Instance, from: number, why = ''): ScalingActivity {
  const now = world.clock.now();
  return record(group, {
    instanceId: instance.instanceId,
    description: `Launching a new EC2 instance: ${instance.instanceId}`,
    cause: `${why}At ${causeTime(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${from + 1}.`,
    startTime: now,
    endTime: now,
    statusCode: 'Successful',
    progress: 100,
    subnetId: instance.subnetId,
    availabilityZone: instance.availabilityZone,
  });
}

/** Starts terminating a member: Terminating now, `terminated` when EC2 is done (settleTerminations). */
export function beginTermination(world: World, group: AutoScalingGroup, instance: Instance, cause: string): ScalingActivity {
  const now = world.clock.now();
  instance.state = 'shutting-down';
  instance.shutdownAt = now;
  const dueAt = new Date(now.getTime() + world.durations.sample('instanceShutdown', `${group.name}/${instance.instanceId}`) * 1000);
  const activity = record(group, {
    instanceId: instance.instanceId,
    description: `Terminating EC2 instance: ${instance.instanceId}`,
    cause,
    startTime: now,
    statusCode: 'InProgress',
    progress: 0,
    subnetId: instance.subnetId,
    availabilityZone: instance.availabilityZone,
    dueAt,
  });
  finishWhenDue(world, group, activity);
  return activity;
}

/** The termination finishes when its timer fires (a timer a millisecond early still finishes it: it is the one that was due). */
function finishWhenDue(world: World, group: AutoScalingGroup, activity: ScalingActivity): void {
  if (activity.dueAt) void world.clock.sleepUntil(activity.dueAt.getTime()).then(() => finishTermination(world, group, activity));
}

/** The instance terminated (at its due time), out of the group, the activity Successful. */
function finishTermination(world: World, group: AutoScalingGroup, activity: ScalingActivity): void {
  if (activity.statusCode !== 'InProgress' || !activity.dueAt) return;
  terminateInstance(world, activity.instanceId, 'Service initiated', activity.dueAt);
  group.instanceIds = group.instanceIds.filter((id) => id !== activity.instanceId);
  Object.assign(activity, { statusCode: 'Successful', progress: 100, endTime: activity.dueAt });
  delete activity.dueAt;
}

/** After a restore: the terminations that were under way finish when due (those overdue at once). */
export function resumeTerminations(world: World): void {
  for (const group of world.autoScaling.groups.values()) {
    settleTerminations(world, group);
    for (const activity of group.activities ?? []) finishWhenDue(world, group, activity);
  }
}

/** Finishes the group's terminations that are due by now. */
export function settleTerminations(world: World, group: AutoScalingGroup): void {
  const now = world.clock.now().getTime();
  for (const activity of group.activities ?? []) if (activity.dueAt && activity.dueAt.getTime() <= now) finishTermination(world, group, activity);
}

/** The termination of `instanceId` still in progress, if there is one. */
export function terminationInProgress(group: AutoScalingGroup, instanceId: string): ScalingActivity | undefined {
  return group.activities?.find((a) => a.instanceId === instanceId && a.statusCode === 'InProgress' && a.dueAt !== undefined);
}
