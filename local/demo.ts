/**
 * `npm run demo [spec.json] [--name <cluster>]`: provisions examples/reference-cluster.json on the
 * local cloud and prints each status event as it arrives, then a summary (outcome, time per phase
 * and per step in emulated and real time, the endpoint, a kubeconfig hint). Exit code 0 when the
 * operation SUCCEEDED, 1 otherwise.
 *
 * Starts local mode in-process (on free ports unless EKSP_API_PORT / EKSP_AWS_PORT say otherwise),
 * or uses a running `npm start` when EKSP_API_URL is set (EKSP_AWS_URL, default
 * http://127.0.0.1:4566, for its events).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalMode } from './start';

interface StatusEvent {
  operationId: string;
  status: string;
  phase: string;
  time: string;
  step?: { name: string; status: string; resource?: string; startedAt: string; endedAt?: string };
  error?: { code: string; message: string; resource?: string };
  outputs?: Record<string, string>;
}

interface Arrival {
  event: StatusEvent;
  /** Real ms since the request was accepted. */
  realMs: number;
}

interface OperationView {
  status: string;
  phase: string;
  steps?: Array<{ name: string; status: string; resource?: string; startedAt: string; endedAt?: string }>;
  error?: { code: string; message: string; resource?: string };
  outputs?: Record<string, string>;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'ROLLED_BACK']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 754 s → "12:34"; an hour or more → "1:02:03". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return hms[0] ? `${hms[0]}:${String(hms[1]).padStart(2, '0')}:${String(hms[2]).padStart(2, '0')}` : `${hms[1]}:${String(hms[2]).padStart(2, '0')}`;
}

const realText = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);

async function getJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

function parseArgs(argv: string[]): { specPath: string; name?: string } {
  let specPath = join(__dirname, '..', 'examples', 'reference-cluster.json');
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--name') name = argv[++i];
    else if (argv[i]) specPath = argv[i]!;
  }
  return { specPath, ...(name ? { name } : {}) };
}

function describeEvent(e: StatusEvent): string {
  const step = e.step ? `${e.step.name} ${e.step.status}${e.step.resource ? ` (${e.step.resource})` : ''}` : '';
  const error = e.error ? `${e.error.code}: ${e.error.message}` : '';
  return [e.status.padEnd(11), e.phase.padEnd(16), step || error].join(' ').trimEnd();
}

/** Phases in the order they began; each lasts until the next begins (the last until the terminal event). */
export function phaseDurations(events: Arrival[]): Array<{ phase: string; emulatedSeconds: number }> {
  const starts: Array<{ phase: string; at: number }> = [];
  const byTime = [...events].sort((a, b) => a.event.time.localeCompare(b.event.time));
  for (const { event } of byTime) {
    if (TERMINAL.has(event.status)) continue;
    if (starts.at(-1)?.phase !== event.phase) starts.push({ phase: event.phase, at: Date.parse(event.time) });
  }
  const end = Date.parse((byTime.find((a) => TERMINAL.has(a.event.status)) ?? byTime.at(-1))?.event.time ?? '');
  return starts.map((s, i) => ({ phase: s.phase, emulatedSeconds: ((starts[i + 1]?.at ?? end) - s.at) / 1000 }));
}

export interface DemoResult {
  status: string;
  operationId?: string;
  events: Arrival[];
}

