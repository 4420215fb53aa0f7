/**
 * `npm run bench`: provisions the reference scenario in local mode and reports, from one run,
 * - end-to-end time against the AWS critical path of the durations the emulator sampled (no
 *   endpoint update: the cluster is created with its final endpoint access),
 * - the previous design's path, which opened the endpoint for aws-auth and switched it at the end
 *   (one endpoint update, sampled from the same distribution with the same seed),
 * - the same durations scheduled the way eksctl waits (phases in sequence, fixed polls, and the
 *   endpoint update eksctl makes after the cluster for a private endpoint),
 * - state transitions, Lambda invocations and AWS calls by operation,
 * - then an upgrade of the same cluster one minor up, against its critical path and an eksctl-style
 *   schedule of the same sampled durations, with its transitions and calls,
 * - bundle size and cold init per function against a bare-SDK baseline.
 * Writes docs/BENCHMARKS.md and prints a last line `BENCH_JSON {...}`.
 */
import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../infra/bundling';
import { seededRandom } from '../local/emulator/clock';
import { Durations } from '../local/emulator/durations';
import { startLocal } from '../local/start';
import { measureColdInit, type ColdInit } from './cold-init';
import { criticalPath, eksctlSchedule, eksctlUpgradeSchedule, upgradeCriticalPath, type PhaseDurations, type UpgradeDurations } from './schedules';

/**
 * Large enough that handler and HTTP time (real ms) stay small in emulated seconds: at 0.1 a
 * millisecond of local processing is 10 emulated ones, near what Lambda and Step Functions add in
 * AWS, where the same work is spread over real hosts.
 */
const DEFAULT_SCALE = 0.1;

interface StatusEvent {
  detail: { status: string; phase: string; time: string; operationId: string; step?: { name: string; status: string; resource?: string } };
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body = (await response.json()) as T;
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * The reference scenario is provisioned one minor behind its own version and then upgraded to it:
 * both within the default guardrails, and with add-ons whose versions run on both minors (EKS's
 * insights would refuse an upgrade to a minor the installed add-ons cannot run on).
 */
const UPGRADE = { from: '1.32', to: '1.33' };

async function provisionReference(apiUrl: string, awsUrl: string): Promise<{ operationId: string; events: StatusEvent[] }> {
  const spec = { ...(JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'reference-cluster.json'), 'utf8')) as Record<string, unknown>), version: UPGRADE.from };
  const { operationId } = await json<{ operationId: string }>(`${apiUrl}/clusters`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  return untilTerminal(awsUrl, operationId);
}

async function upgradeReference(apiUrl: string, awsUrl: string): Promise<{ operationId: string; events: StatusEvent[] }> {
  const { operationId } = await json<{ operationId: string }>(`${apiUrl}/clusters/reference/upgrade`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: UPGRADE.to }) });
  return untilTerminal(awsUrl, operationId);
}

