/**
 * `npm run trust`: the service's promises measured in local mode, in one run.
 * - Fault matrix: every Task state of the three workflows crashing once after its side effect and
 *   on every try, plus the AWS faults a cluster meets (a failed stack resource, a nodegroup that
 *   cannot launch, a Kubernetes API that fails every aws-auth call, EventBridge and DynamoDB outages mid-run). For each
 *   case: the terminal status, exactly one terminal event and nothing after it, registry record =
 *   event = cluster, the lock released, and what a rolled-back cluster left behind.
 * - Load: concurrent creations under 20% throttling of every AWS call, retried by the client as
 *   the API says (503 with the same Idempotency-Key): outcomes, lost operations, wall time, peak memory.
 * Prints one line per case and a summary, writes docs/TRUST.md, and ends with `TRUST_JSON {...}`.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../infra/bundling';
import { allStates, readDefinition } from '../local/runtime/state-machine-runner';
import { localClientConfig, startLocal, type LocalMode } from '../local/start';
import { STATE_MACHINES, type StateMachineName } from '../statemachines/task-functions';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'];
const DEFAULT_SCALE = 0.005;
const CASE_TIMEOUT_MS = 180_000;

interface StatusEvent {
  operationId: string;
  status: string;
  phase: string;
  time: string;
  error?: { code: string; message: string; resource?: string };
}

interface FaultCase {
  workflow: StateMachineName;
  name: string;
  rules: unknown[];
  /** Faults put in place when the operation reaches this phase, and cleared after `emulatedMs` of emulated time, instead of from the start. */
  during?: { phase: string; emulatedMs: number };
  /** For update-cluster: the change to ask for (default: scale ng-general), so the faulted state runs. */
  change?: { method: string; path: string; body: unknown };
  /** For delete-cluster: a cluster made with deletion protection, deleted with ?disableDeletionProtection=true. */
  protectedCluster?: boolean;
}

const SCALE = { method: 'PATCH', path: '/nodegroups/ng-general', body: { desiredSize: 3, maxSize: 3 } };
/** The change that runs each update-cluster Task state. */
const CHANGE_FOR_STATE: Record<string, FaultCase['change']> = {
  'Change Fargate Profile': { method: 'POST', path: '/fargate-profiles', body: { name: 'fp-extra', selectors: [{ namespace: 'extra' }] } },
  'Change Access': { method: 'POST', path: '/access-entries', body: { principalArn: 'arn:aws:iam::111122223333:role/extra', accessPolicies: [{ policy: 'AmazonEKSViewPolicy', scope: 'cluster' }] } },
  'Change Endpoint Access': { method: 'PUT', path: '/endpoint-access', body: { public: true, private: true, publicAccessCidrs: ['198.51.100.0/24'] } },
  'Change Settings': { method: 'PATCH', path: '', body: { logging: ['api', 'audit'], tags: { team: 'platform', 'cost-center': '5678' } } },
  'Change Addon': { method: 'POST', path: '/addons', body: { name: 'aws-ebs-csi-driver' } },
};

/** Change Pod Identity's change: an association for the role the run brings (bringPodRole). */
const podIdentityChange = (roleArn: string): FaultCase['change'] => ({ method: 'POST', path: '/pod-identity-associations', body: { namespace: 'extra', serviceAccountName: 'worker', roleArn } });

/** A role a team brings for its pods (a Pod Identity association's roleArn): the emulated IAM holds it, trusting EKS Pod Identity. */
const POD_ROLE = 'trust-workload';
function bringPodRole(local: LocalMode): string {
  const arn = `arn:aws:iam::${local.world.account}:role/${POD_ROLE}`;
  local.world.iam.roles.set(POD_ROLE, {
    arn,
    roleName: POD_ROLE,
    path: '/',
    assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] },
    managedPolicyArns: [],
    tags: {},
  });
  return arn;
}

/**
 * The reference cluster with what makes every provision-cluster state run: a self-managed
 * nodegroup (its Create and Check states) and a Pod Identity association (its branch).
 */
