/**
 * Putting an event on a bus and handing it to the targets of the rules it matches: a Lambda
 * function is invoked asynchronously (as EventBridge does), a Step Functions state machine gets
 * an execution, with the full envelope or what the target's Input/InputPath/InputTransformer
 * makes of it. A delivery that cannot be made is recorded as failed, never failing PutEvents.
 */
import { randomUUID } from 'node:crypto';
import { FunctionNotFoundError } from '../../functions';
import { EmulatorError } from '../../protocol';
import type { BusEvent, World } from '../../world';
import { matchesEventPattern } from './patterns';
import { busName, stateOf, type Delivery, type EventBridgeState, type EventEnvelope, type EventRule, type RuleTarget } from './state';

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
