/** The metrics listener: every status event on the bus becomes CloudWatch metrics (EMF on stdout). */
import type { EventBridgeEvent } from 'aws-lambda';
import type { Operation, OperationStatusEvent } from '../../../functions/generated/types';
import { statusEvent } from '../../../functions/domain/status-event';
import { recordOperationMetrics } from '../../../functions/listeners/operation-metrics';
import { emfMetrics } from '../../../functions/ports/metrics';
import type { OperationRecord } from '../../../functions/ports/registry';

const OPERATION: Operation = { id: 'op-1', type: 'CREATE', cluster: { name: 'demo', region: 'us-east-1', account: '111122223333' }, requestedBy: 'arn:aws:iam::111122223333:role/portal', requestedAt: '2026-11-21T10:00:00.000Z' };

const detail = (status: OperationStatusEvent['status']): OperationStatusEvent =>
  statusEvent(OPERATION, { status, phase: status === 'ACCEPTED' ? 'Accepted' : 'Completed' }, new Date('2026-11-21T10:20:00.000Z'));

const onBus = (status: OperationStatusEvent['status']): EventBridgeEvent<string, OperationStatusEvent> => ({
  version: '0',
  id: 'evt-1',
  'detail-type': 'EKS Cluster Operation Status Change',
  source: 'eks-provisioner',
  account: '111122223333',
  time: '2026-11-21T10:20:00Z',
  region: 'us-east-1',
  resources: [],
  detail: detail(status),
});

const record = { id: 'op-1', requestedAt: '2026-11-21T10:00:00.000Z', steps: { plan: { name: 'Plan', status: 'SUCCEEDED', phase: 'Plan', startedAt: '2026-11-21T10:00:01.000Z', endedAt: '2026-11-21T10:00:02.000Z', at: '2026-11-21T10:00:02.000Z' } } } as unknown as OperationRecord;

/** EMF documents written to stdout while `run` runs. */
async function emfWrittenBy(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((doc) => '_aws' in doc);
}

describe('Operation Metrics', () => {
  it('writes an accepted operation as an EMF count in the service namespace, without reading the registry', async () => {
    const getOperation = jest.fn();

    const docs = await emfWrittenBy(() => recordOperationMetrics(onBus('ACCEPTED'), { registry: { getOperation }, metrics: emfMetrics() }));

    expect(getOperation).not.toHaveBeenCalled();
    expect(docs).toEqual([
      expect.objectContaining({
        OperationsAccepted: 1,
        OperationType: 'CREATE',
        _aws: expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Namespace: 'EksProvisioner', Metrics: [{ Name: 'OperationsAccepted', Unit: 'Count' }] })] }),
      }),
    ]);
  });

  it("reads a terminal operation's timeline for its durations", async () => {
    const getOperation = jest.fn().mockResolvedValue(record);

    const docs = await emfWrittenBy(() => recordOperationMetrics(onBus('SUCCEEDED'), { registry: { getOperation }, metrics: emfMetrics() }));

    expect(getOperation).toHaveBeenCalledWith('op-1');
    expect(docs).toEqual([
      expect.objectContaining({ OperationsSucceeded: 1 }),
      expect.objectContaining({ OperationDuration: 20 * 60_000 }),
      expect.objectContaining({ PhaseDuration: 1_000, Phase: 'Plan' }),
    ]);
  });

  it('still counts the outcome when the operation record is gone', async () => {
    const docs = await emfWrittenBy(() => recordOperationMetrics(onBus('FAILED'), { registry: { getOperation: jest.fn().mockResolvedValue(undefined) }, metrics: emfMetrics() }));

    expect(docs).toEqual([expect.objectContaining({ OperationsFailed: 1 })]);
  });
});