function trustSpec(reference: Record<string, unknown>, podRoleArn: string): Record<string, unknown> {
  return {
    ...reference,
    selfManagedNodeGroups: [{ name: 'ng-self', instanceTypes: ['t3.medium'], minSize: 1, desiredSize: 1, maxSize: 1 }],
    podIdentityAssociations: [{ namespace: 'apps', serviceAccountName: 'api', roleArn: podRoleArn }],
  };
}
/** delete-cluster states that run only for a protected cluster deleted with ?disableDeletionProtection=true. */
const PROTECTED_DELETE_STATES = ['Disable Deletion Protection'];
/** States that run only after a failure: each is faulted together with a failure that reaches it. */
const FAILURE_FOR_WORKFLOW: Record<StateMachineName, unknown> = {
  'provision-cluster': { kind: 'nodegroup-failure', nodegroup: 'ng-spot', code: 'AsgInstanceLaunchFailures', message: 'Could not launch Spot Instances' },
  'update-cluster': { kind: 'step-crash', state: 'Change Nodegroup', count: 1_000 },
  'delete-cluster': { kind: 'step-crash', state: 'Delete Compute', count: 1_000 },
  // A failure after a change began: it reaches Settle Upgrade as well as the report.
  'upgrade-cluster': { kind: 'step-crash', state: 'Upgrade Nodegroup', count: 1_000 },
};
/** Cluster names per workflow's cases: fp0, fu3, … */
const CASE_PREFIX: Record<StateMachineName, string> = { 'provision-cluster': 'fp', 'update-cluster': 'fu', 'delete-cluster': 'fd', 'upgrade-cluster': 'fg' };
/** The upgrade the upgrade-cluster cases ask for: the reference cluster made one minor behind, then brought to its version. */
const UPGRADE = { from: '1.32', to: '1.33' };
const FAILURE_PATH = ['Diagnose Failure', 'Roll Back', 'Settle Upgrade', 'Report Failure', 'Report Operation Failure'];

interface CaseResult {
  workflow: StateMachineName;
  case: string;
  terminal: string;
  phase: string;
  terminalEvents: number;
  eventsAfterTerminal: number;
  record: string;
  clusterRecord: string;
  cluster: string;
  lockReleased: boolean;
  agrees: boolean;
  orphans: string[];
  /** Whether the injected step crash happened at all (the state ran); undefined for other faults. */
  fired?: boolean;
  error?: string;
  holds: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Task state names of a workflow, nested ones (Parallel branches, Map processors) included. */
export function taskStates(workflow: StateMachineName): string[] {
  return allStates(readDefinition(workflow))
    .filter(([, state]) => state.Type === 'Task')
    .map(([name]) => name);
}

class Driver {
  readonly cloudFormation: CloudFormationClient;
  readonly eks: EKSClient;

  constructor(readonly local: LocalMode) {
    this.cloudFormation = new CloudFormationClient(localClientConfig(local.awsUrl));
    this.eks = new EKSClient(localClientConfig(local.awsUrl));
  }

  async api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.local.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async faults(rules: unknown[]): Promise<void> {
    await fetch(`${this.local.awsUrl}/_local/faults`, { method: 'DELETE' });
    if (rules.length > 0) await fetch(`${this.local.awsUrl}/_local/faults`, { method: 'POST', body: JSON.stringify({ rules }) });
  }

  /** Whether the case's step crash fired: its rule's count went down (or it was used up). */
  async crashFired(rules: unknown[]): Promise<boolean | undefined> {
    const crash = (rules as Array<{ kind: string; state: string; count: number }>).find((r) => r.kind === 'step-crash');
    if (!crash) return undefined;
    const { rules: left } = (await (await fetch(`${this.local.awsUrl}/_local/faults`)).json()) as { rules: Array<{ kind: string; state?: string; count?: number }> };
    const remaining = left.find((r) => r.kind === 'step-crash' && r.state === crash.state)?.count ?? 0;
    return remaining < crash.count;
  }

