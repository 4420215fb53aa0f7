/** The backstop: an execution that ended without reporting gets its operation's one terminal event. */
import type { EventBridgeEvent } from 'aws-lambda';
import type { Operation } from '../../../functions/generated/types';
import type { ExecutionStatusChange } from '../../../functions/domain/execution-status';
import { executionEnded } from '../../../functions/listeners/execution-ended';
import { reportOutcome } from '../../../functions/shared/progress';
import { FakeAws } from '../../support/fake-aws';

const operation = (type: Operation['type']): Operation => ({
  id: `op-${type.toLowerCase()}-1`,
  type,
  ...(type === 'UPDATE' ? { action: 'UPDATE_NODEGROUP' as const } : {}),
  cluster: { name: 'demo', region: 'us-east-1', account: '111122223333' },
  requestedBy: 'arn:aws:iam::111122223333:role/portal',
  requestedAt: '2026-11-21T10:00:00.000Z',
});

const ended = (op: Operation, status: string, error?: string): EventBridgeEvent<string, ExecutionStatusChange> => ({
  version: '0',
  id: 'evt-1',
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: '111122223333',
  time: '2026-11-21T10:30:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { executionArn: `arn:aws:states:us-east-1:111122223333:execution:eksp-x:${op.id}`, stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:eksp-x', name: op.id, status, ...(error ? { error, cause: 'Execution was stopped by an operator' } : {}) },
});

describe('Execution Ended', () => {
  it('reports FAILED and frees the cluster when an operator stopped the execution', async () => {
    const aws = new FakeAws();
    const op = operation('UPDATE');
    aws.seedOperation(op);

    const outcome = await executionEnded(ended(op, 'ABORTED', 'Stopped'), aws.deps());

    expect(outcome).toBe('reported');
    expect(aws.events).toEqual([
      expect.objectContaining({ status: 'FAILED', operation: 'UPDATE', error: expect.objectContaining({ code: 'ExecutionAborted', message: expect.stringContaining('ended ABORTED without reporting its outcome (Stopped: Execution was stopped by an operator)') }) }),
    ]);
    expect(aws.clusterRecords.get('demo')).toMatchObject({ status: 'ACTIVE' });
    expect(aws.clusterRecords.get('demo')!.lockedBy).toBeUndefined();
  });

  it('leaves the cluster FAILED after a create or delete that timed out: something may remain', async () => {
    const aws = new FakeAws();
    const op = operation('CREATE');
    aws.seedOperation(op);

    await executionEnded(ended(op, 'TIMED_OUT'), aws.deps());

    expect(aws.events[0]).toMatchObject({ status: 'FAILED', error: { code: 'ExecutionTimedOut' } });
    expect(aws.clusterRecords.get('demo')).toMatchObject({ status: 'FAILED' });
  });

  it('sends nothing when the workflow already reported (its failure path ends in a Fail state)', async () => {
    const aws = new FakeAws();
    const op = operation('DELETE');
    aws.seedOperation(op);
    await reportOutcome(aws.deps(), op, { status: 'FAILED', phase: 'Teardown', error: { code: 'DeleteFailedError', message: 'x' } }, 'FAILED');

    const outcome = await executionEnded(ended(op, 'FAILED', 'DeleteFailedError'), aws.deps());

    expect(outcome).toBe('already reported');
    expect(aws.events.filter((e) => e.status === 'FAILED')).toHaveLength(1);
  });

  it('marks what it settles settledBy reconciler', async () => {
    const aws = new FakeAws();
    const op = operation('UPDATE');
    aws.seedOperation(op);

    await executionEnded(ended(op, 'ABORTED', 'Stopped'), aws.deps());

    expect(aws.events).toEqual([expect.objectContaining({ status: 'FAILED', settledBy: 'reconciler' })]);
  });

  it('delivers a committed outcome whose event the bus refused, instead of settling the operation again', async () => {
    const aws = new FakeAws();
    const op = operation('CREATE');
    aws.seedOperation(op);
    const publish = aws.statusEvents.publish;
    aws.statusEvents.publish = async () => {
      throw Object.assign(new Error('PutEvents failed'), { name: 'AwsUnavailableError' });
    };
    await reportOutcome(aws.deps(), op, { status: 'SUCCEEDED', phase: 'Completed' }, 'ACTIVE');
    aws.statusEvents.publish = publish;

    const outcome = await executionEnded(ended(op, 'FAILED', 'Lambda.ServiceException'), aws.deps());

    expect(outcome).toBe('already reported');
    expect(aws.events.map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(aws.operations.get(op.id)).toMatchObject({ status: 'SUCCEEDED', terminalEventSent: true });
    expect(aws.clusterRecords.get('demo')).toMatchObject({ status: 'ACTIVE' });
  });

  it('fails (for Lambda to retry) when the registry cannot be written, leaving the operation to the next try', async () => {
    const aws = new FakeAws();
    const op = operation('CREATE');
    aws.seedOperation(op);
    aws.registry.finish = async () => {
      throw Object.assign(new Error('We encountered an internal error'), { name: 'AwsUnavailableError' });
    };

    await expect(executionEnded(ended(op, 'FAILED'), aws.deps())).rejects.toMatchObject({ name: 'AwsUnavailableError' });
    expect(aws.events).toEqual([]);
  });

  it('ignores executions that are not operations, and runs that succeeded', async () => {
    const aws = new FakeAws();
    const op = operation('CREATE');
    aws.seedOperation(op);

    expect(await executionEnded(ended({ ...op, id: 'someone-elses' }, 'FAILED'), aws.deps())).toBe('not ours');
    expect(await executionEnded(ended(op, 'SUCCEEDED'), aws.deps())).toBe('not ours');
    expect(aws.events).toEqual([]);
  });
});

describe('the temporary admin entry a stopped execution left', () => {
  const SERVICE = 'arn:aws:iam::111122223333:role/eksp-cloudformation';
  const entry = (operationId: string) => ({ type: 'STANDARD', tags: { 'eks-provisioner:temporary-admin': operationId }, policies: new Map() });

  it('is removed when its tag names the stopped operation, before the cluster is freed', async () => {
    const aws = new FakeAws();
    const op = operation('UPDATE');
    aws.seedOperation(op);
    aws.accessEntries.set(`demo/${SERVICE}`, entry(op.id));

    await executionEnded(ended(op, 'ABORTED', 'Stopped'), aws.deps());

    expect(aws.accessEntries.has(`demo/${SERVICE}`)).toBe(false);
    expect(aws.callLog((c) => c.service === 'eks')).toEqual([`eks:DescribeAccessEntry ${SERVICE}`, `eks:DeleteAccessEntry ${SERVICE}`]);
  });

  it("is left when another operation's tag is on it, or it is not the service's", async () => {
    for (const existing of [entry('op-later-1'), { type: 'STANDARD', tags: {}, policies: new Map() }]) {
      const aws = new FakeAws();
      const op = operation('UPDATE');
      aws.seedOperation(op);
      aws.accessEntries.set(`demo/${SERVICE}`, existing);

      await executionEnded(ended(op, 'TIMED_OUT'), aws.deps());

      expect(aws.accessEntries.get(`demo/${SERVICE}`)).toBe(existing);
    }
  });
});
