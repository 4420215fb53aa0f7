/**
 * The local Step Functions (awsJson1.0) through @aws-sdk/client-sfn and the service's own
 * workflows port, over a small in-memory ExecutionBackend standing in for the local runtime.
 */
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { createStepFunctionsService, historyDetailsKey } from '../../local/emulator/services/stepfunctions';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World, type ExecutionBackend, type ExecutionRecord } from '../../local/emulator/world';
import { SdkWorkflows } from '../../functions/ports/workflows';
import { rejectionOf } from '../support/rejection';

const PROVISION = 'arn:aws:states:us-east-1:000000000000:stateMachine:eksp-provision';
const DELETE = 'arn:aws:states:us-east-1:000000000000:stateMachine:eksp-delete';

class FakeExecutions implements ExecutionBackend {
  readonly records = new Map<string, ExecutionRecord>();
  starts = 0;
  private tick = Date.parse('2026-03-01T10:00:00Z');

  private now(): Date {
    this.tick += 1000;
    return new Date(this.tick);
  }

  async start(stateMachineArn: string, name: string, input: string) {
    this.starts += 1;
    await new Promise((resolve) => setTimeout(resolve, 5)); // the runtime answers asynchronously
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const record: ExecutionRecord = { executionArn, stateMachineArn, name, status: 'RUNNING', startDate: this.now(), input };
    this.records.set(executionArn, record);
    return { executionArn, startDate: record.startDate };
  }
  describe(executionArn: string) {
    return this.records.get(executionArn);
  }
  list(stateMachineArn: string, statusFilter?: string) {
    return [...this.records.values()].filter((r) => r.stateMachineArn === stateMachineArn && (!statusFilter || r.status === statusFilter));
  }
  history(executionArn: string) {
    const record = this.records.get(executionArn)!;
    return [
      { id: 1, timestamp: record.startDate, type: 'ExecutionStarted', details: { input: record.input, roleArn: 'arn:aws:iam::000000000000:role/sfn' } },
      { id: 2, timestamp: record.startDate, type: 'TaskStateEntered', details: { name: 'Plan', input: record.input } },
      { id: 3, timestamp: record.startDate, type: 'LambdaFunctionScheduled', details: { resource: 'arn:aws:lambda:us-east-1:000000000000:function:plan' } },
      { id: 4, timestamp: record.startDate, type: 'TaskStateExited', details: { name: 'Plan', output: '{}' } },
    ];
  }
  async stop(executionArn: string, error?: string, cause?: string) {
    const record = this.records.get(executionArn)!;
    Object.assign(record, { status: 'ABORTED', stopDate: this.now(), error, cause });
  }
  stateMachines() {
    return [
      { stateMachineArn: PROVISION, name: 'eksp-provision' },
      { stateMachineArn: DELETE, name: 'eksp-delete' },
    ];
  }

  finish(executionArn: string, status: ExecutionRecord['status'], output?: string): void {
    Object.assign(this.records.get(executionArn)!, { status, stopDate: this.now(), output });
  }
}

let world: World;
let emulator: RunningEmulator;
let sfn: SFNClient;
let backend: FakeExecutions;

beforeAll(async () => {
  world = new World({ timeScale: 0.001 });
  emulator = await startEmulator({ timeScale: 0.001, services: [createStepFunctionsService(world)] }, world);
  sfn = new SFNClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});

beforeEach(() => {
  backend = new FakeExecutions();
  world.executions = backend;
});

afterAll(async () => {
  sfn.destroy();
  await emulator.close();
});

