/**
 * The local API adapter: HTTP in, an API Gateway REST proxy event to the handler, its result out.
 * The caller is the local principal unless x-eksp-caller names another; the header itself never
 * reaches the handler.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { routeRequest } from '../../functions/api/handler';
import { GATEWAY_LIMITS, MAX_BODY_BYTES } from '../../functions/api/limits';
import { LOCAL_CALLER, startApiServer, type RunningApi } from '../../local/runtime/api-server';
import { FakeAws } from '../support/fake-aws';
import { referenceSpec } from '../support/provision-run';

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

describe('the local API adapter at the limits, as API Gateway answers them', () => {
  /** The real API handler behind the adapter, over FakeAws: what a client of `npm start` meets. */
  let real: RunningApi;
  let aws: FakeAws;

  beforeAll(async () => {
    real = await startApiServer({ port: 0, handler: (event) => routeRequest(event, aws.deps()) });
  });

  beforeEach(() => {
    aws = new FakeAws();
    seen = [];
  });

  afterAll(() => real.close());

  it('answers 414 problem+json to a 100 KB query string, instead of resetting the connection', async () => {
    const response = await fetch(`${api.url}/clusters?padding=${'x'.repeat(100_000)}`);

    expect(response.status).toBe(414);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 414, title: 'URI too long' });
    expect(seen).toEqual([]);
  });

  it('answers 431 to headers above the gateway limit, and handles the next request', async () => {
    const response = await fetch(`${api.url}/clusters`, { headers: { 'x-padding': 'x'.repeat(GATEWAY_LIMITS.maxRequestLineAndHeadersBytes) } });
    const next = await fetch(`${api.url}/clusters`);

    expect(response.status).toBe(431);
    expect(next.status).toBe(201);
  });

  it('answers a request Node cannot parse with a problem, not a reset', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(api.port, '127.0.0.1', () => socket.end('GET /clusters HTTP/1.1\r\nHost: x\r\nx-bad header\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });

    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad request/);
    expect(raw).toMatch(/application\/problem\+json/);
  });

  it(`answers 413 to a payload above ${GATEWAY_LIMITS.maxPayloadBytes} bytes without handing it to the handler`, async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${api.url}/clusters`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': GATEWAY_LIMITS.maxPayloadBytes + 1 } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on('error', reject);
      request.write('{"name":"');
    });

    expect(status).toBe(413);
    expect(seen).toEqual([]);
  }, 10_000);

  it('answers 413 to a chunked payload once it passes the limit, without handing it to the handler', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${api.url}/clusters`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i <= GATEWAY_LIMITS.maxPayloadBytes / chunk.length; i++) request.write(chunk);
    });

    expect(status).toBe(413);
    expect(seen).toEqual([]);
  }, 10_000);

  it(`passes a body above the API's own ${MAX_BODY_BYTES} bytes to the handler, which answers 413 naming the limit`, async () => {
    const response = await fetch(`${real.url}/clusters`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...referenceSpec(), padding: 'x'.repeat(100_000) }) });

    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { detail: string }).detail).toContain(String(MAX_BODY_BYTES));
    expect(aws.clusterRecords.size).toBe(0);
  });

  it('answers 415 to a text/plain cluster spec, and provisions nothing', async () => {
    const response = await fetch(`${real.url}/clusters`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(referenceSpec()) });

    expect(response.status).toBe(415);
    expect(aws.clusterRecords.size).toBe(0);
  });

  it('answers 414 from the API to a query string within the gateway limit but above its own', async () => {
    const response = await fetch(`${real.url}/clusters?padding=${'x'.repeat(5000)}`);

    expect(response.status).toBe(414);
    expect(((await response.json()) as { errors: unknown }).errors).toEqual([expect.objectContaining({ pointer: '/query' })]);
  });
});
