/** The reconciler: every operation not yet settled ends with its outcome, one terminal event and its cluster released. */
import type { Operation } from '../../../functions/generated/types';
import { NEVER_STARTED_GRACE_SECONDS, reconcile } from '../../../functions/listeners/reconciler';
import type { Deps } from '../../../functions/shared/deps';
import { reportOutcome, reportProgress } from '../../../functions/shared/progress';
import { FakeAws } from '../../support/fake-aws';

const WHERE = { region: 'us-east-1', account: '111122223333' };
const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:eksp-provision-cluster';
const REQUESTED = '2026-11-21T10:00:00.000Z';

const operation = (type: Operation['type'] = 'CREATE', id = `op-${type.toLowerCase()}-1`): Operation => ({
  id,
  type,
  ...(type === 'UPDATE' ? { action: 'UPDATE_NODEGROUP' as const } : {}),
  cluster: { name: 'demo', region: 'us-east-1', account: '111122223333' },
  requestedBy: 'arn:aws:iam::111122223333:role/portal',
  requestedAt: REQUESTED,
});

/** An accepted operation whose execution started (it runs until the test ends it). */
async function started(aws: FakeAws, op: Operation): Promise<void> {
  aws.seedOperation(op);
  aws.operations.get(op.id)!.stateMachineArn = STATE_MACHINE;
  await aws.workflows.start(STATE_MACHINE, op.id, {});
}

const at = (aws: FakeAws, iso: string): Deps => ({ ...aws.deps(), clock: () => new Date(iso) });

describe('the reconciler', () => {
  it('leaves a running operation alone', async () => {
    const aws = new FakeAws();
    const op = operation();
    await started(aws, op);

    const report = await reconcile(aws.deps(), WHERE);

    expect(report.operations[op.id]).toBe('running');
    expect(aws.events).toEqual([]);
    expect(aws.clusterRecords.get('demo')!.lockedBy).toBe(op.id);
  });

  it('settles an operation whose execution ended without an outcome: FAILED, one event settled by the reconciler, lock released', async () => {
    const aws = new FakeAws();
    const op = operation();
    await started(aws, op);
    await reportProgress(aws.deps(), op, { status: 'IN_PROGRESS', phase: 'ClusterStack' });
    aws.executionEndings.set(op.id, { status: 'FAILED', error: 'States.Runtime', cause: 'the failure report itself failed' });

    const report = await reconcile(aws.deps(), WHERE);
    const again = await reconcile(aws.deps(), WHERE);

    expect(report.operations[op.id]).toBe('settled');
    expect(again.operations[op.id]).toBeUndefined();
    expect(aws.events.filter((e) => e.status === 'FAILED')).toEqual([
      expect.objectContaining({ settledBy: 'reconciler', phase: 'ClusterStack', error: expect.objectContaining({ code: 'ExecutionFailed', message: expect.stringContaining('ended FAILED without reporting its outcome') }) }),
    ]);
    expect(aws.operations.get(op.id)).toMatchObject({ status: 'FAILED', terminalEventSent: true });
    expect(aws.clusterRecords.get('demo')).toMatchObject({ status: 'FAILED' });
    expect(aws.clusterRecords.get('demo')!.lockedBy).toBeUndefined();
  });

  it('redelivers a committed outcome the bus refused, once the bus takes it, and nothing else', async () => {
    const aws = new FakeAws();
    const op = operation('UPDATE');
    await started(aws, op);
    const publish = aws.statusEvents.publish;
    aws.statusEvents.publish = async () => {
      throw Object.assign(new Error('PutEvents failed'), { name: 'AwsUnavailableError' });
    };
    await reportOutcome(aws.deps(), op, { status: 'SUCCEEDED', phase: 'Completed' }, 'ACTIVE');

    const refused = await reconcile(aws.deps(), WHERE);
    aws.statusEvents.publish = publish;
    const taken = await reconcile(aws.deps(), WHERE);

    expect(refused.operations[op.id]).toBe('undelivered');
    expect(taken.operations[op.id]).toBe('delivered');
    expect(aws.events).toEqual([expect.objectContaining({ status: 'SUCCEEDED', operationId: op.id })]);
    expect(aws.events[0]!.settledBy).toBeUndefined();
    expect(aws.operations.get(op.id)).toMatchObject({ status: 'SUCCEEDED', terminalEventSent: true });
  });

  it('waits for an operation whose execution does not exist yet, then ends it FAILED and gives the cluster back as it was', async () => {
    const aws = new FakeAws();
    const op = operation('DELETE');
    aws.seedOperation(op);
    Object.assign(aws.operations.get(op.id)!, { stateMachineArn: STATE_MACHINE, clusterStatusBefore: 'ACTIVE' });
    const soon = new Date(Date.parse(REQUESTED) + 60_000).toISOString();
    const later = new Date(Date.parse(REQUESTED) + (NEVER_STARTED_GRACE_SECONDS + 1) * 1000).toISOString();

    const early = await reconcile(at(aws, soon), WHERE);
    const late = await reconcile(at(aws, later), WHERE);

    expect(early.operations[op.id]).toBe('waiting');
    expect(late.operations[op.id]).toBe('settled');
    expect(aws.events).toEqual([expect.objectContaining({ status: 'FAILED', settledBy: 'reconciler', error: expect.objectContaining({ code: 'ExecutionNeverStarted' }) })]);
    expect(aws.clusterRecords.get('demo')).toMatchObject({ status: 'ACTIVE' });
    expect(aws.clusterRecords.get('demo')!.lockedBy).toBeUndefined();
  });

  it('does not overtake an operation that moved on while it looked', async () => {
    const aws = new FakeAws();
    const op = operation();
    aws.seedOperation(op);
    aws.operations.get(op.id)!.stateMachineArn = STATE_MACHINE;
    const later = new Date(Date.parse(REQUESTED) + (NEVER_STARTED_GRACE_SECONDS + 1) * 1000).toISOString();
    // The execution starts, and reports progress, between the reconciler's read and its settlement.
    const describe = aws.workflows.describe;
    aws.workflows.describe = async (arn) => {
      await reportProgress(at(aws, later), op, { status: 'IN_PROGRESS', phase: 'Plan' });
      return describe(arn);
    };

    const report = await reconcile(at(aws, later), WHERE);

    expect(report.operations[op.id]).toBe('running');
    expect(aws.operations.get(op.id)).toMatchObject({ status: 'IN_PROGRESS' });
    expect(aws.events.map((e) => e.status)).toEqual(['IN_PROGRESS']);
  });

  it('keeps going when one operation cannot be reconciled', async () => {
    const aws = new FakeAws();
    const broken = operation('CREATE', 'op-broken');
    const fine = { ...operation('UPDATE', 'op-fine'), cluster: { name: 'other', region: 'us-east-1', account: '111122223333' } };
    await started(aws, broken);
    await started(aws, fine);
    aws.executionEndings.set(broken.id, { status: 'TIMED_OUT' });
    aws.executionEndings.set(fine.id, { status: 'ABORTED' });
    const finish = aws.registry.finish;
    aws.registry.finish = async (event, ...rest) => {
      if (event.operationId === broken.id) throw Object.assign(new Error('internal error'), { name: 'AwsUnavailableError' });
      return finish(event, ...rest);
    };

    const report = await reconcile(aws.deps(), WHERE);

    expect(report.operations).toEqual({ [broken.id]: 'error', [fine.id]: 'settled' });
    expect(aws.clusterRecords.get('other')).toMatchObject({ status: 'ACTIVE' });
  });
});
