/**
 * Functions in the emulated account: the Lambda Invoke API (restJson1) through
 * @aws-sdk/client-lambda, and EventBridge rules delivering matched events to Lambda targets
 * through @aws-sdk/client-eventbridge, both reaching handlers registered in world.functions.
 */
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { InvalidRequestContentException, InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { createEventBridgeService, type EventBridgeService } from '../../local/emulator/services/eventbridge';
import { createLambdaService } from '../../local/emulator/services/lambda';
import { createLocalControlService } from '../../local/emulator/services/local-control';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { rejectionOf } from '../support/rejection';

const ACCOUNT = '000000000000';
const ECHO = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`;

let world: World;
let emulator: RunningEmulator;
let eventBridge: EventBridgeService;
let lambda: LambdaClient;
let events: EventBridgeClient;
const warnings: string[] = [];
const seen: Record<string, unknown[]> = { echo: [], api: [], failing: [] };
/** Holds the `eksp-api` function until released: a caller that waited for it would never get its reply. */
let gate = { promise: Promise.resolve(), resolve: () => undefined as void };
function closedGate() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);

beforeAll(async () => {
  world = new World({ timeScale: 0.001 });
  world.functions.warn = (message) => warnings.push(message);
  world.functions.register('echo', async (event) => {
    seen.echo!.push(event);
    return { echoed: event };
  });
  world.functions.register(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:eksp-api`, async (event) => {
    await gate.promise;
    seen.api!.push(event);
    return { statusCode: 202 };
  });
  world.functions.register('failing', async (event) => {
    seen.failing!.push(event);
    throw new TypeError('cannot read the cluster');
  });
  eventBridge = createEventBridgeService(world, { buses: ['eks-provisioner'] });
  emulator = await startEmulator({ timeScale: 0.001, services: [createLambdaService(world), eventBridge, createLocalControlService(world)] }, world);
  const client = { endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 };
  lambda = new LambdaClient(client);
  events = new EventBridgeClient(client);
});

afterAll(async () => {
  lambda.destroy();
  events.destroy();
  await world.functions.idle();
  await emulator.close();
});

describe('the function registry', () => {
  it('registers by name or ARN and resolves names, ARNs, partial ARNs and qualified names to the one function', () => {
    expect(world.functions.register('named', () => 1)).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:named`);

    for (const name of ['named', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:named`, `${ACCOUNT}:function:named`, 'named:$LATEST', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:named:live`]) {
      expect(world.functions.get(name)?.arn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:named`);
    }
    expect(world.functions.unregister('named')).toBe(true);
    expect(world.functions.get('named')).toBeUndefined();
    expect(() => world.functions.register('not a name', () => 1)).toThrow(/not a Lambda function name or ARN/);
  });
});

describe('Invoke', () => {
  it('RequestResponse runs the function and answers its result, by name, ARN or partial ARN', async () => {
    const byName = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: utf8('{"n":1}') }));
    const byArn = await lambda.send(new InvokeCommand({ FunctionName: ECHO, Payload: utf8('{"n":2}'), LogType: 'Tail' }));
    const byPartial = await lambda.send(new InvokeCommand({ FunctionName: `${ACCOUNT}:function:echo`, Qualifier: '$LATEST' }));

    expect(byName.StatusCode).toBe(200);
    expect(byName.ExecutedVersion).toBe('$LATEST');
    expect(byName.FunctionError).toBeUndefined();
    expect(JSON.parse(text(byName.Payload))).toEqual({ echoed: { n: 1 } });
    expect(JSON.parse(text(byArn.Payload))).toEqual({ echoed: { n: 2 } });
    expect(Buffer.from(byArn.LogResult!, 'base64').toString()).toMatch(/^START RequestId: [0-9a-f-]+ Version: \$LATEST/);
    expect(JSON.parse(text(byPartial.Payload))).toEqual({ echoed: {} }); // no payload: the function gets {}
    expect(world.functions.invocations.filter((i) => i.source === 'lambda' && i.functionArn === ECHO).map((i) => i.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(world.calls).toContain('lambda:Invoke');
  });

  it('a function error is a 200 with FunctionError Unhandled and the error as the payload', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'failing', Payload: utf8('{}') }));

    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(out.Payload))).toMatchObject({ errorType: 'TypeError', errorMessage: 'cannot read the cluster', trace: expect.any(Array) });
    expect(world.functions.invocations.at(-1)).toMatchObject({ status: 'FAILED', error: { errorType: 'TypeError', errorMessage: 'cannot read the cluster' } });
  });

  it('Event answers 202 without waiting for the function, which runs afterwards; DryRun answers 204 and runs nothing', async () => {
    gate = closedGate();
    const before = seen.api!.length;

    const queued = await lambda.send(new InvokeCommand({ FunctionName: 'eksp-api', InvocationType: 'Event', Payload: utf8('{"async":true}') }));
    const doneBeforeRelease = seen.api!.length > before;
    gate.resolve();
    await world.functions.idle();
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun', Payload: utf8('{"dry":true}') }));

    expect(queued.StatusCode).toBe(202);
    expect(doneBeforeRelease).toBe(false);
    expect(seen.api!.slice(before)).toEqual([{ async: true }]);
    expect(dry.StatusCode).toBe(204);
    expect(world.functions.invocations.some((i) => JSON.stringify(i.event) === '{"dry":true}')).toBe(false);
  });

  it('an unknown function is ResourceNotFoundException naming its ARN; a payload that is not JSON is InvalidRequestContentException', async () => {
    const missing = await rejectionOf(lambda.send(new InvokeCommand({ FunctionName: 'nobody', Payload: utf8('{}') })));
    const missingAsync = await rejectionOf(lambda.send(new InvokeCommand({ FunctionName: 'nobody', InvocationType: 'Event', Payload: utf8('{}') })));
    const garbled = await rejectionOf(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: utf8('{not json') })));

    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing.message).toBe(`Function not found: arn:aws:lambda:us-east-1:${ACCOUNT}:function:nobody`);
    expect(missing.$metadata).toMatchObject({ httpStatusCode: 404 });
    expect(missingAsync).toBeInstanceOf(ResourceNotFoundException);
    expect(garbled).toBeInstanceOf(InvalidRequestContentException);
  });

  it('answers other Lambda operations with a restJson1 UnknownOperationException', async () => {
    const response = await fetch(`${emulator.url}/2015-03-31/functions/echo`, { method: 'DELETE', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=x' } });

    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toMatchObject({ Message: expect.stringContaining('implements only Invoke') });
  });
});

