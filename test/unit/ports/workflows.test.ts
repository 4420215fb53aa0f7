import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SdkWorkflows } from '../../../functions/ports/workflows';
import { metadata, rejectionOf } from './port-helpers';

const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:provision-cluster';
const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:provision-cluster:op-1';

function setup() {
  const client = new SFNClient({ region: 'us-east-1' });
  return { mock: mockClient(client), port: new SdkWorkflows(() => client) };
}

describe('SdkWorkflows', () => {
  it('starts an execution named by the operation id with the JSON input', async () => {
    const { mock, port } = setup();
    mock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });

    await expect(port.start(STATE_MACHINE, 'op-1', { operation: { id: 'op-1' } })).resolves.toBe(EXECUTION);
    expect(mock).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: STATE_MACHINE, name: 'op-1', input: '{"operation":{"id":"op-1"}}' });
  });

  it('returns the existing execution ARN when that execution was already started (ExecutionAlreadyExists)', async () => {
    const { mock, port } = setup();
    mock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ $metadata: metadata, message: 'Execution Already Exists' }));

    await expect(port.start(STATE_MACHINE, 'op-1', {})).resolves.toBe(EXECUTION);
  });

  it('names other failures by family', async () => {
    const { mock, port } = setup();
    mock.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: metadata }));

    const error = await rejectionOf(port.start(STATE_MACHINE, 'op-1', {}));

    expect(error.name).toBe('ThrottlingError');
  });

  it('describes an execution, and a missing one as undefined', async () => {
    const { mock, port } = setup();
    const startDate = new Date('2026-11-21T10:00:00Z');
    mock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ executionArn: EXECUTION, stateMachineArn: STATE_MACHINE, status: 'FAILED', startDate, error: 'StackFailedError', cause: 'stack x: ROLLBACK_COMPLETE' })
      .rejectsOnce(new ExecutionDoesNotExist({ $metadata: metadata, message: 'Execution Does Not Exist' }));

    await expect(port.describe(EXECUTION)).resolves.toEqual({ status: 'FAILED', startDate, stopDate: undefined, error: 'StackFailedError', cause: 'stack x: ROLLBACK_COMPLETE' });
    await expect(port.describe(EXECUTION)).resolves.toBeUndefined();
  });
});