  async events(operationId: string): Promise<StatusEvent[]> {
    const page = (await (await fetch(`${this.local.awsUrl}/_local/events?source=eks-provisioner&detailType=${encodeURIComponent('EKS Cluster Operation Status Change')}`)).json()) as { events: Array<{ detail: StatusEvent }> };
    return page.events.map((e) => e.detail).filter((d) => d.operationId === operationId);
  }

  /** Asks for an operation the way a careful client does: 503 and 429 are retried with the same Idempotency-Key. */
  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; retries: number }> {
    const key = randomUUID();
    for (let retries = 0; ; retries++) {
      const reply = await this.api(method, path, body, { 'idempotency-key': key });
      if ((reply.status !== 503 && reply.status !== 429) || retries >= 20) return { ...reply, retries };
      await sleep(Math.min(2_000, 50 * 2 ** retries) * Math.random());
    }
  }

  async untilTerminal(operationId: string, during?: FaultCase['during'], rules: unknown[] = []): Promise<StatusEvent[]> {
    const deadline = Date.now() + CASE_TIMEOUT_MS;
    let injected = false;
    for (;;) {
      if (during && !injected) {
        const { body } = await this.api('GET', `/operations/${operationId}`);
        if (body.phase === during.phase) {
          injected = true;
          await this.faults(rules);
          setTimeout(() => void this.faults([]), during.emulatedMs * this.local.timeScale);
        }
      }
      const events = await this.events(operationId);
      if (events.some((e) => TERMINAL.includes(e.status))) return events;
      if (Date.now() > deadline) throw new Error(`no terminal event after ${CASE_TIMEOUT_MS / 1000} s (last: ${events.at(-1)?.status}/${events.at(-1)?.phase})`);
      await sleep(100);
    }
  }

  /** What of the cluster the emulator still holds: live stacks and the EKS cluster. */
  async leftovers(name: string): Promise<string[]> {
    const stacks = (await this.cloudFormation.send(new DescribeStacksCommand({}))).Stacks ?? [];
    const left = stacks.filter((s) => s.StackName?.startsWith(`eksp-${name}-`) && s.StackStatus !== 'DELETE_COMPLETE').map((s) => `${s.StackName} ${s.StackStatus}`);
    const cluster = await this.eksStatus(name);
    return cluster === 'absent' ? left : [...left, `cluster ${name} ${cluster}`];
  }

  async eksStatus(name: string): Promise<string> {
    try {
      return (await this.eks.send(new DescribeClusterCommand({ name }))).cluster?.status ?? 'unknown';
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return 'absent';
      throw error;
    }
  }

  destroy(): void {
    this.cloudFormation.destroy();
    this.eks.destroy();
  }
}

/** Record = event = cluster: what the registry and the emulator must show after each terminal status. */
function agreement(terminal: string, record: string, clusterRecord: string, cluster: string, fault: FaultCase): boolean {
  const { workflow } = fault;
  if (record !== terminal) return false;
  if (workflow === 'delete-cluster' && terminal === 'SUCCEEDED') return cluster === 'absent' && ['DELETED', 'absent'].includes(clusterRecord);
  // A delete that could not turn deletion protection off deleted nothing: the cluster works on.
  if (workflow === 'delete-cluster' && fault.protectedCluster) return cluster === 'ACTIVE' && clusterRecord === 'ACTIVE';
  if (workflow === 'delete-cluster') return clusterRecord === 'FAILED';
  // A failed change or upgrade leaves the cluster as it was: working, and changeable again.
  if (workflow === 'update-cluster' || workflow === 'upgrade-cluster') return cluster === 'ACTIVE' && clusterRecord === 'ACTIVE';
  if (terminal === 'SUCCEEDED') return cluster === 'ACTIVE' && clusterRecord === 'ACTIVE';
  if (terminal === 'ROLLED_BACK') return cluster === 'absent' && ['ROLLED_BACK', 'absent'].includes(clusterRecord);
  // FAILED: either kept (the record says FAILED) or nothing was ever made (the name is free and EKS has no cluster).
  return clusterRecord === 'FAILED' || (['ROLLED_BACK', 'absent'].includes(clusterRecord) && cluster === 'absent');
}

