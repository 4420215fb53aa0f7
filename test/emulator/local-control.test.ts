/** The emulator's own controls under /_local: faults, events, calls, duration samples, health. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createEventBridgeService } from '../../local/emulator/services/eventbridge';
import { createLocalControlService } from '../../local/emulator/services/local-control';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';

/** Parsed JSON, navigated freely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let world: World;
let emulator: RunningEmulator;
let events: EventBridgeClient;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json; headers: Headers }> {
  const response = await fetch(`${emulator.url}${path}`, { method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return { status: response.status, json: await response.json(), headers: response.headers };
}

beforeAll(async () => {
  world = new World({ timeScale: 0.01 });
  emulator = await startEmulator({ timeScale: 0.01, services: [createLocalControlService(world), createEventBridgeService(world, { buses: ['eks-provisioner'] })] }, world);
  events = new EventBridgeClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});

afterAll(async () => {
  events.destroy();
  await emulator.close();
});

describe('/_local/faults', () => {
  afterEach(() => world.faults.clear());

  it('POST adds rules and answers every active rule; GET lists; DELETE clears', async () => {
    const added = await call('POST', '/_local/faults', { rules: [{ kind: 'throttle', service: 'eks', operation: '*', rate: 0.2 }] });
    expect(added.status).toBe(200);
    expect(added.json).toEqual({ rules: [{ kind: 'throttle', service: 'eks', operation: '*', rate: 0.2 }] });

    await call('POST', '/_local/faults', { rules: [{ kind: 'nodegroup-failure', nodegroup: 'ng-spot', message: 'no capacity' }] });
    expect((await call('GET', '/_local/faults')).json.rules).toHaveLength(2);
    expect(world.faults.nodegroupFailure('ng-spot')).toEqual({ code: 'AsgInstanceLaunchFailures', message: 'no capacity' });

    const cleared = await call('DELETE', '/_local/faults');
    expect(cleared).toMatchObject({ status: 200, json: { rules: [] } });
    expect(world.faults.list()).toEqual([]);
  });

  it.each([
    ['an unknown kind', { rules: [{ kind: 'meteor' }] }, /rules\[0\]\.kind must be one of/],
    ['a rate out of range', { rules: [{ kind: 'throttle', service: 'eks', rate: 2 }] }, /rules\[0\]\.rate/],
    ['no rules array', { kind: 'throttle' }, /\{"rules": \[\.\.\.\]\}/],
    ['a body that is not JSON', '{nope', /not JSON/],
  ])('refuses %s with 400 and a message', async (_, body, message) => {
    const { status, json } = await call('POST', '/_local/faults', body);

    expect(status).toBe(400);
    expect(json.message).toMatch(message);
    expect(world.faults.list()).toEqual([]);
  });

  it('a fault posted here takes effect on the next AWS call', async () => {
    await call('POST', '/_local/faults', { rules: [{ kind: 'throttle', service: 'events', operation: 'PutEvents', rate: 1 }] });

    await expect(events.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }))).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('/_local/events', () => {
  it('returns every event put on any bus, in order, filterable by source, with a cursor', async () => {
    await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'eks-provisioner', DetailType: 'EKS Cluster Operation Status Change', Detail: '{"n":1}', EventBusName: 'eks-provisioner' },
          { Source: 'aws.cloudformation', DetailType: 'CloudFormation Stack Status Change', Detail: '{"n":2}' },
          { Source: 'eks-provisioner', DetailType: 'EKS Cluster Operation Status Change', Detail: '{"n":3}', EventBusName: 'eks-provisioner' },
        ],
      }),
    );

    const all = await call('GET', '/_local/events');
    expect(all.status).toBe(200);
    expect(all.json.events.map((e: { detail: { n: number } }) => e.detail.n)).toEqual([1, 2, 3]);
    expect(all.json.events[0]).toEqual({ bus: 'eks-provisioner', source: 'eks-provisioner', detailType: 'EKS Cluster Operation Status Change', detail: { n: 1 }, time: expect.any(String), id: expect.any(String) });
    expect(all.json.next).toBe(3);

    const ours = await call('GET', '/_local/events?source=eks-provisioner');
    expect(ours.json.events.map((e: { detail: { n: number } }) => e.detail.n)).toEqual([1, 3]);

    const later = await call('GET', '/_local/events?after=2');
    expect(later.json.events.map((e: { detail: { n: number } }) => e.detail.n)).toEqual([3]);
    expect((await call('GET', '/_local/events?after=-1')).status).toBe(400);
  });
});

describe('/_local/calls, /samples, /health', () => {
  it('counts AWS calls by service:operation, not the local controls', async () => {
    const { json } = await call('GET', '/_local/calls');

    expect(json.calls['events:PutEvents']).toBeGreaterThanOrEqual(1);
    expect(json.total).toBe(world.calls.length);
    expect(Object.keys(json.calls).some((k) => k.startsWith('local'))).toBe(false);
  });

  it('returns the sampled durations', async () => {
    world.durations.sample('controlPlaneCreate', 'cluster demo');

    const { json } = await call('GET', '/_local/samples');

    expect(json.samples).toEqual([{ kind: 'controlPlaneCreate', resource: 'cluster demo', seconds: expect.any(Number) }]);
  });

  it('reports health and the time scale', async () => {
    expect((await call('GET', '/_local/health')).json).toEqual({ status: 'ok', timeScale: 0.01, region: 'us-east-1', account: '000000000000' });
  });
});

describe('errors', () => {
  it('an unknown control is 404 JSON; a wrong method is 405 with Allow', async () => {
    const missing = await call('GET', '/_local/nope');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toContain('/_local/faults');

    const wrong = await call('PUT', '/_local/events', {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(wrong.json.message).toContain('PUT');
  });
});
