import type { Operation, OperationStatusEvent } from '../../../functions/generated/types';
import type { OperationRecord, RegistryPort } from '../../../functions/ports/registry';
import { DELIVERY_BACKOFF_MS, reportOutcome, reportProgress } from '../../../functions/shared/progress';

const operation: Operation = { id: 'op-1', type: 'CREATE', cluster: { name: 'demo', region: 'us-east-1', account: '111122223333' }, requestedBy: 'arn:aws:iam::111122223333:role/portal', requestedAt: '2026-11-21T10:00:00.000Z' };
const NOW = new Date('2026-11-21T10:30:00Z');

/** Records, in order, what progress reporting asks of the registry and the bus. */
function recorder(terminalEventSent = false, refuseProgress = false) {
  const log: string[] = [];
  const published: OperationStatusEvent[] = [];
  const registry = {
    recordProgress: async (event: OperationStatusEvent) => (log.push(`recordProgress ${event.status}`), !refuseProgress),
    finish: async (event: OperationStatusEvent, clusterStatus: string) => {
      log.push(`finish ${event.status} ${clusterStatus}`);
      return { id: operation.id, status: event.status, terminalEvent: event, terminalEventSent } as OperationRecord;
    },
    markTerminalEventSent: async (id: string) => void log.push(`markTerminalEventSent ${id}`),
    claimDelivery: async () => true,
    releaseDelivery: async (id: string) => void log.push(`releaseDelivery ${id}`),
  } as unknown as RegistryPort;
  const events = { publish: async (event: OperationStatusEvent) => void (log.push(`publish ${event.status}`), published.push(event)), publishRejection: async () => undefined, publishVersionSupportEnding: async () => undefined };
  return { log, published, deps: { registry, events, clock: () => NOW } as { registry: typeof registry; events: typeof events; clock: () => Date; wait?: (ms: number) => Promise<void> } };
}

describe('reportProgress', () => {
  it('records the phase change in the registry, then publishes it', async () => {
    const { log, published, deps } = recorder();

    await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'Plan' });

    expect(log).toEqual(['recordProgress IN_PROGRESS', 'publish IN_PROGRESS']);
    expect(published[0]).toMatchObject({ operationId: 'op-1', status: 'IN_PROGRESS', phase: 'Plan', time: NOW.toISOString() });
  });

  it('sends nothing when the registry refuses the progress: the outcome is committed, and no event follows the terminal one', async () => {
    const { log, published, deps } = recorder(false, true);

    await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'Rollback' });

    expect(log).toEqual(['recordProgress IN_PROGRESS']);
    expect(published).toEqual([]);
  });

  it('does not fail the step when the bus refuses a progress event: the registry has it', async () => {
    const { log, deps } = recorder();
    deps.events.publish = async () => {
      throw Object.assign(new Error('PutEvents failed'), { name: 'AwsUnavailableError' });
    };

    await expect(reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'EndpointAccess' })).resolves.toBeUndefined();
    expect(log).toEqual(['recordProgress IN_PROGRESS']);
  });
});

describe('reportOutcome', () => {
  it('finishes the operation, publishes the terminal event, then marks it sent', async () => {
    const { log, deps } = recorder(false);

    await reportOutcome(deps, operation, { status: 'SUCCEEDED', phase: 'Completed' }, 'ACTIVE');

    expect(log).toEqual(['finish SUCCEEDED ACTIVE', 'publish SUCCEEDED', 'markTerminalEventSent op-1']);
  });

  it('retries the delivery, and leaves the event on the record for the reconciler when the bus keeps refusing it', async () => {
    const { log, deps } = recorder(false);
    let attempts = 0;
    deps.events.publish = async () => {
      attempts++;
      throw Object.assign(new Error('PutEvents failed'), { name: 'AwsUnavailableError' });
    };

    const record = await reportOutcome(deps, operation, { status: 'SUCCEEDED', phase: 'Completed' }, 'ACTIVE');

    expect(record.status).toBe('SUCCEEDED');
    expect(attempts).toBe(DELIVERY_BACKOFF_MS.length + 1);
    expect(log).toEqual(['finish SUCCEEDED ACTIVE', 'releaseDelivery op-1']);
  });

  it('waits between delivery attempts on the deps’ clock (emulated, so scaled, in local mode), where the claim’s lease is measured', async () => {
    const { deps } = recorder(false);
    const waited: number[] = [];
    deps.events.publish = async () => {
      throw Object.assign(new Error('PutEvents failed'), { name: 'AwsUnavailableError' });
    };
    deps.wait = async (ms) => {
      waited.push(ms);
    };

    await reportOutcome(deps, operation, { status: 'SUCCEEDED', phase: 'Completed' }, 'ACTIVE');

    expect(waited).toEqual(DELIVERY_BACKOFF_MS);
  });

  it('publishes nothing when the terminal event was already sent', async () => {
    const { log, published, deps } = recorder(true);

    await reportOutcome(deps, operation, { status: 'FAILED', phase: 'ClusterStack' }, 'FAILED');

    expect(log).toEqual(['finish FAILED FAILED']);
    expect(published).toEqual([]);
  });
});