/** Runs the demo against a running local mode; prints as it goes; returns the outcome. */
export async function runDemo(apiUrl: string, awsUrl: string, spec: Record<string, unknown>, print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<DemoResult> {
  const health = await getJson<{ timeScale?: number }>(`${awsUrl}/_local/health`).catch(() => ({ status: 0, body: {} as { timeScale?: number } }));
  const scale = health.body?.timeScale ?? 0.01;
  const cursor = (await getJson<{ next: number }>(`${awsUrl}/_local/events`)).body.next;

  print(`POST ${apiUrl}/clusters  (cluster "${String(spec.name)}", time scale ${scale})`);
  const posted = await getJson<{ operationId?: string; title?: string; detail?: string; errors?: unknown }>(`${apiUrl}/clusters`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  if (posted.status !== 202 || !posted.body.operationId) {
    print(`  ${posted.status} ${posted.body?.title ?? ''}: ${posted.body?.detail ?? ''}${posted.body?.errors ? `\n  ${JSON.stringify(posted.body.errors)}` : ''}`);
    if (posted.status === 409) print('  (run again with --name <another-name>, or restart npm start)');
    return { status: 'REJECTED', events: [] };
  }
  const operationId = posted.body.operationId;
  const acceptedAt = Date.now();
  print(`  202 Accepted: operation ${operationId}  (GET ${apiUrl}/operations/${operationId})\n`);
  print('  emulated   real       status      phase            step');

  const arrivals: Arrival[] = [];
  let after = cursor;
  let firstTime: number | undefined;
  // Generous: three emulated hours, at least two real minutes.
  const deadline = acceptedAt + Math.max(120_000, 3 * 3600 * 1000 * scale);
  while (!arrivals.some((a) => TERMINAL.has(a.event.status))) {
    if (Date.now() > deadline) {
      print('  gave up waiting for a terminal event');
      break;
    }
    const page = (await getJson<{ events: Array<{ source: string; detail: unknown }>; next: number }>(`${awsUrl}/_local/events?after=${after}&source=eks-provisioner`)).body;
    after = page.next;
    for (const raw of page.events) {
      const event = (typeof raw.detail === 'string' ? JSON.parse(raw.detail) : raw.detail) as StatusEvent;
      if (event.operationId !== operationId) continue;
      const realMs = Date.now() - acceptedAt;
      arrivals.push({ event, realMs });
      // Consumers order by time (EventBridge does not promise delivery order): the origin is the earliest.
      firstTime = Math.min(firstTime ?? Infinity, Date.parse(event.time));
      print(`  +${clock((Date.parse(event.time) - firstTime) / 1000).padStart(8)}  ${realText(realMs).padStart(8)}  ${describeEvent(event)}`);
    }
    await sleep(100);
  }

  const terminal = arrivals.find((a) => TERMINAL.has(a.event.status));
  const operation = (await getJson<OperationView>(`${apiUrl}/operations/${operationId}`)).body;
  const status = terminal?.event.status ?? operation.status;
  const emulatedTotal = terminal && firstTime !== undefined ? (Date.parse(terminal.event.time) - firstTime) / 1000 : undefined;

  print('');
  print(`Outcome: ${status}${emulatedTotal !== undefined ? ` after ${clock(emulatedTotal)} emulated (${realText(terminal!.realMs)} real)` : ''}`);
  const failure = terminal?.event.error ?? operation.error;
  if (failure) print(`Root cause: ${failure.code}: ${failure.message}${failure.resource ? ` [${failure.resource}]` : ''}`);

  print('\nPhases (by event time)  emulated      real');
  for (const { phase, emulatedSeconds } of phaseDurations(arrivals)) {
    print(`  ${phase.padEnd(18)} ${clock(emulatedSeconds).padStart(9)}  ${realText(emulatedSeconds * 1000 * scale).padStart(8)}`);
  }
  const steps = (operation.steps ?? []).filter((s) => s.endedAt);
  if (steps.length) {
    const label = (s: (typeof steps)[number]) => `${s.name}${s.resource ? ` (${s.resource})` : ''}`;
    const width = Math.max(...steps.map((s) => label(s).length), 30);
    print(`\n${'Steps (GET /operations/{id})'.padEnd(width + 2)}  emulated      real`);
    for (const s of steps) {
      const seconds = (Date.parse(s.endedAt!) - Date.parse(s.startedAt)) / 1000;
      print(`  ${label(s).padEnd(width)} ${clock(seconds).padStart(9)}  ${realText(seconds * 1000 * scale).padStart(8)}  ${s.status}`);
    }
  }
  const outputs = terminal?.event.outputs ?? operation.outputs;
  if (status === 'SUCCEEDED' && outputs) {
    print(`\nEndpoint: ${outputs.endpoint ?? '(none)'}`);
    print(`Cluster:  ${outputs.clusterArn ?? outputs.clusterName ?? ''}`);
    const env = `AWS_ENDPOINT_URL=${awsUrl} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`;
    print('\nKubeconfig (the exec plugin `aws eks get-token` signs the token the local Kubernetes API checks):');
    print(`  export ${env}`);
    print(`  ${outputs.kubeconfig ?? `aws eks update-kubeconfig --name ${String(spec.name)} --region us-east-1`}`);
    print('  kubectl version          # the cluster\'s Kubernetes API (it serves /version, the aws-auth ConfigMap and nodes)');
  }
  return { status, operationId, events: arrivals };
}

async function main(): Promise<number> {
  const { specPath, name } = parseArgs(process.argv.slice(2));
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as Record<string, unknown>;
  if (name) spec.name = name;
  let local: LocalMode | undefined;
  let apiUrl = process.env.EKSP_API_URL;
  let awsUrl = process.env.EKSP_AWS_URL ?? `http://127.0.0.1:${process.env.EKSP_AWS_PORT ?? 4566}`;
  if (!apiUrl) {
    local = await startLocal({ quiet: true, apiPort: Number(process.env.EKSP_API_PORT ?? 0), awsPort: Number(process.env.EKSP_AWS_PORT ?? 0) });
    apiUrl = local.apiUrl;
    awsUrl = local.awsUrl;
    process.stdout.write(`local mode started: API ${apiUrl}, local AWS ${awsUrl}, time scale ${local.timeScale}\n\n`);
  }
  try {
    const result = await runDemo(apiUrl.replace(/\/$/, ''), awsUrl.replace(/\/$/, ''), spec);
    return result.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await local?.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`demo failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
