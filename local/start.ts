/**
 * `npm start`: the whole service on a laptop. One process runs
 *   - the local AWS endpoint (local/emulator) on 127.0.0.1:EKSP_AWS_PORT (4566), DynamoDB from dynalite;
 *   - the state machines from statemachines/*.asl.json with the real handlers (local/runtime/executions.ts);
 *   - the REST API on 127.0.0.1:EKSP_API_PORT (3000), API Gateway proxy events into the real API handler;
 *   - the reconciler every RECONCILE_INTERVAL_MINUTES of emulated time, as the CDK stack's schedule runs it;
 *   - the version support check every VERSION_CHECK_INTERVAL_HOURS of emulated time (a day), likewise.
 * The handlers and their SDK clients are unchanged: AWS_ENDPOINT_URL points them at the emulator.
 *
 * EKSP_TIME_SCALE (default 0.01) is real time per emulated time: at 0.01 an 11-minute control
 * plane takes 6.6 s, and the state machine's Wait states and Retry intervals shrink alike.
 * EKSP_SEED seeds the sampled durations (same seed, same durations).
 * EKSP_DATA_DIR (default .eksp/) keeps the registry, the emulated world, the event log and the
 * executions across restarts (runtime/durable-state.ts); EKSP_FRESH=1 starts it empty.
 */
import { resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand, ResourceAlreadyExistsException } from '@aws-sdk/client-eventbridge';
import { startLocalAws, type LocalAws } from './emulator';
import type { World } from './emulator/world';
import { startApiServer, LOCAL_CALLER, type ApiHandler, type RunningApi } from './runtime/api-server';
import { lambdaContext } from './runtime/state-machine-runner';
import { STATE_MACHINES, type StateMachineName } from '../statemachines/task-functions';
import { OPERATION_REQUESTS_RULE, operationRequestPattern } from '../functions/domain/operation-request';
import { EXECUTION_STATUS_DETAIL_TYPE, EXECUTION_STATUS_SOURCE, UNREPORTED_ENDINGS } from '../functions/domain/execution-status';
import { functionScopedDeps } from './runtime/deps';
import { runAsFunction } from './runtime/function-scope';
import { API_FUNCTION, createServiceRoles, EXECUTION_ENDED_FUNCTION, functionIdentity, RECONCILER_FUNCTION, VERSION_SUPPORT_CHECK_FUNCTION } from './runtime/service-roles';
import type { Context } from 'aws-lambda';
import { LocalExecutions } from './runtime/executions';
import { scheduleReconciler } from './runtime/reconciler-schedule';
import { scheduleRate } from './runtime/rate-schedule';
import { installNetworkAgent } from './runtime/network-agent';
import { KUBE_AGENT_CODE_DEFAULTS, registerKubeAgentCode } from './runtime/kube-agent-code';
import { VERSION_CHECK_INTERVAL_HOURS } from '../functions/domain/version-support';
import { DataDirError, DEFAULT_DATA_DIR, openDataDir, savedWorld, StateSaver } from './runtime/durable-state';
import { config } from '../functions/shared/config';
import { useDeps } from '../functions/shared/deps';
import { registryTableInput } from '../functions/ports/registry-table';
import { PERMISSIONS_BOUNDARY_DOCUMENT, POD_ROLE_BOUNDARY_DOCUMENT } from '../functions/domain/permissions-boundary';
import { buildConsole, type ConsoleFiles } from '../console/build';

export const DEFAULTS = { awsPort: 4566, apiPort: 3000, timeScale: 0.01 } as const;
export const EVENT_BUS_NAME = 'eks-provisioner';
export const TABLE_NAME = 'eksp-registry';
/** The access key the handlers sign with; the emulator knows its secret (STS tokens are verified). */
const LOCAL_KEY = { accessKeyId: 'local', secretAccessKey: 'local' };

/** What an SDK client outside local mode (a test, the benchmarks) needs to reach its AWS endpoint. */
export function localClientConfig(awsUrl: string): { endpoint: string; region: string; credentials: typeof LOCAL_KEY } {
  return { endpoint: awsUrl, region: 'us-east-1', credentials: LOCAL_KEY };
}

