/**
 * An EventBridge rate schedule rule in local mode: what the CDK stack's schedule rules do in AWS,
 * on the emulated clock. The reconciler (reconciler-schedule.ts) and the daily version support
 * check run on it.
 */
import { randomUUID } from 'node:crypto';
import type { World } from '../emulator/world';

/**
 * Invokes the function every `everySeconds` of emulated time with the event an EventBridge
 * schedule rule sends, one run at a time, the first one period after the start (as a new rate
 * rule does). Returns what stops it.
 */
export function scheduleRate(world: World, functionArn: string, ruleName: string, everySeconds: number): () => Promise<void> {
  const ruleArn = world.arn('events', `rule/${ruleName}`);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const next = () => {
    if (stopped) return;
    timer = setTimeout(run, world.clock.realMs(everySeconds));
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
