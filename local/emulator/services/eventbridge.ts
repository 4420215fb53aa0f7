/**
 * EventBridge (awsJson1.1, `X-Amz-Target: AWSEvents.X`): PutEvents onto named buses, the buses
 * themselves, and rules with targets so a matched event can start a local Step Functions
 * execution or invoke a function registered in world.functions, as EventBridge rule → state
 * machine and rule → Lambda targets do in AWS. A Lambda target is invoked asynchronously (as
 * EventBridge does) with the full event envelope, or the target's Input/InputPath/InputTransformer
 * result; its failure is recorded in world.functions.invocations and never fails PutEvents.
 *
 * Every accepted event is appended to world.busEvents in order (GET /_local/events). Other
 * emulated services that publish on a bus themselves (CloudFormation's "CloudFormation Stack
 * Status Change" on the default bus) call `publishEvent(world, ...)`, which records the event and
 * runs the same rules.
 *
 * Differences from AWS, on purpose: a PutEvents entry for a bus that does not exist fails with
 * ErrorCode ResourceNotFoundException (AWS has historically accepted such events and dropped
 * them silently, a misconfiguration a laptop should surface). Only Step Functions and Lambda
 * targets are delivered; other target ARNs, and functions no one registered, are accepted and
 * their deliveries recorded as failed.
 * ScheduleExpression rules are stored but never fire.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FunctionNotFoundError } from '../functions';
import { EmulatorError, sendAwsJsonError, sendJson } from '../protocol';
import type { RequestContext, ServiceModule } from '../server';
import type { BusEvent, World } from '../world';

const NAMESPACE = 'com.amazonaws.events';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
export const DEFAULT_BUS = 'default';

// ── Event patterns ──────────────────────────────────────────────────────────────────────────

type Json = unknown;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const LEAF_OPERATORS = ['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'equals-ignore-case', 'wildcard', 'cidr'];

/** Why an event pattern is not valid, or undefined when it is. */
export function eventPatternError(pattern: unknown, path = ''): string | undefined {
  if (!isObject(pattern)) return path ? `${path} must be an object or an array` : 'Filter is not an object';
  for (const [key, value] of Object.entries(pattern)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) return `${here} must be an array of at least 2 patterns`;
      for (const sub of value) {
        const error = eventPatternError(sub, here);
        if (error) return error;
      }
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) return `Empty arrays are not allowed (${here})`;
      for (const matcher of value) {
        if (!isObject(matcher)) {
          if (Array.isArray(matcher)) return `Match value must be String, number, true, false, or null (${here})`;
          continue;
        }
        const keys = Object.keys(matcher);
        if (keys.length !== 1 || !LEAF_OPERATORS.includes(keys[0]!)) return `Unrecognized match type ${keys.join(',')} (${here})`;
        const operand = matcher[keys[0]!];
        if (keys[0] === 'numeric' && (!Array.isArray(operand) || operand.length % 2 !== 0 || operand.length === 0)) return `Value of numeric must be an array of operator/number pairs (${here})`;
        if (keys[0] === 'exists' && typeof operand !== 'boolean') return `exists match pattern must be either true or false (${here})`;
      }
      continue;
    }
    if (isObject(value)) {
      const error = eventPatternError(value, here);
      if (error) return error;
      continue;
    }
    return `"${here}" must be an object or an array`;
  }
  return undefined;
}

function wildcardMatches(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's').test(value);
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function stringOperand(operand: unknown, value: string, test: (operand: string, value: string) => boolean): boolean {
  // `{"prefix": {"equals-ignore-case": "x"}}` is the case-insensitive form.
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') return test(operand['equals-ignore-case'].toLowerCase(), value.toLowerCase());
  return typeof operand === 'string' && test(operand, value);
}

function leafMatches(matcher: unknown, value: Json): boolean {
  if (!isObject(matcher)) {
    if (typeof matcher === 'number' && typeof value === 'number') return matcher === value;
    return matcher === value;
  }
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'exists':
      return operand === true; // present here; absence is handled by the caller
    case 'prefix':
      return typeof value === 'string' && stringOperand(operand, value, (o, v) => v.startsWith(o));
    case 'suffix':
      return typeof value === 'string' && stringOperand(operand, value, (o, v) => v.endsWith(o));
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && operand.toLowerCase() === value.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && typeof operand === 'string' && wildcardMatches(operand, value);
    case 'anything-but': {
      if (Array.isArray(operand)) return !operand.some((o) => leafMatches(o, value));
      if (isObject(operand)) return !leafMatches(operand, value);
      return !leafMatches(operand, value);
    }
    case 'numeric': {
      if (typeof value !== 'number' || !Array.isArray(operand)) return false;
      for (let i = 0; i < operand.length; i += 2) {
        const bound = Number(operand[i + 1]);
        const ok = { '<': value < bound, '<=': value <= bound, '=': value === bound, '>': value > bound, '>=': value >= bound }[String(operand[i])];
        if (!ok) return false;
      }
      return true;
    }
    case 'cidr': {
      if (typeof value !== 'string' || typeof operand !== 'string') return false;
      const [base, bits] = operand.split('/');
      const ip = ipv4ToNumber(value);
      const network = ipv4ToNumber(base ?? '');
      if (ip === undefined || network === undefined) return false;
      const size = 2 ** (32 - Number(bits ?? 32));
      return Math.floor(ip / size) === Math.floor(network / size);
    }
    default:
      return false;
  }
}

