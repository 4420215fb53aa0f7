/**
 * The reconciler's schedule in local mode: what the CDK stack's EventBridge schedule rule does in
 * AWS, on the emulated clock (every RECONCILE_INTERVAL_MINUTES of emulated time).
 */
import { RECONCILE_INTERVAL_MINUTES } from '../../functions/domain/execution-status';
import type { World } from '../emulator/world';
import { scheduleRate } from './rate-schedule';

/** Runs the reconciler every RECONCILE_INTERVAL_MINUTES of emulated time, one run at a time. Returns what stops it. */
export function scheduleReconciler(world: World, functionArn: string, ruleName: string): () => Promise<void> {
  return scheduleRate(world, functionArn, ruleName, RECONCILE_INTERVAL_MINUTES * 60);
}
