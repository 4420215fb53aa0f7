/**
 * Durable local mode, the honest way: `npm start`'s entry (local/start.ts under tsx) as a child
 * process on a temporary data dir, killed with SIGKILL mid-provisioning (no shutdown code runs),
 * started again on the same dir. The operation must go on to SUCCEEDED with exactly one terminal
 * event, the emulated cluster ACTIVE, nothing made twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClusterCommand, EKSClient, ListNodegroupsCommand, DescribeNodegroupCommand } from '@aws-sdk/client-eks';
import { startLocal } from '../../local/start';
import type { SavedState } from '../../local/runtime/durable-state';
import { TERMINAL, type StatusEvent } from '../support/local-cloud';
import { until } from '../support/until';

const ROOT = join(__dirname, '..', '..');
const NAME = 'durable';
/** ~1,700 emulated seconds per reference provisioning: about 8.5 s of real time. */
// Slow enough that a loaded machine still finds the nodegroups creating at the second kill (they take 2-4 emulated minutes).
const TIME_SCALE = '0.01';

interface Running {
  child: ChildProcess;
  apiUrl: string;
  awsUrl: string;
  output: () => string;
}

let dataDir: string;
const children: ChildProcess[] = [];

/** local/start.ts as `npm start` runs it, in one process (node --import tsx), on free ports. */
async function start(extraEnv: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, EKSP_DATA_DIR: dataDir, EKSP_API_PORT: '0', EKSP_AWS_PORT: '0', EKSP_TIME_SCALE: TIME_SCALE, EKSP_SEED: '7', EKSP_FRESH: '0', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const urls = await until(
    async () => ({ api: /REST API\s+(http:\S+)/.exec(output)?.[1], aws: /local AWS\s+(http:\S+)/.exec(output)?.[1], exited: child.exitCode }),
    (u) => (u.api !== undefined && u.aws !== undefined) || u.exited !== null,
    'local mode to print its URLs',
    45_000,
  );
  if (!urls.api || !urls.aws) throw new Error(`local mode did not start:\n${output}`);
  return { child, apiUrl: urls.api, awsUrl: urls.aws, output: () => output };
}

async function killHard(running: Running): Promise<void> {
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGKILL');
  await exited;
}

async function stopGently(running: Running): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  await exited;
}

async function statusEvents(running: Running, operationId: string): Promise<StatusEvent[]> {
  const page = (await (await fetch(`${running.awsUrl}/_local/events?source=eks-provisioner&detailType=${encodeURIComponent('EKS Cluster Operation Status Change')}`)).json()) as { events: Array<{ detail: StatusEvent }> };
  return page.events.map((e) => e.detail).filter((e) => e.operationId === operationId);
}

