/**
 * IAM principals as STS, EKS and Kubernetes compare them: the ARN forms of roles, users and
 * assumed-role sessions, the principal behind a session, and whether two ARNs name the same one.
 */
export const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
export const ASSUMED_ROLE_ARN = /^arn:aws:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/;
const USER_ARN = /^arn:aws:iam::(\d{12}):user\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/**
 * The IAM principal behind a caller ARN: an assumed role is its role (without path — an
 * assumed-role ARN carries none, which is why aws-auth entries with a role path never match).
 */
export function principalArnOf(callerArn: string): string {
  const assumed = ASSUMED_ROLE_ARN.exec(callerArn);
  return assumed ? `arn:aws:iam::${assumed[1]}:role/${assumed[2]}` : callerArn;
}

/** Same account, kind (user/role) and name; IAM paths ignored (EKS resolves access entries by the principal's id). */
export function samePrincipal(a: string, b: string): boolean {
  const key = (arn: string) => {
    const principal = principalArnOf(arn);
    const role = ROLE_ARN.exec(principal);
    if (role) return `role:${role[1]}:${role[2]}`;
    const user = USER_ARN.exec(principal);
    return user ? `user:${user[1]}:${user[2]}` : principal;
  };
  return key(a) === key(b);
}
