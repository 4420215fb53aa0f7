/**
 * STS (awsQuery 2011-06-15): GetCallerIdentity and AssumeRole, plus the identity registry the EKS
 * and Kubernetes emulators share — who an access key is, and the secrets of keys the emulator
 * knows, so a presigned `k8s-aws-v1.` token can be verified the way STS verifies it for EKS.
 *
 * Identities: a configurable map accessKeyId → ARN; any other key is
 * `arn:aws:iam::<account>:user/local-developer`. Keys handed out by AssumeRole map back to
 * `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
 *
 * AssumeRole evaluates the role's trust policy (its AssumeRolePolicyDocument in world.iam) for
 * the caller, as IAM does for a caller of the same account: an explicit Deny wins; an Allow of
 * sts:AssumeRole allows when its Principal is "*", names the caller's principal (the role of an
 * assumed-role session, or the user; IAM paths ignored), the exact session ARN, or the account
 * (`arn:aws:iam::<account>:root` or the bare id), which lets any principal of that account in.
 * `Service` principals (eks, ec2, lambda, cloudformation...) never match a caller: a role that
 * trusts only services cannot be assumed with AssumeRole. A role that does not exist, a role of
 * another account and an Allow with a Condition (not evaluated here) allow nobody. Refusals are
 * AccessDenied: `User: <caller> is not authorized to perform: sts:AssumeRole on resource: <role>`.
 * What is not evaluated: the caller's own identity policies and permissions boundaries.
 *
 * Services assume roles too: `issueForService` is what Lambda does for a function's execution
 * role (and CloudFormation for a stack's RoleARN) — no caller, the role must trust the service.
 * The local runtime uses it to give each handler its function's role session.
 *
 * Expiration is reported in emulated time (as every other timestamp); the key itself is refused
 * after DurationSeconds of wall-clock time, like the SigV4 dates SDK signers produce, so a client
 * caching by the reported Expiration is never refused early.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RequestContext, ServiceModule } from '../server';
import { EmulatorError, parseForm, sendQueryError, sendQueryResult } from '../protocol';
import type { Role, World } from '../world';
import { iamUniqueId, roleIdFor } from './iam/state';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const VERSION = '2011-06-15';

export interface CallerIdentity {
  arn: string;
  userId: string;
  account: string;
}

interface IssuedKey {
  secretAccessKey: string;
  sessionToken: string;
  arn: string;
  userId: string;
  /** Wall-clock ms after which the key is refused. */
  expiresAtMs: number;
}

export interface KeySecret {
  secretAccessKey: string;
  /** Set for temporary keys: the presigned URL must carry this X-Amz-Security-Token. */
  sessionToken?: string;
}

/** Credentials a service got for a role (what Lambda puts in a function's environment). */
export interface ServiceSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** The assumed-role session: arn:aws:sts::<account>:assumed-role/<role>/<session>. */
  arn: string;
  /** Wall-clock instant after which the key is refused. */
  expiration: Date;
}

export interface StsOptions {
  /** accessKeyId → caller ARN (an IAM user or role ARN, or an assumed-role ARN). */
  callers?: Record<string, string>;
  /** accessKeyId → secretAccessKey of static keys, so their presigned URLs can be verified. */
  credentials?: Record<string, string>;
}

