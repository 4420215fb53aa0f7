/**
 * Trust-policy evaluation (a role's AssumeRolePolicyDocument), as IAM does it for a caller of the
 * same account: an explicit Deny wins; an Allow of sts:AssumeRole allows when its Principal is
 * "*", names the caller's principal (the role of an assumed-role session, or the user; IAM paths
 * ignored), the exact session ARN, or the account (`arn:aws:iam::<account>:root` or the bare id),
 * which lets any principal of that account in. `Service` principals (eks, ec2, lambda,
 * cloudformation...) match only a service assuming the role, never a caller. An Allow with a
 * Condition (not evaluated here) allows nobody.
 */
import { ASSUMED_ROLE_ARN, samePrincipal } from './principals';

/** Who wants to assume the role: a caller (user, role or assumed-role session ARN) or a service principal. */
export type TrustRequester = { callerArn: string; service?: undefined } | { service: string; callerArn?: undefined };

interface TrustStatement {
  Effect?: string;
  Action?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

const ACCOUNT_ROOT = /^arn:aws:iam::(\d{12}):root$/;

/** Whether a trust policy (AssumeRolePolicyDocument, object or JSON text) lets the requester assume the role. */
export function trustAllows(document: unknown, requester: TrustRequester): boolean {
  const statements = trustStatements(document).filter((s) => actionMatches(s.Action) && principalMatches(s.Principal, requester));
  if (statements.some((s) => s.Effect === 'Deny')) return false;
  return statements.some((s) => s.Effect === 'Allow' && s.Condition === undefined);
}

function trustStatements(document: unknown): TrustStatement[] {
  let policy = document;
  if (typeof policy === 'string') {
    try {
      policy = JSON.parse(policy);
    } catch {
      return [];
    }
  }
  const statements = (policy as { Statement?: unknown } | undefined)?.Statement;
  if (statements === undefined || statements === null) return [];
  return (Array.isArray(statements) ? statements : [statements]) as TrustStatement[];
}

function listOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function actionMatches(action: unknown): boolean {
  return listOf(action).some((a) => ['sts:assumerole', 'sts:*', '*'].includes(a.toLowerCase()));
}

function principalMatches(principal: unknown, requester: TrustRequester): boolean {
  if (principal === '*') return requester.callerArn !== undefined;
  if (typeof principal !== 'object' || principal === null) return false;
  const { AWS: aws, Service: service } = principal as { AWS?: unknown; Service?: unknown };
  if (requester.service !== undefined) return listOf(service).includes(requester.service);
  return listOf(aws).some((entry) => awsPrincipalMatches(entry, requester.callerArn));
}

/** One `AWS` entry of a trust policy against a caller: "*", the account, the session, or the caller's principal. */
function awsPrincipalMatches(entry: string, callerArn: string): boolean {
  if (entry === '*') return true;
  const callerAccount = /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(callerArn)?.[1];
  const account = /^\d{12}$/.test(entry) ? entry : ACCOUNT_ROOT.exec(entry)?.[1];
  if (account !== undefined) return account === callerAccount;
  if (ASSUMED_ROLE_ARN.test(entry)) return entry === callerArn;
  return samePrincipal(entry, callerArn);
}