async function runCase(driver: Driver, spec: Record<string, unknown>, fault: FaultCase, index: number): Promise<CaseResult> {
  const name = `${CASE_PREFIX[fault.workflow]}${index}`;
  const base = { workflow: fault.workflow, case: fault.name };
  try {
    await driver.faults([]);
    if (fault.workflow !== 'provision-cluster') {
      // Changes and deletions need a ready cluster first, made without faults.
      // An upgrade needs a cluster one minor behind the reference's version.
      const made = await driver.request('POST', '/clusters', { ...spec, name, ...(fault.workflow === 'upgrade-cluster' ? { version: UPGRADE.from } : {}), ...(fault.protectedCluster ? { deletionProtection: true } : {}) });
      const madeEvents = await driver.untilTerminal(String(made.body.operationId));
      if (madeEvents.at(-1)?.status !== 'SUCCEEDED') throw new Error(`could not make the cluster to change: ${madeEvents.at(-1)?.status}`);
    }
    if (!fault.during) await driver.faults(fault.rules);
    const asked =
      fault.workflow === 'provision-cluster'
        ? await driver.request('POST', '/clusters', { ...spec, name })
        : fault.workflow === 'delete-cluster'
          ? await driver.request('DELETE', `/clusters/${name}${fault.protectedCluster ? '?disableDeletionProtection=true' : ''}`)
          : fault.workflow === 'upgrade-cluster'
            ? await driver.request('POST', `/clusters/${name}/upgrade`, { version: UPGRADE.to })
            : await driver.request((fault.change ?? SCALE).method, `/clusters/${name}${(fault.change ?? SCALE).path}`, (fault.change ?? SCALE).body);
    if (asked.status !== 202) throw new Error(`request answered ${asked.status}: ${JSON.stringify(asked.body)}`);
    const operationId = String(asked.body.operationId);
    await driver.untilTerminal(operationId, fault.during, fault.rules);
    // Whatever runs after the terminal event (retries, a rollback that must not happen) has time to show itself.
    const { executions } = driver.local;
    const execution = executions.stateMachines().flatMap((m) => executions.list(m.stateMachineArn)).find((e) => e.name === operationId);
    if (execution) await executions.settled(execution.executionArn);
    const fired = await driver.crashFired(fault.rules);
    await driver.faults([]);
    await sleep(1_500);
    const events = await driver.events(operationId);
    const terminals = events.filter((e) => TERMINAL.includes(e.status));
    const lastTerminal = events.findIndex((e) => e === terminals.at(-1));
    const record = (await driver.api('GET', `/operations/${operationId}`)).body;
    const clusterReply = await driver.api('GET', `/clusters/${name}`);
    const clusterRecord = clusterReply.status === 404 ? 'absent' : String(clusterReply.body.status);
    const cluster = await driver.eksStatus(name);
    const terminal = terminals[0]?.status ?? 'none';
    // Whatever says the name is free must have left nothing behind.
    const nameFree = terminal === 'ROLLED_BACK' || (fault.workflow === 'delete-cluster' && terminal === 'SUCCEEDED') || (fault.workflow === 'provision-cluster' && ['ROLLED_BACK', 'absent'].includes(clusterRecord));
    const orphans = nameFree ? await driver.leftovers(name) : [];
    const lockReleased = clusterReply.status === 404 || !clusterReply.body.runningOperation;
    const agrees = agreement(terminal, String(record.status), clusterRecord, cluster, fault);
    const result: CaseResult = {
      ...base,
      terminal,
      phase: terminals[0]?.phase ?? '',
      terminalEvents: terminals.length,
      eventsAfterTerminal: lastTerminal === -1 ? 0 : events.length - 1 - lastTerminal,
      record: String(record.status),
      clusterRecord,
      cluster,
      lockReleased,
      agrees,
      orphans,
      ...(fired !== undefined ? { fired } : {}),
      ...(terminals[0]?.error ? { error: `${terminals[0].error.code}: ${terminals[0].error.message}`.slice(0, 160) } : {}),
      holds: false,
    };
    result.holds = result.terminalEvents === 1 && result.eventsAfterTerminal === 0 && agrees && lockReleased && orphans.length === 0;
    return result;
  } catch (error) {
    return { ...base, terminal: 'none', phase: '', terminalEvents: 0, eventsAfterTerminal: 0, record: '', clusterRecord: '', cluster: '', lockReleased: false, agrees: false, orphans: [], error: (error as Error).message, holds: false };
  }
}

