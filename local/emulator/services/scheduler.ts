/**
 * EventBridge Scheduler (restJson1, signing service `scheduler`): schedule groups and schedules
 * on the REST paths @aws-sdk/client-scheduler uses, validated as AWS validates them, kept in
 * world.scheduler, and fired at emulated time.
 *
 * Firing: a schedule fires when the emulated clock (clock.ts) reaches its time, so a one-time
 * `at(...)` schedule waits (at − clock.now()) × timeScale of real time: at 0.001, a 72-hour ttl
 * fires about 4.3 real minutes after it is made. An `at` time already past fires at once.
 * `rate(...)` schedules fire from StartDate (default: when created) every interval until EndDate;
 * `cron(...)` expressions are validated and stored but never fire. A firing invokes the target:
 *   - a Lambda function registered in world.functions gets JSON.parse(Target.Input), invoked
 *     asynchronously as Scheduler does (InvocationType Event);
 *   - an event bus with EventBridgeParameters {DetailType, Source} gets a PutEvents of Input as
 *     the detail, with the schedule's ARN in `resources`;
 *   - a Step Functions state machine gets StartExecution with Input.
 * Input may use the context attributes <aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>,
 * <aws.scheduler.execution-id> and <aws.scheduler.attempt-number>. Each firing is recorded in
 * world.scheduler.firings (GET /_local/schedules); ActionAfterCompletion DELETE removes a schedule
 * after its last invocation.
 *
 * Differences from AWS, on purpose: no 60-second invocation jitter and no flexible-window
 * spread (a schedule fires at its exact time, so runs are reproducible); a failed target call is
 * recorded and reported, not retried per RetryPolicy, and never sent to a dead-letter queue.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FunctionNotFoundError } from '../functions';
import { EmulatorError, sendJson } from '../protocol';
import type { RequestContext, ServiceModule } from '../server';
import type { Schedule, ScheduleFiring, ScheduleGroup, SchedulerState, World } from '../world';
import { publishEvent } from './eventbridge';

export const DEFAULT_GROUP = 'default';

type Body = Record<string, unknown>;

const NAME_PATTERN = /^[0-9a-zA-Z-_.]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const KMS_KEY_ARN_PATTERN = /^arn:aws(-[a-z]+)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[0-9a-zA-Z-_]*$/;
const CLIENT_TOKEN_PATTERN = /^[a-zA-Z0-9-_]+$/;
const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/;
const EVENT_BUS_ARN = /^arn:aws[\w-]*:events:[^:]+:\d{12}:event-bus\/(.+)$/;
const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[^:]+:\d{12}:stateMachine:.+$/;
/** setTimeout holds at most 2^31−1 ms; longer waits are re-armed when the timer wakes. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const DEFAULT_RETRY_POLICY = { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 };

// ── Schedule expressions ────────────────────────────────────────────────────────────────────

export type ParsedExpression = { kind: 'at'; at: Date } | { kind: 'rate'; seconds: number } | { kind: 'cron' };

const RATE_UNITS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** How far `zone`'s wall clock is ahead of UTC at the instant `utcMs`. */
function zoneOffsetMs(utcMs: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(utcMs));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** The instant a wall-clock time in `zone` names (the later offset wins across a DST change). */
function wallTimeToUtc(wallMs: number, zone: string): Date {
  const first = wallMs - zoneOffsetMs(wallMs, zone);
  return new Date(wallMs - zoneOffsetMs(first, zone));
}

