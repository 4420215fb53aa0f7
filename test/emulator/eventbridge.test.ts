/**
 * The local EventBridge (awsJson1.1) through @aws-sdk/client-eventbridge and the service's own
 * status-event port: PutEvents into world.busEvents, buses, rules whose state machine targets
 * start local executions, and the event pattern matcher.
 */
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  DeleteRuleCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TestEventPatternCommand,
  DisableRuleCommand,
  EnableRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { createEventBridgeService, eventPatternError, matchesEventPattern, publishEvent, type EventBridgeService } from '../../local/emulator/services/eventbridge';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World, type ExecutionBackend, type ExecutionRecord } from '../../local/emulator/world';
import { EventBridgeStatusEvents } from '../../functions/ports/status-events';
import { rejectionOf } from '../support/rejection';

const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:eksp-provision';

/** Just enough of the local runtime to see which executions EventBridge starts. */
class RecordingExecutions implements ExecutionBackend {
  readonly started: Array<{ stateMachineArn: string; name: string; input: string }> = [];
  async start(stateMachineArn: string, name: string, input: string) {
    this.started.push({ stateMachineArn, name, input });
    return { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: new Date() };
  }
  describe(): ExecutionRecord | undefined {
    return undefined;
  }
  list(): ExecutionRecord[] {
    return [];
  }
  history() {
    return [];
  }
  async stop() {}
  stateMachines() {
    return [{ stateMachineArn: STATE_MACHINE, name: 'eksp-provision' }];
  }
}

let world: World;
let emulator: RunningEmulator;
let service: EventBridgeService;
let events: EventBridgeClient;
let executions: RecordingExecutions;

beforeAll(async () => {
  world = new World({ timeScale: 0.001 });
  executions = new RecordingExecutions();
  world.executions = executions;
  service = createEventBridgeService(world, { buses: ['eks-provisioner'] });
  emulator = await startEmulator({ timeScale: 0.001, services: [service] }, world);
  events = new EventBridgeClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});

afterAll(async () => {
  events.destroy();
  await emulator.close();
});

describe('PutEvents', () => {
  it('records each entry in world.busEvents, in order, with the detail parsed', async () => {
    const before = world.busEvents.length;

    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'eks-provisioner', DetailType: 'EKS Cluster Operation Status Change', Detail: JSON.stringify({ status: 'IN_PROGRESS', n: 1 }), EventBusName: 'eks-provisioner' },
          { Source: 'eks-provisioner', DetailType: 'EKS Cluster Operation Status Change', Detail: JSON.stringify({ status: 'SUCCEEDED', n: 2 }), EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/eks-provisioner' },
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toHaveLength(2);
    const recorded = world.busEvents.slice(before);
    expect(recorded.map((e) => e.id)).toEqual(out.Entries!.map((e) => e.EventId));
    expect(recorded).toEqual([
      expect.objectContaining({ bus: 'eks-provisioner', source: 'eks-provisioner', detailType: 'EKS Cluster Operation Status Change', detail: { status: 'IN_PROGRESS', n: 1 } }),
      expect.objectContaining({ bus: 'eks-provisioner', detail: { status: 'SUCCEEDED', n: 2 } }),
    ]);
    expect(recorded[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(world.calls).toContain('events:PutEvents');
  });

  it('uses the default bus when no EventBusName is given, and the entry’s Time when given', async () => {
    const time = new Date('2026-01-02T03:04:05Z');
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'aws.cloudformation', DetailType: 'x', Detail: '{}', Time: time }] }));

    expect(world.busEvents.at(-1)).toMatchObject({ bus: 'default', source: 'aws.cloudformation', time: '2026-01-02T03:04:05Z' });
  });

  it('fails bad entries one by one, in a 200, and keeps the good ones', async () => {
    const before = world.busEvents.length;

    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 's', DetailType: 'd', Detail: '{"ok":true}' },
          { Source: 's', DetailType: 'd', Detail: '{not json' },
          { Source: 's', DetailType: 'd', Detail: '[1,2]' },
          { Source: 's', DetailType: 'd', Detail: '{}', EventBusName: 'no-such-bus' },
          { DetailType: 'd', Detail: '{}' },
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(4);
    expect(out.Entries![0]!.EventId).toBeDefined();
    expect(out.Entries!.slice(1)).toEqual([
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus no-such-bus does not exist.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
    ]);
    expect(world.busEvents.length).toBe(before + 1);
  });

  it('more than 10 entries is a ValidationException for the whole call', async () => {
    const entries = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));

    const error = await rejectionOf(events.send(new PutEventsCommand({ Entries: entries })));

    expect(error.name).toBe('ValidationException');
  });

  it('the service’s own status-event port publishes through it', async () => {
    const port = new EventBridgeStatusEvents(
      () => events,
      () => 'eks-provisioner',
    );
    const event = { schemaVersion: '1.0', eventId: 'e-1', operationId: 'op-1', operation: 'CREATE', cluster: 'demo', status: 'IN_PROGRESS', phase: 'PLAN', requestedBy: 'arn:aws:iam::000000000000:user/dev', time: new Date().toISOString() };

    await port.publish(event as never);

    expect(world.busEvents.at(-1)).toMatchObject({ bus: 'eks-provisioner', source: 'eks-provisioner', detail: event });
  });

  it('the port surfaces a missing bus as a failed entry', async () => {
    const port = new EventBridgeStatusEvents(
      () => events,
      () => 'not-created',
    );

    const error = await rejectionOf(port.publish({} as never));

    expect(error.message).toContain('ResourceNotFoundException');
  });
});

