/**
 * Near a resource's expected finish, a check step keeps looking within its own invocation —
 * every WATCH.intervalMs, up to WATCH.looks times — before it hands back to the ASL's Retry.
 * A poll that ends at a fixed interval is on average half an interval late; the stack and the
 * slowest nodegroup are the critical path, so each second there is a second of every
 * provisioning. Looking every 2 s inside one invocation and retrying 2 s after it makes a check
 * ~1-2 s late instead of ~7 s (15 s Retry intervals), for fewer state transitions (one per ~20 s
 * instead of one per 15 s) and more Describe calls and Lambda seconds, which cost far less: a
 * Describe call is free, 18 s of a 256 MB function about $0.00008 (docs/BENCHMARKS.md).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../shared/deps';

/** Ten looks 2 s apart: 18 s of a check's 30 s timeout. Counted, not timed, so a clock that stands still cannot keep it looking. */
export const WATCH = { intervalMs: 2_000, looks: 10 } as const;

/** Looks until `pending(seen)` is false or WATCH.looks looks are done; returns the last look. */
export async function watchWithin<T>(deps: Pick<Deps, 'wait'>, look: () => Promise<T>, pending: (seen: T) => boolean): Promise<T> {
  let seen = await look();
  for (let looks = 1; pending(seen) && looks < WATCH.looks; looks++) {
    await (deps.wait ?? sleep)(WATCH.intervalMs);
    seen = await look();
  }
  return seen;
}