function cronFieldsValid(fields: string[]): boolean {
  if (fields.length !== 6) return false;
  const [, , dayOfMonth, , dayOfWeek] = fields;
  // Scheduler, like EventBridge, wants exactly one of day-of-month and day-of-week to be `?`.
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) return false;
  return fields.every((field) => /^[0-9A-Za-z*?,/#LW-]+$/.test(field));
}

/** Parses an at/rate/cron expression, or throws Scheduler's ValidationException. */
export function parseScheduleExpression(expression: string, timeZone = 'UTC'): ParsedExpression {
  const invalid = () => new EmulatorError(400, 'ValidationException', `Invalid Schedule Expression ${expression}`);
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [number, number, number, number, number, number];
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    const check = new Date(wall);
    // Date.UTC rolls 2026-02-30 over into March: a real calendar date reads back unchanged.
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) throw invalid();
    return { kind: 'at', at: wallTimeToUtc(wall, timeZone) };
  }
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (!(value >= 1)) throw invalid();
    return { kind: 'rate', seconds: value * RATE_UNITS[rate[2]!]! };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron && cronFieldsValid(cron[1]!.trim().split(/\s+/))) return { kind: 'cron' };
  throw invalid();
}

// ── Validation (the constraints of the Scheduler model, checked in its order) ──────────────────

/** Collects AWS-style constraint messages: "N validation errors detected: Value ... at 'x' ...". */
class Problems {
  private readonly messages: string[] = [];

  add(message: string): void {
    this.messages.push(message);
  }

  value(value: unknown, member: string, constraint: string): void {
    const shown = value === undefined || value === null ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
    this.add(`Value ${shown} at '${member}' failed to satisfy constraint: Member must ${constraint}`);
  }

  required(body: Body, field: string, member: string): boolean {
    if (body[field] === undefined || body[field] === null) {
      this.value(undefined, member, 'not be null');
      return false;
    }
    return true;
  }

  string(body: Body, field: string, member: string, rule: { min?: number; max?: number; pattern?: RegExp; required?: boolean } = {}): string | undefined {
    const value = body[field];
    if (value === undefined || value === null) {
      if (rule.required) this.value(undefined, member, 'not be null');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.value(value, member, 'be a string');
      return undefined;
    }
    if (rule.min !== undefined && value.length < rule.min) this.value(value, member, `have length greater than or equal to ${rule.min}`);
    else if (rule.max !== undefined && value.length > rule.max) this.value(value, member, `have length less than or equal to ${rule.max}`);
    else if (rule.pattern && !rule.pattern.test(value)) this.value(value, member, `satisfy regular expression pattern: ${rule.pattern.source}`);
    return value;
  }

  integer(body: Body, field: string, member: string, min: number, max: number): number | undefined {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) this.value(value, member, 'be an integer');
    else if (value < min) this.value(value, member, `have value greater than or equal to ${min}`);
    else if (value > max) this.value(value, member, `have value less than or equal to ${max}`);
    return typeof value === 'number' ? value : undefined;
  }

  oneOf<T extends string>(body: Body, field: string, member: string, values: readonly T[]): T | undefined {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (!values.includes(value as T)) this.value(value, member, `satisfy enum value set: [${values.join(', ')}]`);
    return value as T;
  }

  throwIfAny(): void {
    const n = this.messages.length;
    if (n) throw new EmulatorError(400, 'ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${this.messages.join('; ')}`);
  }
}

const asBody = (value: unknown): Body => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {});

function timestamp(value: unknown, member: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  // restJson1 carries timestamps as epoch seconds; ISO strings are accepted for hand-written calls.
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new EmulatorError(400, 'ValidationException', `Invalid ${member}: ${JSON.stringify(value)}`);
  return date;
}

function validTarget(body: Body, problems: Problems): Schedule['target'] | undefined {
  if (!problems.required(body, 'Target', 'target')) return undefined;
  const target = asBody(body.Target);
  problems.string(target, 'Arn', 'target.arn', { min: 1, max: 1600, required: true });
  problems.string(target, 'RoleArn', 'target.roleArn', { min: 1, max: 1600, pattern: ROLE_ARN_PATTERN, required: true });
  problems.string(target, 'Input', 'target.input', { min: 1 });
  if (target.RetryPolicy !== undefined) {
    const retry = asBody(target.RetryPolicy);
    problems.integer(retry, 'MaximumEventAgeInSeconds', 'target.retryPolicy.maximumEventAgeInSeconds', 60, 86400);
    problems.integer(retry, 'MaximumRetryAttempts', 'target.retryPolicy.maximumRetryAttempts', 0, 185);
  }
  if (target.EventBridgeParameters !== undefined) {
    const parameters = asBody(target.EventBridgeParameters);
    problems.string(parameters, 'DetailType', 'target.eventBridgeParameters.detailType', { min: 1, max: 128, required: true });
    problems.string(parameters, 'Source', 'target.eventBridgeParameters.source', { min: 1, max: 256, required: true });
  }
  return target as Schedule['target'];
}