describe('event buses', () => {
  it('creates, describes and lists buses; default always exists; duplicates are refused', async () => {
    const created = await events.send(new CreateEventBusCommand({ Name: 'team-bus', Description: 'a team' }));
    expect(created.EventBusArn).toBe('arn:aws:events:us-east-1:000000000000:event-bus/team-bus');

    const described = await events.send(new DescribeEventBusCommand({ Name: 'team-bus' }));
    expect(described).toMatchObject({ Name: 'team-bus', Arn: created.EventBusArn, Description: 'a team' });
    expect(described.CreationTime).toBeInstanceOf(Date);
    expect((await events.send(new DescribeEventBusCommand({}))).Name).toBe('default');

    const listed = await events.send(new ListEventBusesCommand({}));
    expect(listed.EventBuses!.map((b) => b.Name)).toEqual(expect.arrayContaining(['default', 'eks-provisioner', 'team-bus']));

    expect(await rejectionOf(events.send(new CreateEventBusCommand({ Name: 'team-bus' })))).toBeInstanceOf(ResourceAlreadyExistsException);
    expect(await rejectionOf(events.send(new DescribeEventBusCommand({ Name: 'nope' })))).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('rules and targets', () => {
  afterEach(async () => {
    await service.idle();
    executions.started.length = 0;
  });

  it('starts an execution with the full event for each matching event, and none for others', async () => {
    const rule = await events.send(
      new PutRuleCommand({ Name: 'on-create-requested', EventBusName: 'eks-provisioner', EventPattern: JSON.stringify({ source: ['eks-provisioner'], 'detail-type': ['Create Requested'], detail: { cluster: [{ prefix: 'prod-' }] } }) }),
    );
    expect(rule.RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/eks-provisioner/on-create-requested');
    await events.send(new PutTargetsCommand({ Rule: 'on-create-requested', EventBusName: 'eks-provisioner', Targets: [{ Id: 'sfn', Arn: STATE_MACHINE, RoleArn: 'arn:aws:iam::000000000000:role/events' }] }));

    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'eks-provisioner', DetailType: 'Create Requested', Detail: '{"cluster":"prod-eu"}', EventBusName: 'eks-provisioner' },
          { Source: 'eks-provisioner', DetailType: 'Create Requested', Detail: '{"cluster":"dev-eu"}', EventBusName: 'eks-provisioner' },
          { Source: 'eks-provisioner', DetailType: 'Create Requested', Detail: '{"cluster":"prod-us"}' }, // default bus: not this rule's
        ],
      }),
    );
    await service.idle();

    expect(executions.started).toHaveLength(1);
    expect(executions.started[0]!.stateMachineArn).toBe(STATE_MACHINE);
    const input = JSON.parse(executions.started[0]!.input);
    expect(input).toEqual({
      version: '0',
      id: out.Entries![0]!.EventId,
      'detail-type': 'Create Requested',
      source: 'eks-provisioner',
      account: '000000000000',
      time: expect.any(String),
      region: 'us-east-1',
      resources: [],
      detail: { cluster: 'prod-eu' },
    });
    expect(service.deliveries().at(-1)).toMatchObject({ rule: 'on-create-requested', targetId: 'sfn', executionArn: expect.stringContaining(':execution:eksp-provision:') });
  });

  it('honours Input and InputPath, disabled rules, and removed targets', async () => {
    const pattern = JSON.stringify({ source: ['tests'] });
    await events.send(new PutRuleCommand({ Name: 'shaped', EventPattern: pattern }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'shaped',
        Targets: [
          { Id: 'static', Arn: STATE_MACHINE, Input: '{"fixed":true}' },
          { Id: 'path', Arn: STATE_MACHINE, InputPath: '$.detail' },
        ],
      }),
    );
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: 'shaped' }))).Targets!.map((t) => t.Id)).toEqual(['static', 'path']);

    await events.send(new PutEventsCommand({ Entries: [{ Source: 'tests', DetailType: 'x', Detail: '{"a":1}' }] }));
    await service.idle();
    expect(executions.started.map((s) => JSON.parse(s.input))).toEqual([{ fixed: true }, { a: 1 }]);

    await events.send(new DisableRuleCommand({ Name: 'shaped' }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'tests', DetailType: 'x', Detail: '{"a":2}' }] }));
    await service.idle();
    expect(executions.started).toHaveLength(2);

    await events.send(new EnableRuleCommand({ Name: 'shaped' }));
    await events.send(new RemoveTargetsCommand({ Rule: 'shaped', Ids: ['static', 'path'] }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'tests', DetailType: 'x', Detail: '{"a":3}' }] }));
    await service.idle();
    expect(executions.started).toHaveLength(2);
    await events.send(new DeleteRuleCommand({ Name: 'shaped' }));
  });

  it('publishEvent (CloudFormation’s own events) runs the same rules', async () => {
    await events.send(new PutRuleCommand({ Name: 'stack-status', EventPattern: JSON.stringify({ source: ['aws.cloudformation'], detail: { 'status-details': { status: ['CREATE_COMPLETE'] } } }) }));
    await events.send(new PutTargetsCommand({ Rule: 'stack-status', Targets: [{ Id: 'sfn', Arn: STATE_MACHINE }] }));

    publishEvent(world, { source: 'aws.cloudformation', detailType: 'CloudFormation Stack Status Change', detail: { 'stack-id': 'x', 'status-details': { status: 'CREATE_COMPLETE' } } });
    publishEvent(world, { source: 'aws.cloudformation', detailType: 'CloudFormation Stack Status Change', detail: { 'stack-id': 'x', 'status-details': { status: 'CREATE_IN_PROGRESS' } } });
    await service.idle();

    expect(executions.started).toHaveLength(1);
    expect(world.busEvents.at(-1)).toMatchObject({ bus: 'default', source: 'aws.cloudformation' });
    expect(() => publishEvent(world, { bus: 'nope', source: 's', detailType: 'd', detail: {} })).toThrow('Event bus nope does not exist.');
  });

  it('lists rules of a bus; refuses bad patterns and unknown rules', async () => {
    const rules = await events.send(new ListRulesCommand({ EventBusName: 'eks-provisioner' }));
    expect(rules.Rules!.map((r) => r.Name)).toEqual(['on-create-requested']);
    expect(rules.Rules![0]).toMatchObject({ State: 'ENABLED', EventBusName: 'eks-provisioner' });

    expect(await rejectionOf(events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"not-an-array"}' })))).toBeInstanceOf(InvalidEventPatternException);
    expect(await rejectionOf(events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{not json' })))).toBeInstanceOf(InvalidEventPatternException);
    expect(await rejectionOf(events.send(new PutTargetsCommand({ Rule: 'nope', Targets: [{ Id: 'a', Arn: STATE_MACHINE }] })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('records a failed delivery when the target is neither a state machine nor a function, or the function is not registered', async () => {
    world.functions.warn = () => undefined;
    await events.send(new PutRuleCommand({ Name: 'to-elsewhere', EventPattern: JSON.stringify({ source: ['elsewhere-test'] }) }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'to-elsewhere',
        Targets: [
          { Id: 'topic', Arn: 'arn:aws:sns:us-east-1:000000000000:alerts' },
          { Id: 'fn', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:not-registered' },
        ],
      }),
    );

    const out = await events.send(new PutEventsCommand({ Entries: [{ Source: 'elsewhere-test', DetailType: 'x', Detail: '{}' }] }));

    expect(out.FailedEntryCount).toBe(0);
    expect(service.deliveries().slice(-2)).toEqual([
      expect.objectContaining({ targetId: 'topic', error: expect.stringContaining('only to Step Functions state machine and Lambda function targets') }),
      expect.objectContaining({ targetId: 'fn', error: 'ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:not-registered' }),
    ]);
  });

  it('TestEventPattern answers with the matcher', async () => {
    const event = JSON.stringify({ id: '1', source: 'a', 'detail-type': 'b', account: '000000000000', region: 'us-east-1', time: '2026-01-01T00:00:00Z', resources: [], detail: { n: 5 } });

    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"n":[{"numeric":[">",3]}]}}', Event: event }))).Result).toBe(true);
    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"n":[{"numeric":[">",7]}]}}', Event: event }))).Result).toBe(false);
  });
});

describe('unimplemented operations', () => {
  it('answer 400 UnknownOperationException in awsJson', async () => {
    const response = await fetch(emulator.url, { method: 'POST', headers: { 'x-amz-target': 'AWSEvents.CreateArchive', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await response.json()).toEqual({ __type: expect.stringMatching(/#UnknownOperationException$/), message: expect.stringContaining('AWSEvents.CreateArchive') });
  });
});

describe('matchesEventPattern', () => {
  const event = {
    source: 'eks-provisioner',
    'detail-type': 'EKS Cluster Operation Status Change',
    resources: ['arn:aws:eks:us-east-1:000000000000:cluster/prod-a', 'arn:x'],
    detail: { status: 'FAILED', phase: 'NODEGROUPS', attempt: 3, cluster: 'prod-a', step: { name: 'CreateNodegroup' }, ip: '10.0.3.7', tags: ['a', 'b'] },
  };

  it.each([
    [{ source: ['eks-provisioner'] }, true],
    [{ source: ['other', 'eks-provisioner'] }, true],
    [{ source: ['other'] }, false],
    [{ 'detail-type': ['EKS Cluster Operation Status Change'], detail: { status: ['FAILED', 'ROLLED_BACK'] } }, true],
    [{ detail: { status: ['SUCCEEDED'] } }, false],
    [{ detail: { cluster: [{ prefix: 'prod-' }] } }, true],
    [{ detail: { cluster: [{ prefix: 'dev-' }] } }, false],
    [{ detail: { cluster: [{ suffix: '-a' }] } }, true],
    [{ detail: { status: [{ 'anything-but': ['SUCCEEDED', 'IN_PROGRESS'] }] } }, true],
    [{ detail: { status: [{ 'anything-but': 'FAILED' }] } }, false],
    [{ detail: { cluster: [{ 'anything-but': { prefix: 'prod-' } }] } }, false],
    [{ detail: { attempt: [{ numeric: ['>', 2, '<=', 3] }] } }, true],
    [{ detail: { attempt: [{ numeric: ['<', 3] }] } }, false],
    [{ detail: { attempt: [3] } }, true],
    [{ detail: { error: [{ exists: false }] } }, true],
    [{ detail: { error: [{ exists: true }] } }, false],
    [{ detail: { status: [{ exists: true }] } }, true],
    [{ detail: { step: { name: ['CreateNodegroup'] } } }, true],
    [{ detail: { step: { name: ['Plan'] } } }, false],
    [{ detail: { tags: ['b'] } }, true],
    [{ resources: [{ prefix: 'arn:aws:eks:' }] }, true],
    [{ detail: { status: [{ 'equals-ignore-case': 'failed' }] } }, true],
    [{ detail: { cluster: [{ wildcard: 'prod-*' }] } }, true],
    [{ detail: { ip: [{ cidr: '10.0.0.0/16' }] } }, true],
    [{ detail: { ip: [{ cidr: '10.1.0.0/16' }] } }, false],
    [{ $or: [{ detail: { status: ['SUCCEEDED'] } }, { detail: { phase: ['NODEGROUPS'] } }] }, true],
    [{ $or: [{ detail: { status: ['SUCCEEDED'] } }, { detail: { phase: ['PLAN'] } }] }, false],
    [{ detail: { missing: ['x'] } }, false],
  ])('%j → %s', (pattern, expected) => {
    expect(eventPatternError(pattern)).toBeUndefined();
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });

  it.each([[null], ['source'], [{ source: 'x' }], [{ source: [] }], [{ source: [{ regex: 'x' }] }], [{ detail: { n: [{ numeric: ['>'] }] } }]])('rejects the invalid pattern %j', (pattern) => {
    expect(eventPatternError(pattern)).toEqual(expect.any(String));
  });
});
