/**
 * The plumbing the JSON-protocol services share (local/emulator/json/): awsJson dispatch by
 * X-Amz-Target with its call counting, fault checks and error shapes, and the restJson1 route
 * table and fault statuses.
 */
import { checkRestJsonFaults, createAwsJsonService, findRoute, parseJsonInput } from '../../local/emulator/json';
import { EmulatorError } from '../../local/emulator/protocol';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';

describe('awsJson dispatch', () => {
  let world: World;
  let emulator: RunningEmulator;
  // The server routes a target it does not know by the signing scope; the emulator does not check signatures.
  const headers = (target?: string) => ({
    authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/widgets/aws4_request, SignedHeaders=host, Signature=0',
    'content-type': 'application/x-amz-json-1.0',
    ...(target ? { 'x-amz-target': target } : {}),
  });
  const post = async (target: string | undefined, body: string) => {
    const response = await fetch(emulator.url, { method: 'POST', headers: headers(target), body });
    return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  };

  beforeEach(async () => {
    world = new World({ timeScale: 0.001 });
    const service = createAwsJsonService<{ greeting: string }>(world, {
      name: 'widgets',
      protocol: 'awsJson1.0',
      targetPrefix: 'Widgets_2026.',
      namespace: 'com.example.widgets',
      title: 'Widgets',
      malformedBodyMessage: 'Body is not a structure.',
      operations: {
        Greet: ({ greeting }, input) => ({ Message: `${greeting}, ${String(input.Name)}` }),
        Refuse: () => {
          throw new EmulatorError(400, 'ValidationException', 'no');
        },
      },
      context: () => ({ greeting: 'hello' }),
    });
    emulator = await startEmulator({ timeScale: 0.001, services: [service] }, world);
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('runs the operation X-Amz-Target names and counts it as service:Operation', async () => {
    const answer = await post('Widgets_2026.Greet', '{"Name":"ada"}');
    expect(answer).toEqual({ status: 200, contentType: 'application/x-amz-json-1.0', body: { Message: 'hello, ada' } });
    expect(world.calls).toContain('widgets:Greet');
  });

  it('answers errors as `namespace#Code` with the message', async () => {
    expect(await post('Widgets_2026.Refuse', '')).toEqual({ status: 400, contentType: 'application/x-amz-json-1.0', body: { __type: 'com.example.widgets#ValidationException', message: 'no' } });
  });

  it('refuses an operation the service does not have with UnknownOperationException, counted as Unknown without a target', async () => {
    const unknown = await post('Widgets_2026.Explode', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ __type: 'com.example.widgets#UnknownOperationException', message: 'The local Widgets does not implement Widgets_2026.Explode' });
    const untargeted = await post(undefined, '{}');
    expect(untargeted.body.message).toBe('The local Widgets does not implement this operation (no X-Amz-Target)');
    expect(world.calls).toEqual(expect.arrayContaining(['widgets:Explode', 'widgets:Unknown']));
  });

  it.each(['{', '[1]', 'null', '"text"'])('refuses the body %j with SerializationException', async (body) => {
    expect((await post('Widgets_2026.Greet', body)).body).toEqual({ __type: 'com.example.widgets#SerializationException', message: 'Body is not a structure.' });
  });

  it('lets a throttle fault answer before the operation runs', async () => {
    world.faults.add([{ kind: 'throttle', service: 'widgets', operation: 'Greet', rate: 1 }]);
    const answer = await post('Widgets_2026.Greet', '{}');
    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe('com.example.widgets#ThrottlingException');
  });

  it('reads an empty body as {}', () => {
    expect(parseJsonInput('', 'bad')).toEqual({});
  });
});

describe('restJson1 routes', () => {
  const routes = [
    { method: 'GET', path: '/things', operation: 'ListThings', run: () => 'list' },
    { method: 'GET', path: '/things/{Name}', operation: 'GetThing', run: () => 'get' },
    { method: 'DELETE', path: '/things/{Name}', operation: 'DeleteThing', run: () => 'delete' },
  ];

  it('matches the method and the template, decoding the parameters', () => {
    expect(findRoute(routes, 'GET', '/things/a%2Fb')).toEqual({ route: routes[1], params: { Name: 'a/b' } });
    expect(findRoute(routes, 'DELETE', '/things/x/')?.route.operation).toBe('DeleteThing');
    expect(findRoute(routes, 'GET', '/things')?.route.operation).toBe('ListThings');
    expect(findRoute(routes, 'POST', '/things/x')).toBeUndefined();
    expect(findRoute(routes, 'GET', '/things/x/more')).toBeUndefined();
  });

  it('refuses a path that does not decode with ValidationException', () => {
    expect(() => findRoute(routes, 'GET', '/things/%E0%A4%A')).toThrow(expect.objectContaining({ status: 400, code: 'ValidationException' }));
  });

  it('answers a throttle with 429 and a server fault with 500 in the service’s codes', () => {
    const world = new World({ timeScale: 0.001 });
    const codes = { throttleCode: 'TooManyRequestsException', serverErrorCode: 'ServiceException' };
    expect(() => checkRestJsonFaults(world, 'things', 'GetThing', codes)).not.toThrow();
    world.faults.add([{ kind: 'throttle', service: 'things', operation: 'GetThing', rate: 1 }]);
    expect(() => checkRestJsonFaults(world, 'things', 'GetThing', codes)).toThrow(expect.objectContaining({ status: 429, code: 'TooManyRequestsException' }));
    world.faults.clear();
    world.faults.add([{ kind: 'server-error', service: 'things', rate: 1 }]);
    expect(() => checkRestJsonFaults(world, 'things', 'GetThing', codes)).toThrow(expect.objectContaining({ status: 500, code: 'ServiceException' }));
  });
});
