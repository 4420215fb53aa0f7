/**
 * When and how long the client waits before sending a request again: on 429 (API Gateway's
 * throttling), 503 (the service could not finish; it says a retry with the same Idempotency-Key is
 * safe) and a request that never got an answer (refused, reset). Capped exponential backoff with
 * jitter, so many clients throttled at once do not come back at once; a Retry-After the server
 * gives is honoured (up to the cap). A bounded number of attempts, then the last error stands.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included; 1 never retries. */
  attempts: number;
  /** The first retry's backoff before jitter; each next one doubles it. */
  baseDelayMs: number;
  /** No wait is longer, Retry-After's included. */
  maxDelayMs: number;
  /** [0, 1): the jitter's source (Math.random). */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 20_000 };

/** What the client tells its caller before each retry (the CLI says it on stderr). */
export interface RetryNotice {
  method: string;
  path: string;
  /** "HTTP 503 Service unavailable", "fetch failed (ECONNREFUSED)". */
  reason: string;
  /** The attempt about to be made (2 for the first retry). */
  attempt: number;
  attempts: number;
  delayMs: number;
}

export const RETRIED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * The wait before retry number `retry` (1 for the first): Retry-After when the server gave one,
 * else half the capped backoff plus a random part of the other half ("equal jitter": never
 * hammering at once, never waiting nothing).
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, retryAfter: string | null, now: () => number = Date.now): number {
  const asked = retryAfterMs(retryAfter, now);
  if (asked !== undefined) return Math.min(asked, policy.maxDelayMs);
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(backoff / 2 + (policy.random ?? Math.random)() * (backoff / 2));
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: () => number = Date.now): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
