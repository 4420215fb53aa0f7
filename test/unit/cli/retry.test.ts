/**
 * Safe retries: every request that starts an operation carries an Idempotency-Key, the same on
 * its retries; 429, 503 and a request left unanswered are sent again with capped, jittered
 * backoff (or the server's Retry-After), a bounded number of times, each retry said on stderr.
 */
import { ApiClient } from '../../../cli/client/api-client';
import { ApiProblemError } from '../../../cli/client/errors';
import { retryAfterMs, retryDelayMs, type RetryNotice } from '../../../cli/client/retry';
import { eksp, FakeApi, fakeIo, type Answer, type RecordedRequest } from '../../support/cli-harness';

const ACCEPTED: Answer = { status: 202, body: { operationId: 'op-1', cluster: 'demo', status: 'ACCEPTED', links: { operation: '/operations/op-1' } } };
const UNAVAILABLE: Answer = {
  status: 503,
  contentType: 'application/problem+json',
  body: { status: 503, title: 'Service unavailable', detail: 'the request could not be completed; it is safe to retry (with the same Idempotency-Key)' },
};
const THROTTLED: Answer = { status: 429, body: { message: 'Too Many Requests' }, headers: { 'retry-after': '7' } };

/** A fake API answering each request from `script` in turn (the last answer from then on). */
async function scripted(...script: Answer[]): Promise<FakeApi> {
  let next = 0;
  return new FakeApi(() => script[Math.min(next++, script.length - 1)]).start();
}

const keyOf = (request: RecordedRequest) => request.headers['idempotency-key'];
/** stderr without the time stamps. */
const messages = (text: string) => text.split('\n').filter(Boolean).map((line) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /, ''));

describe('Idempotency-Key', () => {
  test('each operation-starting request carries its own key; reads carry none', async () => {
    const api = await new FakeApi((r) => (r.method === 'GET' ? { status: 200, body: { clusters: [] } } : ACCEPTED)).start();
    const client = new ApiClient({ baseUrl: api.url });

    await client.addAddon('demo', { name: 'coredns' });
    await client.addAddon('demo', { name: 'coredns' });
    await client.removePodIdentityAssociation('demo', 'payments', 'ledger');
    await client.listClusters();
    await api.stop();

    const [first, second, third, read] = api.requests.map(keyOf);
    expect(first).toMatch(/^eksp-[0-9a-f-]{36}$/);
    expect(new Set([first, second, third]).size).toBe(3);
    expect(read).toBeUndefined();
  });

  test('a key the caller gives is sent as it is', async () => {
    const api = await scripted(ACCEPTED);

    await new ApiClient({ baseUrl: api.url }).createCluster({ name: 'demo' }, { idempotencyKey: 'demo-create-1' });
    await api.stop();

    expect(keyOf(api.requests[0]!)).toBe('demo-create-1');
  });
});

