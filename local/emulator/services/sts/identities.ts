/**
 * Who each access key is, shared by the STS, EKS and Kubernetes emulators of one World: the
 * configured callers (accessKeyId → ARN; any other key is
 * `arn:aws:iam::<account>:user/local-developer`), the secrets of keys the emulator knows (so a
 * presigned `k8s-aws-v1.` token can be verified as STS verifies it for EKS), and the keys
 * AssumeRole issued, which map back to `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
 *
 * AssumeRole is allowed when the role's trust policy lets the caller in (trust.ts). A role that
 * does not exist or belongs to another account allows nobody. Refusals are AccessDenied:
 * `User: <caller> is not authorized to perform: sts:AssumeRole on resource: <role>`. What is not
 * evaluated: the caller's own identity policies and permissions boundaries.
 *
 * Services assume roles too: `issueForService` is what Lambda does for a function's execution
 * role (and CloudFormation for a stack's RoleARN) — no caller, the role must trust the service.
 * The local runtime uses it to give each handler its function's role session.
 *
 * Expiration is reported in emulated time (as every other timestamp); the key itself is refused
 * after DurationSeconds of wall-clock time, like the SigV4 dates SDK signers produce, so a client
 * caching by the reported Expiration is never refused early.
 */
import { randomBytes } from 'node:crypto';
import { EmulatorError } from '../../protocol';
import type { Role, World } from '../../world';
import { iamUniqueId, roleIdFor } from '../iam/state';
import { ASSUMED_ROLE_ARN, principalArnOf, ROLE_ARN } from './principals';
import { trustAllows } from './trust';

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
  /** The inline session policy AssumeRole was given, if any (kept, not evaluated). */
  sessionPolicy?: Record<string, unknown>;
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
  assumeRole(callerArn: string, roleArn: string, sessionName: string, durationSeconds: number, sessionPolicy?: Record<string, unknown>) {
    const role = this.roleOf(roleArn);
    const denied = new EmulatorError(403, 'AccessDenied', `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    if (!role || !trustAllows(role.assumeRolePolicyDocument, { callerArn })) throw denied;
    return this.issue(roleArn, sessionName, durationSeconds, sessionPolicy);
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

  private issue(roleArn: string, sessionName: string, durationSeconds: number, sessionPolicy?: Record<string, unknown>) {
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
      ...(sessionPolicy ? { sessionPolicy } : {}),
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

/** The one identity registry of a World. */
export function stsIdentities(world: World): StsIdentities {
  return (world.sts ??= new StsIdentities(world));
}
