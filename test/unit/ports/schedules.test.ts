import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient, ThrottlingException, UpdateScheduleCommand, ValidationException } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { expiryRequestEvent, maintenanceUpgradeEvent } from '../../../functions/domain/operation-request';
import { atExpression, SdkSchedules, type ScheduleSettings } from '../../../functions/ports/schedules';
import { config } from '../../../functions/shared/config';
import { metadata, rejectionOf } from './port-helpers';

const settings: ScheduleSettings = {
  groupName: 'eks-provisioner',
  targetArn: 'arn:aws:lambda:eu-west-1:111122223333:function:eksp-api',
  roleArn: 'arn:aws:iam::111122223333:role/eksp-scheduler',
  region: 'eu-west-1',
  account: '111122223333',
};
const AT = new Date('2026-11-24T10:15:30.456Z');

/** A Scheduler error as the SDK raises it (Scheduler's errors carry `Message`). */
function refusal(type: typeof ConflictException | typeof ValidationException | typeof ThrottlingException | typeof ResourceNotFoundException, status: number, message: string) {
  return new type({ $metadata: { ...metadata, httpStatusCode: status }, message, Message: message });
}

function setup() {
  const client = new SchedulerClient({ region: 'eu-west-1' });
  return { mock: mockClient(client), port: new SdkSchedules(() => client, () => settings) };
}

const expectedInput = {
  Name: 'eksp-demo-expiry',
  GroupName: 'eks-provisioner',
  ScheduleExpression: 'at(2026-11-24T10:15:30)',
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: { Arn: settings.targetArn, RoleArn: settings.roleArn, Input: JSON.stringify(expiryRequestEvent('demo', AT, 'eu-west-1', '111122223333')) },
};

describe('SdkSchedules.scheduleExpiry', () => {
  it('creates a one-time UTC schedule that invokes the API function with the expiry request and deletes itself after firing', async () => {
    const { mock, port } = setup();
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:111122223333:schedule/eks-provisioner/eksp-demo-expiry' });

    await port.scheduleExpiry('demo', AT);

    expect(mock).toHaveReceivedCommandWith(CreateScheduleCommand, expectedInput);
    expect(mock).not.toHaveReceivedCommand(UpdateScheduleCommand);
    const input = JSON.parse(mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target!.Input!);
    expect(input).toMatchObject({ 'detail-type': 'EKS Cluster Operation Requested', source: 'eks-provisioner.expiry', account: '111122223333', region: 'eu-west-1', detail: { operation: 'DELETE_CLUSTER', cluster: 'demo' } });
  });

  it('replaces the schedule with UpdateSchedule when the cluster already has one (rescheduling, retried step)', async () => {
    const { mock, port } = setup();
    mock.on(CreateScheduleCommand).rejects(refusal(ConflictException, 409, 'Schedule eksp-demo-expiry already exists.'));
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    await port.scheduleExpiry('demo', AT);

    expect(mock).toHaveReceivedCommandWith(UpdateScheduleCommand, expectedInput);
  });

  it('names a refused create AwsRequestError and a throttled one ThrottlingError, leading with the schedule', async () => {
    const { mock, port } = setup();
    mock.on(CreateScheduleCommand).rejectsOnce(refusal(ValidationException, 400, 'Invalid Schedule Expression at(x)')).rejectsOnce(refusal(ThrottlingException, 429, 'Rate exceeded'));

    const refused = await rejectionOf(port.scheduleExpiry('demo', AT));
    const throttled = await rejectionOf(port.scheduleExpiry('demo', AT));

    expect(refused.name).toBe('AwsRequestError');
    expect(refused.message).toBe('schedule eksp-demo-expiry: ValidationException: Invalid Schedule Expression at(x)');
    expect(throttled.name).toBe('ThrottlingError');
  });
});

