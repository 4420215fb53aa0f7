import { timeline } from '../../../functions/api/get-operation';

const entry = (name: string, status: string, at: string, extra: Record<string, string> = {}) => ({ name, status, phase: 'ClusterStack', startedAt: extra.startedAt ?? at, at, ...extra });

describe('operation timeline', () => {
  it('shows each step once with its start, end and latest status, in order of start', () => {
    const steps = timeline([
      entry('Create Cluster Stack', 'SUCCEEDED', '2026-11-21T10:11:00Z', { startedAt: '2026-11-21T10:00:10Z', endedAt: '2026-11-21T10:11:00Z' }),
      entry('Plan', 'SUCCEEDED', '2026-11-21T10:00:05Z', { startedAt: '2026-11-21T10:00:01Z', endedAt: '2026-11-21T10:00:05Z' }),
      entry('Create Cluster Stack', 'STARTED', '2026-11-21T10:00:10Z'),
    ]);

    expect(steps).toEqual([
      { name: 'Plan', phase: 'ClusterStack', status: 'SUCCEEDED', startedAt: '2026-11-21T10:00:01Z', endedAt: '2026-11-21T10:00:05Z' },
      { name: 'Create Cluster Stack', phase: 'ClusterStack', status: 'SUCCEEDED', startedAt: '2026-11-21T10:00:10Z', endedAt: '2026-11-21T10:11:00Z' },
    ]);
  });

  it('keeps one line per resource of a step', () => {
    const steps = timeline([entry('Create Nodegroup', 'STARTED', '2026-11-21T10:12:00Z', { resource: 'ng-a' }), entry('Create Nodegroup', 'STARTED', '2026-11-21T10:12:01Z', { resource: 'ng-b' })]);

    expect(steps.map((s) => s.resource)).toEqual(['ng-a', 'ng-b']);
  });
});