async function untilTerminal(awsUrl: string, operationId: string): Promise<{ operationId: string; events: StatusEvent[] }> {
  for (;;) {
    const { events } = await json<{ events: StatusEvent[] }>(`${awsUrl}/_local/events?source=eks-provisioner`);
    const mine = events.filter((e) => e.detail.operationId === operationId);
    if (mine.some((e) => ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'].includes(e.detail.status))) return { operationId, events: mine };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const seconds = (from: string, to: string) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;

async function main(): Promise<void> {
  const timeScale = Number(process.env.EKSP_TIME_SCALE || DEFAULT_SCALE);
  const seed = Number(process.env.EKSP_SEED || 7);
  // Without the reconciler and the daily version check: their calls come on a schedule whatever runs, not per operation.
  const local = await startLocal({ awsPort: 0, apiPort: 0, timeScale, seed, quiet: true, reconciler: false, versionSupportCheck: false });
  const realStart = Date.now();
  let result: Omit<Figures, 'ratioEndToEndToCriticalPath' | 'ratioEksctlToCriticalPath' | 'ratioEndToEndToEksctl' | 'ratioEndToEndToPreviousDesign' | 'coldInit'>;
  try {
    const { events } = await provisionReference(local.apiUrl, local.awsUrl);
    const realSeconds = (Date.now() - realStart) / 1000;
    const accepted = events.find((e) => e.detail.status === 'ACCEPTED')!;
    const terminal = events[events.length - 1]!;
    const execution = local.executions.list(local.stateMachineArn)[0]!;
    await local.executions.settled(execution.executionArn);
    const stats = local.executions.stats(execution.executionArn)!;
    const phases = await phaseDurations(local.awsUrl, 'eksp-reference-cluster');
    const observed = observedPhases(events);
    const withSwitch = { ...phases, endpointUpdate: endpointSwitchSeconds(seed) };
    result = {
      outcome: terminal.detail.status,
      timeScale,
      seed,
      realSeconds: round(realSeconds, 1),
      endToEndSeconds: round(seconds(accepted.detail.time, terminal.detail.time), 1),
      phases,
      criticalPathSeconds: round(criticalPath(phases), 1),
      endpointSwitchSeconds: withSwitch.endpointUpdate,
      previousDesignSeconds: round(criticalPath(withSwitch), 1),
      observed,
      eksctlScheduleSeconds: round(eksctlSchedule(withSwitch), 1),
      kubeAgentSeconds: kubeAgentSamples(local.world.durations.samples),
      transitions: stats.transitions,
      lambdaInvocations: stats.lambdaInvocations,
      retries: stats.retries,
      awsCalls: callsByOperation(local.world.calls),
      upgrade: await measureUpgrade(local),
    };
  } finally {
    await local.stop();
  }
  const coldInit = await measureColdInit(5);
  const figures: Figures = {
    ...result,
    ratioEndToEndToCriticalPath: round(result.endToEndSeconds / result.criticalPathSeconds),
    ratioEksctlToCriticalPath: round(result.eksctlScheduleSeconds / result.criticalPathSeconds),
    ratioEndToEndToEksctl: round(result.endToEndSeconds / result.eksctlScheduleSeconds),
    ratioEndToEndToPreviousDesign: round(result.endToEndSeconds / result.previousDesignSeconds),
    coldInit,
  };
  writeFileSync(join(PROJECT_ROOT, 'docs', 'BENCHMARKS.md'), report(figures));
  console.log(`end-to-end ${minutes(figures.endToEndSeconds)} vs critical path ${minutes(figures.criticalPathSeconds)} (×${figures.ratioEndToEndToCriticalPath}); previous design ${minutes(figures.previousDesignSeconds)} (×${figures.ratioEndToEndToPreviousDesign} of it); eksctl-style ${minutes(figures.eksctlScheduleSeconds)} (×${figures.ratioEksctlToCriticalPath}); ${figures.transitions} transitions, ${figures.lambdaInvocations} invocations`);
  console.log(`BENCH_JSON ${JSON.stringify(figures)}`);
  console.log(`upgrade ${UPGRADE.from} → ${UPGRADE.to}: end-to-end ${minutes(figures.upgrade.endToEndSeconds)} vs critical path ${minutes(figures.upgrade.criticalPathSeconds)} (×${figures.upgrade.ratioEndToEndToCriticalPath}); eksctl-style ${minutes(figures.upgrade.eksctlScheduleSeconds)}; ${figures.upgrade.transitions} transitions`);
  console.log(`BENCH_JSON ${JSON.stringify(figures)}`);
  if (figures.outcome !== 'SUCCEEDED' || figures.upgrade.outcome !== 'SUCCEEDED') process.exit(1);
}

type LocalMode = Awaited<ReturnType<typeof startLocal>>;

/** Upgrades the provisioned reference cluster and measures it the way the provisioning is measured. */
async function measureUpgrade(local: LocalMode): Promise<UpgradeFigures> {
  const callsBefore = local.world.calls.length;
  const samplesBefore = (await json<{ samples: Sample[] }>(`${local.awsUrl}/_local/samples`)).samples.length;
  const { operationId, events } = await upgradeReference(local.apiUrl, local.awsUrl);
  const accepted = events.find((e) => e.detail.status === 'ACCEPTED')!;
  const terminal = events[events.length - 1]!;
  const upgradeMachine = local.executions.stateMachines().find((m) => m.stateMachineArn.endsWith(':eksp-upgrade-cluster'))!;
  const execution = local.executions.list(upgradeMachine.stateMachineArn).find((e) => e.name === operationId)!;
  await local.executions.settled(execution.executionArn);
  const stats = local.executions.stats(execution.executionArn)!;
  const samples = (await json<{ samples: Sample[] }>(`${local.awsUrl}/_local/samples`)).samples.slice(samplesBefore);
  const durations = upgradeDurations(samples);
  const endToEndSeconds = round(seconds(accepted.detail.time, terminal.detail.time), 1);
  const criticalPathSeconds = round(upgradeCriticalPath(durations), 1);
  const eksctlScheduleSeconds = round(eksctlUpgradeSchedule(durations), 1);
  return {
    outcome: terminal.detail.status,
    durations,
    endToEndSeconds,
    criticalPathSeconds,
    eksctlScheduleSeconds,
    ratioEndToEndToCriticalPath: round(endToEndSeconds / criticalPathSeconds),
    ratioEksctlToCriticalPath: round(eksctlScheduleSeconds / criticalPathSeconds),
    transitions: stats.transitions,
    lambdaInvocations: stats.lambdaInvocations,
    awsCalls: callsByOperation(local.world.calls.slice(callsBefore)),
  };
}

interface Sample {
  kind: string;
  resource: string;
  seconds: number;
}

/** The upgrade's sampled durations: a nodegroup's rolling update is the sum of its batches. */
function upgradeDurations(samples: Sample[]): UpgradeDurations {
  const of = (kind: string) => samples.filter((s) => s.kind === kind);
  const batches = new Map<string, number>();
  for (const batch of of('nodegroupUpgradeBatch')) batches.set(batch.resource, (batches.get(batch.resource) ?? 0) + batch.seconds);
  return {
    insightsRefresh: of('insightsRefresh').reduce((total, s) => total + s.seconds, 0),
    controlPlanePasses: of('versionUpdate').map((s) => s.seconds),
    addons: of('addonUpdate').map((s) => s.seconds),
    nodegroups: [...batches.values()],
  };
}

/** The emulator's sampled durations, grouped into the provisioning's AWS phases. */
async function phaseDurations(awsUrl: string, stackName: string): Promise<PhaseDurations> {
  const { samples } = await json<{ samples: Array<{ kind: string; resource: string; seconds: number }> }>(`${awsUrl}/_local/samples`);
  const of = (kind: string) => samples.filter((s) => s.kind === kind);
  return {
    stack: await stackSeconds(awsUrl, stackName),
    nodegroups: of('nodegroupCreate').map((s) => s.seconds),
    fargateProfiles: of('fargateProfileCreate').map((s) => s.seconds),
    addons: of('addonCreate').map((s) => ({ name: s.resource, seconds: s.seconds })),
    endpointUpdate: of('endpointAccessUpdate').reduce((sum, s) => sum + s.seconds, 0),
  };
}

/**
 * The stack's own duration as CloudFormation reports it (first stack event to CREATE_COMPLETE):
 * the sampled resource durations along the template's longest dependency chain.
 */
async function stackSeconds(awsUrl: string, stackName: string): Promise<number> {
  const client = new CloudFormationClient({ endpoint: awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const stackEvents = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken }));
    stackEvents.push(...(page.StackEvents ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  const own = stackEvents.filter((e) => e.ResourceType === 'AWS::CloudFormation::Stack').map((e) => ({ status: e.ResourceStatus, at: e.Timestamp!.getTime() }));
  const started = Math.min(...own.map((e) => e.at));
  const completed = own.find((e) => e.status === 'CREATE_COMPLETE')?.at;
  if (completed === undefined) throw new Error(`stack ${stackName} never reached CREATE_COMPLETE`);
  return (completed - started) / 1000;
}

/** How long each phase took as the service saw it (status event times, emulated seconds). */
function observedPhases(events: StatusEvent[]): { stack: number; computeAndAccess: number } {
  const at = (predicate: (e: StatusEvent['detail']) => boolean, last = false) => {
    const matching = events.filter((e) => predicate(e.detail)).map((e) => new Date(e.detail.time).getTime());
    return matching.length ? (last ? Math.max(...matching) : Math.min(...matching)) : NaN;
  };
  const stackStarted = at((d) => d.step?.name === 'Create Cluster Stack' && d.step.status === 'STARTED');
  const stackDone = at((d) => d.step?.name === 'Create Cluster Stack' && d.step.status === 'SUCCEEDED');
  const computeDone = at((d) => d.phase === 'ComputeAndAccess', true);
  return { stack: round((stackDone - stackStarted) / 1000, 1), computeAndAccess: round((computeDone - stackDone) / 1000, 1) };
}

/**
 * The endpoint update the previous design made at the end of every cluster with aws-auth work
 * (it created the endpoint open for the service, then switched it), and eksctl makes after the
 * cluster for a private one: sampled from the emulator's distribution with its own seeded stream,
 * so the same seed gives the same figure.
 */
function endpointSwitchSeconds(seed: number): number {
  return new Durations(seededRandom(seed + 1000)).sample('endpointAccessUpdate', 'reference');
}

/** The kube agents' sampled creation (Lambda making their network interfaces), to show they sit beside the control plane, not after it. */
function kubeAgentSamples(samples: Sample[]): number[] {
  return samples.filter((s) => /lambda/i.test(s.kind)).map((s) => s.seconds);
}

function callsByOperation(calls: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call] = (counts[call] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

interface Figures {
  outcome: string;
  timeScale: number;
  seed: number;
  realSeconds: number;
  endToEndSeconds: number;
  phases: PhaseDurations;
  criticalPathSeconds: number;
  observed: { stack: number; computeAndAccess: number };
  eksctlScheduleSeconds: number;
  /** The sampled endpoint update the previous design and eksctl add. */
  endpointSwitchSeconds: number;
  previousDesignSeconds: number;
  kubeAgentSeconds: number[];
  transitions: number;
  lambdaInvocations: number;
  retries: number;
  awsCalls: Record<string, number>;
  ratioEndToEndToCriticalPath: number;
  ratioEksctlToCriticalPath: number;
  ratioEndToEndToEksctl: number;
  ratioEndToEndToPreviousDesign: number;
  upgrade: UpgradeFigures;
  coldInit: { baseline: ColdInit; functions: ColdInit[] };
}

interface UpgradeFigures {
  outcome: string;
  durations: UpgradeDurations;
  endToEndSeconds: number;
  criticalPathSeconds: number;
  eksctlScheduleSeconds: number;
  ratioEndToEndToCriticalPath: number;
  ratioEksctlToCriticalPath: number;
  transitions: number;
  lambdaInvocations: number;
  awsCalls: Record<string, number>;
}

function report(f: Figures): string {
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  const totalCalls = Object.values(f.awsCalls).reduce((a, b) => a + b, 0);
  return `# Benchmarks

Measured by \`npm run bench\` in one run on this machine (2 cores); figures are ratios within
that run, since machines are noisy. Rerun: \`npm run bench\` (\`EKSP_TIME_SCALE\`, default
${DEFAULT_SCALE}, and \`EKSP_SEED\` choose the emulated speed and the sampled durations).

## Reference scenario (examples/reference-cluster.json, at Kubernetes ${UPGRADE.from})

Outcome **${f.outcome}**, time scale ${f.timeScale}, seed ${f.seed}, ${f.realSeconds} s of real time.

| schedule | emulated time | ÷ critical path |
|---|---|---|
| (a) AWS critical path of the sampled durations, no endpoint update | ${minutes(f.criticalPathSeconds)} | 1.000 |
| **eks-provisioner, end to end** (ACCEPTED → terminal event) | ${minutes(f.endToEndSeconds)} | **${f.ratioEndToEndToCriticalPath}** |
| (b) the previous design's path: the same, then the endpoint switch (${Math.round(f.endpointSwitchSeconds)} s) | ${minutes(f.previousDesignSeconds)} | ${round(f.previousDesignSeconds / f.criticalPathSeconds)} |
| (c) the same durations scheduled the way eksctl waits, endpoint update included | ${minutes(f.eksctlScheduleSeconds)} | ${f.ratioEksctlToCriticalPath} |

eks-provisioner takes ×${f.ratioEndToEndToPreviousDesign} of the previous design's path and ×${f.ratioEndToEndToEksctl} of the eksctl-style schedule.

Sampled phases: cluster stack ${minutes(f.phases.stack)}; nodegroups ${f.phases.nodegroups.map((s) => `${Math.round(s)} s`).join(', ')};
Fargate profiles ${f.phases.fargateProfiles.map((s) => `${Math.round(s)} s`).join(', ')}; add-ons ${f.phases.addons.map((a) => `${Math.round(a.seconds)} s`).join(', ')};
the kube agent (made beside the control plane, inside the stack) ${f.kubeAgentSeconds.map((s) => `${Math.round(s)} s`).join(', ') || 'not sampled'}.
Endpoint updates made: ${f.phases.endpointUpdate > 0 ? `${Math.round(f.phases.endpointUpdate)} s` : 'none'}.

| phase | sampled (AWS) | observed by the service |
|---|---|---|
| cluster stack | ${Math.round(f.phases.stack)} s | ${Math.round(f.observed.stack)} s |
| nodegroups, Fargate, add-ons, identities | ${Math.round(criticalPath({ ...f.phases, stack: 0, endpointUpdate: 0 }))} s | ${Math.round(f.observed.computeAndAccess)} s |

The observed time of a phase is what the service adds on top: looks that land after AWS is
done (near the expected finish a check looks every 2 s within its invocation, so ~1-2 s late on
average; functions/step-support/watch.ts), Lambda and Step Functions
time, and — locally — emulator processing, which the time scale magnifies (1 ms of real time is
${Math.round(1 / f.timeScale)} ms emulated at scale ${f.timeScale}).

The critical path runs the stack, then the slowest of {nodegroups, Fargate profiles one after
another (an EKS rule), add-ons (coredns becomes ACTIVE once nodes exist)}. The cluster is created
with its final endpoint access and aws-auth is written from inside the VPC (the kube agent), so no
endpoint update follows; the previous design created a cluster that needed aws-auth with an open
endpoint and switched it at the end, one 5–7 minute update on the critical path. The eksctl-style
schedule runs the same durations in sequence — stack, nodegroups, then Fargate profiles, then the
endpoint update eksctl makes after the cluster for a private endpoint — each finishing at the next
poll (30 s stack and nodegroup polls, 60 s Fargate polls, endpoint polls backing off 30 → 60 → 120 s).

## Step Functions and AWS usage per provisioning

| figure | value |
|---|---|
| state transitions (states entered + retries) | **${f.transitions}** |
| Lambda invocations | ${f.lambdaInvocations} |
| retries | ${f.retries} |
| AWS calls | ${totalCalls} |

| AWS call | count |
|---|---|
${Object.entries(f.awsCalls)
  .map(([call, count]) => `| ${call} | ${count} |`)
  .join('\n')}

## Upgrade of the reference cluster (${f.upgrade.durations.controlPlanePasses.length} pass, ${UPGRADE.from} → ${UPGRADE.to})

\`POST /clusters/reference/upgrade {"version": "${UPGRADE.to}"}\` on the cluster just provisioned (the
reference scenario, provisioned at ${UPGRADE.from} for this). Outcome **${f.upgrade.outcome}**.

| schedule | emulated time | ÷ critical path |
|---|---|---|
| AWS critical path: the control plane, then the slower of add-ons and nodegroups | ${minutes(f.upgrade.criticalPathSeconds)} | 1.000 |
| **eks-provisioner, end to end** (ACCEPTED → terminal event) | ${minutes(f.upgrade.endToEndSeconds)} | **${f.upgrade.ratioEndToEndToCriticalPath}** |
| the same durations the eksctl way (control plane, add-ons one by one, nodegroups one by one) | ${minutes(f.upgrade.eksctlScheduleSeconds)} | ${f.upgrade.ratioEksctlToCriticalPath} |

Sampled: control plane ${f.upgrade.durations.controlPlanePasses.map((s) => `${Math.round(s)} s`).join(', ')}; add-ons ${f.upgrade.durations.addons.map((s) => `${Math.round(s)} s`).join(', ') || 'none updated'};
nodegroups ${f.upgrade.durations.nodegroups.map((s) => `${Math.round(s)} s`).join(', ')} (rolling, all batches); the preflight's insights refresh
${Math.round(f.upgrade.durations.insightsRefresh)} s, which the service waits for and eksctl does not (it reads no insights), so it counts against the service.

| figure | value |
|---|---|
| state transitions | **${f.upgrade.transitions}** |
| Lambda invocations | ${f.upgrade.lambdaInvocations} |
| AWS calls | ${Object.values(f.upgrade.awsCalls).reduce((a, b) => a + b, 0)} |

| AWS call | count |
|---|---|
${Object.entries(f.upgrade.awsCalls)
  .map(([call, count]) => `| ${call} | ${count} |`)
  .join('\n')}

## Bundles and cold init

Each bundle imported in a fresh Node process and invoked once (an input its schema refuses, so
no network), median of 5. The baseline is a bundle that only builds an SDK v3 EKS client.

| function | bundle KB | import ms | first invoke ms |
|---|---|---|---|
| ${f.coldInit.baseline.name} | ${kb(f.coldInit.baseline.bytes)} | ${f.coldInit.baseline.importMs} | ${f.coldInit.baseline.firstInvokeMs} |
${f.coldInit.functions.map((c) => `| ${c.name} | ${kb(c.bytes)} | ${c.importMs} | ${c.firstInvokeMs} |`).join('\n')}
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
