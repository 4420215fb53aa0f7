/**
 * Progress of an operation from a recorded sequence of snapshots: eksctl-style lines on a pipe,
 * live frames on a (fake) terminal, the outcome and exit code, and Ctrl-C detaching.
 */
import type { Operation } from '../../../cli/client/types';
import { LiveView } from '../../../cli/render/live-view';
import { changesBetween, logLine } from '../../../cli/render/log-lines';
import { makeStyle } from '../../../cli/render/style';
import { stepDone, stepStarted } from '../../../cli/render/step-words';
import { eksp, FakeApi, fakeIo, type FakeIo } from '../../support/cli-harness';

const base = { id: 'op-7', type: 'CREATE', cluster: 'demo', requestedAt: '2026-12-04T02:00:00.000Z', updatedAt: '2026-12-04T02:00:00.000Z' } as const;
const at = (minute: number, second = 0) => `2026-12-04T02:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;
const plan = (status: string, endedAt?: string) => ({ name: 'Plan', phase: 'Plan', status, startedAt: at(0), ...(endedAt ? { endedAt } : {}) });
const stack = (status: string, endedAt?: string) => ({ name: 'Create Cluster Stack', resource: 'stack eksp-demo-cluster', phase: 'ClusterStack', status, startedAt: at(1), ...(endedAt ? { endedAt } : {}) });

/** A create as GET /operations/{id} answers it, poll after poll, until it rolls back. */
const SNAPSHOTS: Operation[] = [
  { ...base, status: 'ACCEPTED', phase: 'Accepted', steps: [] },
  { ...base, status: 'IN_PROGRESS', phase: 'Plan', steps: [plan('STARTED')] },
  { ...base, status: 'IN_PROGRESS', phase: 'ClusterStack', steps: [plan('SUCCEEDED', at(0, 1)), stack('STARTED')] },
  {
    ...base,
    status: 'IN_PROGRESS',
    phase: 'ComputeAndAccess',
    steps: [
      plan('SUCCEEDED', at(0, 1)),
      stack('SUCCEEDED', at(11, 40)),
      { name: 'Map Identities', phase: 'ComputeAndAccess', status: 'SUCCEEDED', startedAt: at(11, 41), endedAt: at(11, 43) },
      { name: 'Create Pod Identity Associations', phase: 'ComputeAndAccess', status: 'SKIPPED', startedAt: at(11, 41), endedAt: at(11, 41) },
      { name: 'Create Nodegroup', resource: 'nodegroup ng-general', phase: 'ComputeAndAccess', status: 'STARTED', startedAt: at(11, 42) },
    ],
  },
  {
    ...base,
    status: 'ROLLED_BACK',
    phase: 'Rollback',
    error: { code: 'NodegroupFailedError', message: 'nodegroup ng-general: CREATE_FAILED: Ec2SubnetInvalidConfiguration: subnet has no route to the internet', resource: 'nodegroup ng-general' },
    steps: [
      plan('SUCCEEDED', at(0, 1)),
      stack('SUCCEEDED', at(11, 40)),
      { name: 'Map Identities', phase: 'ComputeAndAccess', status: 'SUCCEEDED', startedAt: at(11, 41), endedAt: at(11, 43) },
      { name: 'Create Pod Identity Associations', phase: 'ComputeAndAccess', status: 'SKIPPED', startedAt: at(11, 41), endedAt: at(11, 41) },
      { name: 'Create Nodegroup', resource: 'nodegroup ng-general', phase: 'ComputeAndAccess', status: 'FAILED', startedAt: at(11, 42), endedAt: at(14, 0) },
      { name: 'Roll Back', resource: 'stack eksp-demo-cluster', phase: 'Rollback', status: 'SUCCEEDED', startedAt: at(14, 1), endedAt: at(20, 0) },
    ],
  },
];

const EXPECTED_LINES = [
  '[ℹ]  create cluster "demo": operation op-7',
  '[ℹ]  phase Accepted',
  '[ℹ]  phase Plan',
  '[ℹ]  planning',
  '[ℹ]  phase ClusterStack',
  '[✔]  planned',
  '[ℹ]  creating cluster stack "eksp-demo-cluster"',
  '[ℹ]  phase ComputeAndAccess',
  '[✔]  created cluster stack "eksp-demo-cluster"',
  '[ℹ]  mapping identities',
  '[✔]  mapped identities',
  '[ℹ]  skipped: creating pod identity associations',
  '[ℹ]  creating nodegroup "ng-general"',
  '[✖]  failed: creating nodegroup "ng-general"',
  '[ℹ]  rolling back: stack eksp-demo-cluster',
  '[✔]  rolled back: stack eksp-demo-cluster',
  '[✖]  create cluster "demo" ROLLED_BACK in phase Rollback: NodegroupFailedError: nodegroup ng-general: CREATE_FAILED: Ec2SubnetInvalidConfiguration: subnet has no route to the internet (resource: nodegroup ng-general)',
];

/** A fake API answering each poll with the next snapshot (the last one from then on). */
async function replaying(snapshots: Operation[], onPoll: (count: number) => void = () => {}): Promise<FakeApi> {
  let polls = 0;
  return new FakeApi((request) => {
    if (request.path !== '/operations/op-7') return undefined;
    onPoll(++polls);
    return { status: 200, body: snapshots[Math.min(polls, snapshots.length) - 1] };
  }).start();
}

describe('lines for a pipe', () => {
  test('eksctl’s layout: local date and time, the level’s icon, two spaces, the message', () => {
    expect(logLine('info', 'creating cluster stack "eksp-demo-cluster"', new Date(2026, 11, 4, 2, 10, 11))).toBe('2026-12-04 02:10:11 [ℹ]  creating cluster stack "eksp-demo-cluster"');
    expect(logLine('success', 'done', new Date(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02 03:04:05 [✔]  done');
  });

  test('each phase and step is told as it changes, then the outcome with its root cause; exit 1', async () => {
    const api = await replaying(SNAPSHOTS);
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'watch', 'op-7');
    await api.stop();

    expect(code).toBe(1);
    expect(io.stdout.lines.map((l) => l.slice(20))).toEqual(EXPECTED_LINES);
    expect(io.stdout.text).not.toContain('\u001b[');
    expect(io.stdout.lines.every((l) => l.startsWith('2026-12-04 02:10:11 ['))).toBe(true);
  });

  test('a step seen only once it ended is told as started, then ended', () => {
    const events = changesBetween(SNAPSHOTS[2], SNAPSHOTS[3]!);

    expect(events.map((e) => e.message)).toEqual(['phase ComputeAndAccess', 'created cluster stack "eksp-demo-cluster"', 'mapping identities', 'mapped identities', 'skipped: creating pod identity associations', 'creating nodegroup "ng-general"']);
  });

  test('SUCCEEDED: the outputs follow, and the exit code is 0', async () => {
    const succeeded = { ...base, status: 'SUCCEEDED' as const, phase: 'Completed', outputs: { clusterName: 'demo', endpoint: 'https://127.0.0.1:4566/k8s/demo' }, steps: [plan('SUCCEEDED', at(0, 1))] };
    const api = await replaying([SNAPSHOTS[1]!, succeeded]);
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'watch', 'op-7');
    await api.stop();

    expect(code).toBe(0);
    expect(io.stdout.lines.slice(-3).map((l) => l.slice(20))).toEqual(['[✔]  create cluster "demo" SUCCEEDED', '[ℹ]  clusterName: demo', '[ℹ]  endpoint: https://127.0.0.1:4566/k8s/demo']);
  });
});

describe('a live view on a terminal', () => {
  test('a frame per snapshot: every step with its state and elapsed time; the outcome below the last', async () => {
    const api = await replaying(SNAPSHOTS);
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url, NO_COLOR: '1' }, tty: true });

    const code = await eksp(io, 'watch', 'op-7');
    await api.stop();

    expect(code).toBe(1);
    expect(io.frames.length).toBeGreaterThanOrEqual(SNAPSHOTS.length);
    expect(io.sinkDone).toBe(true);
    const last = io.frames.at(-1)!.split('\n');
    expect(last[0]).toMatch(/^create cluster "demo" {2}op-7 {2}ROLLED_BACK {2}phase Rollback {2}\d+s$/);
    expect(last.slice(1)).toEqual([
      '  ✔ Plan                                                       done      1s',
      '  ✔ Create Cluster Stack              stack eksp-demo-cluster  done      10m 40s',
      '  ✔ Map Identities                                             done      2s',
      '  - Create Pod Identity Associations                           skipped   0s',
      '  ✖ Create Nodegroup                  nodegroup ng-general     failed    2m 18s',
      '  ✔ Roll Back                         stack eksp-demo-cluster  done      5m 59s',
    ]);
    expect(io.frames.join('')).not.toContain('\u001b[');
    expect(io.stdout.text).toBe('✖ create cluster "demo" ROLLED_BACK in phase Rollback: NodegroupFailedError: nodegroup ng-general: CREATE_FAILED: Ec2SubnetInvalidConfiguration: subnet has no route to the internet (resource: nodegroup ng-general)\n');
  });

  test('a step in flight spins, and counts from when the view first saw it', () => {
    let now = 10_000;
    const view = new LiveView(makeStyle(false), () => now);

    view.frame(SNAPSHOTS[2]!);
    now += 65_000;
    const frame = view.frame(SNAPSHOTS[2]!).split('\n');

    expect(frame[0]).toBe('create cluster "demo"  op-7  IN_PROGRESS  phase ClusterStack  1m 05s');
    expect(frame[2]).toMatch(/^ {2}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Create Cluster Stack {2}stack eksp-demo-cluster {2}running {3}1m 05s$/);
  });

  test('colours on a terminal unless NO_COLOR is set', async () => {
    const api = await replaying(SNAPSHOTS);
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url }, tty: true });

    await eksp(io, 'watch', 'op-7');
    await api.stop();

    expect(io.frames.at(-1)).toContain('\u001b[32m✔\u001b[39m');
    expect(io.stdout.text).toContain('\u001b[31m✖\u001b[39m');
  });
});

describe('Ctrl-C while waiting', () => {
  test('detaches: the operation is left running, `eksp watch <id>` is printed, exit 130', async () => {
    const pressCtrlC: { io?: FakeIo } = {};
    const api = await replaying([SNAPSHOTS[1]!], (count) => count === 2 && pressCtrlC.io!.interrupt());
    const io = (pressCtrlC.io = fakeIo({ env: { EKSP_ENDPOINT: api.url } }));

    const code = await eksp(io, 'watch', 'op-7');
    await api.stop();

    expect(code).toBe(130);
    expect(io.stderr.text).toMatch(/\[ℹ\] {2}detached from operation op-7, which goes on; resume with: eksp watch op-7\n$/);
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);
  });
});

describe('step sentences', () => {
  test.each([
    [{ name: 'Create Cluster Stack', resource: 'stack eksp-demo-cluster' }, 'creating cluster stack "eksp-demo-cluster"', 'created cluster stack "eksp-demo-cluster"'],
    [{ name: 'Create Fargate Profile', resource: 'Fargate profile fp-apps' }, 'creating fargate profile "fp-apps"', 'created fargate profile "fp-apps"'],
    [{ name: 'Update Nodegroup AMI Release', resource: 'nodegroup ng-1' }, 'updating nodegroup AMI release: nodegroup ng-1', 'updated nodegroup AMI release: nodegroup ng-1'],
    [{ name: 'Map Identities' }, 'mapping identities', 'mapped identities'],
    [{ name: 'Check Nodes Ready', resource: 'nodes of nodegroup general' }, 'checking nodes ready: nodes of nodegroup general', 'checked nodes ready: nodes of nodegroup general'],
    [{ name: 'Make Auto Mode Roles', resource: 'cluster demo' }, 'making auto mode roles: cluster demo', 'made auto mode roles: cluster demo'],
    [{ name: 'Control Plane 1.33', resource: 'cluster demo' }, 'starting control plane 1.33: cluster demo', 'finished control plane 1.33: cluster demo'],
    [{ name: 'Tag Stacks', resource: 'stacks of cluster demo' }, 'tagging stacks: stacks of cluster demo', 'tagged stacks: stacks of cluster demo'],
  ])('%o', (step, started, done) => {
    expect([stepStarted(step), stepDone(step)]).toEqual([started, done]);
  });
});

test('a terminal of no size (a CI runner’s pseudo-terminal) gets lines, not a live view it could not show', async () => {
  const api = await replaying(SNAPSHOTS);
  const io = fakeIo({ env: { EKSP_ENDPOINT: api.url }, tty: true });
  Object.assign(io.stdout, { rows: 0 });

  await eksp(io, 'watch', 'op-7');
  await api.stop();

  expect(io.frames).toEqual([]);
  expect(io.stdout.lines.map((l) => l.slice(20))).toEqual(EXPECTED_LINES);
});