function randomKey(prefix: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return prefix + [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const ASSUMED_ROLE_ARN = /^arn:aws:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/;
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

/** Who each access key is, shared by the STS, EKS and Kubernetes emulators of one World. */
export class StsIdentities {
  private readonly callers = new Map<string, string>();
  private readonly secrets = new Map<string, string>();
  /** Keys AssumeRole issued (expiry in real time, as the SDK checks it): world state, so they outlive a restart. */
  readonly issued = new Map<string, IssuedKey>();

  constructor(private readonly world: World) {}

  configure(options: StsOptions): void {
    for (const [key, arn] of Object.entries(options.callers ?? {})) this.callers.set(key, arn);
    for (const [key, secret] of Object.entries(options.credentials ?? {})) this.secrets.set(key, secret);
  }

  get defaultArn(): string {
    return `arn:aws:iam::${this.world.account}:user/local-developer`;
  }

  /** The caller of a key; unknown keys are the local developer. Throws ExpiredToken for a lapsed assumed-role key. */
  identify(accessKeyId: string | undefined, nowMs = Date.now()): CallerIdentity {
    const issued = accessKeyId ? this.issued.get(accessKeyId) : undefined;
    if (issued) {
      if (nowMs > issued.expiresAtMs) throw new EmulatorError(403, 'ExpiredToken', 'The security token included in the request is expired');
      return { arn: issued.arn, userId: issued.userId, account: this.world.account };
    }
    const arn = (accessKeyId && this.callers.get(accessKeyId)) || this.defaultArn;
    const account = /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] ?? this.world.account;
    const assumed = ASSUMED_ROLE_ARN.exec(arn);
    return { arn, account, userId: assumed ? `${iamUniqueId('AROA', principalArnOf(arn))}:${assumed[3]}` : iamUniqueId('AIDA', arn) };
  }

  /** The secret (and session token) of a key the emulator knows, for signature checks. */
  secretOf(accessKeyId: string): KeySecret | undefined {
    const issued = this.issued.get(accessKeyId);
    if (issued) return { secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken };
    const secret = this.secrets.get(accessKeyId);
    return secret === undefined ? undefined : { secretAccessKey: secret };
  }

  /** AssumeRole by a caller: allowed only when the role's trust policy lets the caller's principal in. */
  assumeRole(callerArn: string, roleArn: string, sessionName: string, durationSeconds: number) {
    const role = this.roleOf(roleArn);
    const denied = new EmulatorError(403, 'AccessDenied', `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    if (!role || !trustAllows(role.assumeRolePolicyDocument, { callerArn })) throw denied;
    return this.issue(roleArn, sessionName, durationSeconds);
  }

  /**
   * A service assuming a role it was given (Lambda a function's execution role, CloudFormation a
   * stack's RoleARN): the role must exist and trust that service principal.
   */
  issueForService(service: string, roleArn: string, sessionName: string, durationSeconds: number): ServiceSession {
    const role = this.roleOf(roleArn);
    if (!role || !trustAllows(role.assumeRolePolicyDocument, { service })) {
      throw new EmulatorError(403, 'AccessDenied', `${service} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const { Credentials, AssumedRoleUser } = this.issue(roleArn, sessionName, durationSeconds);
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
      arn: AssumedRoleUser.Arn,
      // Wall-clock, as the key is refused: the service hands these to a client in this process, not over the wire.
      expiration: new Date(this.issued.get(Credentials.AccessKeyId)!.expiresAtMs),
    };
  }

  /** The role an ARN names in this account's IAM (path ignored, as assumed-role sessions drop it), if any. */
  private roleOf(roleArn: string): Role | undefined {
    const match = ROLE_ARN.exec(roleArn);
    if (!match) throw new EmulatorError(400, 'ValidationError', `${roleArn} is invalid: RoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
    if (match[1] !== this.world.account) return undefined;
    return this.world.iam.byArn(roleArn) ?? [...this.world.iam.roles.values()].find((r) => r.roleName === match[2]);
  }

  private issue(roleArn: string, sessionName: string, durationSeconds: number) {
    const [, account, roleName] = ROLE_ARN.exec(roleArn) as unknown as [string, string, string];
    const accessKeyId = randomKey('ASIA', 16);
    const arn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
    const roleId = roleIdFor(account, roleName);
    const key: IssuedKey = {
      secretAccessKey: randomBytes(30).toString('base64').slice(0, 40),
      sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(96).toString('base64')}`,
      arn,
      userId: `${roleId}:${sessionName}`,
      expiresAtMs: Date.now() + durationSeconds * 1000,
    };
    this.issued.set(accessKeyId, key);
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: key.secretAccessKey,
        SessionToken: key.sessionToken,
        Expiration: new Date(this.world.clock.now().getTime() + durationSeconds * 1000),
      },
      AssumedRoleUser: { AssumedRoleId: key.userId, Arn: arn },
    };
  }
}

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

/** The one identity registry of a World. */
export function stsIdentities(world: World): StsIdentities {
  return (world.sts ??= new StsIdentities(world));
}

// ── Presigned GetCallerIdentity URLs (what a k8s-aws-v1. token carries) ─────────────────────

export type PresignedCheck =
  | { ok: true; accessKeyId: string; identity: CallerIdentity; /** False when the key's secret is unknown, so only shape and expiry were checked. */ signatureVerified: boolean }
  | { ok: false; code: 'SignatureDoesNotMatch' | 'ExpiredToken' | 'InvalidToken'; message: string };

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Verifies a presigned STS request as STS does: SigV4 over the URL and the signed headers, within
 * X-Amz-Date + X-Amz-Expires of the wall clock. `headers` are the values presented now (for an
 * EKS token: host and x-k8s-aws-id = the cluster being called, which binds the token to it).
 */
