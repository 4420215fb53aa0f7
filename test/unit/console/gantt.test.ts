/** An operation's timeline as Gantt bars, and the event log rebuilt from operations. */
import { eventLog } from '../../../console/src/operations/event-log';
import { failedStepIndex, formatDuration, ganttOf, type Operation } from '../../../console/src/operations/gantt';

const T0 = Date.parse('2026-11-22T00:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const created: Operation = {
  id: 'op-1',
  type: 'CREATE',
  cluster: 'demo',
  status: 'SUCCEEDED',
  phase: 'Completed',
  requestedBy: 'arn:aws:iam::000000000000:user/local-developer',
  requestedAt: at(0),
  updatedAt: at(100),
  steps: [
    { name: 'Plan', phase: 'Plan', status: 'SUCCEEDED', startedAt: at(0), endedAt: at(0) },
    { name: 'Create Cluster Stack', resource: 'stack eksp-demo-cluster', phase: 'ClusterStack', status: 'SUCCEEDED', startedAt: at(10), endedAt: at(60) },
    { name: 'Create Nodegroup', resource: 'nodegroup ng', phase: 'ComputeAndAccess', status: 'SUCCEEDED', startedAt: at(60), endedAt: at(100) },
    { name: 'Create Add-on', resource: 'add-on coredns', phase: 'ComputeAndAccess', status: 'SUCCEEDED', startedAt: at(70), endedAt: at(80) },
  ],
};

describe('ganttOf', () => {
  it('places each step in percent of the operation span, grouped by phase in order', () => {
    const gantt = ganttOf(created);
    expect(gantt.spanMs).toBe(100_000);
    expect(gantt.phases.map((p) => p.phase)).toEqual(['Plan', 'ClusterStack', 'ComputeAndAccess']);
    const [plan, stack, compute] = gantt.phases;
    // An instant step stays visible.
    expect(plan!.bars[0]).toMatchObject({ offsetPct: 0, widthPct: 0.5, durationMs: 0, running: false });
    expect(stack!.bars[0]).toMatchObject({ label: 'Create Cluster Stack', resource: 'stack eksp-demo-cluster', offsetPct: 10, widthPct: 50, durationMs: 50_000 });
    expect(compute!.bars.map((b) => [b.offsetPct, b.widthPct])).toEqual([
      [60, 40],
      [70, 10],
    ]);
    // The phase spans its steps.
    expect(compute).toMatchObject({ offsetPct: 60, widthPct: 40 });
    expect(gantt.phases.flatMap((p) => p.bars).some((b) => b.failed)).toBe(false);
  });

  it('draws a running step to the latest time the operation reports, not the browser clock', () => {
    const running: Operation = {
      ...created,
      status: 'IN_PROGRESS',
      phase: 'ClusterStack',
      updatedAt: at(40),
      steps: [created.steps![0]!, { name: 'Create Cluster Stack', resource: 'stack eksp-demo-cluster', phase: 'ClusterStack', status: 'STARTED', startedAt: at(10) }],
    };
    const bar = ganttOf(running).phases[1]!.bars[0]!;
    expect(bar).toMatchObject({ running: true, offsetPct: 25, widthPct: 75, durationMs: 30_000 });
  });

  it("puts the error on the failed resource's row, and nothing is running once it ended", () => {
    const failed: Operation = {
      ...created,
      status: 'ROLLED_BACK',
      phase: 'ComputeAndAccess',
      error: { code: 'NodegroupFailedError', message: 'nodegroup ng: CREATE_FAILED', resource: 'nodegroup ng' },
      steps: [...created.steps!.slice(0, 2), { name: 'Create Nodegroup', resource: 'nodegroup ng', phase: 'ComputeAndAccess', status: 'STARTED', startedAt: at(60) }, created.steps![3]!],
    };
    expect(failedStepIndex(failed)).toBe(2);
    const bars = ganttOf(failed).phases.flatMap((p) => p.bars);
    expect(bars.filter((b) => b.failed).map((b) => b.resource)).toEqual(['nodegroup ng']);
    expect(bars.some((b) => b.running)).toBe(false);
  });

  it('falls back to the failed phase when the error names no step resource', () => {
    const failed: Operation = { ...created, status: 'FAILED', phase: 'ClusterStack', error: { code: 'States.Timeout', message: 'timed out' } };
    expect(failedStepIndex(failed)).toBe(1);
  });

  it('formats durations on the service clock', () => {
    expect([formatDuration(250), formatDuration(2400), formatDuration(42_000), formatDuration(663_000), formatDuration(3_720_000)]).toEqual(['250 ms', '2.4 s', '42 s', '11 min 3 s', '1 h 2 min']);
  });
});

describe('eventLog', () => {
  it('lists requests, step starts and ends and the outcome, newest first', () => {
    const failedDelete: Operation = {
      id: 'op-2',
      type: 'DELETE',
      cluster: 'demo',
      status: 'FAILED',
      phase: 'Teardown',
      requestedBy: 'arn:aws:iam::000000000000:user/local-developer',
      requestedAt: at(200),
      updatedAt: at(260),
      error: { code: 'StackFailedError', message: 'stack eksp-demo-cluster: DELETE_FAILED' },
      steps: [{ name: 'Delete Cluster Stack', resource: 'stack eksp-demo-cluster', phase: 'Teardown', status: 'STARTED', startedAt: at(210) }],
    };
    const log = eventLog([failedDelete, created]);
    expect(log.slice(0, 3).map((e) => [e.operation, e.status, e.text, e.error ?? false])).toEqual([
      ['DELETE', 'FAILED', 'StackFailedError: stack eksp-demo-cluster: DELETE_FAILED', true],
      ['DELETE', 'STARTED', 'Teardown: Delete Cluster Stack (stack eksp-demo-cluster)', false],
      ['DELETE', 'ACCEPTED', 'requested by arn:aws:iam::000000000000:user/local-developer', false],
    ]);
    expect(log).toHaveLength(3 + 1 + 4 * 2 + 1);
    expect(log.at(-1)).toMatchObject({ operationId: 'op-1', status: 'ACCEPTED' });
    // Same instant (Plan starts and ends at once): the start is listed below its end.
    const plan = log.filter((e) => e.text === 'Plan: Plan').map((e) => e.status);
    expect(plan).toEqual(['SUCCEEDED', 'STARTED']);
  });
});