function faultCases(podRoleArn: string): FaultCase[] {
  const cases: FaultCase[] = [];
  for (const workflow of Object.keys(STATE_MACHINES) as StateMachineName[]) {
    for (const state of taskStates(workflow)) {
      const failure = FAILURE_PATH.includes(state) ? [FAILURE_FOR_WORKFLOW[workflow]] : [];
      const change = state === 'Change Pod Identity' ? podIdentityChange(podRoleArn) : CHANGE_FOR_STATE[state];
      const protectedCluster = workflow === 'delete-cluster' && PROTECTED_DELETE_STATES.includes(state);
      for (const [label, count] of [['once', 1], ['every try', 1_000]] as const) {
        cases.push({ workflow, name: `${state} crashes ${label}${failure.length ? ' (after a failure)' : ''}`, rules: [{ kind: 'step-crash', state, count }, ...failure], ...(change ? { change } : {}), ...(protectedCluster ? { protectedCluster } : {}) });
      }
    }
  }
  cases.push(
    { workflow: 'provision-cluster', name: 'NAT gateway fails', rules: [{ kind: 'stack-resource-failure', logicalId: 'NATGateway1', reason: 'The maximum number of addresses has been reached.' }] },
    { workflow: 'provision-cluster', name: 'nodegroup cannot launch', rules: [{ kind: 'nodegroup-failure', nodegroup: 'ng-spot', code: 'AsgInstanceLaunchFailures', message: 'Could not launch Spot Instances' }] },
    { workflow: 'provision-cluster', name: 'the Kubernetes API fails every aws-auth call', rules: [{ kind: 'server-error', service: 'kubernetes', rate: 1 }] },
    { workflow: 'provision-cluster', name: 'EventBridge down during compute and identities', rules: [{ kind: 'server-error', service: 'events', rate: 1 }], during: { phase: 'ComputeAndAccess', emulatedMs: 600_000 } },
    { workflow: 'provision-cluster', name: 'DynamoDB down during compute', rules: [{ kind: 'server-error', service: 'dynamodb', rate: 1 }], during: { phase: 'ComputeAndAccess', emulatedMs: 600_000 } },
    { workflow: 'provision-cluster', name: '20% of AWS calls throttled', rules: [{ kind: 'throttle', service: '*', rate: 0.2 }] },
  );
  return cases;
}

interface LoadResult {
  creations: number;
  outcomes: Record<string, number>;
  /** Accepted operations with no terminal event at the deadline, by what their record says. */
  lost: number;
  /** Why the ones that did not succeed failed (error code or HTTP problem), with counts. */
  failures: Record<string, number>;
  clientRetries: number;
  wallSeconds: number;
  peakRssMb: number;
}

const LOAD_DEADLINE_MS = 30 * 60_000;
const LOAD_SCALE = Number(process.env.TRUST_LOAD_SCALE || 0.05);

