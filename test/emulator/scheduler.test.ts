/**
 * The local EventBridge Scheduler (restJson1) through @aws-sdk/client-scheduler and the service's
 * own expiry port: schedules and groups as AWS validates them, and schedules firing at emulated
 * time into registered functions, event buses and state machines.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { expiryRequestEvent } from '../../functions/domain/operation-request';
import { atExpression, expiryScheduleName, SdkSchedules } from '../../functions/ports/schedules';
import { createEventBridgeService } from '../../local/emulator/services/eventbridge';
import { createLocalControlService } from '../../local/emulator/services/local-control';
import { createSchedulerService, parseScheduleExpression, type SchedulerService } from '../../local/emulator/services/scheduler';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World, type ExecutionBackend } from '../../local/emulator/world';
import { rejectionOf } from '../support/rejection';
import { until } from '../support/until';

const SCALE = 0.001;
const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/eksp-scheduler`;
const API_FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:eksp-api`;

let world: World;
let emulator: RunningEmulator;
let service: SchedulerService;
let scheduler: SchedulerClient;
const received: unknown[] = [];
const warnings: string[] = [];

beforeAll(async () => {
  world = new World({ timeScale: SCALE });
  world.functions.register(API_FUNCTION, async (event) => {
    received.push(event);
    return { ok: true };
  });
  world.functions.warn = (message) => warnings.push(message);
  service = createSchedulerService(world, { warn: (message) => warnings.push(message) });
  emulator = await startEmulator({ timeScale: SCALE, services: [service, createEventBridgeService(world, { buses: ['eks-provisioner'] }), createLocalControlService(world)] }, world);
  scheduler = new SchedulerClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});

afterAll(async () => {
  service.stop();
  scheduler.destroy();
  await emulator.close();
});

/** An `at()` expression `seconds` of emulated time from now. */
const inEmulated = (seconds: number) => new Date(world.clock.now().getTime() + seconds * 1000);

const schedule = (name: string, overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: name,
  ScheduleExpression: 'at(2099-01-01T00:00:00)',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: API_FUNCTION, RoleArn: ROLE, Input: '{"hello":"world"}' },
  ...overrides,
});

