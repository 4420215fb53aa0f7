/**
 * Follows an operation to its end by polling GET /operations/{id}. Each snapshot goes to
 * `onSnapshot` (a renderer, a Backstage log); aborting the signal stops following, never the
 * operation itself.
 */
import type { ApiClient } from './api-client';
import { isTerminal, type Operation } from './types';

export interface FollowOptions {
  intervalMs?: number;
  signal?: AbortSignal;
  onSnapshot?: (operation: Operation) => void;
}

export type FollowResult = { ended: true; operation: Operation } | { ended: false; operation: Operation | undefined };

export async function followOperation(client: Pick<ApiClient, 'getOperation'>, id: string, options: FollowOptions = {}): Promise<FollowResult> {
  const interval = options.intervalMs ?? 2000;
  let latest: Operation | undefined;
  while (!options.signal?.aborted) {
    latest = await client.getOperation(id);
    options.onSnapshot?.(latest);
    if (isTerminal(latest.status)) return { ended: true, operation: latest };
    await pause(interval, options.signal);
  }
  return { ended: false, operation: latest };
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