async function load(driver: Driver, creations: number): Promise<LoadResult> {
  await driver.faults([{ kind: 'throttle', service: '*', rate: 0.2 }]);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250);
  const started = Date.now();
  let clientRetries = 0;
  const failures: Record<string, number> = {};
  const count = (into: Record<string, number>, key: string) => (into[key] = (into[key] ?? 0) + 1);
  const asked = await Promise.all(
    Array.from({ length: creations }, async (_, i) => {
      const reply = await driver.request('POST', '/clusters', { name: `load-${i}` });
      clientRetries += reply.retries;
      if (reply.status !== 202) count(failures, `HTTP ${reply.status}: ${String(reply.body.detail ?? reply.body.title ?? '').slice(0, 120)}`);
      return reply.status === 202 ? String(reply.body.operationId) : `HTTP ${reply.status}`;
    }),
  );
  const operationIds = asked.filter((id) => id.startsWith('op-'));
  // One reader of the bus for all of them: each operation polling the whole event log would be the load.
  const terminal = new Map<string, StatusEvent>();
  while (terminal.size < operationIds.length && Date.now() - started < LOAD_DEADLINE_MS) {
    await sleep(1_000);
    const page = (await (await fetch(`${driver.local.awsUrl}/_local/events?source=eks-provisioner&detailType=${encodeURIComponent('EKS Cluster Operation Status Change')}`)).json()) as { events: Array<{ detail: StatusEvent }> };
    for (const { detail } of page.events) if (TERMINAL.includes(detail.status)) terminal.set(detail.operationId, detail);
  }
  clearInterval(sampler);
  await driver.faults([]);
  const outcomes: Record<string, number> = {};
  for (const id of asked) {
    if (!id.startsWith('op-')) count(outcomes, id);
    else if (terminal.has(id)) count(outcomes, terminal.get(id)!.status);
    else count(outcomes, 'no terminal event');
  }
  for (const event of terminal.values()) if (event.status !== 'SUCCEEDED') count(failures, `${event.error?.code ?? 'no error'}: ${(event.error?.message ?? '').slice(0, 120)}`);
  for (const id of operationIds.filter((id) => !terminal.has(id))) count(failures, `no terminal event, record ${String((await driver.api('GET', `/operations/${id}`)).body.status)}`);
  return { creations, outcomes, lost: outcomes['no terminal event'] ?? 0, failures, clientRetries, wallSeconds: Math.round((Date.now() - started) / 100) / 10, peakRssMb: Math.round(peak / 2 ** 20) };
}

