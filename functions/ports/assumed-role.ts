/**
 * Credentials of an assumed role session, for the ports that act as a role other than their
 * function's own: the cluster's creator at the Kubernetes API (kubernetes-token.ts), one cluster's
 * scope of the Kubernetes groups role (kubernetes-groups.ts). A session policy, when given, is
 * the most the session may do whatever the role allows (IAM evaluates the intersection).
 * Credentials are cached until five minutes before they expire.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { classifyAwsError } from '../shared/errors';

export type CredentialSource = () => Promise<AwsCredentialIdentity>;

export interface RoleSession {
  roleArn: string;
  /** [\w+=,.@-]{2,64}: what CloudTrail shows as the session of the role. */
  sessionName: string;
  /** An inline session policy (JSON text, at most 2,048 characters). */
  policy?: string;
}

/** Fifteen minutes, STS's least: every caller does one step's few calls with it. */
const SESSION_SECONDS = 900;
const RENEW_BEFORE_MS = 5 * 60_000;

export function assumedRoleCredentials(sts: () => STSClient, session: RoleSession): CredentialSource {
  let cached: AwsCredentialIdentity | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > RENEW_BEFORE_MS) return cached;
    try {
      const { Credentials } = await sts().send(
        new AssumeRoleCommand({ RoleArn: session.roleArn, RoleSessionName: session.sessionName, DurationSeconds: SESSION_SECONDS, ...(session.policy ? { Policy: session.policy } : {}) }),
      );
      cached = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken, expiration: Credentials!.Expiration };
      return cached;
    } catch (error) {
      throw classifyAwsError(error, `role ${session.roleArn}`);
    }
  };
}
