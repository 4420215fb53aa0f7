/**
 * The STS operations over awsQuery (Action=X&Version=2011-06-15): GetCallerIdentity and
 * AssumeRole. Any other action answers InvalidAction (query/dispatch.ts).
 *
 * A GET is the presigned GetCallerIdentity an EKS token carries: its caller is the key that
 * signed the URL, checked as STS checks it (presigned.ts); a POST's caller is its signing key
 * (identities.ts). AssumeRole cannot be presigned.
 */
import { EmulatorError } from '../../protocol';
import type { QueryOperation } from '../../query';
import type { RequestContext } from '../../server';
import type { CallerIdentity, StsIdentities } from './identities';
import { verifyPresigned } from './presigned';

export const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const API_VERSION = '2011-06-15';

const isPresigned = (ctx: RequestContext) => ctx.req.method === 'GET';

async function callerOf(ctx: RequestContext, identities: StsIdentities): Promise<CallerIdentity> {
  if (!isPresigned(ctx)) return identities.identify(ctx.signing.accessKeyId);
  // The headers presented now, for the signed ones (an EKS token signs x-k8s-aws-id, binding it to its cluster).
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.req.headers)) if (typeof v === 'string') headers[k] = v;
  const check = await verifyPresigned(ctx.url, headers, (key) => identities.secretOf(key), identities);
  if (!check.ok) throw new EmulatorError(403, check.code, check.message);
  return check.identity;
}

function durationSeconds(raw: string | null): number {
  if (raw === null) return 3600;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 900) {
    throw new EmulatorError(400, 'ValidationError', `1 validation error detected: Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
  }
  // Roles default to a one-hour MaxSessionDuration.
  if (value > 3600) throw new EmulatorError(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  return value;
}

/** STS's limit on an inline session policy's plain text. */
const SESSION_POLICY_MAX_CHARS = 2048;

/**
 * An inline session policy as STS checks it: at most 2,048 characters of a JSON policy document
 * (Version and a Statement). Kept with the session; like every permission policy here it is not
 * evaluated (docs/local-mode.md).
 */
function sessionPolicy(raw: string | null): Record<string, unknown> | undefined {
  if (raw === null) return undefined;
  if (raw.length > SESSION_POLICY_MAX_CHARS) {
    throw new EmulatorError(400, 'ValidationError', `1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to ${SESSION_POLICY_MAX_CHARS}`);
  }
  let policy: unknown;
  try {
    policy = JSON.parse(raw);
  } catch {
    throw new EmulatorError(400, 'MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
  }
  const document = policy as { Version?: unknown; Statement?: unknown };
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy) || document.Statement === undefined) {
    throw new EmulatorError(400, 'MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  if (document.Version !== undefined && document.Version !== '2012-10-17' && document.Version !== '2008-10-17') {
    throw new EmulatorError(400, 'MalformedPolicyDocument', 'The policy must contain a valid version string');
  }
  return policy as Record<string, unknown>;
}

/** The operations for query/dispatch.ts over the World's identity registry. */
export function operationsOver(identities: StsIdentities): Record<string, QueryOperation> {
  return {
    async GetCallerIdentity(_world, _form, ctx) {
      const caller = await callerOf(ctx, identities);
      return { UserId: caller.userId, Account: caller.account, Arn: caller.arn };
    },

    AssumeRole(_world, form, ctx) {
      if (isPresigned(ctx)) throw new EmulatorError(400, 'InvalidAction', 'AssumeRole cannot be presigned here');
      const caller = identities.identify(ctx.signing.accessKeyId);
      const roleArn = form.get('RoleArn');
      const session = form.get('RoleSessionName');
      if (!roleArn) throw new EmulatorError(400, 'ValidationError', "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
      if (!session || !/^[\w+=,.@-]{2,64}$/.test(session)) {
        throw new EmulatorError(400, 'ValidationError', `1 validation error detected: Value '${session ?? 'null'}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}`);
      }
      return identities.assumeRole(caller.arn, roleArn, session, durationSeconds(form.get('DurationSeconds')), sessionPolicy(form.get('Policy')));
    },
  };
}