function matrixReport(results: CaseResult[], timeScale: number): string {
  const held = results.filter((r) => r.holds).length;
  const rows = results.map(
    (r) =>
      `| ${r.workflow} | ${r.case} | ${r.fired === undefined ? '' : r.fired ? 'yes' : 'NO'} | ${r.terminal} | ${r.phase} | ${r.terminalEvents} | ${r.eventsAfterTerminal} | ${r.record} / ${r.clusterRecord} / ${r.cluster} | ${r.agrees ? 'yes' : 'NO'} | ${r.lockReleased ? 'yes' : 'NO'} | ${r.orphans.length} | ${r.holds ? 'yes' : '**NO**'} | ${(r.error ?? '').replace(/\|/g, '/')} |`,
  );
  return [
    '# Trust figures',
    '',
    `Written by \`npm run trust\` (local mode, time scale ${timeScale}). Each case provisions, changes or deletes a copy of`,
    '[examples/reference-cluster.json](../examples/reference-cluster.json) plus a self-managed nodegroup and a Pod Identity association (so every state runs), with one fault injected; "holds" means exactly one terminal',
    'event and nothing after it, registry record = event = cluster, the lock released, and nothing left behind by a rollback.',
    '',
    `**${held} of ${results.length} cases hold**; every step crash fired in ${results.filter((r) => r.fired !== false).length} of them (a crash that did not fire means its state never ran).`,
    '',
    '| workflow | case | fault fired | terminal | phase | terminal events | events after | record / cluster record / EKS | agree | lock released | orphans | holds | error |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** The load section of docs/TRUST.md (also rewritten alone by TRUST_ONLY=load). */
function loadReport(loadResult: LoadResult): string {
  return [
    '## Concurrent creations under 20% throttling',
    '',
    `${loadResult.creations} creations of \`{"name": "load-<i>"}\` at once, time scale ${LOAD_SCALE}; the client retries 503/429 with the same Idempotency-Key.`,
    '',
    `| outcomes | lost | client retries | wall time | peak RSS |`,
    '|---|---|---|---|---|',
    `| ${Object.entries(loadResult.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')} | ${loadResult.lost} | ${loadResult.clientRetries} | ${loadResult.wallSeconds} s | ${loadResult.peakRssMb} MB |`,
    '',
    ...(Object.keys(loadResult.failures).length ? ['What did not succeed:', '', ...Object.entries(loadResult.failures).map(([why, n]) => `- ${n} × ${why.replace(/\|/g, '/')}`), ''] : []),
  ].join('\n');
}

async function main(): Promise<void> {
  const timeScale = Number(process.env.EKSP_TIME_SCALE || DEFAULT_SCALE);
  // TRUST_ONLY: a substring of case names, to rerun a few (then no load and no docs/TRUST.md); TRUST_CREATIONS=0 skips the load.
  const only = process.env.TRUST_ONLY;
  const creations = Number(process.env.TRUST_CREATIONS ?? 200);
  const reference = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'reference-cluster.json'), 'utf8')) as Record<string, unknown>;
  const results: CaseResult[] = [];
  let loadResult: LoadResult | undefined;
  const local = await startLocal({ awsPort: 0, apiPort: 0, timeScale, seed: 11, quiet: true });
  const driver = new Driver(local);
  const podRoleArn = bringPodRole(local);
  const spec = trustSpec(reference, podRoleArn);
  const cases = faultCases(podRoleArn).filter((c) => !only || `${c.workflow} ${c.name}`.includes(only));
  try {
    for (const [index, fault] of cases.entries()) {
      const result = await runCase(driver, spec, fault, index);
      results.push(result);
      process.stdout.write(`${result.holds ? 'holds' : 'BROKEN'}  ${fault.workflow} / ${fault.name}${result.fired === false ? ' (the crash never fired)' : ''}: ${result.terminal} ${result.phase}${result.error ? ` (${result.error})` : ''}${result.holds ? '' : ` ${JSON.stringify({ terminalEvents: result.terminalEvents, after: result.eventsAfterTerminal, record: result.record, clusterRecord: result.clusterRecord, cluster: result.cluster, lock: result.lockReleased, orphans: result.orphans })}`}\n`);
    }
  } finally {
    driver.destroy();
    await local.stop();
  }
  if (creations > 0 && (!only || only === 'load')) {
    // Slower time than the matrix: at 0.005 the reconciler's ten emulated minutes of grace for an
    // operation that never started are 3 real seconds, shorter than a client's backoff under load;
    // at 0.05 they are 30 s, and the client's retries fit in them as they do in AWS.
    const fresh = await startLocal({ awsPort: 0, apiPort: 0, timeScale: LOAD_SCALE, seed: 12, quiet: true });
    const loadDriver = new Driver(fresh);
    try {
      loadResult = await load(loadDriver, creations);
      process.stdout.write(`load: ${JSON.stringify(loadResult)}\n`);
    } finally {
      loadDriver.destroy();
      await fresh.stop();
    }
  }
  const file = join(PROJECT_ROOT, 'docs', 'TRUST.md');
  const LOAD_HEADING = '## Concurrent creations';
  const matrix = only === 'load' ? readFileSync(file, 'utf8').split(LOAD_HEADING)[0]!.trimEnd() : matrixReport(results, timeScale);
  const markdown = [matrix, ...(loadResult ? ['', loadReport(loadResult)] : [])].join('\n');
  if (!only || only === 'load') writeFileSync(file, `${markdown.trimEnd()}\n`);
  process.stdout.write(`${markdown}\nTRUST_JSON ${JSON.stringify({ cases: results.length, held: results.filter((r) => r.holds).length, load: loadResult })}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
