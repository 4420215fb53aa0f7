import type { Operation, OperationStatusEvent } from '../../../functions/generated/types';
import type { OperationRecord, RegistryPort } from '../../../functions/ports/registry';
import { reportOutcome, reportProgress } from '../../../functions/shared/progress';

const operation: Operation = { id: 'op-1', type: 'CREATE', cluster: { name: 'demo', region: 'us-east-1', account: '111122223333' }, requestedBy: 'arn:aws:iam::111122223333:role/portal', requestedAt: '2026-11-21T10:00:00.000Z' };
const NOW = new Date('2026-11-21T10:30:00Z');

/** Records, in order, what progress reporting asks of the registry and the bus. */
function recorder(terminalEventSent = false) {
  const log: string[] = [];
  const published: OperationStatusEvent[] = [];
  const registry = {
    recordProgress: async (event: OperationStatusEvent) => void log.push(`recordProgress ${event.status}`),
    finish: async (event: OperationStatusEvent, clusterStatus: string) => {
      log.push(`finish ${event.status} ${clusterStatus}`);
      return { id: operation.id, terminalEventSent } as OperationRecord;
    },
    markTerminalEventSent: async (id: string) => void log.push(`markTerminalEventSent ${id}`),
  } as unknown as RegistryPort;
  const events = { publish: async (event: OperationStatusEvent) => void (log.push(`publish ${event.status}`), published.push(event)), publishRejection: async () => undefined };
  return { log, published, deps: { registry, events, clock: () => NOW } };
}

describe('reportProgress', () => {
  it('records the phase change in the registry, then publishes it', async () => {
    const { log, published, deps } = recorder();

    await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'Plan' });

    expect(log).toEqual(['recordProgress IN_PROGRESS', 'publish IN_PROGRESS']);
    expect(published[0]).toMatchObject({ operationId: 'op-1', status: 'IN_PROGRESS', phase: 'Plan', time: NOW.toISOString() });
  });
});

describe('reportOutcome', () => {
  it('finishes the operation, publishes the terminal event, then marks it sent', async () => {
    const { log, deps } = recorder(false);

    await reportOutcome(deps, operation, { status: 'SUCCEEDED', phase: 'Completed' }, 'ACTIVE');

    expect(log).toEqual(['finish SUCCEEDED ACTIVE', 'publish SUCCEEDED', 'markTerminalEventSent op-1']);
  });

  it('publishes nothing when the terminal event was already sent', async () => {
    const { log, published, deps } = recorder(true);

    await reportOutcome(deps, operation, { status: 'FAILED', phase: 'ClusterStack' }, 'FAILED');

    expect(log).toEqual(['finish FAILED FAILED']);
    expect(published).toEqual([]);
  });
});
