/**
 * Idempotency that survives a failed start, end to end: a request answered 503 because
 * StartExecution was throttled is started by its retry with the same Idempotency-Key. A file of
 * its own: one local cloud per process at a time (the SDK's endpoint and the handlers' ports are
 * process-wide), so another file's reconciler cannot reach this one's registry.
 */
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { startLocal, type LocalMode } from '../../local/start';
import { expectOneTerminalLast, LocalCloud } from '../support/local-cloud';

const TIME_SCALE = 0.003;

const spec = (name: string) => ({ name, managedNodeGroups: [{ name: 'ng-1', desiredSize: 1, minSize: 1, maxSize: 1 }] });

describe('idempotency that survives a failed start', () => {
  // Without the reconciler: at this time scale the SDK's real-time backoff on the throttled
  // StartExecution spans emulated minutes, so the reconciler's ten-minute grace for an operation
  // that never started could end before the client's retry. In AWS it is seconds against ten
  // minutes; the reconciler's own part is tested in terminal-truth.test.ts.
  let quiet: LocalMode;
  let quietCloud: LocalCloud;

  beforeAll(async () => {
    quiet = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 7, quiet: true, reconciler: false });
    quietCloud = new LocalCloud(quiet);
  }, 30_000);

  afterAll(async () => {
    quietCloud?.destroy();
    await quiet?.stop();
  });

  it('starts the operation when a request refused for a throttled StartExecution is retried with the same Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': 'retry-after-503' };
    const faults = `${quiet.awsUrl}/_local/faults`;
    await fetch(faults, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ kind: 'throttle', service: 'states', operation: 'StartExecution', rate: 1 }] }) });
    const refused = await quietCloud.call('POST', '/clusters', { body: spec('start-throttled'), headers });
    expect(refused.status).toBe(503);
    await fetch(faults, { method: 'DELETE' });

    const retried = await quietCloud.call('POST', '/clusters', { body: spec('start-throttled'), headers });
    expect(retried).toMatchObject({ status: 202, body: { status: 'ACCEPTED', operationId: refused.body.operationId ?? expect.any(String) } });
    const events = await quietCloud.eventsUntilTerminal(String(retried.body.operationId));

    expectOneTerminalLast(events, 'SUCCEEDED');
    expect((await quietCloud.eks.send(new DescribeClusterCommand({ name: 'start-throttled' }))).cluster?.status).toBe('ACTIVE');
  });
});