describe('the CLI retries', () => {
  test('503, then 202: the same request and key again, the retry said on stderr, exit 0', async () => {
    const api = await scripted(UNAVAILABLE, ACCEPTED);
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url }, now: () => new Date(2026, 11, 4, 2, 10, 11) });

    const code = await eksp(io, 'create', 'addon', '--cluster', 'demo', '--name', 'aws-ebs-csi-driver');
    await api.stop();

    expect(code).toBe(0);
    expect(api.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual(Array(2).fill('POST /clusters/demo/addons {"name":"aws-ebs-csi-driver"}'));
    expect(keyOf(api.requests[1]!)).toBe(keyOf(api.requests[0]!));
    expect(io.sleeps).toHaveLength(1);
    expect(messages(io.stderr.text)).toEqual([`[!]  POST /clusters/demo/addons: HTTP 503 Service unavailable; retrying in ${(io.sleeps[0]! / 1000).toFixed(1)}s (attempt 2 of 5)`]);
  });

  test('a connection closed with no answer is retried with the same key', async () => {
    const api = await scripted({ hangUp: true }, ACCEPTED);
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'delete', 'podidentityassociation', '--cluster', 'demo', '--namespace', 'payments', '--service-account-name', 'ledger');
    await api.stop();

    expect(code).toBe(0);
    expect(api.requests).toHaveLength(2);
    expect(keyOf(api.requests[1]!)).toBe(keyOf(api.requests[0]!));
    expect(messages(io.stderr.text)).toEqual([expect.stringMatching(/^\[!\] {2}DELETE \/clusters\/demo\/pod-identity-associations\/payments\/ledger: fetch failed \(.*\); retrying in \d+\.\ds \(attempt 2 of 5\)$/)]);
  });

  test('429 waits what Retry-After says', async () => {
    const api = await scripted(THROTTLED, ACCEPTED);
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'delete', 'addon', '--cluster', 'demo', '--name', 'coredns');
    await api.stop();

    expect(code).toBe(0);
    expect(io.sleeps).toEqual([7000]);
    expect(messages(io.stderr.text)).toEqual(['[!]  DELETE /clusters/demo/addons/coredns: HTTP 429 Too Many Requests; retrying in 7.0s (attempt 2 of 5)']);
  });

  test('still 503 after 5 attempts: gives up with the problem and how many attempts, exit 1', async () => {
    const api = await scripted(UNAVAILABLE);
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'update', 'addon', '--cluster', 'demo', '--name', 'coredns', '--version', 'v1.12.1-eksbuild.2');
    await api.stop();

    expect(code).toBe(1);
    expect(api.requests).toHaveLength(5);
    expect(new Set(api.requests.map(keyOf)).size).toBe(1);
    const lines = messages(io.stderr.text);
    expect(lines.slice(0, 4).map((line) => line.replace(/retrying in \d+\.\ds/, 'retrying in Ns'))).toEqual([2, 3, 4, 5].map((n) => `[!]  PATCH /clusters/demo/addons/coredns: HTTP 503 Service unavailable; retrying in Ns (attempt ${n} of 5)`));
    expect(lines.slice(4)).toEqual(['Error: Service unavailable: the request could not be completed; it is safe to retry (with the same Idempotency-Key)', '  gave up after 5 attempts']);
  });

  test('other refusals (409, 422) are answers, not retried', async () => {
    const api = await scripted({ status: 409, contentType: 'application/problem+json', body: { status: 409, title: 'Cluster busy', detail: 'cluster demo has operation op-9 in progress', runningOperationId: 'op-9' } });
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'delete', 'addon', '--cluster', 'demo', '--name', 'coredns');
    await api.stop();

    expect(code).toBe(1);
    expect(api.requests).toHaveLength(1);
    expect(io.stderr.text).toBe('Error: Cluster busy: cluster demo has operation op-9 in progress\n  follow it with: eksp watch op-9\n');
  });

  test('each invocation makes its own key', async () => {
    const api = await scripted(ACCEPTED);

    await eksp(fakeIo({ env: { EKSP_ENDPOINT: api.url } }), 'delete', 'addon', '--cluster', 'demo', '--name', 'coredns');
    await eksp(fakeIo({ env: { EKSP_ENDPOINT: api.url } }), 'delete', 'addon', '--cluster', 'demo', '--name', 'coredns');
    await api.stop();

    expect(keyOf(api.requests[0]!)).not.toBe(keyOf(api.requests[1]!));
  });
});

describe('the client’s retry policy', () => {
  test('a bounded number of attempts, then ApiProblemError saying how many', async () => {
    const api = await scripted(UNAVAILABLE);
    const notices: RetryNotice[] = [];
    const client = new ApiClient({ baseUrl: api.url, retry: { attempts: 3, sleep: async () => undefined }, onRetry: (n) => notices.push(n) });

    const error = await client.getCluster('demo').catch((e: unknown) => e);
    await api.stop();

    expect(error).toBeInstanceOf(ApiProblemError);
    expect((error as ApiProblemError).attempts).toBe(3);
    expect(notices.map((n) => n.attempt)).toEqual([2, 3]);
  });

  test('backoff doubles from the base, capped, with half of it jitter', () => {
    const policy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 4000 };
    const low = (retry: number) => retryDelayMs({ ...policy, random: () => 0 }, retry, null);
    const high = (retry: number) => retryDelayMs({ ...policy, random: () => 0.999999 }, retry, null);

    expect([1, 2, 3, 4, 5].map(low)).toEqual([250, 500, 1000, 2000, 2000]);
    expect([1, 2, 3, 4, 5].map(high)).toEqual([500, 1000, 2000, 4000, 4000]);
  });

  test('Retry-After in seconds or as an HTTP date, never beyond the cap', () => {
    const now = () => Date.parse('2026-12-04T02:10:00Z');
    const policy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 20_000 };

    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Fri, 04 Dec 2026 02:10:12 GMT', now)).toBe(12_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryDelayMs(policy, 1, '120', now)).toBe(20_000);
  });
});
