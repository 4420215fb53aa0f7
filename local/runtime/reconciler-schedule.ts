/**
 * The reconciler's schedule in local mode: what the CDK stack's EventBridge schedule rule does in
 * AWS, on the emulated clock (every RECONCILE_INTERVAL_MINUTES of emulated time).
 */
import { randomUUID } from 'node:crypto';
import { RECONCILE_INTERVAL_MINUTES } from '../../functions/domain/execution-status';
import type { World } from '../emulator/world';

/**
 * Runs the reconciler every RECONCILE_INTERVAL_MINUTES of emulated time with the event an
 * EventBridge schedule rule sends, one run at a time. Returns what stops it.
 */
export function scheduleReconciler(world: World, functionArn: string, ruleName: string): () => Promise<void> {
  const ruleArn = world.arn('events', `rule/${ruleName}`);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const next = () => {
    if (stopped) return;
    timer = setTimeout(run, world.clock.realMs(RECONCILE_INTERVAL_MINUTES * 60));
    timer.unref?.();
  };
  const run = () => {
    const event = { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: world.account, time: world.clock.now().toISOString(), region: world.region, resources: [ruleArn], detail: {} };
    // A failed run is recorded with the function's invocations; the next one tries again.
    running = world.functions.invoke(functionArn, event, { source: 'events', trigger: ruleArn }).catch(() => undefined).finally(next);
  };
  next();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