export interface StartOptions {
  /** 0 picks a free port. Default EKSP_AWS_PORT or 4566. */
  awsPort?: number;
  /** 0 picks a free port. Default EKSP_API_PORT or 3000. */
  apiPort?: number;
  /** Default EKSP_TIME_SCALE or 0.01. */
  timeScale?: number;
  /** Default EKSP_SEED or the emulator's own (42). */
  seed?: number;
  /** No banner and no request log. */
  quiet?: boolean;
  /** Where the banner and request log go (default stdout). */
  log?: (line: string) => void;
  /** Run the reconciler on its schedule (default true); the benchmark counts calls per provisioning without it. */
  reconciler?: boolean;
  /** Run the version support check on its daily schedule (default true); its function is registered either way. */
  versionSupportCheck?: boolean;
  /**
   * Keep everything here across restarts (`npm start`: EKSP_DATA_DIR or .eksp/). Absent: in
   * memory, as the tests and the demo run.
   */
  dataDir?: string;
  /** Empty the data dir first (EKSP_FRESH=1). */
  fresh?: boolean;
  /**
   * Serve the web console (console/) at the REST API's `/` (default true). It is bundled on the
   * first request for it; `npm start` bundles it while starting, so a broken build shows at once.
   */
  console?: boolean;
}

export interface LocalMode {
  apiUrl: string;
  awsUrl: string;
  world: World;
  executions: LocalExecutions;
  stateMachineArn: string;
  timeScale: number;
  /** The data dir in use, if any. */
  dataDir?: string;
  /** Executions a restart resumed, and those it ended because they could not resume. */
  restored: { resumed: string[]; ended: string[] };
  /** The web console's files (built once, on first use); absent with `console: false`. */
  consoleFiles?: () => Promise<ConsoleFiles>;
  stop(): Promise<void>;
}

/** One esbuild run per local mode, shared by every request; a failed build is tried again. */
function memoisedConsoleBuild(): () => Promise<ConsoleFiles> {
  let built: Promise<ConsoleFiles> | undefined;
  return () => {
    built ??= buildConsole().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
}

function numberFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${text}"`);
  return value;
}

/** EKSP_AWS_PORT, EKSP_API_PORT, EKSP_TIME_SCALE, EKSP_SEED. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): StartOptions {
  const options: StartOptions = {};
  const awsPort = numberFrom(env, 'EKSP_AWS_PORT');
  const apiPort = numberFrom(env, 'EKSP_API_PORT');
  const timeScale = numberFrom(env, 'EKSP_TIME_SCALE');
  const seed = numberFrom(env, 'EKSP_SEED');
  if (awsPort !== undefined) options.awsPort = awsPort;
  if (apiPort !== undefined) options.apiPort = apiPort;
  if (timeScale !== undefined) options.timeScale = timeScale;
  if (seed !== undefined) options.seed = seed;
  return options;
}

/** Sets environment variables, remembering what they were so stop() can put them back. */
class Environment {
  private readonly saved = new Map<string, string | undefined>();

