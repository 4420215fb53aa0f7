/**
 * Hostile and broken input on every route of the table: each case is a 4xx problem+json naming
 * the field, answered before any port (registry, EKS, workflows, events) is called, and never a 5xx.
 */
import { routeRequest } from '../../../functions/api/handler';
import { MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_QUERY_CHARS } from '../../../functions/api/limits';
import { ROUTES, type Route } from '../../../functions/api/routes';
import { ADMIN, apiEvent, OWNER, responseBody, watched, type EventOptions } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';
import { referenceSpec } from '../../support/provision-run';

/** A value each path parameter may take, so that only the one under test is wrong. */
const GOOD: Record<string, string> = { name: 'reference', nodegroup: 'ng-spot', profile: 'fp-default', addon: 'coredns', principalArn: encodeURIComponent('arn:aws:iam::111122223333:role/dev'), id: 'op-1', namespace: 'payments', serviceAccount: 'api' };
/** A body each body route would take. */
const GOOD_BODY: Record<string, unknown> = {
  createCluster: referenceSpec(),
  setEndpointAccess: { public: true, private: true },
  addNodegroup: { name: 'ng-new', instanceType: 'm5.large', minSize: 1, maxSize: 2, desiredSize: 1 },
  updateNodegroup: { desiredSize: 1 },
  addFargateProfile: { name: 'fp-new', selectors: [{ namespace: 'jobs' }] },
  addAccessEntry: { principalArn: 'arn:aws:iam::111122223333:role/dev' },
  upgradeCluster: { version: '1.33' },
  updateClusterSettings: { deletionProtection: true },
  addAddon: { name: 'metrics-server' },
  updateAddon: { configurationValues: '{}' },
  addPodIdentityAssociation: { namespace: 'payments', serviceAccountName: 'api', roleArn: 'arn:aws:iam::111122223333:role/payments-api' },
};

