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
 *
 * state.ts holds the buses, rules and deliveries (world.eventBridge), patterns.ts the event
 * pattern language, delivery.ts publishing and target delivery, api.ts the operations; the
 * awsJson dispatch is the shared ../../json one.
 */
import { createAwsJsonService } from '../../json';
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { OPERATIONS, type EventBridgeContext } from './api';
import { stateOf, type Delivery } from './state';

export { EVENTBRIDGE_OPERATIONS } from './api';
export { publishEvent, type PublishInput } from './delivery';
export { eventPatternError, matchesEventPattern } from './patterns';
export { DEFAULT_BUS, EventBridgeState, type Delivery, type EventBus, type EventEnvelope, type EventRule, type RuleTarget } from './state';

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
  const service = createAwsJsonService<EventBridgeContext>(world, {
    name: 'events',
    protocol: 'awsJson1.1',
    targetPrefix: 'AWSEvents.',
    namespace: 'com.amazonaws.events',
    title: 'EventBridge',
    operations: OPERATIONS,
    malformedBodyMessage: 'Start of structure or map found where not expected.',
    context: () => ({ world, state }),
  });
  return {
    ...service,
    deliveries: () => [...state.deliveries],
    idle: async () => {
      while (state.pending.size) await Promise.all([...state.pending]);
      await world.functions.idle();
    },
  };
}