  set(values: Record<string, string | undefined>): void {
    for (const [name, value] of Object.entries(values)) {
      if (!this.saved.has(name)) this.saved.set(name, process.env[name]);
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }

  /** Only when the user has not set it. */
  default(values: Record<string, string>): void {
    this.set(Object.fromEntries(Object.entries(values).filter(([name]) => !process.env[name])));
  }

  restore(): void {
    for (const [name, value] of this.saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.saved.clear();
  }
}

/** Per-service endpoint overrides would send some clients elsewhere: local mode is all local. */
const SERVICE_ENDPOINT_VARIABLES = ['EKS', 'CLOUDFORMATION', 'EC2', 'STS', 'EVENTBRIDGE', 'SFN', 'DYNAMODB', 'LAMBDA', 'IAM'].map((s) => `AWS_ENDPOINT_URL_${s}`);

function pointSdkAt(environment: Environment, awsUrl: string, region: string): void {
  environment.set({
    AWS_ENDPOINT_URL: awsUrl,
    ...Object.fromEntries(SERVICE_ENDPOINT_VARIABLES.map((name) => [name, undefined])),
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_KEY.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
}

/**
 * A second human of the account, for showing what another principal may do (a 404 from the API
 * for someone else's cluster, a 401 from its Kubernetes API): sign with this key (secret
 * `local`) and STS, EKS and the Kubernetes API see `arn:aws:iam::000000000000:user/other-developer`.
 */
export const OTHER_DEVELOPER_KEY = { accessKeyId: 'AKIDOTHERDEVELOPER', secretAccessKey: 'local' };
export const OTHER_DEVELOPER = 'arn:aws:iam::000000000000:user/other-developer';

/** A handler run as one invocation of its Lambda function: its ports act as the function's role. */
function asFunction<E, R>(functionName: string, handler: (event: E, context: Context) => R): (event: E) => R {
  return (event) => runAsFunction(functionName, () => handler(event, lambdaContext(functionName)));
}
/** The event source local mode allows by default (EVENT_SOURCES), acting as the local developer. */
export const LOCAL_EVENT_SOURCE = 'local.portal';

/** Every statemachines/*.asl.json, by name, as the CDK stack deploys them. */
async function registerStateMachines(executions: LocalExecutions): Promise<Record<StateMachineName, string>> {
  const arns = {} as Record<StateMachineName, string>;
  for (const name of Object.keys(STATE_MACHINES) as StateMachineName[]) arns[name] = await executions.register(name);
  return arns;
}

/** The rule the CDK stack puts on the bus: operation requests from allowed sources go to the API function. */
async function routeOperationRequests(apiFunctionArn: string, sources: string[]): Promise<void> {
  if (sources.length === 0) return;
  const events = new EventBridgeClient({});
  try {
    await events.send(new PutRuleCommand({ Name: OPERATION_REQUESTS_RULE, EventBusName: EVENT_BUS_NAME, EventPattern: JSON.stringify(operationRequestPattern(sources)) }));
    await events.send(new PutTargetsCommand({ Rule: OPERATION_REQUESTS_RULE, EventBusName: EVENT_BUS_NAME, Targets: [{ Id: 'api', Arn: apiFunctionArn }] }));
  } finally {
    events.destroy();
  }
}

/** The backstop's rule on the default bus, as infra/constructs/execution-ended.ts makes it. */
async function routeEndedExecutions(functionArn: string, stateMachineArns: string[]): Promise<void> {
  const events = new EventBridgeClient({});
  try {
    const pattern = { source: [EXECUTION_STATUS_SOURCE], 'detail-type': [EXECUTION_STATUS_DETAIL_TYPE], detail: { status: UNREPORTED_ENDINGS, stateMachineArn: stateMachineArns } };
    await events.send(new PutRuleCommand({ Name: EXECUTION_ENDED_FUNCTION, EventPattern: JSON.stringify(pattern) }));
    await events.send(new PutTargetsCommand({ Rule: EXECUTION_ENDED_FUNCTION, Targets: [{ Id: 'backstop', Arn: functionArn }] }));
  } finally {
    events.destroy();
  }
}

/** What the CDK stack creates: the registry table (same keys and index as infra) and the bus; a data dir may have them already. */
async function provisionServiceResources(): Promise<void> {
  const dynamo = new DynamoDBClient({});
  const events = new EventBridgeClient({});
  try {
    await dynamo.send(new CreateTableCommand(registryTableInput(TABLE_NAME))).catch((error: unknown) => {
      if (!(error instanceof ResourceInUseException)) throw error;
    });
    await events.send(new CreateEventBusCommand({ Name: EVENT_BUS_NAME })).catch((error: unknown) => {
      if (!(error instanceof ResourceAlreadyExistsException)) throw error;
    });
  } finally {
    dynamo.destroy();
    events.destroy();
  }
}

/**
 * A managed policy the CDK stack deploys as a permissions boundary (the roles', the pod roles'). The emulator's
 * IAM is read-only (no CreatePolicy), so it goes straight into the world, as a deploy would have
 * left it; roles that name another boundary fail as in IAM.
 */
function createPermissionsBoundary(world: World, name: string, document: Record<string, unknown>): string {
  const arn = world.arn('iam', `policy/eks-provisioner/${name}`, '');
  world.iam.policies.set(arn, { arn, document });
  return arn;
}

function banner(mode: LocalMode, awsPort: number): string {
  const api = mode.apiUrl;
  const aws = mode.awsUrl;
  return [
    '',
    'eks-provisioner local mode',
    `  REST API          ${api}   (caller ${LOCAL_CALLER}; another with -H 'x-eksp-caller: <IAM ARN>')`,
    ...(mode.consoleFiles ? [`  web console       ${api}/   (docs/console.md)`] : []),
    `  local AWS         ${aws}   (AWS_ENDPOINT_URL for the AWS CLI and SDKs; credentials local/local = ${LOCAL_CALLER}; ${OTHER_DEVELOPER_KEY.accessKeyId}/local = ${OTHER_DEVELOPER})`,
    `  status events     ${aws}/_local/events`,
    `  faults            ${aws}/_local/faults`,
    `  time scale        ${mode.timeScale} (an 11-minute control plane takes ${((660 * mode.timeScale)).toFixed(1)} s)`,
    `  data dir          ${mode.dataDir ?? '(none: in memory)'}${mode.restored.resumed.length + mode.restored.ended.length > 0 ? `   (resumed ${mode.restored.resumed.length} execution(s), ended ${mode.restored.ended.length})` : ''}`,
    '',
    'Try it:',
    `  curl -s -X POST ${api}/clusters -H 'content-type: application/json' -d @examples/reference-cluster.json`,
    `  curl -s ${api}/operations/<operationId from the answer>`,
    `  curl -s ${aws}/_local/events`,
    `  AWS_ENDPOINT_URL=${aws} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws eks list-clusters --region us-east-1`,
    '',
    `Or run \`EKSP_API_URL=${api} EKSP_AWS_URL=${aws} npm run demo\` in another terminal. Ctrl-C stops everything.`,
    ...(awsPort === DEFAULTS.awsPort ? [] : [`(the local AWS endpoint is on port ${awsPort}, not the default ${DEFAULTS.awsPort})`]),
    '',
  ].join('\n');
}

/** Starts the local cloud and the service on it. Ports 0 pick free ones; stop() undoes everything. */
export async function startLocal(options: StartOptions = {}): Promise<LocalMode> {
  const settings = { ...optionsFromEnv(), ...options };
  // A bad GUARDRAILS stops `npm start` before anything listens, as it fails a Lambda at cold start.
  config.guardrails();
  const timeScale = settings.timeScale ?? DEFAULTS.timeScale;
  const log = settings.quiet ? () => undefined : (settings.log ?? ((line: string) => process.stdout.write(`${line}\n`)));
  const environment = new Environment();
  const cleanups: Array<() => Promise<void> | void> = [() => environment.restore()];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const data = settings.dataDir ? openDataDir(settings.dataDir, { fresh: settings.fresh ?? false }) : undefined;
    if (data) cleanups.push(() => data.release());
    const awsPort = settings.awsPort ?? DEFAULTS.awsPort;
    if (data?.saved && awsPort !== 0 && awsPort !== data.saved.awsPort) {
      log(`[data dir] the saved clusters' endpoints are on port ${data.saved.awsPort}; this run serves ${awsPort}, so workflows resumed now call the old port (keep EKSP_AWS_PORT the same, or use EKSP_FRESH=1)`);
    }
    const aws: LocalAws = await startLocalAws({
      // A free port (0) on a saved world is the port it had: the emulated clusters' endpoints name it.
      port: awsPort === 0 && data?.saved ? data.saved.awsPort : awsPort,
      timeScale,
      ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
      credentials: { [LOCAL_KEY.accessKeyId]: LOCAL_KEY.secretAccessKey, [OTHER_DEVELOPER_KEY.accessKeyId]: OTHER_DEVELOPER_KEY.secretAccessKey },
      callers: { [OTHER_DEVELOPER_KEY.accessKeyId]: OTHER_DEVELOPER },
      ...(data ? { dynamoPath: data.dynamoPath } : {}),
      ...(data?.saved ? { restore: savedWorld(data.saved) } : {}),
      // The kube agent's code, where the cluster template's AWS::Lambda::Function finds it (the
      // emulator has no S3): registered before a restored stack resumes creating that function.
      wire: async (world: World) => {
        environment.default(KUBE_AGENT_CODE_DEFAULTS);
        cleanups.push(await registerKubeAgentCode(world));
      },
    });
    cleanups.push(() => aws.close());
    const { world } = aws;
    // Code the emulator runs attached to a VPC connects from its ENI (the Kubernetes API tells it from outside callers).
    cleanups.push(installNetworkAgent());
    world.network.warn = (message) => log(`[network] ${message}`);
    pointSdkAt(environment, aws.url, world.region);
    // The handlers' logger reads its level when first imported; their JSON lines drown the banner.
    environment.default({ POWERTOOLS_LOG_LEVEL: settings.quiet ? 'SILENT' : 'ERROR' });
    await provisionServiceResources();

    const executions = new LocalExecutions(world, { warn: (message) => log(`[executions] ${message}`) });
    world.executions = executions;
    cleanups.push(() => executions.stopAll());
    // The roles CDK would make: each function's execution role, the CloudFormation execution role.
    const { schedulerRoleArn } = createServiceRoles(world);
    const machines = await registerStateMachines(executions);
    const stateMachineArn = machines['provision-cluster'];
    environment.set({
      EVENT_BUS_NAME,
      TABLE_NAME,
      PROVISION_STATE_MACHINE_ARN: stateMachineArn,
      DELETE_STATE_MACHINE_ARN: machines['delete-cluster'],
      UPDATE_STATE_MACHINE_ARN: machines['update-cluster'],
      UPGRADE_STATE_MACHINE_ARN: machines['upgrade-cluster'],
      EXPIRY_TARGET_ARN: world.arn('lambda', `function:${API_FUNCTION}`),
      SCHEDULER_ROLE_ARN: schedulerRoleArn,
      PERMISSIONS_BOUNDARY_ARN: createPermissionsBoundary(world, 'eksp-role-boundary', PERMISSIONS_BOUNDARY_DOCUMENT),
      POD_ROLE_BOUNDARY_ARN: createPermissionsBoundary(world, 'eksp-pod-role-boundary', POD_ROLE_BOUNDARY_DOCUMENT),
    });
    // Event-requested operations: a local source acting as the local developer, unless configured.
    environment.default({ EVENT_SOURCES: JSON.stringify({ [LOCAL_EVENT_SOURCE]: LOCAL_CALLER }) });
    // The operator's choices win for ADMIN_PRINCIPAL_ARNS and GUARDRAILS, read from the environment
    // as deployed. Each function acts as its own role, wired with the CloudFormation execution role
    // as CDK wires it (CLOUDFORMATION_ROLE_ARN, KUBERNETES_ACCESS_ROLE_ARN per function).
    const restoreDeps = useDeps(functionScopedDeps(() => world.clock.now(), (functionName) => functionIdentity(world, functionName), (ms) => world.clock.sleep(ms / 1000)));
    cleanups.push(() => restoreDeps());

    const { handler } = await import('../functions/api/handler');
    // The API function also takes the bus rule's events and the expiry schedules' invocations.
    world.functions.warn = (message) => log(`[lambda] ${message}`);
    const apiHandler = asFunction(API_FUNCTION, handler as unknown as ApiHandler);
    const apiFunctionArn = world.functions.register(API_FUNCTION, (event) => apiHandler(event as never));
    cleanups.push(() => void world.functions.unregister(API_FUNCTION));
    await routeOperationRequests(apiFunctionArn, Object.keys(config.eventSources()));
    const { handler: executionEnded } = await import('../functions/listeners/execution-ended');
    const backstopArn = world.functions.register(EXECUTION_ENDED_FUNCTION, asFunction(EXECUTION_ENDED_FUNCTION, executionEnded as (event: unknown, context: Context) => unknown));
    cleanups.push(() => void world.functions.unregister(EXECUTION_ENDED_FUNCTION));
    await routeEndedExecutions(backstopArn, Object.values(machines));
    const { handler: reconciler } = await import('../functions/listeners/reconciler');
    const reconcilerArn = world.functions.register(RECONCILER_FUNCTION, asFunction(RECONCILER_FUNCTION, reconciler as (event: unknown, context: Context) => unknown));
    cleanups.push(() => void world.functions.unregister(RECONCILER_FUNCTION));
    if (settings.reconciler !== false) cleanups.push(scheduleReconciler(world, reconcilerArn, RECONCILER_FUNCTION));
    const { handler: versionSupportCheck } = await import('../functions/listeners/version-support-check');
    const versionCheckArn = world.functions.register(VERSION_SUPPORT_CHECK_FUNCTION, asFunction(VERSION_SUPPORT_CHECK_FUNCTION, versionSupportCheck as (event: unknown, context: Context) => unknown));
    cleanups.push(() => void world.functions.unregister(VERSION_SUPPORT_CHECK_FUNCTION));
    if (settings.versionSupportCheck !== false) cleanups.push(scheduleRate(world, versionCheckArn, VERSION_SUPPORT_CHECK_FUNCTION, VERSION_CHECK_INTERVAL_HOURS * 60 * 60));
    // With the backstop listening, so an execution that cannot resume still ends with one terminal event.
    const restored = data?.saved ? executions.restore(data.saved.executions) : { resumed: [], ended: [] };
    if (data) {
      const saver = new StateSaver(data.dir, world, executions, aws.port, (message) => log(`[data dir] ${message}`));
      executions.onChange = () => saver.saveSoon();
      saver.save(true);
      saver.start();
      // Runs before the executions are aborted (cleanups run in reverse): they are saved running.
      cleanups.push(() => saver.close());
    }
    const consoleFiles = settings.console === false ? undefined : memoisedConsoleBuild();
    const api: RunningApi = await startApiServer({
      port: settings.apiPort ?? DEFAULTS.apiPort,
      handler: (event) => apiHandler(event),
      ...(consoleFiles ? { consoleFiles } : {}),
      ...(settings.quiet ? {} : { log: (line: string) => log(`[api] ${line}`) }),
    });
    cleanups.push(() => api.close());

    const mode: LocalMode = { apiUrl: api.url, awsUrl: aws.url, world, executions, stateMachineArn, timeScale, ...(data ? { dataDir: data.dir.path } : {}), restored, ...(consoleFiles ? { consoleFiles } : {}), stop };
    log(banner(mode, aws.port));
    return mode;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `npm start`'s data dir: EKSP_DATA_DIR or .eksp/ under the working directory; EKSP_FRESH=1 empties it. */
export function durableOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Pick<StartOptions, 'dataDir' | 'fresh'> {
  const fresh = env.EKSP_FRESH?.trim();
  if (fresh !== undefined && fresh !== '' && fresh !== '0' && fresh !== '1') throw new Error(`EKSP_FRESH must be 1 or 0, got "${fresh}"`);
  return { dataDir: resolve(cwd, env.EKSP_DATA_DIR?.trim() || DEFAULT_DATA_DIR), fresh: fresh === '1' };
}

async function main(): Promise<void> {
  const mode = await startLocal(durableOptionsFromEnv());
  // Bundled now rather than on the first page load: a console that does not build says so at start.
  await mode.consoleFiles?.().catch((error: unknown) => process.stderr.write(`web console: the bundle failed to build: ${(error as Error).message}\n`));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local cloud...\n`);
    mode.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') process.stderr.write(`cannot start: ${e.message} (another local mode running? set EKSP_AWS_PORT / EKSP_API_PORT)\n`);
    else process.stderr.write(`cannot start: ${e instanceof DataDirError ? e.message : (e.stack ?? e.message)}\n`);
    process.exit(1);
  });
}