function aws(running: Running) {
  const client = { endpoint: running.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  return { eks: new EKSClient(client), cloudFormation: new CloudFormationClient(client) };
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'eksp-durable-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('durable local mode', () => {
  it('resumes a provisioning killed with SIGKILL twice (stack creating, then nodegroups creating) to one SUCCEEDED event and an ACTIVE cluster', async () => {
    const spec = { ...JSON.parse(readFileSync(join(ROOT, 'examples', 'reference-cluster.json'), 'utf8')), name: NAME };
    let running = await start();
    const accepted = await fetch(`${running.apiUrl}/clusters`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    expect(accepted.status).toBe(202);
    const { operationId } = (await accepted.json()) as { operationId: string };

    // First kill: the cluster stack is creating (its control plane takes minutes of emulated time).
    await until(() => statusEvents(running, operationId), (events) => events.some((e) => e.phase === 'ClusterStack'), 'the ClusterStack phase', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const midStack = aws(running);
    expect((await midStack.cloudFormation.send(new DescribeStacksCommand({ StackName: `eksp-${NAME}-cluster` }))).Stacks?.[0]?.StackStatus).toBe('CREATE_IN_PROGRESS');
    midStack.eks.destroy();
    midStack.cloudFormation.destroy();
    await killHard(running);

    running = await start();
    const afterFirst = await fetch(`${running.apiUrl}/operations/${operationId}`);
    expect(afterFirst.status).toBe(200);
    expect(await afterFirst.json()).toMatchObject({ status: 'IN_PROGRESS' });

    // Second kill: nodegroups and Fargate profiles are creating (killed the moment one is seen CREATING).
    await until(() => statusEvents(running, operationId), (events) => events.some((e) => e.phase === 'ComputeAndAccess'), 'the ComputeAndAccess phase', 30_000);
    const midNodegroups = aws(running);
    const nodegroupStatuses = () => Promise.all(['ng-general', 'ng-spot'].map((nodegroupName) => midNodegroups.eks.send(new DescribeNodegroupCommand({ clusterName: NAME, nodegroupName })).then((r) => r.nodegroup?.status, () => 'not yet')));
    const creating = await until(nodegroupStatuses, (statuses) => statuses.includes('CREATING') || statuses.every((status) => status === 'ACTIVE'), 'a nodegroup CREATING', 10_000);
    expect(creating).toContain('CREATING');
    midNodegroups.eks.destroy();
    midNodegroups.cloudFormation.destroy();
    await killHard(running);

    running = await start();
    const events = await until(() => statusEvents(running, operationId), (list) => list.some((e) => TERMINAL.includes(e.status)), 'the terminal event', 40_000);
    // Give a second terminal event (a backstop's FAILED, say) the time to show up if there were one.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const all = await statusEvents(running, operationId);
    const terminal = all.filter((e) => TERMINAL.includes(e.status));
    expect({ terminal: terminal.map((e) => [e.status, e.error?.message]), output: terminal.length === 1 ? '' : running.output() }).toEqual({ terminal: [['SUCCEEDED', undefined]], output: '' });
    expect(events.filter((e) => e.status === 'ACCEPTED')).toHaveLength(1);

    const operation = (await (await fetch(`${running.apiUrl}/operations/${operationId}`)).json()) as Record<string, unknown>;
    expect(operation).toMatchObject({ status: 'SUCCEEDED', phase: 'Completed' });
    const { eks, cloudFormation } = aws(running);
    try {
      const cluster = (await eks.send(new DescribeClusterCommand({ name: NAME }))).cluster!;
      expect(cluster).toMatchObject({ status: 'ACTIVE', endpoint: `${running.awsUrl.replace('http:', 'https:')}/k8s/${NAME}`, resourcesVpcConfig: { endpointPrivateAccess: true } });
      const nodegroups = (await eks.send(new ListNodegroupsCommand({ clusterName: NAME }))).nodegroups!.sort();
      expect(nodegroups).toEqual(['ng-general', 'ng-spot']);
      for (const nodegroupName of nodegroups) expect((await eks.send(new DescribeNodegroupCommand({ clusterName: NAME, nodegroupName }))).nodegroup?.status).toBe('ACTIVE');
      // Nothing made twice: one cluster stack, complete.
      const stacks = (await cloudFormation.send(new ListStacksCommand({}))).StackSummaries!.filter((s) => s.StackName === `eksp-${NAME}-cluster`);
      expect(stacks.map((s) => s.StackStatus)).toEqual(['CREATE_COMPLETE']);
    } finally {
      eks.destroy();
      cloudFormation.destroy();
    }
    await stopGently(running);
  }, 180_000);

  it('starts empty with EKSP_FRESH=1: no operation, no event, no execution of the previous run', async () => {
    let running = await start();
    const accepted = await fetch(`${running.apiUrl}/clusters`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'forgotten', managedNodeGroups: [], addons: [] }) });
    expect(accepted.status).toBe(202);
    const { operationId } = (await accepted.json()) as { operationId: string };
    await stopGently(running);

    running = await start({ EKSP_FRESH: '1' });
    expect((await fetch(`${running.apiUrl}/operations/${operationId}`)).status).toBe(404);
    expect(await statusEvents(running, operationId)).toEqual([]);
    expect(running.output()).not.toMatch(/resumed \d+ execution/);
    await stopGently(running);
  }, 120_000);

  it('ends an execution it cannot resume with one terminal FAILED event from the backstop, never silence', async () => {
    const options = { apiPort: 0, awsPort: 0, timeScale: Number(TIME_SCALE), seed: 7, quiet: true, dataDir };
    const first = await startLocal(options);
    const accepted = await fetch(`${first.apiUrl}/clusters`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'orphan', managedNodeGroups: [], addons: [] }) });
    const { operationId } = (await accepted.json()) as { operationId: string };
    await until(async () => first.world.busEvents.some((e) => (e.detail as StatusEvent).operationId === operationId && (e.detail as StatusEvent).phase === 'ClusterStack'), Boolean, 'the ClusterStack phase', 20_000);
    await first.stop();
    // The state machine changed meanwhile: the state the execution was in is gone.
    const state = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as SavedState;
    const execution = state.executions.find((e) => e.record.name === operationId)!;
    expect(execution.record.status).toBe('RUNNING');
    execution.current = { state: 'Renamed State', input: execution.current?.input ?? {} };
    writeFileSync(join(dataDir, 'state.json'), JSON.stringify(state));

    const second = await startLocal(options);
    try {
      expect(second.restored).toEqual({ resumed: [], ended: [execution.record.executionArn] });
      const events = await until(
        async () => second.world.busEvents.map((e) => e.detail as StatusEvent).filter((e) => e.operationId === operationId),
        (list) => list.some((e) => TERMINAL.includes(e.status)),
        'the terminal event',
        20_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const terminal = second.world.busEvents.map((e) => e.detail as StatusEvent).filter((e) => e.operationId === operationId && TERMINAL.includes(e.status));
      expect(terminal).toHaveLength(1);
      expect(terminal[0]).toMatchObject({ status: 'FAILED', error: { code: 'ExecutionAborted', message: expect.stringContaining('could not resume this execution: it was in state "Renamed State"') } });
      expect(events.at(-1)).toBe(events.find((e) => TERMINAL.includes(e.status)));
      const operation = (await (await fetch(`${second.apiUrl}/operations/${operationId}`)).json()) as Record<string, unknown>;
      expect(operation).toMatchObject({ status: 'FAILED' });
    } finally {
      await second.stop();
    }
  }, 120_000);
});
