import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { kubernetesCredentials, kubernetesToken, TOKEN_PREFIX } from '../../../functions/ports/kubernetes-token';
import { metadata, rejectionOf } from './port-helpers';

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' });
const NOW = new Date('2026-11-21T10:00:00Z');

/** What `aws-iam-authenticator` does on the API server side: strip the prefix, base64url-decode, parse. */
function decode(token: string): URL {
  expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
  return new URL(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}

describe('kubernetesToken', () => {
  const saved = { sts: process.env.AWS_ENDPOINT_URL_STS, all: process.env.AWS_ENDPOINT_URL };
  afterEach(() => {
    for (const [name, value] of [['AWS_ENDPOINT_URL_STS', saved.sts], ['AWS_ENDPOINT_URL', saved.all]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  beforeEach(() => {
    delete process.env.AWS_ENDPOINT_URL_STS;
    delete process.env.AWS_ENDPOINT_URL;
  });

  it('is a presigned STS GetCallerIdentity URL for the regional endpoint', async () => {
    const url = decode(await kubernetesToken('demo', 'eu-west-1', credentials, NOW));

    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
  });

  it('is valid for 60 seconds from now, signed for STS in the region', async () => {
    const url = decode(await kubernetesToken('demo', 'eu-west-1', credentials, NOW));

    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261121T100000Z');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20261121/eu-west-1/sts/aws4_request');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session-token');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs the host and the x-k8s-aws-id header, which binds the token to one cluster', async () => {
    const url = decode(await kubernetesToken('demo', 'us-east-1', credentials, NOW));
    const other = decode(await kubernetesToken('other', 'us-east-1', credentials, NOW));

    expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toEqual(expect.arrayContaining(['host', 'x-k8s-aws-id']));
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(url.searchParams.get('X-Amz-Signature'));
  });

  it('carries the signature an independent SigV4 implementation computes for the same request', async () => {
    const fixed = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'sess/tok+en=' });

    const url = decode(await kubernetesToken('demo', 'us-east-1', fixed, NOW));

    // Known answer from botocore's SigV4QueryAuth (what `aws eks get-token` uses) for this request, credentials and time.
    expect(url.searchParams.get('X-Amz-Signature')).toBe('89ad724b943092608ce595be94dd0637d14b24bfe7cdcd9c124cede173cfce16');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('sess/tok+en=');
  });

  it('carries no base64 padding, whatever the length', async () => {
    const tokens = await Promise.all(['a', 'ab', 'abc', 'abcd', 'demo-cluster-1'].map((name) => kubernetesToken(name, 'us-east-1', credentials, NOW)));

    for (const token of tokens) expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
  });

  it('honours AWS_ENDPOINT_URL_STS (local mode), before AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4566';
    process.env.AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:4599/sts/';

    const url = decode(await kubernetesToken('demo', 'us-east-1', credentials, NOW));

    expect(url.origin).toBe('http://127.0.0.1:4599');
    expect(url.pathname).toBe('/sts/');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
  });

  it('falls back to AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4566';

    expect(decode(await kubernetesToken('demo', 'us-east-1', credentials, NOW)).origin).toBe('http://127.0.0.1:4566');
  });
});

describe('kubernetesCredentials', () => {
  const ROLE = 'arn:aws:iam::111122223333:role/eksp-kubernetes-access';

  function setup() {
    const client = new STSClient({ region: 'us-east-1' });
    return { mock: mockClient(client), sts: () => client };
  }

  it('assumes the configured role and caches its credentials until shortly before they expire', async () => {
    const { mock, sts } = setup();
    mock.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 15 * 60_000) } });
    const source = kubernetesCredentials(sts, ROLE);

    const first = await source();
    const second = await source();

    expect(first).toEqual({ accessKeyId: 'ASIA1', secretAccessKey: 'secret', sessionToken: 'token', expiration: expect.any(Date) });
    expect(second).toBe(first);
    expect(mock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(mock).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ROLE, RoleSessionName: 'eks-provisioner-identities', DurationSeconds: 900 });
  });

  it('assumes the role again when the cached credentials are about to expire', async () => {
    const { mock, sts } = setup();
    mock.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 4 * 60_000) } });
    const source = kubernetesCredentials(sts, ROLE);

    await source();
    await source();

    expect(mock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('names a refused AssumeRole by the role', async () => {
    const { mock, sts } = setup();
    mock.on(AssumeRoleCommand).rejects(new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: metadata, message: 'not authorized to perform: sts:AssumeRole' }));

    const error = await rejectionOf(kubernetesCredentials(sts, ROLE)());

    expect(error.name).toBe('AwsRequestError');
    expect(error.message).toBe(`role ${ROLE}: AccessDenied: not authorized to perform: sts:AssumeRole`);
  });
});
