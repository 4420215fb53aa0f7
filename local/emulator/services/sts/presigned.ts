/**
 * Presigned GetCallerIdentity URLs (what a `k8s-aws-v1.` token carries), verified as STS
 * verifies them for EKS.
 */
import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CallerIdentity, KeySecret, StsIdentities } from './identities';

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