export async function verifyPresigned(url: URL, headers: Record<string, string>, lookup: (accessKeyId: string) => KeySecret | undefined, identities: StsIdentities, nowMs = Date.now()): Promise<PresignedCheck> {
  const q = url.searchParams;
  const fail = (code: 'SignatureDoesNotMatch' | 'ExpiredToken' | 'InvalidToken', message: string): PresignedCheck => ({ ok: false, code, message });
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return fail('InvalidToken', 'X-Amz-Algorithm must be AWS4-HMAC-SHA256');
  const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(q.get('X-Amz-Credential') ?? '');
  if (!credential) return fail('InvalidToken', 'X-Amz-Credential is missing or malformed');
  const [, accessKeyId, day, region, service] = credential as unknown as [string, string, string, string, string];
  if (service !== 'sts') return fail('InvalidToken', `the URL is signed for ${service}, not sts`);
  const date = AMZ_DATE.exec(q.get('X-Amz-Date') ?? '');
  if (!date || !(q.get('X-Amz-Date') ?? '').startsWith(day)) return fail('InvalidToken', 'X-Amz-Date is missing or does not match the credential scope');
  const signedAt = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6]));
  const expires = Number(q.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > 604800) return fail('InvalidToken', 'X-Amz-Expires is missing or out of range');
  if (nowMs > signedAt + expires * 1000) return fail('ExpiredToken', `the presigned URL expired at ${new Date(signedAt + expires * 1000).toISOString()}`);
  if (signedAt > nowMs + 5 * 60_000) return fail('InvalidToken', 'X-Amz-Date is in the future');
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
  const signature = q.get('X-Amz-Signature') ?? '';
  if (!/^[0-9a-f]{64}$/.test(signature)) return fail('InvalidToken', 'X-Amz-Signature is missing or malformed');

  let identity: CallerIdentity;
  try {
    identity = identities.identify(accessKeyId, nowMs);
  } catch (error) {
    return fail('ExpiredToken', (error as Error).message);
  }
  const secret = lookup(accessKeyId);
  if (!secret) return { ok: true, accessKeyId, identity, signatureVerified: false };
  if (secret.sessionToken !== undefined && q.get('X-Amz-Security-Token') !== secret.sessionToken) return fail('InvalidToken', 'the security token included in the request is invalid');

  const query: Record<string, string> = {};
  for (const [k, v] of q) if (!k.startsWith('X-Amz-')) query[k] = v;
  const signingHeaders: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headers[name];
    if (value === undefined) return fail('SignatureDoesNotMatch', `the signed header ${name} was not presented`);
    signingHeaders[name] = value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret.secretAccessKey, ...(q.get('X-Amz-Security-Token') ? { sessionToken: q.get('X-Amz-Security-Token')! } : {}) },
    region,
    service,
    sha256: Sha256,
  });
  const expected = await signer.presign(
    { method: 'GET', protocol: url.protocol, hostname: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), path: url.pathname, query, headers: signingHeaders },
    { signingDate: new Date(signedAt), expiresIn: expires },
  );
  const computed = String(expected.query?.['X-Amz-Signature'] ?? '');
  const same = computed.length === signature.length && timingSafeEqual(Buffer.from(computed), Buffer.from(signature));
  if (!same) return fail('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  return { ok: true, accessKeyId, identity, signatureVerified: true };
}

// ── The awsQuery service ─────────────────────────────────────────────────────────────────────

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

export function createStsService(world: World, options: StsOptions = {}): ServiceModule & { identities: StsIdentities } {
  const identities = stsIdentities(world);
  identities.configure(options);

  async function handle(ctx: RequestContext): Promise<void> {
    const presigned = ctx.req.method === 'GET';
    const params = presigned ? ctx.url.searchParams : parseForm(ctx.body);
    const action = params.get('Action') ?? '';
    if (!['GetCallerIdentity', 'AssumeRole'].includes(action)) {
      throw new EmulatorError(400, 'InvalidAction', `Could not find operation ${action || '(none)'} for version ${params.get('Version') ?? VERSION}`);
    }
    world.calls.push(`sts:${action}`);
    world.faults.checkCall('sts', action, 'Throttling');

    let caller: CallerIdentity;
    if (presigned) {
      if (action !== 'GetCallerIdentity') throw new EmulatorError(400, 'InvalidAction', `${action} cannot be presigned here`);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(ctx.req.headers)) if (typeof v === 'string') headers[k] = v;
      const check = await verifyPresigned(ctx.url, headers, (key) => identities.secretOf(key), identities);
      if (!check.ok) throw new EmulatorError(403, check.code, check.message);
      caller = check.identity;
    } else {
      caller = identities.identify(ctx.signing.accessKeyId);
    }

    if (action === 'GetCallerIdentity') {
      sendQueryResult(ctx.res, action, NAMESPACE, { UserId: caller.userId, Account: caller.account, Arn: caller.arn });
      return;
    }
    const roleArn = params.get('RoleArn');
    const session = params.get('RoleSessionName');
    if (!roleArn) throw new EmulatorError(400, 'ValidationError', "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
    if (!session || !/^[\w+=,.@-]{2,64}$/.test(session)) {
      throw new EmulatorError(400, 'ValidationError', `1 validation error detected: Value '${session ?? 'null'}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}`);
    }
    sendQueryResult(ctx.res, action, NAMESPACE, identities.assumeRole(caller.arn, roleArn, session, durationSeconds(params.get('DurationSeconds'))));
  }

  return {
    name: 'sts',
    identities,
    handle,
    renderError(res: ServerResponse, error: EmulatorError) {
      sendQueryError(res, error.status, error.code, error.message);
    },
  };
}
