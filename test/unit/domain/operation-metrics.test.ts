/** What the dashboard and the alarms are fed: counts by type and outcome, and durations of terminal operations. */
import type { Operation, OperationStatusEvent } from '../../../functions/generated/types';
import { statusEvent } from '../../../functions/domain/status-event';
import { METRIC, operationMetrics, type OperationTimeline } from '../../../functions/domain/operation-metrics';

const OPERATION: Operation = { id: 'op-1', type: 'CREATE', cluster: { name: 'demo', region: 'us-east-1', account: '111122223333' }, requestedBy: 'arn:aws:iam::111122223333:role/portal', requestedAt: '2026-11-21T10:00:00.000Z' };

/** A status event as the service builds it, at 10:20. */
const event = (status: OperationStatusEvent['status'], extra: Partial<OperationStatusEvent> = {}): OperationStatusEvent => ({
  ...statusEvent(OPERATION, { status, phase: 'Completed' }, new Date('2026-11-21T10:20:00.000Z')),
  ...extra,
});

const timeline: OperationTimeline = {
  requestedAt: '2026-11-21T10:00:00.000Z',
  steps: {
    plan: { phase: 'Plan', startedAt: '2026-11-21T10:00:01.000Z', endedAt: '2026-11-21T10:00:03.000Z', at: '2026-11-21T10:00:03.000Z' },
    stack: { phase: 'ClusterStack', startedAt: '2026-11-21T10:00:03.000Z', endedAt: '2026-11-21T10:10:03.000Z', at: '2026-11-21T10:10:03.000Z' },
    // Parallel steps of one phase overlap: the phase lasts from the first start to the last end.
    ngA: { phase: 'ComputeAndAccess', startedAt: '2026-11-21T10:10:05.000Z', endedAt: '2026-11-21T10:13:05.000Z', at: '2026-11-21T10:13:05.000Z' },
    ngB: { phase: 'ComputeAndAccess', startedAt: '2026-11-21T10:10:04.000Z', endedAt: '2026-11-21T10:14:04.000Z', at: '2026-11-21T10:14:04.000Z' },
    // A step still open when the record was written counts until its last update.
    open: { phase: 'Finalize', startedAt: '2026-11-21T10:19:00.000Z', at: '2026-11-21T10:19:30.000Z' },
  },
};

describe('operation metrics', () => {
  it('counts an accepted operation by its type', () => {
    expect(operationMetrics(event('ACCEPTED', { phase: 'Accepted', operation: 'DELETE' }))).toEqual([
      { name: METRIC.accepted, unit: 'Count', value: 1, dimensions: { OperationType: 'DELETE' } },
    ]);
  });

  it('counts nothing for progress in between', () => {
    expect(operationMetrics(event('IN_PROGRESS', { phase: 'ClusterStack' }))).toEqual([]);
  });

  it('counts a rolled-back operation as failed and as rolled back', () => {
    const names = operationMetrics(event('ROLLED_BACK')).map((p) => p.name);

    expect(names).toEqual([METRIC.failed, METRIC.rolledBack]);
  });

  it('counts an operation the reconciler settled in one series across types', () => {
    const points = operationMetrics(event('FAILED', { settledBy: 'reconciler', operation: 'UPDATE' }));

    expect(points).toContainEqual({ name: METRIC.settledByReconciler, unit: 'Count', value: 1, dimensions: {} });
    expect(points).toContainEqual({ name: METRIC.failed, unit: 'Count', value: 1, dimensions: { OperationType: 'UPDATE' } });
  });

  it('does not count an admin abort as the reconciler settling', () => {
    expect(operationMetrics(event('FAILED', { settledBy: 'abort' })).map((p) => p.name)).not.toContain(METRIC.settledByReconciler);
  });

  it('measures a terminal operation end to end and each phase by its wall time', () => {
    const points = operationMetrics(event('SUCCEEDED'), timeline);

    expect(points).toEqual([
      { name: METRIC.succeeded, unit: 'Count', value: 1, dimensions: { OperationType: 'CREATE' } },
      { name: METRIC.operationDuration, unit: 'Milliseconds', value: 20 * 60_000, dimensions: { OperationType: 'CREATE' } },
      { name: METRIC.phaseDuration, unit: 'Milliseconds', value: 2_000, dimensions: { OperationType: 'CREATE', Phase: 'Plan' } },
      { name: METRIC.phaseDuration, unit: 'Milliseconds', value: 600_000, dimensions: { OperationType: 'CREATE', Phase: 'ClusterStack' } },
      { name: METRIC.phaseDuration, unit: 'Milliseconds', value: 240_000, dimensions: { OperationType: 'CREATE', Phase: 'ComputeAndAccess' } },
      { name: METRIC.phaseDuration, unit: 'Milliseconds', value: 30_000, dimensions: { OperationType: 'CREATE', Phase: 'Finalize' } },
    ]);
  });

  it('skips durations it cannot read rather than report a wrong one', () => {
    const points = operationMetrics(event('FAILED'), { requestedAt: 'not a time', steps: { x: { phase: 'Plan', startedAt: 'never', at: 'never' } } });

    expect(points.map((p) => p.name)).toEqual([METRIC.failed]);
  });
});
