/**
 * Who made each AWS call: the principal behind every call the emulator serves (the caller of
 * CloudTrail's userIdentity), and the calls AWS services make on a principal's behalf (an EKS
 * cluster CloudFormation creates as the stack's role). For debugging "who was that?", and for
 * tests that check each Lambda acts as its own role.
 *
 * Every service already counts its calls with `world.calls.push('service:Operation')`; the
 * server knows the caller of the request being served. So `world.calls` is a CallLog, whose push
 * also records the principal of the request in flight (AsyncLocalStorage set by the server
 * around each request): one place, and no service has to pass its caller along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { SigningInfo } from './protocol';

export interface CallPrincipal {
  /** `service:Operation`, as in world.calls. */
  call: string;
  /** The caller's ARN (an assumed-role session, a user...), or `anonymous` for an unsigned request. */
  principal: string;
  /** Emulated time, ISO. */
  time: string;
  /** Set when an AWS service made the call for the principal (CloudTrail's invokedBy), e.g. cloudformation.amazonaws.com. */
  invokedBy?: string;
}

const requestPrincipal = new AsyncLocalStorage<string>();

/** Runs a request's handling with its caller known to the CallLog. */
export function servingRequestOf<T>(principal: string, handle: () => T): T {
  return requestPrincipal.run(principal, handle);
}

/** world.calls: the calls served, in order; each push also records its principal. */
export class CallLog extends Array<string> {
  // Slices, maps and splices of the log are plain arrays, not more logs.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  constructor(
    private readonly principals: CallPrincipal[],
    private readonly now: () => Date,
  ) {
    super();
  }

  override push(...calls: string[]): number {
    const principal = requestPrincipal.getStore();
    if (principal !== undefined) for (const call of calls) this.principals.push({ call, principal, time: this.now().toISOString() });
    return super.push(...calls);
  }
}

const TOKEN_PREFIX = 'k8s-aws-v1.';

/**
 * The access key a request is signed with: SigV4 (header or presigned URL), or the one inside a
 * Kubernetes bearer token (`k8s-aws-v1.` + a presigned STS URL). Read only, not verified: each
 * service verifies what it serves.
 */
export function requestAccessKeyId(req: IncomingMessage, signing: SigningInfo): string | undefined {
  if (signing.accessKeyId) return signing.accessKeyId;
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!bearer?.startsWith(TOKEN_PREFIX)) return undefined;
  try {
    const url = new URL(Buffer.from(bearer.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
    return url.searchParams.get('X-Amz-Credential')?.split('/')[0] || undefined;
  } catch {
    return undefined;
  }
}
