/**
 * Firing at emulated time: each enabled schedule holds one timer for its next invocation
 * (clock.ts scales the wait), re-armed after every firing; a firing is recorded in
 * world.scheduler.firings before its target is called. The timers are in-flight work of one
 * service instance, not state: a restored world re-arms them (SchedulerService.resume).
 */
import type { Schedule, ScheduleFiring, SchedulerState, World } from '../../world';
import { parseScheduleExpression } from './expressions';
import { keyOf } from './state';
import { invokeTarget } from './targets';

/** setTimeout holds at most 2^31−1 ms; longer waits are re-armed when the timer wakes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SchedulerRuntime {
  world: World;
  state: SchedulerState;
  timers: Map<Schedule, NodeJS.Timeout>;
  warn: (message: string) => void;
}

/** When the schedule should fire next, at or after `now` (emulated); undefined when never again. */
function nextInvocation(runtime: SchedulerRuntime, schedule: Schedule, now: Date): Date | undefined {
  const parsed = parseScheduleExpression(schedule.scheduleExpression, schedule.scheduleExpressionTimezone ?? 'UTC');
  if (parsed.kind === 'cron') return undefined;
  // For rate schedules the last occurrence fired, so the next one follows it (world state: it survives a restart).
  const lastFired = runtime.state.lastFired.get(keyOf(schedule.groupName, schedule.name));
  if (parsed.kind === 'at') return lastFired ? undefined : parsed.at;
  const start = (schedule.startDate ?? schedule.creationDate).getTime();
  const interval = parsed.seconds * 1000;
  const after = Math.max(now.getTime(), (lastFired?.getTime() ?? -Infinity) + 1);
  const next = new Date(start + Math.max(0, Math.ceil((after - start) / interval)) * interval);
  return schedule.endDate && next >= schedule.endDate ? undefined : next;
}

export function disarm(runtime: SchedulerRuntime, schedule: Schedule): void {
  const timer = runtime.timers.get(schedule);
  if (timer) clearTimeout(timer);
  runtime.timers.delete(schedule);
}

/** (Re)starts the schedule's timer for its next invocation in emulated time. */
export function arm(runtime: SchedulerRuntime, schedule: Schedule): void {
  disarm(runtime, schedule);
  const { clock } = runtime.world;
  const next = schedule.state === 'ENABLED' ? nextInvocation(runtime, schedule, clock.now()) : undefined;
  schedule.nextInvocation = next;
  if (!next) return;
  const wait = () => Math.min(MAX_TIMER_MS, Math.ceil(Math.max(0, next.getTime() - clock.now().getTime()) * clock.scale));
  const wake = () => {
    if (runtime.state.schedules.get(keyOf(schedule.groupName, schedule.name)) !== schedule) return;
    // Timers may wake a little early, and a long wait is cut into setTimeout-sized pieces.
    if (clock.now() < next) {
      runtime.timers.set(schedule, setTimeout(wake, wait()).unref());
      return;
    }
    runtime.timers.delete(schedule);
    fire(runtime, schedule, next);
  };
  runtime.timers.set(schedule, setTimeout(wake, wait()).unref());
}

function fire(runtime: SchedulerRuntime, schedule: Schedule, scheduledTime: Date): void {
  const { world, state } = runtime;
  const firing: ScheduleFiring = {
    scheduleArn: schedule.arn,
    groupName: schedule.groupName,
    name: schedule.name,
    targetArn: schedule.target.Arn,
    scheduledTime: scheduledTime.toISOString(),
    time: world.clock.now().toISOString(),
  };
  state.firings.push(firing);
  state.lastFired.set(keyOf(schedule.groupName, schedule.name), scheduledTime);
  invokeTarget(world, runtime.warn, schedule, scheduledTime, firing);
  arm(runtime, schedule);
  // A recurring schedule completes only when it has an EndDate (AWS keeps open-ended ones).
  const completed = !schedule.nextInvocation && (schedule.scheduleExpression.startsWith('at(') || schedule.endDate !== undefined);
  if (completed && schedule.actionAfterCompletion === 'DELETE') state.schedules.delete(keyOf(schedule.groupName, schedule.name));
}
