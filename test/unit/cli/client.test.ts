/** The API client: where it sends requests, SigV4 for the deployed API, problems as typed errors. */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ApiClient } from '../../../cli/client/api-client';
import { resolveEndpoint } from '../../../cli/client/endpoint';
import { ApiProblemError } from '../../../cli/client/errors';
import { regionOfApiUrl, sigV4Signer } from '../../../cli/client/signing';
import { FakeApi, type RecordedRequest } from '../../support/cli-harness';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };

describe('endpoint', () => {
  test('local mode by default, unsigned', async () => {
    expect(await resolveEndpoint({ env: {} })).toEqual({ baseUrl: 'http://127.0.0.1:3000' });
    expect(await resolveEndpoint({ env: { EKSP_ENDPOINT: 'http://localhost:3917/' } })).toEqual({ baseUrl: 'http://localhost:3917' });
  });

  test('a deployed URL is signed; --stack reads the stack’s ApiUrl output', async () => {
    const looked: string[] = [];
    const resolved = await resolveEndpoint({ stack: 'EksProvisioner', env: { AWS_REGION: 'eu-west-1' } }, async (stack, region) => {
      looked.push(`${stack} ${region}`);
      return 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/';
    });

    expect(looked).toEqual(['EksProvisioner eu-west-1']);
    expect(resolved.baseUrl).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/v1');
    expect(resolved.signer).toBeInstanceOf(Function);
  });

  test('the region comes from an API Gateway host name', () => {
    expect(regionOfApiUrl(new URL('https://abc123.execute-api.ap-southeast-2.amazonaws.com/v1'))).toBe('ap-southeast-2');
    expect(regionOfApiUrl(new URL('https://eksp.example.com/v1'))).toBeUndefined();
  });
});

describe('SigV4', () => {
  let api: FakeApi;
  beforeAll(async () => {
    api = await new FakeApi(() => ({ status: 202, body: { operationId: 'op-1', cluster: 'demo', status: 'ACCEPTED', links: { operation: '/operations/op-1' } } })).start();
  });
  afterAll(() => api.stop());

  test('signs for execute-api in the region, over the body, the Idempotency-Key and the encoded path', async () => {
    const client = new ApiClient({ baseUrl: `${api.url}/v1`, signer: sigV4Signer({ region: 'eu-west-1', credentials: CREDENTIALS }) });

    await client.removeAccess('demo', 'arn:aws:iam::111122223333:role/deployer', { idempotencyKey: 'remove-1' });
    const sent = api.requests.at(-1)!;

    expect(sent.path).toBe('/v1/clusters/demo/access-entries/arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fdeployer');
    expect(sent.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*idempotency-key[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
    expect(sent.headers['x-amz-security-token']).toBe('session-token');
    expect(sent.headers.authorization).toContain(await expectedSignature(sent, 'eu-west-1'));
  });

  test('local mode sends no signature', async () => {
    await new ApiClient({ baseUrl: api.url }).deleteCluster('demo');

    expect(api.requests.at(-1)!.headers.authorization).toBeUndefined();
  });
});

/** The signature an independent signer computes for the request as the server received it. */
async function expectedSignature(sent: RecordedRequest, region: string): Promise<string> {
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: CREDENTIALS, sha256: Sha256 });
  const date = sent.headers['x-amz-date'] as string;
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(sent.headers.authorization!)![1]!.split(';');
  const headers = Object.fromEntries(signedHeaders.map((h) => [h, String(sent.headers[h])]));
  const url = new URL(`http://${sent.headers.host}${sent.path}`);
  const signed = await signer.sign(
    { method: sent.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers, ...(sent.body ? { body: sent.body } : {}) },
    { signingDate: new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`) },
  );
  return /Signature=[0-9a-f]{64}/.exec(signed.headers.authorization!)![0];
}

describe('errors', () => {
  test('a problem becomes ApiProblemError with its title, detail and each field error', async () => {
    const api = await new FakeApi(() => ({
      status: 422,
      contentType: 'application/problem+json',
      body: { type: 'https://eks-provisioner.dev/problems/invalid-change', status: 422, title: 'Invalid change', detail: '1 problem(s)', errors: [{ pointer: '/desiredSize', message: 'sizes must satisfy minSize ≤ desiredSize ≤ maxSize' }] },
    })).start();

    const error = await new ApiClient({ baseUrl: api.url }).updateNodegroup('demo', 'ng', { desiredSize: 9 }).catch((e: unknown) => e);
    await api.stop();

    expect(error).toBeInstanceOf(ApiProblemError);
    expect((error as ApiProblemError).status).toBe(422);
    expect((error as ApiProblemError).message).toBe('Invalid change: 1 problem(s)\n  /desiredSize: sizes must satisfy minSize ≤ desiredSize ≤ maxSize');
  });

  test('API Gateway’s own refusal ({"message": …}) becomes a problem too', async () => {
    const api = await new FakeApi(() => ({ status: 403, body: { message: 'Missing Authentication Token' } })).start();

    const error = await new ApiClient({ baseUrl: api.url }).listClusters().catch((e: unknown) => e);
    await api.stop();

    expect((error as ApiProblemError).problem).toEqual({ title: 'HTTP 403', status: 403, detail: 'Missing Authentication Token' });
  });
});