interface ScheduleRequest {
  name: string;
  groupName: string;
  clientToken?: string;
  fields: Omit<Schedule, 'name' | 'groupName' | 'arn' | 'creationDate' | 'lastModificationDate' | 'clientToken' | 'nextInvocation'>;
}

/** CreateSchedule and UpdateSchedule take the same input: every field, checked as AWS does. */
function validScheduleRequest(world: World, name: string, body: Body): ScheduleRequest {
  const problems = new Problems();
  problems.string({ Name: name }, 'Name', 'name', { min: 1, max: 64, pattern: NAME_PATTERN, required: true });
  const groupName = problems.string(body, 'GroupName', 'groupName', { min: 1, max: 64, pattern: NAME_PATTERN }) ?? DEFAULT_GROUP;
  const expression = problems.string(body, 'ScheduleExpression', 'scheduleExpression', { min: 1, max: 256, required: true });
  const timeZone = problems.string(body, 'ScheduleExpressionTimezone', 'scheduleExpressionTimezone', { min: 1, max: 50 });
  const description = problems.string(body, 'Description', 'description', { max: 512 });
  const state = problems.oneOf(body, 'State', 'state', ['ENABLED', 'DISABLED'] as const) ?? 'ENABLED';
  const actionAfterCompletion = problems.oneOf(body, 'ActionAfterCompletion', 'actionAfterCompletion', ['NONE', 'DELETE'] as const) ?? 'NONE';
  const kmsKeyArn = problems.string(body, 'KmsKeyArn', 'kmsKeyArn', { min: 1, max: 2048, pattern: KMS_KEY_ARN_PATTERN });
  const clientToken = problems.string(body, 'ClientToken', 'clientToken', { min: 1, max: 64, pattern: CLIENT_TOKEN_PATTERN });
  let window: Schedule['flexibleTimeWindow'] | undefined;
  if (problems.required(body, 'FlexibleTimeWindow', 'flexibleTimeWindow')) {
    const raw = asBody(body.FlexibleTimeWindow);
    const mode = problems.oneOf(raw, 'Mode', 'flexibleTimeWindow.mode', ['OFF', 'FLEXIBLE'] as const);
    if (mode === undefined) problems.value(undefined, 'flexibleTimeWindow.mode', 'not be null');
    const minutes = problems.integer(raw, 'MaximumWindowInMinutes', 'flexibleTimeWindow.maximumWindowInMinutes', 1, 1440);
    window = { Mode: mode ?? 'OFF', ...(minutes !== undefined ? { MaximumWindowInMinutes: minutes } : {}) };
  }
  const target = validTarget(body, problems);
  problems.throwIfAny();

  // The semantic rules, once every field has its shape.
  if (timeZone !== undefined && !isTimeZone(timeZone)) throw new EmulatorError(400, 'ValidationException', `Invalid Schedule Expression Timezone ${timeZone}`);
  const parsed = parseScheduleExpression(expression!, timeZone ?? 'UTC');
  if (window!.Mode === 'FLEXIBLE' && window!.MaximumWindowInMinutes === undefined) throw new EmulatorError(400, 'ValidationException', 'MaximumWindowInMinutes must be provided when Mode is FLEXIBLE.');
  if (window!.Mode === 'OFF' && window!.MaximumWindowInMinutes !== undefined) throw new EmulatorError(400, 'ValidationException', 'MaximumWindowInMinutes must not be provided when Mode is OFF.');
  const startDate = timestamp(body.StartDate, 'StartDate');
  const endDate = timestamp(body.EndDate, 'EndDate');
  const now = world.clock.now().getTime();
  if (parsed.kind !== 'at') {
    // EventBridge Scheduler ignores StartDate and EndDate for one-time schedules.
    if (startDate && startDate.getTime() < now - 5 * 60_000) throw new EmulatorError(400, 'ValidationException', 'The StartDate you specify cannot be earlier than 5 minutes ago.');
    if (endDate && endDate.getTime() <= now) throw new EmulatorError(400, 'ValidationException', 'The EndDate you specify cannot be earlier than the current time.');
    if (startDate && endDate && endDate <= startDate) throw new EmulatorError(400, 'ValidationException', 'The EndDate you specify must be later than the StartDate.');
  }
  if (target!.Arn === undefined) throw new EmulatorError(400, 'ValidationException', 'Target.Arn is required.');
  const templated = LAMBDA_ARN.test(target!.Arn) || EVENT_BUS_ARN.test(target!.Arn) || STATE_MACHINE_ARN.test(target!.Arn);
  if (templated && target!.Input !== undefined) {
    try {
      JSON.parse(target!.Input);
    } catch {
      throw new EmulatorError(400, 'ValidationException', `Target.Input must be well-formed JSON for the ${target!.Arn.split(':')[2]} target ${target!.Arn}.`);
    }
  }
  if (EVENT_BUS_ARN.test(target!.Arn) && target!.EventBridgeParameters === undefined) {
    throw new EmulatorError(400, 'ValidationException', `Target.EventBridgeParameters (DetailType, Source) is required for the event bus target ${target!.Arn}.`);
  }
  const source = asBody(target!.EventBridgeParameters).Source;
  if (typeof source === 'string' && source.startsWith('aws.')) throw new EmulatorError(400, 'ValidationException', `Target.EventBridgeParameters.Source ${source} is not valid: sources starting with "aws." are reserved for AWS services.`);

  return {
    name,
    groupName,
    ...(clientToken !== undefined ? { clientToken } : {}),
    fields: {
      scheduleExpression: expression!,
      ...(timeZone !== undefined ? { scheduleExpressionTimezone: timeZone } : {}),
      ...(startDate ? { startDate } : {}),
      ...(endDate ? { endDate } : {}),
      ...(description !== undefined ? { description } : {}),
      state,
      ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}),
      actionAfterCompletion,
      flexibleTimeWindow: window!,
      target: { ...target!, RetryPolicy: { ...DEFAULT_RETRY_POLICY, ...asBody(target!.RetryPolicy) } },
    },
  };
}

