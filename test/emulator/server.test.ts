/**
 * Routing of the one local endpoint: X-Amz-Target for the awsJson services, the SigV4 signing
 * service for ec2Query, /_local for controls; anything unknown answers a well-formed awsJson error
 * the SDK can parse; injected faults reach the SDK as AWS's own errors.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { createEc2Service } from '../../local/emulator/services/ec2';
import { createEventBridgeService } from '../../local/emulator/services/eventbridge';
import { createLocalControlService } from '../../local/emulator/services/local-control';
import { createStepFunctionsService } from '../../local/emulator/services/stepfunctions';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { rejectionOf } from '../support/rejection';

const clientConfig = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

let world: World;
let emulator: RunningEmulator;
let events: EventBridgeClient;

beforeAll(async () => {
  world = new World({ timeScale: 0.001 });
  emulator = await startEmulator(
    { timeScale: 0.001, services: [createEc2Service(world), createEventBridgeService(world), createStepFunctionsService(world), createLocalControlService(world)] },
    world,
  );
  events = new EventBridgeClient(clientConfig(emulator.url));
});

afterAll(async () => {
  events.destroy();
  await emulator.close();
});

beforeEach(() => world.faults.clear());

describe('routing', () => {
  it('a service the emulator lacks answers 400 UnknownServiceException as awsJson, with a request id', async () => {
    const response = await fetch(emulator.url, {
      method: 'POST',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x', 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      body: '{}',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(response.headers.get('content-type')).toMatch(/^application\/x-amz-json-1\.[01]$/);
    expect(await response.json()).toEqual({ __type: expect.stringMatching(/#UnknownServiceException$/), message: expect.stringContaining('sqs') });
  });

  it('an SDK client of a service not registered gets a parseable UnknownServiceException, not a deserialization error', async () => {
    const eks = new EKSClient(clientConfig(emulator.url));
    try {
      const error = await rejectionOf(eks.send(new DescribeClusterCommand({ name: 'demo' })));

      expect(error.name).toBe('UnknownServiceException');
      expect(error.message).toContain('eks');
    } finally {
      eks.destroy();
    }
  });

  it('an unsigned request with no target is refused the same way', async () => {
    const response = await fetch(`${emulator.url}/some/path`);

    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toMatch(/UnknownServiceException$/);
  });

  it('routes by X-Amz-Target even without a signature, and by signing service for ec2Query', async () => {
    const sfn = await fetch(emulator.url, { method: 'POST', headers: { 'x-amz-target': 'AWSStepFunctions.ListStateMachines', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
    expect(((await sfn.json()) as { __type: string }).__type).toMatch(/#LocalRuntimeUnavailable$/);

    const ec2 = await fetch(emulator.url, {
      method: 'POST',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeAvailabilityZones&Version=2016-11-15',
    });
    expect(ec2.status).toBe(200);
    expect(await ec2.text()).toContain('<DescribeAvailabilityZonesResponse');

    expect((await fetch(`${emulator.url}/_local/health`)).status).toBe(200);
  });
});

describe('faults through the SDK', () => {
  it('a throttle rule with rate 1 on events makes PutEvents throw ThrottlingException (maxAttempts 1)', async () => {
    world.faults.add([{ kind: 'throttle', service: 'events', rate: 1 }]);

    const error = await rejectionOf(events.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] })));

    expect(error.name).toBe('ThrottlingException');
    expect(error.message).toBe('Rate exceeded');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
    expect(world.busEvents).toHaveLength(0);
  });

  it('the SDK retries a throttled call on its own and succeeds once the rule is gone', async () => {
    world.faults.add([{ kind: 'throttle', service: 'events', operation: 'PutEvents', rate: 1 }]);
    const retrying = new EventBridgeClient({ ...clientConfig(emulator.url), maxAttempts: 3 });
    setTimeout(() => world.faults.clear(), 50);
    try {
      const out = await retrying.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }));
      expect(out.FailedEntryCount).toBe(0);
      expect(world.calls.filter((c) => c === 'events:PutEvents').length).toBeGreaterThanOrEqual(2);
    } finally {
      retrying.destroy();
    }
  });

  it('a rule on another service or operation leaves this one alone', async () => {
    world.faults.add([
      { kind: 'throttle', service: 'eks', rate: 1 },
      { kind: 'throttle', service: 'events', operation: 'ListRules', rate: 1 },
    ]);

    const out = await events.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }));

    expect(out.FailedEntryCount).toBe(0);
  });

  it('a server-error rule surfaces as a 500 InternalFailure', async () => {
    world.faults.add([{ kind: 'server-error', service: 'states', rate: 1 }]);
    const sfn = new SFNClient(clientConfig(emulator.url));
    try {
      const error = await rejectionOf(sfn.send(new ListStateMachinesCommand({})));

      expect(error.name).toBe('InternalFailure');
      expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(500);
    } finally {
      sfn.destroy();
    }
  });
});
