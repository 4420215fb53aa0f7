/**
 * The local API adapter: HTTP in, an API Gateway REST proxy event to the handler, its result out.
 * The caller is the local principal unless x-eksp-caller names another; the header itself never
 * reaches the handler.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LOCAL_CALLER, startApiServer, type RunningApi } from '../../local/runtime/api-server';

let api: RunningApi;
let seen: APIGatewayProxyEvent[] = [];

beforeAll(async () => {
  api = await startApiServer({
    port: 0,
    handler: async (event) => {
      seen.push(event);
      return { statusCode: 201, headers: { 'content-type': 'application/json', location: '/things/1' }, body: JSON.stringify({ ok: true }) };
    },
  });
});

beforeEach(() => {
  seen = [];
});

afterAll(() => api.close());

describe('the local API adapter', () => {
  it('turns a request into a REST proxy event with the local principal as the IAM caller', async () => {
    const response = await fetch(`${api.url}/clusters?dryRun=true`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' }, body: '{"name":"demo"}' });

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/things/1');
    expect(await response.json()).toEqual({ ok: true });
    expect(seen[0]).toMatchObject({
      httpMethod: 'POST',
      path: '/clusters',
      queryStringParameters: { dryRun: 'true' },
      body: '{"name":"demo"}',
      isBase64Encoded: false,
      requestContext: { accountId: '000000000000', identity: { userArn: LOCAL_CALLER } },
    });
    expect(Object.fromEntries(Object.entries(seen[0]!.headers).map(([k, v]) => [k.toLowerCase(), v]))).toMatchObject({ 'idempotency-key': 'k-1' });
  });

  it('takes the caller from x-eksp-caller into the request context and strips the header', async () => {
    const caller = 'arn:aws:sts::111122223333:assumed-role/platform-portal/session-1';

    await fetch(`${api.url}/operations/op-1`, { headers: { 'x-eksp-caller': caller } });

    expect(seen[0]).toMatchObject({ httpMethod: 'GET', body: null, queryStringParameters: null, requestContext: { accountId: '111122223333', identity: { userArn: caller } } });
    expect(Object.keys(seen[0]!.headers).map((k) => k.toLowerCase())).not.toContain('x-eksp-caller');
    expect(Object.keys(seen[0]!.multiValueHeaders).map((k) => k.toLowerCase())).not.toContain('x-eksp-caller');
  });

  it('refuses an x-eksp-caller that is not an IAM ARN, before the handler', async () => {
    const response = await fetch(`${api.url}/operations/op-1`, { headers: { 'x-eksp-caller': 'alice' } });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(seen).toEqual([]);
  });
});