// ── Firing ──────────────────────────────────────────────────────────────────────────────────

interface Runtime {
  world: World;
  state: SchedulerState;
  timers: Map<Schedule, NodeJS.Timeout>;
  warn: (message: string) => void;
}

const keyOf = (groupName: string, name: string) => `${groupName}/${name}`;

/** When the schedule should fire next, at or after `now` (emulated); undefined when never again. */
function nextInvocation(runtime: Runtime, schedule: Schedule, now: Date): Date | undefined {
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

function disarm(runtime: Runtime, schedule: Schedule): void {
  const timer = runtime.timers.get(schedule);
  if (timer) clearTimeout(timer);
  runtime.timers.delete(schedule);
}

/** (Re)starts the schedule's timer for its next invocation in emulated time. */
function arm(runtime: Runtime, schedule: Schedule): void {
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

function contextInput(input: string, schedule: Schedule, scheduledTime: Date, executionId: string): string {
  const values: Record<string, string> = {
    'aws.scheduler.schedule-arn': schedule.arn,
    'aws.scheduler.scheduled-time': scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws.scheduler.execution-id': executionId,
    'aws.scheduler.attempt-number': '1',
  };
  return input.replace(/<(aws\.scheduler\.[a-z-]+)>/g, (whole, name: string) => values[name] ?? whole);
}

function invokeTarget(runtime: Runtime, schedule: Schedule, scheduledTime: Date, firing: ScheduleFiring): void {
  const { world } = runtime;
  const target = schedule.target;
  const executionId = randomUUID();
  const input = target.Input === undefined ? undefined : contextInput(target.Input, schedule, scheduledTime, executionId);
  const bus = EVENT_BUS_ARN.exec(target.Arn);
  try {
    if (LAMBDA_ARN.test(target.Arn)) {
      firing.invocationId = world.functions.invokeAsync(target.Arn, input === undefined ? {} : JSON.parse(input), { source: 'scheduler', trigger: schedule.arn }).requestId;
    } else if (bus) {
      const parameters = asBody(target.EventBridgeParameters);
      const event = publishEvent(world, { bus: bus[1]!, source: String(parameters.Source), detailType: String(parameters.DetailType), detail: input === undefined ? {} : JSON.parse(input), resources: [schedule.arn] });
      firing.invocationId = event.id;
    } else if (STATE_MACHINE_ARN.test(target.Arn)) {
      if (!world.executions) throw new Error('no Step Functions runtime is attached to the local emulator (world.executions)');
      void world.executions.start(target.Arn, executionId, input ?? '{}').then(
        ({ executionArn }) => {
          firing.invocationId = executionArn;
        },
        (error: unknown) => {
          firing.error = (error as Error).message;
          runtime.warn(`schedule ${schedule.groupName}/${schedule.name} could not start ${target.Arn}: ${firing.error}`);
        },
      );
    } else {
      throw new Error(`the local Scheduler invokes only Lambda functions, event buses and Step Functions state machines, not ${target.Arn}`);
    }
  } catch (error) {
    firing.error = error instanceof FunctionNotFoundError ? `ResourceNotFoundException: ${error.message}` : (error as Error).message;
    runtime.warn(`schedule ${schedule.groupName}/${schedule.name} could not invoke ${target.Arn}: ${firing.error}`);
  }
}

function fire(runtime: Runtime, schedule: Schedule, scheduledTime: Date): void {
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
  invokeTarget(runtime, schedule, scheduledTime, firing);
  arm(runtime, schedule);
  // A recurring schedule completes only when it has an EndDate (AWS keeps open-ended ones).
  const completed = !schedule.nextInvocation && (schedule.scheduleExpression.startsWith('at(') || schedule.endDate !== undefined);
  if (completed && schedule.actionAfterCompletion === 'DELETE') state.schedules.delete(keyOf(schedule.groupName, schedule.name));
}

// ── Operations ──────────────────────────────────────────────────────────────────────────────

const seconds = (date: Date) => date.getTime() / 1000;

function renderSchedule(schedule: Schedule): Body {
  return {
    Arn: schedule.arn,
    GroupName: schedule.groupName,
    Name: schedule.name,
    ScheduleExpression: schedule.scheduleExpression,
    ...(schedule.scheduleExpressionTimezone ? { ScheduleExpressionTimezone: schedule.scheduleExpressionTimezone } : {}),
    ...(schedule.startDate ? { StartDate: seconds(schedule.startDate) } : {}),
    ...(schedule.endDate ? { EndDate: seconds(schedule.endDate) } : {}),
    ...(schedule.description !== undefined ? { Description: schedule.description } : {}),
    State: schedule.state,
    CreationDate: seconds(schedule.creationDate),
    LastModificationDate: seconds(schedule.lastModificationDate),
    ...(schedule.kmsKeyArn ? { KmsKeyArn: schedule.kmsKeyArn } : {}),
    Target: schedule.target,
    FlexibleTimeWindow: schedule.flexibleTimeWindow,
    ActionAfterCompletion: schedule.actionAfterCompletion,
  };
}

function renderGroup(group: ScheduleGroup): Body {
  return { Arn: group.arn, Name: group.name, State: 'ACTIVE', CreationDate: seconds(group.creationDate), LastModificationDate: seconds(group.lastModificationDate) };
}

function existingGroup(state: SchedulerState, name: string): ScheduleGroup {
  const group = state.groups.get(name);
  if (!group) throw new EmulatorError(404, 'ResourceNotFoundException', `Schedule group ${name} does not exist.`);
  return group;
}

function existingSchedule(state: SchedulerState, groupName: string, name: string): Schedule {
  existingGroup(state, groupName);
  const schedule = state.schedules.get(keyOf(groupName, name));
  if (!schedule) throw new EmulatorError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
  return schedule;
}

function createGroup(world: World, state: SchedulerState, name: string, tags: Record<string, string> = {}): ScheduleGroup {
  const now = world.clock.now();
  const group: ScheduleGroup = { name, arn: world.arn('scheduler', `schedule-group/${name}`), creationDate: now, lastModificationDate: now, tags };
  state.groups.set(name, group);
  return group;
}

function paged<T>(items: T[], query: URLSearchParams): { items: T[]; NextToken?: string } {
  const token = query.get('NextToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw new EmulatorError(400, 'ValidationException', 'The NextToken provided is invalid.');
  const maxText = query.get('MaxResults');
  const max = maxText === null ? 100 : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value '${maxText}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`);
  const end = start + max;
  return { items: items.slice(start, end), ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}) };
}

function tagsOf(value: unknown): Record<string, string> {
  const problems = new Problems();
  const tags: Record<string, string> = {};
  for (const [i, tag] of (Array.isArray(value) ? value : []).entries()) {
    const key = problems.string(asBody(tag), 'Key', `tags.${i + 1}.member.key`, { min: 1, max: 128, required: true });
    const tagValue = problems.string(asBody(tag), 'Value', `tags.${i + 1}.member.value`, { min: 1, max: 256, required: true });
    if (key !== undefined && tagValue !== undefined) tags[key] = tagValue;
  }
  problems.throwIfAny();
  return tags;
}

/** The group a tagging call names by ARN: only schedule groups carry tags in Scheduler. */
function groupByArn(state: SchedulerState, arn: string): ScheduleGroup {
  const group = [...state.groups.values()].find((g) => g.arn === arn);
  if (!group) throw new EmulatorError(404, 'ResourceNotFoundException', `Schedule group ${arn.split('/').pop()} does not exist.`);
  return group;
}

interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Body;
}