function fieldMatches(matchers: unknown[], value: Json): boolean {
  if (value === undefined) return matchers.some((m) => isObject(m) && m.exists === false);
  if (matchers.some((m) => isObject(m) && m.exists === false)) return false;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return false;
  return matchers.some((m) => values.some((v) => leafMatches(m, v)));
}

/**
 * EventBridge content filtering: every field named in the pattern must match (AND), any value
 * listed for a field may (OR); arrays in the event match when any element does. Supports literal
 * values, prefix, suffix, anything-but, numeric, exists, equals-ignore-case, wildcard, cidr and $or.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) return false;
  const subject = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return Array.isArray(expected) && expected.some((alternative) => matchesEventPattern(alternative, subject));
    const value = subject[key];
    if (Array.isArray(expected)) return fieldMatches(expected, value);
    if (isObject(expected)) return matchesEventPattern(expected, isObject(value) ? value : {});
    return false;
  });
}

// ── State ───────────────────────────────────────────────────────────────────────────────────

export interface EventBus {
  name: string;
  arn: string;
  description?: string;
  creationTime: Date;
  lastModifiedTime: Date;
}

export interface RuleTarget {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  [field: string]: unknown;
}

export interface EventRule {
  name: string;
  bus: string;
  arn: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  description?: string;
  roleArn?: string;
  targets: Map<string, RuleTarget>;
}

/** One attempt to hand a matched event to a rule's target. */
export interface Delivery {
  rule: string;
  bus: string;
  eventId: string;
  targetId: string;
  targetArn: string;
  executionArn?: string;
  /** The Lambda request id, for a function target (its outcome: world.functions.invocations). */
  requestId?: string;
  error?: string;
}

/** The full event as a target receives it. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** EventBridge's part of the World (world.eventBridge): plain data but `pending`, which is in-flight work. */
export class EventBridgeState {
  readonly buses = new Map<string, EventBus>();
  readonly rules = new Map<string, EventRule>(); // key: bus/name
  readonly deliveries: Delivery[] = [];
  readonly pending = new Set<Promise<void>>();

  constructor(private readonly world: World) {
    this.createBus(DEFAULT_BUS);
  }

  createBus(name: string, description?: string): EventBus {
    const now = this.world.clock.now();
    const bus: EventBus = { name, arn: this.world.arn('events', `event-bus/${name}`), description, creationTime: now, lastModifiedTime: now };
    this.buses.set(name, bus);
    return bus;
  }

  ruleArn(bus: string, name: string): string {
    return this.world.arn('events', bus === DEFAULT_BUS ? `rule/${name}` : `rule/${bus}/${name}`);
  }
}

function stateOf(world: World): EventBridgeState {
  return (world.eventBridge ??= new EventBridgeState(world));
}

/** `name` or `arn:aws:events:region:account:event-bus/name` → name. */
function busName(value: unknown): string {
  if (value === undefined || value === null || value === '') return DEFAULT_BUS;
  const text = String(value);
  const match = /^arn:aws[\w-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(text);
  return match ? match[1]! : text;
}

/** A JSONPath of the simple kind EventBridge accepts for InputPath: `$`, `$.detail.x`, `$.resources[0]`. */
function readPath(value: unknown, path: string): unknown {
  if (path === '$') return value;
  const parts = path.replace(/^\$\.?/, '').match(/[^.[\]]+/g) ?? [];
  let current: unknown = value;
  for (const part of parts) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function targetInput(target: RuleTarget, envelope: EventEnvelope): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath) return JSON.stringify(readPath(envelope, target.InputPath) ?? null);
  if (target.InputTransformer) {
    const values = Object.fromEntries(Object.entries(target.InputTransformer.InputPathsMap ?? {}).map(([name, path]) => [name, readPath(envelope, path)]));
    return target.InputTransformer.InputTemplate.replace(/<([\w.-]+)>/g, (whole, name: string) => {
      if (name === 'aws.events.event.json') return JSON.stringify(envelope);
      if (!(name in values)) return whole;
      const value = values[name];
      return typeof value === 'string' ? value : JSON.stringify(value ?? null);
    });
  }
  return JSON.stringify(envelope);
}

