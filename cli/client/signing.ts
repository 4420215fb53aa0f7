/**
 * SigV4 for the deployed API (every method is AWS_IAM): service `execute-api`, the API's region,
 * credentials from the standard AWS chain (environment, SSO, profile, container, instance).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface RequestToSign {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Returns the headers to send: the given ones plus host, x-amz-date, the content hash and Authorization. */
export type RequestSigner = (request: RequestToSign) => Promise<Record<string, string>>;

export function sigV4Signer(options: { region: string; credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider }): RequestSigner {
  const signer = new SignatureV4({ service: 'execute-api', region: options.region, credentials: options.credentials ?? defaultProvider(), sha256: Sha256 });
  return async ({ method, url, headers, body }) => {
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, key) => (query[key] = value));
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      ...(body !== undefined ? { body } : {}),
    });
    return signed.headers as Record<string, string>;
  };
}

/** The region in an API Gateway URL (`{api}.execute-api.{region}.amazonaws.com`), if it is one. */
export function regionOfApiUrl(url: URL): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];
}