function operations(runtime: Runtime): Array<{ method: string; path: string; operation: string; run: (call: Call) => Body }> {
  const { world, state } = runtime;
  const groupParam = (query: URLSearchParams, field = 'groupName') => {
    const value = query.get(field);
    return value === null || value === '' ? DEFAULT_GROUP : value;
  };
  return [
    {
      method: 'POST',
      path: '/schedules/{Name}',
      operation: 'CreateSchedule',
      run: ({ params, body }) => {
        const request = validScheduleRequest(world, params.Name!, body);
        existingGroup(state, request.groupName);
        const key = keyOf(request.groupName, request.name);
        const existing = state.schedules.get(key);
        if (existing) {
          // A retried call (the SDK resends its ClientToken) gets the same answer, not a conflict.
          if (request.clientToken !== undefined && existing.clientToken === request.clientToken) return { ScheduleArn: existing.arn };
          throw new EmulatorError(409, 'ConflictException', `Schedule ${request.name} already exists.`);
        }
        const now = world.clock.now();
        const schedule: Schedule = { name: request.name, groupName: request.groupName, arn: world.arn('scheduler', `schedule/${request.groupName}/${request.name}`), ...request.fields, creationDate: now, lastModificationDate: now, ...(request.clientToken ? { clientToken: request.clientToken } : {}) };
        state.schedules.set(key, schedule);
        arm(runtime, schedule);
        return { ScheduleArn: schedule.arn };
      },
    },
    {
      method: 'GET',
      path: '/schedules/{Name}',
      operation: 'GetSchedule',
      run: ({ params, query }) => renderSchedule(existingSchedule(state, groupParam(query), params.Name!)),
    },
    {
      method: 'PUT',
      path: '/schedules/{Name}',
      operation: 'UpdateSchedule',
      run: ({ params, body }) => {
        const request = validScheduleRequest(world, params.Name!, body);
        const previous = existingSchedule(state, request.groupName, request.name);
        disarm(runtime, previous);
        state.lastFired.delete(keyOf(previous.groupName, previous.name));
        // UpdateSchedule replaces every field: what the call leaves out returns to its default.
        const schedule: Schedule = { name: previous.name, groupName: previous.groupName, arn: previous.arn, ...request.fields, creationDate: previous.creationDate, lastModificationDate: world.clock.now(), ...(previous.clientToken ? { clientToken: previous.clientToken } : {}) };
        state.schedules.set(keyOf(schedule.groupName, schedule.name), schedule);
        arm(runtime, schedule);
        return { ScheduleArn: schedule.arn };
      },
    },
    {
      method: 'DELETE',
      path: '/schedules/{Name}',
      operation: 'DeleteSchedule',
      run: ({ params, query }) => {
        const schedule = existingSchedule(state, groupParam(query), params.Name!);
        disarm(runtime, schedule);
        state.schedules.delete(keyOf(schedule.groupName, schedule.name));
        state.lastFired.delete(keyOf(schedule.groupName, schedule.name));
        return {};
      },
    },
    {
      method: 'GET',
      path: '/schedules',
      operation: 'ListSchedules',
      run: ({ query }) => {
        const group = query.get('ScheduleGroup');
        if (group) existingGroup(state, group);
        const prefix = query.get('NamePrefix') ?? '';
        const only = query.get('State');
        const schedules = state
          .list(group ?? undefined)
          .filter((s) => s.name.startsWith(prefix) && (only === null || s.state === only))
          .sort((a, b) => keyOf(a.groupName, a.name).localeCompare(keyOf(b.groupName, b.name)));
        const { items, NextToken } = paged(schedules, query);
        return {
          Schedules: items.map((s) => ({ Arn: s.arn, Name: s.name, GroupName: s.groupName, State: s.state, CreationDate: seconds(s.creationDate), LastModificationDate: seconds(s.lastModificationDate), Target: { Arn: s.target.Arn } })),
          ...(NextToken ? { NextToken } : {}),
        };
      },
    },
    {
      method: 'POST',
      path: '/schedule-groups/{Name}',
      operation: 'CreateScheduleGroup',
      run: ({ params, body }) => {
        const problems = new Problems();
        problems.string({ Name: params.Name }, 'Name', 'name', { min: 1, max: 64, pattern: NAME_PATTERN, required: true });
        problems.throwIfAny();
        const tags = tagsOf(body.Tags);
        if (state.groups.has(params.Name!)) throw new EmulatorError(409, 'ConflictException', `Schedule group ${params.Name} already exists.`);
        return { ScheduleGroupArn: createGroup(world, state, params.Name!, tags).arn };
      },
    },
    {
      method: 'GET',
      path: '/schedule-groups/{Name}',
      operation: 'GetScheduleGroup',
      run: ({ params }) => renderGroup(existingGroup(state, params.Name!)),
    },
    {
      method: 'DELETE',
      path: '/schedule-groups/{Name}',
      operation: 'DeleteScheduleGroup',
      run: ({ params }) => {
        if (params.Name === DEFAULT_GROUP) throw new EmulatorError(400, 'ValidationException', 'The default schedule group cannot be deleted.');
        existingGroup(state, params.Name!);
        // Deleting a group deletes its schedules with it.
        for (const schedule of state.list(params.Name)) {
          disarm(runtime, schedule);
          state.schedules.delete(keyOf(schedule.groupName, schedule.name));
          state.lastFired.delete(keyOf(schedule.groupName, schedule.name));
        }
        state.groups.delete(params.Name!);
        return {};
      },
    },
    {
      method: 'GET',
      path: '/schedule-groups',
      operation: 'ListScheduleGroups',
      run: ({ query }) => {
        const prefix = query.get('NamePrefix') ?? '';
        const groups = [...state.groups.values()].filter((g) => g.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
        const { items, NextToken } = paged(groups, query);
        return { ScheduleGroups: items.map(renderGroup), ...(NextToken ? { NextToken } : {}) };
      },
    },
    {
      method: 'GET',
      path: '/tags/{ResourceArn}',
      operation: 'ListTagsForResource',
      run: ({ params }) => ({ Tags: Object.entries(groupByArn(state, params.ResourceArn!).tags).map(([Key, Value]) => ({ Key, Value })) }),
    },
    {
      method: 'POST',
      path: '/tags/{ResourceArn}',
      operation: 'TagResource',
      run: ({ params, body }) => {
        const group = groupByArn(state, params.ResourceArn!);
        Object.assign(group.tags, tagsOf(body.Tags));
        return {};
      },
    },
    {
      method: 'DELETE',
      path: '/tags/{ResourceArn}',
      operation: 'UntagResource',
      run: ({ params, query }) => {
        const group = groupByArn(state, params.ResourceArn!);
        for (const key of query.getAll('TagKeys')) delete group.tags[key];
        return {};
      },
    },
  ];
}

function match(path: string, segments: string[]): Record<string, string> | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    if (parts[i]!.startsWith('{')) params[parts[i]!.slice(1, -1)] = segments[i]!;
    else if (parts[i] !== segments[i]) return undefined;
  }
  return params;
}

