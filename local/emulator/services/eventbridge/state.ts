/**
 * EventBridge's part of the World (world.eventBridge): the buses, the rules with their targets,
 * and every delivery of a matched event to a target. Plain data (persistence.ts saves it) but
 * `pending`, which is in-flight work.
 */
import type { World } from '../../world';

export const DEFAULT_BUS = 'default';

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

/** world.eventBridge, made with the default bus on first use. */
export function stateOf(world: World): EventBridgeState {
  return (world.eventBridge ??= new EventBridgeState(world));
}

/** `name` or `arn:aws:events:region:account:event-bus/name` → name. */
export function busName(value: unknown): string {
  if (value === undefined || value === null || value === '') return DEFAULT_BUS;
  const text = String(value);
  const match = /^arn:aws[\w-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(text);
  return match ? match[1]! : text;
}