describe('schedules', () => {
  it('creates, gets, lists, updates (replacing every field) and deletes a schedule', async () => {
    const created = await scheduler.send(new CreateScheduleCommand(schedule('crud', { Description: 'first', ActionAfterCompletion: 'DELETE', ScheduleExpressionTimezone: 'UTC' })));
    const got = await scheduler.send(new GetScheduleCommand({ Name: 'crud' }));
    const listed = await scheduler.send(new ListSchedulesCommand({ NamePrefix: 'cr' }));
    await scheduler.send(new UpdateScheduleCommand(schedule('crud', { ScheduleExpression: 'rate(5 minutes)', State: 'DISABLED' })));
    const updated = await scheduler.send(new GetScheduleCommand({ Name: 'crud', GroupName: 'default' }));
    await scheduler.send(new DeleteScheduleCommand({ Name: 'crud' }));
    const gone = await rejectionOf(scheduler.send(new GetScheduleCommand({ Name: 'crud' })));

    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/default/crud`);
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'crud',
      GroupName: 'default',
      Description: 'first',
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: API_FUNCTION, RoleArn: ROLE, Input: '{"hello":"world"}', RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } },
    });
    expect(got.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(got.CreationDate!.getTime() - world.clock.now().getTime())).toBeLessThan(60_000 / SCALE);
    expect(listed.Schedules).toEqual([expect.objectContaining({ Name: 'crud', GroupName: 'default', State: 'ENABLED', Target: { Arn: API_FUNCTION } })]);
    expect(updated).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'DISABLED', ActionAfterCompletion: 'NONE' });
    expect(updated.Description).toBeUndefined();
    expect(updated.CreationDate).toEqual(got.CreationDate);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toBe('Schedule crud does not exist.');
    expect(world.calls).toEqual(expect.arrayContaining(['scheduler:CreateSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:ListSchedules']));
  });

  it('refuses a second schedule of the same name, a missing one, and schedules in a group that does not exist', async () => {
    await scheduler.send(new CreateScheduleCommand(schedule('twice')));

    const conflict = await rejectionOf(scheduler.send(new CreateScheduleCommand(schedule('twice'))));
    const updateMissing = await rejectionOf(scheduler.send(new UpdateScheduleCommand(schedule('never-made'))));
    const deleteMissing = await rejectionOf(scheduler.send(new DeleteScheduleCommand({ Name: 'never-made' })));
    const noGroup = await rejectionOf(scheduler.send(new CreateScheduleCommand(schedule('x', { GroupName: 'nope' }))));

    expect(conflict).toBeInstanceOf(ConflictException);
    expect(conflict.message).toBe('Schedule twice already exists.');
    expect(conflict.$metadata).toMatchObject({ httpStatusCode: 409 });
    expect(updateMissing).toBeInstanceOf(ResourceNotFoundException);
    expect(deleteMissing.message).toBe('Schedule never-made does not exist.');
    expect(noGroup).toBeInstanceOf(ResourceNotFoundException);
    expect(noGroup.message).toBe('Schedule group nope does not exist.');
    await scheduler.send(new DeleteScheduleCommand({ Name: 'twice' }));
  });

  it('answers a retried CreateSchedule (same ClientToken) with the same schedule, not a conflict', async () => {
    const first = await scheduler.send(new CreateScheduleCommand(schedule('retried', { ClientToken: 'token-1' })));
    const again = await scheduler.send(new CreateScheduleCommand(schedule('retried', { ClientToken: 'token-1' })));

    expect(again.ScheduleArn).toBe(first.ScheduleArn);
    await scheduler.send(new DeleteScheduleCommand({ Name: 'retried' }));
  });

  it.each([
    ['a bad name', schedule('bad name!'), /at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern/],
    ['no flexible time window', { ...schedule('nowindow'), FlexibleTimeWindow: undefined }, /Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null/],
    ['a role that is not an IAM role ARN', schedule('badrole', { Target: { Arn: API_FUNCTION, RoleArn: 'scheduler-role' } }), /Value 'scheduler-role' at 'target.roleArn'/],
    ['a day that does not exist', schedule('feb30', { ScheduleExpression: 'at(2027-02-30T10:00:00)' }), /^Invalid Schedule Expression at\(2027-02-30T10:00:00\)$/],
    ['an at() with a zone suffix', schedule('zulu', { ScheduleExpression: 'at(2027-02-03T10:00:00Z)' }), /^Invalid Schedule Expression/],
    ['a zero rate', schedule('rate0', { ScheduleExpression: 'rate(0 minutes)' }), /^Invalid Schedule Expression rate\(0 minutes\)$/],
    ['a rate in seconds', schedule('rates', { ScheduleExpression: 'rate(30 seconds)' }), /^Invalid Schedule Expression/],
    ['an unknown time zone', schedule('tz', { ScheduleExpressionTimezone: 'Mars/Olympus' }), /Timezone Mars\/Olympus/],
    ['a flexible window without its size', schedule('flex', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }), /MaximumWindowInMinutes/],
    ['a Lambda target whose Input is not JSON', schedule('nojson', { Target: { Arn: API_FUNCTION, RoleArn: ROLE, Input: 'not json' } }), /Input must be well-formed JSON/],
    ['an event bus target without EventBridgeParameters', schedule('nobusparams', { Target: { Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/eks-provisioner`, RoleArn: ROLE, Input: '{}' } }), /EventBridgeParameters/],
    ['an unknown ActionAfterCompletion', schedule('aac', { ActionAfterCompletion: 'ARCHIVE' as never }), /at 'actionAfterCompletion' failed to satisfy constraint: Member must satisfy enum value set: \[NONE, DELETE\]/],
  ])('refuses %s with a ValidationException naming the problem', async (_what, input, message) => {
    const error = await rejectionOf(scheduler.send(new CreateScheduleCommand(input)));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(message);
    expect(world.scheduler.schedules.has(`default/${input.Name}`)).toBe(false);
  });

  it('accepts rate and cron expressions and time zones AWS accepts', async () => {
    await scheduler.send(new CreateScheduleCommand(schedule('cron', { ScheduleExpression: 'cron(0 8 ? * MON-FRI *)', ScheduleExpressionTimezone: 'Europe/Paris' })));
    await scheduler.send(new CreateScheduleCommand(schedule('paris', { ScheduleExpression: 'at(2031-07-01T12:00:00)', ScheduleExpressionTimezone: 'Europe/Paris' })));

    expect(world.scheduler.schedules.get('default/cron')?.nextInvocation).toBeUndefined(); // validated and kept, never fired
    expect(world.scheduler.schedules.get('default/paris')?.nextInvocation).toEqual(new Date('2031-07-01T10:00:00Z')); // CEST is UTC+2
    expect(parseScheduleExpression('rate(1 day)')).toEqual({ kind: 'rate', seconds: 86400 });
    await scheduler.send(new DeleteScheduleCommand({ Name: 'cron' }));
    await scheduler.send(new DeleteScheduleCommand({ Name: 'paris' }));
  });

  it('keeps schedules in groups; deleting a group deletes its schedules', async () => {
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'eks-provisioner', Tags: [{ Key: 'owner', Value: 'platform' }] }));
    await scheduler.send(new CreateScheduleCommand(schedule('grouped', { GroupName: 'eks-provisioner' })));

    const inGroup = await scheduler.send(new ListSchedulesCommand({ GroupName: 'eks-provisioner' }));
    const missingFromDefault = await rejectionOf(scheduler.send(new GetScheduleCommand({ Name: 'grouped' })));
    await scheduler.send(new DeleteScheduleGroupCommand({ Name: 'eks-provisioner' }));

    expect(inGroup.Schedules?.map((s) => s.Arn)).toEqual([`arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/eks-provisioner/grouped`]);
    expect(missingFromDefault).toBeInstanceOf(ResourceNotFoundException);
    expect(world.scheduler.list('eks-provisioner')).toEqual([]);
  });
});