const LAMBDA_TARGET = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:/;

/** An asynchronous invoke, as EventBridge makes: queued now, run after PutEvents answers. */
function deliverToFunction(world: World, rule: EventRule, target: RuleTarget, envelope: EventEnvelope, delivery: Delivery): void {
  const input = targetInput(target, envelope);
  let event: unknown;
  try {
    event = JSON.parse(input);
  } catch {
    event = input; // an InputTransformer may render plain text
  }
  try {
    delivery.requestId = world.functions.invokeAsync(target.Arn, event, { source: 'events', trigger: rule.arn }).requestId;
  } catch (error) {
    if (!(error instanceof FunctionNotFoundError)) throw error;
    delivery.error = `ResourceNotFoundException: ${error.message}`;
    world.functions.warn(`rule ${rule.name} on bus ${rule.bus}: target ${target.Id} was not delivered: ${delivery.error} (register it with world.functions.register)`);
  }
}

function deliver(world: World, state: EventBridgeState, rule: EventRule, envelope: EventEnvelope): void {
  for (const target of rule.targets.values()) {
    const delivery: Delivery = { rule: rule.name, bus: rule.bus, eventId: envelope.id, targetId: target.Id, targetArn: target.Arn };
    state.deliveries.push(delivery);
    if (LAMBDA_TARGET.test(target.Arn)) {
      deliverToFunction(world, rule, target, envelope, delivery);
      continue;
    }
    if (!/^arn:aws[\w-]*:states:[^:]*:[^:]*:stateMachine:/.test(target.Arn)) {
      delivery.error = 'the local EventBridge delivers only to Step Functions state machine and Lambda function targets';
      continue;
    }
    if (!world.executions) {
      delivery.error = 'no Step Functions runtime is attached to the local emulator (world.executions)';
      continue;
    }
    const promise = world.executions
      .start(target.Arn, randomUUID(), targetInput(target, envelope))
      .then(({ executionArn }) => {
        delivery.executionArn = executionArn;
      })
      .catch((error: unknown) => {
        delivery.error = (error as Error).message ?? String(error);
      })
      .finally(() => state.pending.delete(promise));
    state.pending.add(promise);
  }
}

export interface PublishInput {
  bus?: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources?: string[];
  time?: Date;
}

/**
 * Puts one event on a bus: records it in world.busEvents and runs the bus's rules. For emulated
 * services that emit events themselves (CloudFormation stack status changes on the default bus).
 * Throws when the bus does not exist.
 */
