/**
 * The checks CreateSchedule and UpdateSchedule make, as the Scheduler model states them and in
 * its order: every field's shape first (reported together, "N validation errors detected"),
 * then the rules between fields (time zone, window, dates, target input).
 */
import { EmulatorError } from '../../protocol';
import type { Schedule, World } from '../../world';
import { isTimeZone, parseScheduleExpression } from './expressions';
import { DEFAULT_GROUP } from './state';

export type Body = Record<string, unknown>;

export const NAME_PATTERN = /^[0-9a-zA-Z-_.]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const KMS_KEY_ARN_PATTERN = /^arn:aws(-[a-z]+)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[0-9a-zA-Z-_]*$/;
const CLIENT_TOKEN_PATTERN = /^[a-zA-Z0-9-_]+$/;
const DEFAULT_RETRY_POLICY = { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 };

/** The targets the local Scheduler invokes (and whose Input must be JSON). */
export const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/;
export const EVENT_BUS_ARN = /^arn:aws[\w-]*:events:[^:]+:\d{12}:event-bus\/(.+)$/;
export const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[^:]+:\d{12}:stateMachine:.+$/;

/** Collects AWS-style constraint messages: "N validation errors detected: Value ... at 'x' ...". */
export class Problems {
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

export const asBody = (value: unknown): Body => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {});

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

export interface ScheduleRequest {
  name: string;
  groupName: string;
  clientToken?: string;
  fields: Omit<Schedule, 'name' | 'groupName' | 'arn' | 'creationDate' | 'lastModificationDate' | 'clientToken' | 'nextInvocation'>;
}

/** CreateSchedule and UpdateSchedule take the same input: every field, checked as AWS does. */
export function validScheduleRequest(world: World, name: string, body: Body): ScheduleRequest {
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