describe('firing at emulated time', () => {
  it('invokes a registered function with the parsed Input once the emulated clock reaches at(), then deletes the schedule (ActionAfterCompletion DELETE)', async () => {
    const at = inEmulated(120); // 120 emulated seconds = 120 ms real at 0.001
    const before = received.length;
    await scheduler.send(new CreateScheduleCommand(schedule('fires', { ScheduleExpression: atExpression(at), ScheduleExpressionTimezone: 'UTC', ActionAfterCompletion: 'DELETE', Target: { Arn: API_FUNCTION, RoleArn: ROLE, Input: '{"n":1,"at":"<aws.scheduler.scheduled-time>"}' } })));

    expect(received.length).toBe(before); // not yet: the emulated clock has not reached it
    await until(async () => received.length, (n) => n > before, 'the schedule to fire', 3000);
    await world.functions.idle();

    const scheduledTime = new Date(atExpression(at).slice(3, -1) + 'Z');
    expect(received.at(-1)).toEqual({ n: 1, at: scheduledTime.toISOString().replace('.000Z', 'Z') });
    const firing = world.scheduler.firings.find((f) => f.name === 'fires')!;
    expect(firing).toMatchObject({ groupName: 'default', targetArn: API_FUNCTION, scheduledTime: scheduledTime.toISOString(), invocationId: expect.any(String) });
    expect(new Date(firing.time).getTime()).toBeGreaterThanOrEqual(scheduledTime.getTime());
    expect(world.functions.invocations.find((i) => i.requestId === firing.invocationId)).toMatchObject({ source: 'scheduler', trigger: `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/default/fires`, invocationType: 'Event', status: 'SUCCEEDED' });
    expect(world.scheduler.schedules.has('default/fires')).toBe(false);
    expect(await rejectionOf(scheduler.send(new GetScheduleCommand({ Name: 'fires' })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('the expiry port schedules, reschedules and cancels a cluster’s expiry, and a fired expiry reaches the API function as an "Operation Requested" event', async () => {
    const port = new SdkSchedules(() => scheduler, () => ({ groupName: 'default', targetArn: API_FUNCTION, roleArn: ROLE, region: 'us-east-1', account: ACCOUNT }));
    const name = expiryScheduleName('demo');

    await port.scheduleExpiry('demo', inEmulated(72 * 3600));
    await port.scheduleExpiry('demo', inEmulated(48 * 3600)); // ConflictException → UpdateSchedule
    const replaced = world.scheduler.schedules.get(`default/${name}`);
    await port.cancelExpiry('demo');
    await port.cancelExpiry('demo'); // already gone: fine
    const expiresSoon = new Date(Math.ceil(inEmulated(60).getTime() / 1000) * 1000);
    const before = received.length;
    await port.scheduleExpiry('demo', expiresSoon);
    await until(async () => received.length, (n) => n > before, 'the expiry to fire', 3000);

    expect(replaced?.scheduleExpression).toMatch(/^at\(/);
    expect(replaced?.actionAfterCompletion).toBe('DELETE');
    expect(world.calls.filter((c) => c === 'scheduler:UpdateSchedule').length).toBeGreaterThanOrEqual(1);
    expect(received.at(-1)).toEqual(expiryRequestEvent('demo', expiresSoon, 'us-east-1', ACCOUNT));
    expect(world.scheduler.list().filter((s) => s.name === name)).toEqual([]); // no schedule left
  });

  it('puts Input on an event bus for a bus target with EventBridgeParameters, and keeps the schedule when ActionAfterCompletion is NONE', async () => {
    const before = world.busEvents.length;
    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand(
        schedule('to-bus', {
          ScheduleExpression: atExpression(inEmulated(30)),
          Target: { Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/eks-provisioner`, RoleArn: ROLE, Input: '{"operation":"DELETE_CLUSTER","cluster":"demo"}', EventBridgeParameters: { DetailType: 'EKS Cluster Operation Requested', Source: 'eks-provisioner.expiry' } },
        }),
      ),
    );

    await until(async () => world.busEvents.length, (n) => n > before, 'the event on the bus', 3000);

    expect(world.busEvents.at(-1)).toMatchObject({ bus: 'eks-provisioner', source: 'eks-provisioner.expiry', detailType: 'EKS Cluster Operation Requested', detail: { operation: 'DELETE_CLUSTER', cluster: 'demo' } });
    expect(world.scheduler.schedules.get('default/to-bus')).toMatchObject({ arn: ScheduleArn, nextInvocation: undefined });
    await scheduler.send(new DeleteScheduleCommand({ Name: 'to-bus' }));
  });

  it('starts an execution for a state machine target', async () => {
    const started: Array<{ arn: string; input: string }> = [];
    world.executions = { start: async (arn: string, _name: string, input: string) => (started.push({ arn, input }), { executionArn: `${arn}:x`, startDate: new Date() }) } as unknown as ExecutionBackend;
    const machine = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:eksp-delete`;

    await scheduler.send(new CreateScheduleCommand(schedule('to-sfn', { ScheduleExpression: atExpression(inEmulated(-10)), ActionAfterCompletion: 'DELETE', Target: { Arn: machine, RoleArn: ROLE, Input: '{"cluster":"demo"}' } })));
    await until(async () => started.length, (n) => n > 0, 'the execution', 3000);

    expect(started).toEqual([{ arn: machine, input: '{"cluster":"demo"}' }]);
    world.executions = undefined;
  });

  it('fires a rate schedule every interval until it is deleted; a disabled one never fires', async () => {
    await scheduler.send(new CreateScheduleCommand(schedule('every-minute', { ScheduleExpression: 'rate(1 minute)', Target: { Arn: API_FUNCTION, RoleArn: ROLE, Input: '{"tick":true}' } })));
    await scheduler.send(new CreateScheduleCommand(schedule('disabled', { ScheduleExpression: atExpression(inEmulated(5)), State: 'DISABLED' })));

    await until(async () => world.scheduler.firings.filter((f) => f.name === 'every-minute').length, (n) => n >= 3, 'three ticks', 3000);
    await scheduler.send(new DeleteScheduleCommand({ Name: 'every-minute' }));
    const ticks = world.scheduler.firings.filter((f) => f.name === 'every-minute');

    const times = ticks.map((f) => new Date(f.scheduledTime).getTime());
    expect(times[1]! - times[0]!).toBe(60_000);
    expect(times[2]! - times[1]!).toBe(60_000);
    expect(world.scheduler.firings.some((f) => f.name === 'disabled')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(world.scheduler.firings.filter((f) => f.name === 'every-minute').length).toBe(ticks.length);
    await scheduler.send(new DeleteScheduleCommand({ Name: 'disabled' }));
  });

  it('records a firing whose function is not registered as failed, reports it, and still completes the schedule', async () => {
    const missing = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:nobody`;

    await scheduler.send(new CreateScheduleCommand(schedule('to-nobody', { ScheduleExpression: atExpression(inEmulated(-1)), ActionAfterCompletion: 'DELETE', Target: { Arn: missing, RoleArn: ROLE, Input: '{}' } })));
    await until(async () => world.scheduler.firings.find((f) => f.name === 'to-nobody'), (f) => f !== undefined, 'the firing', 3000);

    expect(world.scheduler.firings.find((f) => f.name === 'to-nobody')).toMatchObject({ error: `ResourceNotFoundException: Function not found: ${missing}` });
    expect(warnings.some((w) => w.includes('to-nobody') && w.includes('Function not found'))).toBe(true);
    expect(world.scheduler.schedules.has('default/to-nobody')).toBe(false);
  });

  it('GET /_local/schedules shows the schedules with their next invocation, and every firing', async () => {
    await scheduler.send(new CreateScheduleCommand(schedule('visible')));

    const response = await fetch(`${emulator.url}/_local/schedules`);
    const body = (await response.json()) as { schedules: Array<Record<string, unknown>>; firings: Array<Record<string, unknown>> };

    expect(body.schedules).toEqual([expect.objectContaining({ name: 'visible', groupName: 'default', nextInvocation: expect.any(String), target: expect.objectContaining({ Arn: API_FUNCTION }) })]);
    expect(body.schedules[0]).not.toHaveProperty('clientToken');
    expect(body.firings.map((f) => f.name)).toEqual(expect.arrayContaining(['fires', 'to-bus', 'every-minute', 'to-nobody']));
    await scheduler.send(new DeleteScheduleCommand({ Name: 'visible' }));
  });
});

describe('unimplemented paths', () => {
  it('answer a restJson1 UnknownOperationException, not HTML', async () => {
    const response = await fetch(`${emulator.url}/nothing-here`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/scheduler/aws4_request, SignedHeaders=host, Signature=x' } });

    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toEqual({ Message: expect.stringContaining('does not implement GET /nothing-here') });
  });
});
