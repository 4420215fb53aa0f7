/** Who is calling, as the owner of what they create. */

/**
 * API Gateway's IAM identity for a role is its session (arn:aws:sts::<acct>:assumed-role/<role>/<session>).
 * Ownership belongs to the role, not the session, so a portal's next session still owns its clusters.
 */
export function principalOf(callerArn: string): string {
  const assumed = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return assumed ? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}` : callerArn;
}

export function mayAccess(caller: string, owner: string, admins: readonly string[]): boolean {
  const principal = principalOf(caller);
  return principal === principalOf(owner) || admins.map(principalOf).includes(principal);
}