export function publishEvent(world: World, input: PublishInput): BusEvent {
  const state = stateOf(world);
  const bus = busName(input.bus);
  if (!state.buses.has(bus)) throw new EmulatorError(400, 'ResourceNotFoundException', `Event bus ${bus} does not exist.`);
  const id = randomUUID();
  // EventBridge event times have second precision.
  const time = (input.time ?? world.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const event: BusEvent = { bus, source: input.source, detailType: input.detailType, detail: input.detail, time, id };
  world.busEvents.push(event);
  const envelope: EventEnvelope = { version: '0', id, 'detail-type': input.detailType, source: input.source, account: world.account, time, region: world.region, resources: input.resources ?? [], detail: input.detail };
  for (const rule of state.rules.values()) {
    if (rule.bus !== bus || rule.state === 'DISABLED' || !rule.eventPattern) continue;
    if (matchesEventPattern(JSON.parse(rule.eventPattern), envelope)) deliver(world, state, rule, envelope);
  }
  return event;
}

// ── Operations ──────────────────────────────────────────────────────────────────────────────

type Input = Record<string, unknown>;
type Operation = (world: World, state: EventBridgeState, input: Input) => unknown;

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

const OPERATIONS: Record<string, Operation> = {
  PutEvents(world, state, input) {
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

  CreateEventBus(world, state, input) {
    const name = required(input, 'Name');
    if (!/^[/.\-_A-Za-z0-9]{1,256}$/.test(name) || name === DEFAULT_BUS) {
      throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+`);
    }
    if (state.buses.has(name)) throw new EmulatorError(400, 'ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    const bus = state.createBus(name, typeof input.Description === 'string' ? input.Description : undefined);
    return { EventBusArn: bus.arn, ...(bus.description ? { Description: bus.description } : {}) };
  },

  DescribeEventBus(_world, state, input) {
    return busJson(existingBus(state, input.Name));
  },

  ListEventBuses(_world, state, input) {
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const { items, nextToken } = paged(
      [...state.buses.values()].filter((b) => b.name.startsWith(prefix)),
      input,
    );
    return { EventBuses: items.map(busJson), ...(nextToken ? { NextToken: nextToken } : {}) };
  },

  DeleteEventBus(_world, state, input) {
    const name = required(input, 'Name');
    if (name === DEFAULT_BUS) throw new EmulatorError(400, 'ValidationException', 'Cannot delete event bus default.');
    state.buses.delete(name);
    for (const [key, rule] of state.rules) if (rule.bus === name) state.rules.delete(key);
    return {};
  },

  PutRule(_world, state, input) {
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

  DescribeRule(world, state, input) {
    return { ...ruleJson(existingRule(state, input)), CreatedBy: world.account };
  },

  ListRules(_world, state, input) {
    const bus = existingBus(state, input.EventBusName);
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const rules = [...state.rules.values()].filter((r) => r.bus === bus.name && r.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
    const { items, nextToken } = paged(rules, input);
    return { Rules: items.map(ruleJson), ...(nextToken ? { NextToken: nextToken } : {}) };
  },

  EnableRule(_world, state, input) {
    existingRule(state, input).state = 'ENABLED';
    return {};
  },

  DisableRule(_world, state, input) {
    existingRule(state, input).state = 'DISABLED';
    return {};
  },

  DeleteRule(_world, state, input) {
    const bus = existingBus(state, input.EventBusName);
    const name = required(input, 'Name');
    const rule = state.rules.get(`${bus.name}/${name}`);
    if (rule && rule.targets.size > 0) throw new EmulatorError(400, 'ValidationException', "Rule can't be deleted since it has targets.");
    state.rules.delete(`${bus.name}/${name}`);
    return {};
  },

  PutTargets(_world, state, input) {
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

  ListTargetsByRule(_world, state, input) {
    const rule = existingRule(state, input, 'Rule');
    const { items, nextToken } = paged([...rule.targets.values()], input);
    return { Targets: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  },

  RemoveTargets(_world, state, input) {
    const rule = existingRule(state, input, 'Rule');
    const ids = Array.isArray(input.Ids) ? input.Ids.map(String) : [];
    for (const id of ids) rule.targets.delete(id);
    return { FailedEntryCount: 0, FailedEntries: [] };
  },

  TestEventPattern(_world, _state, input) {
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

export interface EventBridgeOptions {
  /** Custom buses that exist from the start (the service's own bus, `eks-provisioner`), besides `default`. */
  buses?: string[];
}

export interface EventBridgeService extends ServiceModule {
  /** Every attempt to hand a matched event to a target, in order. */
  deliveries(): Delivery[];
  /** Resolves when every delivery started so far has been answered and every function it invoked has returned. */
  idle(): Promise<void>;
}

export function createEventBridgeService(world: World, options: EventBridgeOptions = {}): EventBridgeService {
  const state = stateOf(world);
  for (const name of options.buses ?? []) if (!state.buses.has(name)) state.createBus(name);
  return {
    name: 'events',
    async handle(ctx: RequestContext): Promise<void> {
      const target = String(ctx.req.headers['x-amz-target'] ?? '');
      const operationName = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : '';
      world.calls.push(`events:${operationName || 'Unknown'}`);
      world.faults.checkCall('events', operationName);
      const operation = Object.hasOwn(OPERATIONS, operationName) ? OPERATIONS[operationName] : undefined;
      if (!operation) throw new EmulatorError(400, 'UnknownOperationException', `The local EventBridge does not implement ${target || 'this operation (no X-Amz-Target)'}`);
      let input: Input;
      try {
        input = ctx.body ? (JSON.parse(ctx.body) as Input) : {};
      } catch {
        throw new EmulatorError(400, 'SerializationException', 'Start of structure or map found where not expected.');
      }
      if (!isObject(input)) throw new EmulatorError(400, 'SerializationException', 'Start of structure or map found where not expected.');
      sendJson(ctx.res, 200, operation(world, state, input), CONTENT_TYPE);
    },
    renderError(res: ServerResponse, error: EmulatorError): void {
      sendAwsJsonError(res, error.status, error.code, error.message, NAMESPACE);
    },
    deliveries: () => [...state.deliveries],
    idle: async () => {
      while (state.pending.size) await Promise.all([...state.pending]);
      await world.functions.idle();
    },
  };
}