const pathOf = (route: Route, override: Record<string, string> = {}) => route.path.replace(/\{(\w+)\}/g, (_m, name: string) => override[name] ?? GOOD[name]!);
const paramsOf = (route: Route) => [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
const requiredQuery = (route: Route) => Object.fromEntries((route.query ?? []).filter((q) => q.required).map((q) => [q.name, 'reference']));
const goodOptions = (route: Route): EventOptions => ({ query: requiredQuery(route), ...(route.body ? { body: GOOD_BODY[route.operationId] } : {}) });

interface Case {
  name: string;
  route: Route;
  path: string;
  options: EventOptions;
  status: number;
  pointer: string;
}

function casesFor(route: Route): Case[] {
  const base = goodOptions(route);
  const at = (name: string, path: string, options: EventOptions, status: number, pointer: string): Case => ({ name: `${route.method} ${route.path}: ${name}`, route, path, options, status, pointer });
  const cases: Case[] = [];
  for (const param of paramsOf(route)) {
    cases.push(
      at(`a 5,000-character ${param}`, pathOf(route, { [param]: 'a'.repeat(5000) }), base, 400, `/path/${param}`),
      at(`a ${param} with a tab`, pathOf(route, { [param]: encodeURIComponent('ng\tx') }), base, 400, `/path/${param}`),
      at(`a ${param} with a newline`, pathOf(route, { [param]: encodeURIComponent('arn:aws:iam::111122223333:role/a\nb') }), base, 400, `/path/${param}`),
      at(`a ${param} that is not valid percent-encoding`, pathOf(route, { [param]: '%E0%A4%A' }), base, 400, `/path/${param}`),
    );
  }
  const path = pathOf(route);
  if (route.startsOperation) {
    cases.push(
      at('a 10,000-character Idempotency-Key', path, { ...base, headers: { 'Idempotency-Key': 'k'.repeat(10_000) } }, 400, '/header/Idempotency-Key'),
      at('an Idempotency-Key with a tab', path, { ...base, headers: { 'Idempotency-Key': 'ticket\t4711' } }, 400, '/header/Idempotency-Key'),
      at('an empty Idempotency-Key', path, { ...base, headers: { 'Idempotency-Key': '' } }, 400, '/header/Idempotency-Key'),
    );
  }
  if (route.body) {
    cases.push(
      at('20,000-deep JSON', path, { ...base, body: '['.repeat(20_000) + ']'.repeat(20_000) }, 400, ''),
      at(`JSON nested ${MAX_JSON_DEPTH + 1} deep in an object`, path, { ...base, body: `{"name":${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}}` }, 400, ''),
      at('a text/plain body', path, { ...base, contentType: 'text/plain' }, 415, '/header/Content-Type'),
      at('a body without a content type', path, { ...base, contentType: null }, 415, '/header/Content-Type'),
      at('a Latin-1 JSON body', path, { ...base, contentType: 'application/json; charset=iso-8859-1' }, 415, '/header/Content-Type'),
      at('form data', path, { ...base, contentType: 'application/x-www-form-urlencoded' }, 415, '/header/Content-Type'),
      at('no body', path, { ...base, body: undefined }, 400, ''),
      at(`a body above ${MAX_BODY_BYTES} bytes`, path, { ...base, body: JSON.stringify({ ...(GOOD_BODY[route.operationId] as object), padding: 'x'.repeat(MAX_BODY_BYTES) }) }, 413, ''),
    );
  }
  for (const query of route.query ?? []) {
    if (query.name === 'limit') for (const limit of ['0', '101', '-1', 'abc', '1e2', '2.5', '']) cases.push(at(`limit=${limit}`, path, { ...base, query: { ...base.query, limit } }, 400, '/query/limit'));
    if (query.name === 'cursor') {
      cases.push(
        at('a cursor with characters base64url has not', path, { ...base, query: { ...base.query, cursor: 'abc$%^' } }, 400, '/query/cursor'),
        at('a 5,000-character cursor', path, { ...base, query: { ...base.query, cursor: 'A'.repeat(5000) } }, 400, '/query/cursor'),
      );
    }
    if (query.name === 'cluster') {
      cases.push(
        at('a 5,000-character cluster', path, { ...base, query: { cluster: 'a'.repeat(5000) } }, 400, '/query/cluster'),
        at('a cluster with a control character', path, { ...base, query: { cluster: 'demo\u0000' } }, 400, '/query/cluster'),
        at('no cluster', path, { ...base, query: {} }, 400, '/query/cluster'),
      );
    }
    if (query.name === 'dryRun') cases.push(at('dryRun=yes', path, { ...base, query: { dryRun: 'yes' } }, 400, '/query/dryRun'));
  }
  cases.push(at(`a query string above ${MAX_QUERY_CHARS} characters`, path, { ...base, query: { ...base.query, padding: 'x'.repeat(100_000) } }, 414, '/query'));
  return cases;
}

const CASES = ROUTES.flatMap(casesFor);

/** An ACTIVE cluster of OWNER's with a nodegroup and a profile, so a check that came late would find real things. */
async function world(): Promise<FakeAws> {
  const aws = new FakeAws();
  expect((await routeRequest(apiEvent('POST', '/clusters', { body: referenceSpec() }), aws.deps())).statusCode).toBe(202);
  Object.assign(aws.clusterRecords.get('reference')!, { lockedBy: undefined, status: 'ACTIVE' });
  return aws;
}

describe('hostile input on every route', () => {
  it('has cases for every route of the table', () => {
    expect(new Set(CASES.map((c) => c.route.operationId))).toEqual(new Set(ROUTES.map((r) => r.operationId)));
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s → 4xx naming the field, before any port', async (_name, testCase) => {
    const aws = await world();
    const { deps, touched } = watched(aws.deps());

    const response = await routeRequest(apiEvent(testCase.route.method, testCase.path, testCase.options), deps);

    expect(response.statusCode).toBe(testCase.status);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(responseBody(response).errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: testCase.pointer })]));
    expect(touched).toEqual([]);
  });

  const ODD_BODIES = ['null', '[]', '"text"', '42', '{', '{"a":1}}', '{"name":"\\ud800"}', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', `{"name":"${'x'.repeat(60_000)}"}`];
  const bodyRoutes = ROUTES.filter((route) => route.body);

  it.each(bodyRoutes.flatMap((route) => ODD_BODIES.map((text) => [`${route.method} ${route.path}`, text.slice(0, 40), route, text] as const)))('%s with the body %s → 4xx problem, nothing started', async (_route, _shown, route, text) => {
    const aws = await world();
    const { deps, touched } = watched(aws.deps());

    const response = await routeRequest(apiEvent(route.method, pathOf(route), { ...goodOptions(route), body: text }), deps);

    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(touched.filter((call) => !call.startsWith('registry.get'))).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('takes application/*+json and an explicit UTF-8 charset', async () => {
    const aws = await world();

    const merge = await routeRequest(apiEvent('PATCH', '/clusters/reference/nodegroups/ng-spot', { body: { desiredSize: 1 }, contentType: 'application/merge-patch+json' }), aws.deps());
    Object.assign(aws.clusterRecords.get('reference')!, { lockedBy: undefined, status: 'ACTIVE' });
    const utf8 = await routeRequest(apiEvent('PUT', '/clusters/reference/endpoint-access', { body: { public: true, private: true }, contentType: 'Application/JSON; Charset="UTF-8"' }), aws.deps());

    expect([merge.statusCode, utf8.statusCode]).toEqual([202, 202]);
  });

  it('takes 128 printable ASCII characters as an Idempotency-Key', async () => {
    const aws = await world();
    const key = Array.from({ length: 128 }, (_v, i) => String.fromCharCode(0x20 + (i % 95))).join('').replace(/^ | $/g, 'k');

    const response = await routeRequest(apiEvent('DELETE', '/clusters/reference', { headers: { 'Idempotency-Key': key } }), aws.deps());

    expect(response.statusCode).toBe(202);
  });
});

describe('cursors', () => {
  /** Three clusters of OWNER's and one of ADMIN's, listed a page of one at a time. */
  async function listed(): Promise<{ aws: FakeAws; cursor: string }> {
    const aws = new FakeAws();
    for (const name of ['alpha', 'bravo', 'charlie']) await routeRequest(apiEvent('POST', '/clusters', { body: { ...referenceSpec(), name } }), aws.deps());
    const first = await routeRequest(apiEvent('GET', '/clusters', { query: { limit: '1' } }), aws.deps());
    expect(responseBody(first).clusters.map((c: { name: string }) => c.name)).toEqual(['alpha']);
    return { aws, cursor: responseBody(first).nextCursor };
  }

  it("continues a listing for the caller it was handed to, in any of their role's sessions", async () => {
    const { aws, cursor } = await listed();

    const next = await routeRequest(apiEvent('GET', '/clusters', { query: { limit: '1', cursor }, caller: OWNER.replace('session-1', 'session-2') }), aws.deps());

    expect(next.statusCode).toBe(200);
    expect(responseBody(next).clusters.map((c: { name: string }) => c.name)).toEqual(['bravo']);
  });

  it("answers 400 naming cursor to another caller's cursor", async () => {
    const { aws, cursor } = await listed();

    const response = await routeRequest(apiEvent('GET', '/clusters', { query: { limit: '1', cursor }, caller: ADMIN }), aws.deps());

    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(responseBody(response).errors).toEqual([expect.objectContaining({ pointer: '/query/cursor' })]);
  });

  it("answers 400 naming cursor to one listing's cursor sent to another", async () => {
    const aws = new FakeAws();
    await routeRequest(apiEvent('POST', '/clusters', { body: referenceSpec() }), aws.deps());
    Object.assign(aws.clusterRecords.get('reference')!, { lockedBy: undefined, status: 'ACTIVE' });
    await routeRequest(apiEvent('DELETE', '/clusters/reference'), aws.deps());
    const operations = responseBody(await routeRequest(apiEvent('GET', '/operations', { query: { cluster: 'reference', limit: '1' } }), aws.deps()));
    expect(operations.nextCursor).toEqual(expect.any(String));

    const response = await routeRequest(apiEvent('GET', '/clusters', { query: { cursor: operations.nextCursor } }), aws.deps());

    expect(response.statusCode).toBe(400);
    expect(responseBody(response).errors).toEqual([expect.objectContaining({ pointer: '/query/cursor' })]);
  });

  it.each([
    ['garbled base64url', 'bm90LWpzb24'],
    ['JSON that is no cursor', Buffer.from('{"pk":"CLUSTER#x"}').toString('base64url')],
    ['a cursor with a forged binding', Buffer.from('{"k":{"after":"x"},"b":"AAAAAAAAAAAAAAAAAAAAAA"}').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
  ])('answers 400 naming cursor to %s, on both list routes', async (_name, cursor) => {
    const aws = new FakeAws();

    const clusters = await routeRequest(apiEvent('GET', '/clusters', { query: { cursor } }), aws.deps());
    const operations = await routeRequest(apiEvent('GET', '/operations', { query: { cluster: 'reference', cursor } }), aws.deps());

    for (const response of [clusters, operations]) {
      expect(response.statusCode).toBe(400);
      expect(responseBody(response).errors).toEqual([expect.objectContaining({ pointer: '/query/cursor' })]);
    }
  });
});
