/**
 * The EventBridge operations over awsJson1.1 (`X-Amz-Target: AWSEvents.X`): PutEvents, the
 * buses, the rules and their targets, and TestEventPattern, answered in EventBridge's shapes.
 */
import { EmulatorError } from '../../protocol';
import type { AwsJsonOperation, JsonInput } from '../../json';
import type { World } from '../../world';
import { publishEvent } from './delivery';
import { eventPatternError, isObject, matchesEventPattern } from './patterns';
import { DEFAULT_BUS, busName, type EventBridgeState, type EventBus, type EventRule, type RuleTarget } from './state';

/** What every operation runs against. */
export interface EventBridgeContext {
  world: World;
  state: EventBridgeState;
}

type Input = JsonInput;

const epochSeconds = (date: Date): number => date.getTime() / 1000;

function required(input: Input, field: string, member = field.charAt(0).toLowerCase() + field.slice(1)): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function existingBus(state: EventBridgeState, value: unknown): EventBus {
  const name = busName(value);
  const bus = state.buses.get(name);
  if (!bus) throw new EmulatorError(400, 'ResourceNotFoundException', `Event bus ${name} does not exist.`);
  return bus;
}

function existingRule(state: EventBridgeState, input: Input, field = 'Name'): EventRule {
  const bus = existingBus(state, input.EventBusName);
  const name = required(input, field);
  const rule = state.rules.get(`${bus.name}/${name}`);
  if (!rule) throw new EmulatorError(400, 'ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus.name}.`);
  return rule;
}

function paged<T>(items: T[], input: Input): { items: T[]; nextToken?: string } {
  const start = input.NextToken ? Number(Buffer.from(String(input.NextToken), 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw new EmulatorError(400, 'ValidationException', 'The NextToken provided is invalid.');
  const limit = typeof input.Limit === 'number' ? input.Limit : 100;
  const end = start + limit;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}) };
}

function busJson(bus: EventBus): Record<string, unknown> {
  return { Name: bus.name, Arn: bus.arn, ...(bus.description ? { Description: bus.description } : {}), CreationTime: epochSeconds(bus.creationTime), LastModifiedTime: epochSeconds(bus.lastModifiedTime) };
}

function ruleJson(rule: EventRule): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.eventPattern ? { EventPattern: rule.eventPattern } : {}),
    ...(rule.scheduleExpression ? { ScheduleExpression: rule.scheduleExpression } : {}),
    State: rule.state,
    ...(rule.description ? { Description: rule.description } : {}),
    ...(rule.roleArn ? { RoleArn: rule.roleArn } : {}),
    EventBusName: rule.bus,
  };
}

const MAX_ENTRIES = 10;
const MAX_TARGETS_PER_RULE = 5;