describe('EventBridge rules with Lambda targets', () => {
  beforeAll(async () => {
    await events.send(new PutRuleCommand({ Name: 'operation-requested', EventBusName: 'eks-provisioner', EventPattern: JSON.stringify({ 'detail-type': ['EKS Cluster Operation Requested'], source: [{ 'anything-but': 'eks-provisioner.expiry' }] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'operation-requested', EventBusName: 'eks-provisioner', Targets: [{ Id: 'api', Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:eksp-api` }] }));
  });

  it('delivers the standard event envelope to the function, after PutEvents has answered', async () => {
    gate = closedGate();
    const before = seen.api!.length;
    const detail = { operation: 'DELETE_CLUSTER', cluster: 'demo' };

    const out = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'eks-provisioner', Source: 'portal', DetailType: 'EKS Cluster Operation Requested', Detail: JSON.stringify(detail), Resources: ['arn:aws:eks:us-east-1:000000000000:cluster/demo'] }] }));
    const doneBeforeRelease = seen.api!.length > before;
    gate.resolve();
    await eventBridge.idle();

    expect(out.FailedEntryCount).toBe(0);
    expect(doneBeforeRelease).toBe(false);
    expect(seen.api!.slice(before)).toEqual([
      {
        version: '0',
        id: out.Entries![0]!.EventId,
        'detail-type': 'EKS Cluster Operation Requested',
        source: 'portal',
        account: ACCOUNT,
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        region: 'us-east-1',
        resources: ['arn:aws:eks:us-east-1:000000000000:cluster/demo'],
        detail,
      },
    ]);
    const delivery = eventBridge.deliveries().at(-1)!;
    expect(delivery).toMatchObject({ rule: 'operation-requested', targetId: 'api', requestId: expect.any(String) });
    expect(delivery.error).toBeUndefined();
    expect(world.functions.invocations.find((i) => i.requestId === delivery.requestId)).toMatchObject({ source: 'events', invocationType: 'Event', trigger: `arn:aws:events:us-east-1:${ACCOUNT}:rule/eks-provisioner/operation-requested`, status: 'SUCCEEDED' });
  });

  it('does not deliver events the rule does not match', async () => {
    const before = seen.api!.length;

    await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'eks-provisioner', Source: 'eks-provisioner.expiry', DetailType: 'EKS Cluster Operation Requested', Detail: '{}' }] }));
    await eventBridge.idle();

    expect(seen.api!.length).toBe(before);
  });

  it('honours a target’s InputPath and InputTransformer', async () => {
    await events.send(new PutRuleCommand({ Name: 'shaped', EventPattern: JSON.stringify({ source: ['shaped-test'] }) }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'shaped',
        Targets: [
          { Id: 'path', Arn: ECHO, InputPath: '$.detail' },
          { Id: 'transformed', Arn: ECHO, InputTransformer: { InputPathsMap: { cluster: '$.detail.cluster' }, InputTemplate: '{"name": "<cluster>"}' } },
        ],
      }),
    );
    const before = seen.echo!.length;

    await events.send(new PutEventsCommand({ Entries: [{ Source: 'shaped-test', DetailType: 'x', Detail: '{"cluster":"demo"}' }] }));
    await eventBridge.idle();

    expect(seen.echo!.slice(before)).toEqual(expect.arrayContaining([{ cluster: 'demo' }, { name: 'demo' }]));
  });

  it('a failing function never fails PutEvents: its error is recorded and reported', async () => {
    await events.send(new PutRuleCommand({ Name: 'to-failing', EventPattern: JSON.stringify({ source: ['failing-test'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'to-failing', Targets: [{ Id: 'failing', Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:failing` }] }));

    const out = await events.send(new PutEventsCommand({ Entries: [{ Source: 'failing-test', DetailType: 'x', Detail: '{}' }] }));
    await eventBridge.idle();

    expect(out.FailedEntryCount).toBe(0);
    const requestId = eventBridge.deliveries().at(-1)!.requestId;
    expect(world.functions.invocations.find((i) => i.requestId === requestId)).toMatchObject({ status: 'FAILED', error: { errorType: 'TypeError', errorMessage: 'cannot read the cluster' } });
    expect(warnings.at(-1)).toMatch(/failing .*failed: TypeError: cannot read the cluster/);
  });

  it('GET /_local/invocations lists the functions and their invocations, filtered by function', async () => {
    const response = await fetch(`${emulator.url}/_local/invocations?function=eksp-api`);
    const body = (await response.json()) as { functions: Array<{ name: string }>; invocations: Array<{ functionArn: string; source: string }>; next: number };

    expect(body.functions.map((f) => f.name)).toEqual(expect.arrayContaining(['echo', 'eksp-api', 'failing']));
    expect(body.invocations.length).toBeGreaterThan(0);
    expect(body.invocations.every((i) => i.functionArn.endsWith(':function:eksp-api'))).toBe(true);
    expect(body.next).toBe(world.functions.invocations.length);
  });
});
