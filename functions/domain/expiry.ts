/** A cluster's `ttl` ("72h", "30m", "7d"): its lifetime, counted from the request that created it. */

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function ttlMilliseconds(ttl: string): number {
  const match = /^([1-9][0-9]{0,4})(m|h|d)$/.exec(ttl);
  if (!match) throw new Error(`ttl ${JSON.stringify(ttl)} is not <number><m|h|d>`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** When the cluster is deleted: requested at + ttl (never in the past, so a slow provisioning still gets its schedule). */
export function expiresAt(requestedAt: string, ttl: string, now: Date): Date {
  const at = new Date(new Date(requestedAt).getTime() + ttlMilliseconds(ttl));
  return at.getTime() > now.getTime() ? at : new Date(now.getTime() + 60_000);
}
