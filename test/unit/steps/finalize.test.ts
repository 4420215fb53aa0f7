import { finalize } from '../../../functions/steps/finalize';
import { reportOutcome } from '../../../functions/shared/progress';
import { CLUSTER, completeStack, fakeAws, operation, provisionState, specOf } from './step-inputs';

const OUTPUTS = { clusterName: CLUSTER, endpoint: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com' };
const input = () => ({ ...provisionState(specOf(), { stack: completeStack(specOf()) }), outputs: OUTPUTS });

describe('Finalize', () => {
  it('commits SUCCEEDED with the collected outputs, releases the cluster ACTIVE, then sends the one terminal event', async () => {
    const aws = fakeAws();

    const outputs = await finalize(input(), aws.deps());

    expect(outputs).toEqual(OUTPUTS);
    expect(aws.operations.get(operation.id)).toMatchObject({ status: 'SUCCEEDED', outputs: OUTPUTS, terminalEventSent: true });
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE', owner: operation.requestedBy });
    expect(aws.clusterRecords.get(CLUSTER)?.lockedBy).toBeUndefined();
    expect(aws.events).toEqual([expect.objectContaining({ status: 'SUCCEEDED', phase: 'Completed', outputs: OUTPUTS })]);
  });

  it('sends no second event when run again', async () => {
    const aws = fakeAws();

    await finalize(input(), aws.deps());
    await finalize(input(), aws.deps());

    expect(aws.events.filter((e) => e.status === 'SUCCEEDED')).toHaveLength(1);
  });

  it('succeeds with the outcome committed when the bus refuses the event, which waits on the record for the reconciler', async () => {
    const aws = fakeAws();
    aws.statusEvents.publish = async () => {
      throw Object.assign(new Error('PutEvents failed'), { name: 'AwsUnavailableError' });
    };

    await finalize(input(), aws.deps());

    const record = aws.operations.get(operation.id)!;
    expect(record).toMatchObject({ status: 'SUCCEEDED', terminalEvent: expect.objectContaining({ status: 'SUCCEEDED', outputs: OUTPUTS }) });
    expect(record.terminalEventSent).toBeUndefined();
    expect(aws.clusterRecords.get(CLUSTER)?.lockedBy).toBeUndefined();
  });

  it('never turns a SUCCEEDED operation into another outcome: the first committed wins, and its event is the one sent', async () => {
    const aws = fakeAws();
    await finalize(input(), aws.deps());

    const record = await reportOutcome(aws.deps(), operation, { status: 'ROLLED_BACK', phase: 'Rollback', error: { code: 'X', message: 'late' } }, 'ROLLED_BACK');

    expect(record).toMatchObject({ status: 'SUCCEEDED' });
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE' });
    expect(aws.events.map((e) => e.status)).toEqual(['SUCCEEDED']);
  });
});