describe('SdkSchedules.cancelExpiry', () => {
  it('deletes the cluster’s schedule from the configured group', async () => {
    const { mock, port } = setup();
    mock.on(DeleteScheduleCommand).resolves({});

    await port.cancelExpiry('demo');

    expect(mock).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: 'eksp-demo-expiry', GroupName: 'eks-provisioner' });
  });

  it('treats a schedule that is already gone (fired, or never made) as success', async () => {
    const { mock, port } = setup();
    mock.on(DeleteScheduleCommand).rejects(refusal(ResourceNotFoundException, 404, 'Schedule eksp-demo-expiry does not exist.'));

    await expect(port.cancelExpiry('demo')).resolves.toBeUndefined();
  });

  it('surfaces other failures with a contract name', async () => {
    const { mock, port } = setup();
    mock.on(DeleteScheduleCommand).rejects(refusal(ThrottlingException, 429, 'Rate exceeded'));

    expect((await rejectionOf(port.cancelExpiry('demo'))).name).toBe('ThrottlingError');
  });
});

describe('SdkSchedules.scheduleUpgrade and cancelUpgrade', () => {
  it('creates a one-time schedule of its own that asks the API function, as the maintenance source, to upgrade the cluster', async () => {
    const { mock, port } = setup();
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    await port.scheduleUpgrade('demo', '1.33', AT);

    expect(mock).toHaveReceivedCommandWith(CreateScheduleCommand, { ...expectedInput, Name: 'eksp-demo-upgrade', Target: { ...expectedInput.Target, Input: JSON.stringify(maintenanceUpgradeEvent('demo', '1.33', AT, 'eu-west-1', '111122223333')) } });
    const input = JSON.parse(mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target!.Input!);
    expect(input).toMatchObject({ source: 'eks-provisioner.maintenance', detail: { operation: 'UPGRADE_CLUSTER', cluster: 'demo', body: { version: '1.33' }, idempotencyKey: 'maintenance-demo-1.33-2026-11-24T10:15:30.456Z' } });
  });

  it('replaces a plan made before, and cancels it without minding one already gone', async () => {
    const { mock, port } = setup();
    mock.on(CreateScheduleCommand).rejects(refusal(ConflictException, 409, 'Schedule eksp-demo-upgrade already exists.'));
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    mock.on(DeleteScheduleCommand).rejects(refusal(ResourceNotFoundException, 404, 'Schedule eksp-demo-upgrade does not exist.'));

    await port.scheduleUpgrade('demo', '1.34', AT);
    await port.cancelUpgrade('demo');

    expect(mock).toHaveReceivedCommandWith(UpdateScheduleCommand, { Name: 'eksp-demo-upgrade' });
    expect(mock).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: 'eksp-demo-upgrade', GroupName: 'eks-provisioner' });
  });
});

describe('atExpression', () => {
  it('writes the instant in UTC to the second, as Scheduler’s at() expects', () => {
    expect(atExpression(new Date('2027-01-02T03:04:05.999+02:00'))).toBe('at(2027-01-02T01:04:05)');
  });
});

describe('expiry configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads the group (default "default"), target and role, and takes the account from the target ARN', () => {
    delete process.env.SCHEDULE_GROUP_NAME;
    process.env.EXPIRY_TARGET_ARN = settings.targetArn;
    process.env.SCHEDULER_ROLE_ARN = settings.roleArn;

    expect(config.scheduleGroupName()).toBe('default');
    expect(config.expiryTargetArn()).toBe(settings.targetArn);
    expect(config.schedulerRoleArn()).toBe(settings.roleArn);
    expect(config.expiryAccount()).toBe('111122223333');
  });

  it('fails fast when the target or role is missing, or the target is not an ARN', () => {
    delete process.env.EXPIRY_TARGET_ARN;
    delete process.env.SCHEDULER_ROLE_ARN;

    expect(() => config.expiryTargetArn()).toThrow('environment variable EXPIRY_TARGET_ARN is required');
    expect(() => config.schedulerRoleArn()).toThrow('environment variable SCHEDULER_ROLE_ARN is required');
    process.env.EXPIRY_TARGET_ARN = 'eksp-api';
    expect(() => config.expiryAccount()).toThrow(/EXPIRY_TARGET_ARN must be a Lambda function ARN/);
  });
});