export const OPERATIONS: Record<string, AwsJsonOperation<EventBridgeContext>> = {
  PutEvents({ world, state }, input) {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0) throw new EmulatorError(400, 'ValidationException', "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null");
    if (entries.length > MAX_ENTRIES) throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`);
    if (Buffer.byteLength(JSON.stringify(entries)) > 256 * 1024) throw new EmulatorError(400, 'ValidationException', 'Total size of the entries in the request is over the limit.');
    const results = (entries as Input[]).map((entry) => {
      for (const field of ['Source', 'DetailType', 'Detail']) {
        if (typeof entry[field] !== 'string' || entry[field] === '') {
          return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
        }
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail as string);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (!isObject(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      const bus = busName(entry.EventBusName);
      if (!state.buses.has(bus)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
      const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : typeof entry.Time === 'string' ? new Date(entry.Time) : undefined;
      const resources = Array.isArray(entry.Resources) ? entry.Resources.map(String) : [];
      const event = publishEvent(world, { bus, source: entry.Source as string, detailType: entry.DetailType as string, detail, resources, time: time && !Number.isNaN(time.getTime()) ? time : undefined });
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  },

  CreateEventBus({ state }, input) {
    const name = required(input, 'Name');
    if (!/^[/.\-_A-Za-z0-9]{1,256}$/.test(name) || name === DEFAULT_BUS) {
      throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+`);
    }
    if (state.buses.has(name)) throw new EmulatorError(400, 'ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    const bus = state.createBus(name, typeof input.Description === 'string' ? input.Description : undefined);
    return { EventBusArn: bus.arn, ...(bus.description ? { Description: bus.description } : {}) };
  },

  DescribeEventBus({ state }, input) {
    return busJson(existingBus(state, input.Name));
  },

  ListEventBuses({ state }, input) {
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const { items, nextToken } = paged(
      [...state.buses.values()].filter((b) => b.name.startsWith(prefix)),
      input,
    );
    return { EventBuses: items.map(busJson), ...(nextToken ? { NextToken: nextToken } : {}) };
  },

  DeleteEventBus({ state }, input) {
    const name = required(input, 'Name');
    if (name === DEFAULT_BUS) throw new EmulatorError(400, 'ValidationException', 'Cannot delete event bus default.');
    state.buses.delete(name);
    for (const [key, rule] of state.rules) if (rule.bus === name) state.rules.delete(key);
    return {};
  },

  PutRule({ state }, input) {
    const name = required(input, 'Name');
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
    const bus = existingBus(state, input.EventBusName);
    const eventPattern = typeof input.EventPattern === 'string' ? input.EventPattern : undefined;
    const scheduleExpression = typeof input.ScheduleExpression === 'string' ? input.ScheduleExpression : undefined;
    if (!eventPattern && !scheduleExpression) throw new EmulatorError(400, 'ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
    if (scheduleExpression && bus.name !== DEFAULT_BUS) throw new EmulatorError(400, 'ValidationException', 'ScheduleExpression is supported only on the default event bus.');
    if (eventPattern) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(eventPattern);
      } catch (error) {
        throw new EmulatorError(400, 'InvalidEventPatternException', `Event pattern is not valid. Reason: ${(error as Error).message}`);
      }
      const reason = eventPatternError(parsed);
      if (reason) throw new EmulatorError(400, 'InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);
    }
    const stateValue = (input.State as EventRule['state'] | undefined) ?? 'ENABLED';
    if (!['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(stateValue)) {
      throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value '${stateValue}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]`);
    }
    const key = `${bus.name}/${name}`;
    const rule: EventRule = {
      name,
      bus: bus.name,
      arn: state.ruleArn(bus.name, name),
      eventPattern,
      scheduleExpression,
      state: stateValue,
      description: typeof input.Description === 'string' ? input.Description : undefined,
      roleArn: typeof input.RoleArn === 'string' ? input.RoleArn : undefined,
      targets: state.rules.get(key)?.targets ?? new Map(),
    };
    state.rules.set(key, rule);
    return { RuleArn: rule.arn };
  },

  DescribeRule({ world, state }, input) {
    return { ...ruleJson(existingRule(state, input)), CreatedBy: world.account };
  },

  ListRules({ state }, input) {
    const bus = existingBus(state, input.EventBusName);
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const rules = [...state.rules.values()].filter((r) => r.bus === bus.name && r.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
    const { items, nextToken } = paged(rules, input);
    return { Rules: items.map(ruleJson), ...(nextToken ? { NextToken: nextToken } : {}) };
  },

  EnableRule({ state }, input) {
    existingRule(state, input).state = 'ENABLED';
    return {};
  },

  DisableRule({ state }, input) {
    existingRule(state, input).state = 'DISABLED';
    return {};
  },

  DeleteRule({ state }, input) {
    const bus = existingBus(state, input.EventBusName);
    const name = required(input, 'Name');
    const rule = state.rules.get(`${bus.name}/${name}`);
    if (rule && rule.targets.size > 0) throw new EmulatorError(400, 'ValidationException', "Rule can't be deleted since it has targets.");
    state.rules.delete(`${bus.name}/${name}`);
    return {};
  },

  PutTargets({ state }, input) {
    const rule = existingRule(state, input, 'Rule');
    const targets = input.Targets;
    if (!Array.isArray(targets) || targets.length === 0) throw new EmulatorError(400, 'ValidationException', "1 validation error detected: Value null at 'targets' failed to satisfy constraint: Member must not be null");
    const failed: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
    for (const target of targets as RuleTarget[]) {
      if (typeof target?.Id !== 'string' || !target.Id || typeof target.Arn !== 'string' || !target.Arn) {
        throw new EmulatorError(400, 'ValidationException', 'Targets must each have an Id and an Arn.');
      }
      if (target.Input !== undefined) {
        try {
          JSON.parse(target.Input);
        } catch {
          throw new EmulatorError(400, 'ValidationException', `Target ${target.Id}: Input is not valid JSON.`);
        }
      }
      if (!rule.targets.has(target.Id) && rule.targets.size >= MAX_TARGETS_PER_RULE) {
        throw new EmulatorError(400, 'LimitExceededException', `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`);
      }
      rule.targets.set(target.Id, { ...target });
    }
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  },

  ListTargetsByRule({ state }, input) {
    const rule = existingRule(state, input, 'Rule');
    const { items, nextToken } = paged([...rule.targets.values()], input);
    return { Targets: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  },

  RemoveTargets({ state }, input) {
    const rule = existingRule(state, input, 'Rule');
    const ids = Array.isArray(input.Ids) ? input.Ids.map(String) : [];
    for (const id of ids) rule.targets.delete(id);
    return { FailedEntryCount: 0, FailedEntries: [] };
  },

  TestEventPattern(_context, input) {
    const pattern = required(input, 'EventPattern');
    const event = required(input, 'Event');
    let parsedPattern: unknown;
    let parsedEvent: unknown;
    try {
      parsedPattern = JSON.parse(pattern);
    } catch (error) {
      throw new EmulatorError(400, 'InvalidEventPatternException', `Event pattern is not valid. Reason: ${(error as Error).message}`);
    }
    const reason = eventPatternError(parsedPattern);
    if (reason) throw new EmulatorError(400, 'InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);
    try {
      parsedEvent = JSON.parse(event);
    } catch {
      throw new EmulatorError(400, 'ValidationException', 'Parameter Event is not valid.');
    }
    return { Result: matchesEventPattern(parsedPattern, parsedEvent) };
  },
};

export const EVENTBRIDGE_OPERATIONS = Object.keys(OPERATIONS);