describe('StartExecution', () => {
  it('starts through the runtime and answers the ARN and a Date', async () => {
    const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-1', input: '{"cluster":"demo"}' }));

    expect(out.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:eksp-provision:op-1');
    expect(out.startDate).toEqual(new Date('2026-03-01T10:00:01Z'));
    expect(backend.records.get(out.executionArn!)!.input).toBe('{"cluster":"demo"}');
    expect(world.calls).toContain('states:StartExecution');
  });

  it('is idempotent for the same name and input while the execution is open', async () => {
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-2', input: '{"a":1}' }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-2', input: '{"a":1}' }));

    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    expect(backend.starts).toBe(1);
  });

  it('two identical concurrent starts make one execution', async () => {
    const [a, b] = await Promise.all([
      sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-race', input: '{}' })),
      sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-race', input: '{}' })),
    ]);

    expect(a.executionArn).toBe(b.executionArn);
    expect(backend.starts).toBe(1);
  });

  it('the same name with a different input, or once closed, is ExecutionAlreadyExists', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-3', input: '{"a":1}' }));

    expect(await rejectionOf(sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-3', input: '{"a":2}' })))).toBeInstanceOf(ExecutionAlreadyExists);
    backend.finish(executionArn!, 'SUCCEEDED', '{}');
    expect(await rejectionOf(sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-3', input: '{"a":1}' })))).toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('validates the state machine, the name and the input', async () => {
    expect(await rejectionOf(sfn.send(new StartExecutionCommand({ stateMachineArn: `${PROVISION}-nope`, name: 'x' })))).toBeInstanceOf(StateMachineDoesNotExist);
    expect(await rejectionOf(sfn.send(new StartExecutionCommand({ stateMachineArn: 'not-an-arn' })))).toBeInstanceOf(InvalidArn);
    expect(await rejectionOf(sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'has space' })))).toBeInstanceOf(InvalidName);
    expect(await rejectionOf(sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'ok', input: '{nope' })))).toBeInstanceOf(InvalidExecutionInput);
    expect(backend.starts).toBe(0);
  });

  it('a start without a name gets a generated one and input {}', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: DELETE }));

    expect(executionArn).toMatch(/:execution:eksp-delete:[0-9a-f-]{36}$/);
    expect(backend.records.get(executionArn!)!.input).toBe('{}');
  });
});

describe('reading executions', () => {
  it('DescribeExecution returns status, dates, input and output; a missing one is ExecutionDoesNotExist', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-d', input: '{"x":1}' }));
    backend.finish(executionArn!, 'FAILED');
    Object.assign(backend.records.get(executionArn!)!, { error: 'StackFailedError', cause: 'stack eksp-demo: ROLLBACK_COMPLETE' });

    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    expect(out).toMatchObject({ executionArn, stateMachineArn: PROVISION, name: 'op-d', status: 'FAILED', input: '{"x":1}', error: 'StackFailedError', cause: 'stack eksp-demo: ROLLBACK_COMPLETE' });
    expect(out.startDate).toBeInstanceOf(Date);
    expect(out.stopDate!.getTime()).toBeGreaterThan(out.startDate!.getTime());
    expect(await rejectionOf(sfn.send(new DescribeExecutionCommand({ executionArn: `${executionArn}-nope` })))).toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('ListExecutions filters by status, newest first, and pages', async () => {
    const arns: string[] = [];
    for (const name of ['l-1', 'l-2', 'l-3']) arns.push((await sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name }))).executionArn!);
    backend.finish(arns[0]!, 'SUCCEEDED');

    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: PROVISION, statusFilter: 'RUNNING' }));
    expect(running.executions!.map((e) => e.name)).toEqual(['l-3', 'l-2']);
    expect(running.executions![0]!.startDate).toBeInstanceOf(Date);

    const firstPage = await sfn.send(new ListExecutionsCommand({ stateMachineArn: PROVISION, maxResults: 2 }));
    const secondPage = await sfn.send(new ListExecutionsCommand({ stateMachineArn: PROVISION, maxResults: 2, nextToken: firstPage.nextToken }));
    expect([...firstPage.executions!, ...secondPage.executions!].map((e) => e.name)).toEqual(['l-3', 'l-2', 'l-1']);
    expect(secondPage.nextToken).toBeUndefined();
    expect(await rejectionOf(sfn.send(new ListExecutionsCommand({ stateMachineArn: `${PROVISION}x` })))).toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('GetExecutionHistory returns typed events with their details key and previousEventId', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-h', input: '{"h":1}' }));

    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));

    expect(events!.map((e) => [e.id, e.previousEventId, e.type])).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 1, 'TaskStateEntered'],
      [3, 2, 'LambdaFunctionScheduled'],
      [4, 3, 'TaskStateExited'],
    ]);
    expect(events![0]!.executionStartedEventDetails).toMatchObject({ input: '{"h":1}' });
    expect(events![1]!.stateEnteredEventDetails).toMatchObject({ name: 'Plan' });
    expect(events![2]!.lambdaFunctionScheduledEventDetails).toMatchObject({ resource: expect.stringContaining(':function:plan') });
    expect(events![3]!.stateExitedEventDetails).toMatchObject({ name: 'Plan' });
    expect(events![0]!.timestamp).toBeInstanceOf(Date);

    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, includeExecutionData: false, maxResults: 1 }));
    expect(reversed.events!.map((e) => e.id)).toEqual([4]);
    expect(reversed.events![0]!.stateExitedEventDetails!.output).toBeUndefined();
    expect(reversed.nextToken).toBeDefined();
  });

  it('StopExecution aborts a running execution with its error and cause', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: PROVISION, name: 'op-s' }));

    const out = await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'cancelled by test' }));

    expect(out.stopDate).toBeInstanceOf(Date);
    expect(backend.records.get(executionArn!)).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'cancelled by test' });
  });
});

