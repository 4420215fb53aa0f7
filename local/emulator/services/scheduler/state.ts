/**
 * Lookups over Scheduler's part of the World (world.scheduler, a SchedulerState: groups,
 * schedules, firings and when each last fired), refused with Scheduler's ResourceNotFoundException.
 */
import { EmulatorError } from '../../protocol';
import type { Schedule, ScheduleGroup, SchedulerState, World } from '../../world';

export const DEFAULT_GROUP = 'default';

/** The key of a schedule in world.scheduler.schedules and lastFired. */
export const keyOf = (groupName: string, name: string) => `${groupName}/${name}`;

export function existingGroup(state: SchedulerState, name: string): ScheduleGroup {
  const group = state.groups.get(name);
  if (!group) throw new EmulatorError(404, 'ResourceNotFoundException', `Schedule group ${name} does not exist.`);
  return group;
}

export function existingSchedule(state: SchedulerState, groupName: string, name: string): Schedule {
  existingGroup(state, groupName);
  const schedule = state.schedules.get(keyOf(groupName, name));
  if (!schedule) throw new EmulatorError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
  return schedule;
}

export function createGroup(world: World, state: SchedulerState, name: string, tags: Record<string, string> = {}): ScheduleGroup {
  const now = world.clock.now();
  const group: ScheduleGroup = { name, arn: world.arn('scheduler', `schedule-group/${name}`), creationDate: now, lastModificationDate: now, tags };
  state.groups.set(name, group);
  return group;
}
/** The group a tagging call names by ARN: only schedule groups carry tags in Scheduler. */
export function groupByArn(state: SchedulerState, arn: string): ScheduleGroup {
  const group = [...state.groups.values()].find((g) => g.arn === arn);
  if (!group) throw new EmulatorError(404, 'ResourceNotFoundException', `Schedule group ${arn.split('/').pop()} does not exist.`);
  return group;
}