export interface SchedulerOptions {
  /** Where failed target invocations are reported (default console.warn). */
  warn?: (message: string) => void;
}

export interface SchedulerService extends ServiceModule {
  /** Cancels every pending firing (the schedules stay in world.scheduler). */
  stop(): void;
  /** Arms every schedule already in world.scheduler (a world restored from a data dir). */
  resume(): void;
}

export function createSchedulerService(world: World, options: SchedulerOptions = {}): SchedulerService {
  const state = world.scheduler;
  if (!state.groups.has(DEFAULT_GROUP)) createGroup(world, state, DEFAULT_GROUP);
  const runtime: Runtime = { world, state, timers: new Map(), warn: options.warn ?? ((message) => console.warn(`[scheduler] ${message}`)) };
  const table = operations(runtime);
  return {
    name: 'scheduler',
    async handle(ctx: RequestContext): Promise<void> {
      const method = (ctx.req.method ?? 'GET').toUpperCase();
      let segments: string[];
      try {
        segments = ctx.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      } catch {
        throw new EmulatorError(400, 'ValidationException', `Malformed path ${ctx.url.pathname}`);
      }
      let found: { route: (typeof table)[number]; params: Record<string, string> } | undefined;
      for (const route of table) {
        const params = route.method === method ? match(route.path, segments) : undefined;
        if (params) {
          found = { route, params };
          break;
        }
      }
      if (!found) throw new EmulatorError(404, 'UnknownOperationException', `The local EventBridge Scheduler does not implement ${method} ${ctx.url.pathname}`);
      world.calls.push(`scheduler:${found.route.operation}`);
      try {
        world.faults.checkCall('scheduler', found.route.operation);
      } catch (error) {
        if (error instanceof EmulatorError && error.code === 'ThrottlingException') throw new EmulatorError(429, 'ThrottlingException', error.message);
        if (error instanceof EmulatorError && error.status >= 500) throw new EmulatorError(500, 'InternalServerException', error.message);
        throw error;
      }
      let body: Body = {};
      if (ctx.body.trim()) {
        try {
          body = asBody(JSON.parse(ctx.body));
        } catch {
          throw new EmulatorError(400, 'ValidationException', 'The request body is not valid JSON.');
        }
      }
      sendJson(ctx.res, 200, found.route.run({ params: found.params, query: ctx.url.searchParams, body }));
    },
    renderError(res: ServerResponse, error: EmulatorError): void {
      const code = error.code === 'InternalFailure' ? 'InternalServerException' : error.code;
      // Scheduler's error shapes carry `Message` (EKS's carry `message`).
      const body = JSON.stringify({ Message: error.message });
      res.writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': code, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    stop(): void {
      for (const timer of runtime.timers.values()) clearTimeout(timer);
      runtime.timers.clear();
    },
    resume(): void {
      for (const schedule of state.schedules.values()) arm(runtime, schedule);
    },
  };
}