describe('state machines', () => {
  it('ListStateMachines and DescribeStateMachine come from the runtime', async () => {
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines!.map((s) => [s.name, s.type])).toEqual([
      ['eksp-provision', 'STANDARD'],
      ['eksp-delete', 'STANDARD'],
    ]);
    expect(stateMachines![0]!.creationDate).toBeInstanceOf(Date);

    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: PROVISION }));
    expect(described).toMatchObject({ stateMachineArn: PROVISION, name: 'eksp-provision', status: 'ACTIVE', type: 'STANDARD', definition: expect.any(String), roleArn: expect.stringContaining(':role/') });
    expect(await rejectionOf(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${PROVISION}x` })))).toBeInstanceOf(StateMachineDoesNotExist);

    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: DELETE, name: 'op-x' }));
    expect((await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }))).name).toBe('eksp-delete');
  });
});

describe('the service’s own workflows port', () => {
  it('starts once per operation id and describes; a missing execution is undefined', async () => {
    const workflows = new SdkWorkflows(() => sfn);

    const arn = await workflows.start(PROVISION, 'op-port', { cluster: 'demo' });
    const again = await workflows.start(PROVISION, 'op-port', { cluster: 'demo' });

    expect(again).toBe(arn);
    expect(backend.starts).toBe(1);
    expect(await workflows.describe(arn)).toMatchObject({ status: 'RUNNING', startDate: expect.any(Date) });
    expect(await workflows.describe(`${arn}-missing`)).toBeUndefined();
  });
});

describe('without a runtime', () => {
  it('answers 400 with a message that says what is missing', async () => {
    world.executions = undefined;

    const error = await rejectionOf(sfn.send(new ListStateMachinesCommand({})));

    expect(error.name).toBe('LocalRuntimeUnavailable');
    expect(error.message).toMatch(/No Step Functions runtime is attached/);
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
  });

  it('an unknown operation is UnknownOperationException', async () => {
    const response = await fetch(emulator.url, { method: 'POST', headers: { 'x-amz-target': 'AWSStepFunctions.CreateActivity', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await response.json()).toMatchObject({ __type: expect.stringMatching(/#UnknownOperationException$/) });
  });
});

describe('historyDetailsKey', () => {
  it.each([
    ['ExecutionStarted', 'executionStartedEventDetails'],
    ['PassStateEntered', 'stateEnteredEventDetails'],
    ['WaitStateExited', 'stateExitedEventDetails'],
    ['TaskFailed', 'taskFailedEventDetails'],
    ['MapIterationSucceeded', 'mapIterationSucceededEventDetails'],
    ['LambdaFunctionTimedOut', 'lambdaFunctionTimedOutEventDetails'],
  ])('%s → %s', (type, key) => expect(historyDetailsKey(type)).toBe(key));
});
