/**
 * Step Functions executions for the local cloud (the emulator's StartExecution, DescribeExecution,
 * ListExecutions, GetExecutionHistory and StopExecution land here): statemachines/*.asl.json run
 * by aws-local-stepfunctions, each Task state bound to its real handler with the payload Lambda
 * would pass (a JSON copy), Wait states and Retry intervals scaled by the emulator's time factor
 * (scaled-time.ts), and every execution recorded with an AWS-shaped history.
 *
 * Durable local mode saves snapshot() with the world and hands it to restore() on the next start:
 * a running execution resumes at the top-level state it was in, with that state's input, under
 * the same name and ARN, by running the same ASL with StartAt set to that state (a derived
 * definition: the file stays the only copy). The steps are idempotent (request tokens from the
 * operation id), so a state run again makes nothing twice. One that cannot resume ends ABORTED
 * with its reason, and its status change reaches the service's backstop like any other ending.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { EmulatorError } from '../emulator/protocol';
import { publishEvent } from '../emulator/services/eventbridge';
import { EXECUTION_STATUS_DETAIL_TYPE, EXECUTION_STATUS_SOURCE, type ExecutionStatusChange } from '../../functions/domain/execution-status';
import { seededRandom } from '../emulator/clock';
import type { ExecutionBackend, ExecutionRecord, World } from '../emulator/world';
import type { StateMachineName } from '../../statemachines/task-functions';
import { allStates, localTaskHandlers, readDefinition, substituted, type Definition, type StateDefinition } from './state-machine-runner';
import { scaledOverrides, type ExecutionTiming } from './scaled-time';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface HistoryEvent {
  id: number;
  timestamp: Date;
  type: string;
  /** AWS's `<type>EventDetails` content, e.g. {name, input} for TaskStateEntered. */
  details?: Record<string, unknown>;
}

/** Counts the benchmark reads: what Step Functions bills (transitions) and Lambda invocations. */
export interface ExecutionStats {
  /** States entered plus retries. */
  transitions: number;
  lambdaInvocations: number;
  retries: number;
  /** Task state name → invocations. */
  invocationsByState: Record<string, number>;
}

interface RegisteredMachine {
  stateMachineArn: string;
  name: string;
  creationDate: Date;
  definition: Definition;
  states: Map<string, StateDefinition>;
  handlers: Record<string, (input: unknown) => Promise<unknown>>;
}

/** A history event as recorded: emulated epoch ms and arrival order; ids are given on read. */
interface RecordedEvent {
  at: number;
  seq: number;
  type: string;
  details?: Record<string, unknown>;
}

/** The top-level state an execution is in, with its input: where it resumes after a restart. */
export interface CurrentState {
  state: string;
  input: unknown;
}

interface Execution {
  record: ExecutionRecord;
  machine: RegisteredMachine;
  events: RecordedEvent[];
  stats: ExecutionStats;
  current?: CurrentState;
  /** Started again after a restart: the runner's ExecutionStarted is not the execution's. */
  resumed?: boolean;
  abort?: () => void;
  done: Promise<void>;
}

/** What snapshot() saves of one execution (JSON; dates as ISO strings). */
export interface SavedExecution {
  record: Omit<ExecutionRecord, 'startDate' | 'stopDate'> & { startDate: string; stopDate?: string };
  events: RecordedEvent[];
  stats: ExecutionStats;
  current?: CurrentState;
}

export interface LocalExecutionsOptions {
  /** Prefix of the local Lambda function names and state machine names. */
  prefix?: string;
  /** Where warnings go (default: stderr). */
  warn?: (message: string) => void;
}

/** The error of executions aborted because the local cloud stops. */
const LOCAL_SHUTDOWN = 'LocalShutdown';
/** The error of executions a restarted local cloud could not resume. */
export const NOT_RESUMED = 'LocalRestartNotResumed';

const EXECUTION_NAME = /^[A-Za-z0-9_.\-~:]{1,80}$/;

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return {};
  }
}

export class LocalExecutions implements ExecutionBackend {
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly executions = new Map<string, Execution>();
  private readonly random: () => number;
  private seq = 0;
  private readonly prefix: string;
  private readonly warn: (message: string) => void;
  /** Called when an execution starts, enters a top-level state or ends (durable local mode saves then). */
  onChange?: () => void;

  constructor(
    private readonly world: World,
    options: LocalExecutionsOptions = {},
  ) {
    this.prefix = options.prefix ?? 'eksp-';
    this.warn = options.warn ?? ((message) => process.stderr.write(`[local executions] ${message}\n`));
    // Jitter has its own stream so it never shifts the emulator's sampled durations.
    this.random = seededRandom(0x5eed ^ Math.floor(world.random() * 2 ** 31));
  }

  /** Loads statemachines/<name>.asl.json, binds its Task states to the real handlers, returns its ARN. */
  async register(name: StateMachineName): Promise<string> {
    const definition = substituted(readDefinition(name), this.world.region, this.world.account);
    return this.registerDefinition(`${this.prefix}${name}`, definition, await localTaskHandlers(readDefinition(name)));
  }

  /** Any definition with handlers for its Task states by state name (what register() does for the ASL files). */
  registerDefinition(machineName: string, definition: Definition, handlers: Record<string, (input: unknown) => Promise<unknown>>): string {
    // Validates the definition now (asl-validator mutates its argument: give it a copy).
    new StateMachine(structuredClone(definition) as never);
    const stateMachineArn = this.world.arn('states', `stateMachine:${machineName}`);
    this.machines.set(stateMachineArn, { stateMachineArn, name: machineName, creationDate: this.world.clock.now(), definition, states: new Map(allStates(definition)), handlers });
    return stateMachineArn;
  }

  /** What DescribeStateMachine shows besides the ARN and name. */
  stateMachines(): Array<{ stateMachineArn: string; name: string; definition: string; roleArn: string; type: string; creationDate: Date }> {
    return [...this.machines.values()].map(({ stateMachineArn, name, definition, creationDate }) => ({ stateMachineArn, name, definition: JSON.stringify(definition), roleArn: this.roleArn(name), type: 'STANDARD', creationDate }));
  }

  private roleArn(machineName: string): string {
    return this.world.arn('iam', `role/${machineName}-role`, '');
  }

  async start(stateMachineArn: string, name: string, input: string): Promise<{ executionArn: string; startDate: Date }> {
    const machine = this.machines.get(stateMachineArn);
    if (!machine) throw new EmulatorError(400, 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    if (!EXECUTION_NAME.test(name)) throw new EmulatorError(400, 'InvalidName', `Invalid Name: '${name}'`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input || '{}');
    } catch {
      throw new EmulatorError(400, 'InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not JSON');
    }
    const executionArn = stateMachineArn.replace(':stateMachine:', ':execution:') + `:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // Standard workflows: same name and input while running is the same execution; anything else is taken.
      if (existing.record.status === 'RUNNING' && existing.record.input === input) return { executionArn, startDate: existing.record.startDate };
      throw new EmulatorError(400, 'ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = { executionArn, stateMachineArn, name, status: 'RUNNING', startDate: this.world.clock.now(), input };
    const execution: Execution = { record, machine, events: [], stats: { transitions: 0, lambdaInvocations: 0, retries: 0, invocationsByState: {} }, done: Promise.resolve() };
    this.executions.set(executionArn, execution);
    execution.done = this.run(execution, parsed);
    this.onChange?.();
    return { executionArn, startDate: record.startDate };
  }

  describe(executionArn: string): ExecutionRecord | undefined {
    const execution = this.executions.get(executionArn);
    return execution && { ...execution.record };
  }

  list(stateMachineArn: string, statusFilter?: string): ExecutionRecord[] {
    return [...this.executions.values()]
      .filter((e) => e.record.stateMachineArn === stateMachineArn && (!statusFilter || e.record.status === statusFilter))
      .map((e) => ({ ...e.record }))
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  history(executionArn: string): HistoryEvent[] {
    const execution = this.executions.get(executionArn);
    if (!execution) return [];
    return causalOrder(execution.events).map((e, i) => ({ id: i + 1, timestamp: new Date(e.at), type: e.type, ...(e.details ? { details: e.details } : {}) }));
  }

  /** Grows with every history event: what changed since a save. */
  get revision(): number {
    return this.seq;
  }

  /** Every execution as JSON, for the data dir. */
  snapshot(): SavedExecution[] {
    return [...this.executions.values()].map(({ record: { startDate, stopDate, ...record }, events, stats, current }) => ({
      record: { ...record, startDate: startDate.toISOString(), ...(stopDate ? { stopDate: stopDate.toISOString() } : {}) },
      events,
      stats,
      ...(current ? { current } : {}),
    }));
  }

  /**
   * Loads saved executions (after register(): the machines must be known) and resumes the running
   * ones; returns the ARNs of those resumed and those ended because they could not be.
   */
  restore(saved: readonly SavedExecution[]): { resumed: string[]; ended: string[] } {
    const outcome = { resumed: [] as string[], ended: [] as string[] };
    for (const entry of saved) {
      const { startDate, stopDate, ...fields } = entry.record;
      const record: ExecutionRecord = { ...fields, startDate: new Date(startDate), ...(stopDate ? { stopDate: new Date(stopDate) } : {}) };
      const machine = this.machines.get(record.stateMachineArn);
      this.seq = entry.events.reduce((next, e) => Math.max(next, e.seq + 1), this.seq);
      if (!machine) {
        // Its ASL file is gone: nothing can run it, nor show it through the Step Functions API; its ending is still announced.
        if (record.status === 'RUNNING') {
          this.warn(`${record.name}: state machine ${record.stateMachineArn} is no longer defined; the execution cannot resume`);
          this.endUnresumed(record, [], `its state machine ${record.stateMachineArn} is no longer defined`);
          outcome.ended.push(record.executionArn);
        }
        continue;
      }
      const execution: Execution = { record, machine, events: entry.events, stats: entry.stats, ...(entry.current ? { current: entry.current } : {}), done: Promise.resolve() };
      this.executions.set(record.executionArn, execution);
      if (record.status !== 'RUNNING') continue;
      const from = entry.current ?? { state: machine.definition.StartAt, input: safeParse(record.input) };
      if (!(from.state in machine.definition.States)) {
        this.endUnresumed(record, execution.events, `it was in state "${from.state}", which ${record.stateMachineArn} no longer has`);
        outcome.ended.push(record.executionArn);
        continue;
      }
      execution.resumed = true;
      execution.done = this.run(execution, from.input, { ...machine.definition, StartAt: from.state });
      outcome.resumed.push(record.executionArn);
    }
    return outcome;
  }

  private endUnresumed(record: ExecutionRecord, events: RecordedEvent[], why: string): void {
    const cause = `local mode restarted and could not resume this execution: ${why}`;
    Object.assign(record, { status: 'ABORTED', stopDate: this.world.clock.now(), error: NOT_RESUMED, cause });
    events.push({ at: this.world.clock.now().getTime(), seq: this.seq++, type: 'ExecutionAborted', details: { error: NOT_RESUMED, cause } });
    this.announceEnd(record);
  }

  async stop(executionArn: string, error?: string, cause?: string): Promise<void> {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new EmulatorError(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    if (execution.record.status !== 'RUNNING') return;
    Object.assign(execution.record, { status: 'ABORTED', stopDate: this.world.clock.now(), ...(error ? { error } : {}), ...(cause ? { cause } : {}) });
    this.event(execution, 'ExecutionAborted', { ...(error ? { error } : {}), ...(cause ? { cause } : {}) });
    execution.abort?.();
    await execution.done;
  }

  /** Transitions, Lambda invocations and retries of one execution. */
  stats(executionArn: string): ExecutionStats | undefined {
    const execution = this.executions.get(executionArn);
    return execution && structuredClone(execution.stats);
  }

  /** Resolves when the execution has stopped (tests, the demo, shutdown). */
  async settled(executionArn: string): Promise<ExecutionRecord | undefined> {
    await this.executions.get(executionArn)?.done;
    return this.describe(executionArn);
  }

  /** Aborts every running execution (shutdown): no timer outlives the local cloud. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.executions.values()].filter((e) => e.record.status === 'RUNNING').map((e) => this.stop(e.record.executionArn, LOCAL_SHUTDOWN, 'the local cloud stopped')));
  }

  /** `definition`: the machine's, or one derived from it that starts where a resumed execution was. */
  private async run(execution: Execution, input: unknown, definition: Definition = execution.machine.definition): Promise<void> {
    const { machine, record } = execution;
    const timing: ExecutionTiming = {
      states: machine.states,
      taskStates: Object.keys(machine.handlers),
      invoke: (state, payload) => this.invoke(execution, state, payload),
      scale: this.world.clock.scale,
      now: () => this.world.clock.now(),
      random: this.random,
      warn: (message) => this.warn(`${record.name}: ${message}`),
    };
    const stateMachine = new StateMachine(structuredClone(definition) as never, { validationOptions: { noValidate: true } });
    const running = stateMachine.run(input as never, {
      overrides: scaledOverrides(timing),
      context: {
        Execution: { Id: record.executionArn, Name: record.name, RoleArn: this.roleArn(machine.name) },
        StateMachine: { Id: machine.stateMachineArn, Name: machine.name },
      } as never,
    });
    execution.abort = running.abort;
    const collecting = this.collect(execution, running.eventLogs);
    try {
      const output = await running.result;
      if (record.status === 'RUNNING') Object.assign(record, { status: 'SUCCEEDED', stopDate: this.world.clock.now(), output: JSON.stringify(output ?? null) });
    } catch (failure) {
      if (record.status === 'RUNNING') {
        const e = failure as Error & { cause?: Error };
        if (e.name === 'ExecutionTimeoutError') {
          Object.assign(record, { status: 'TIMED_OUT', stopDate: this.world.clock.now(), error: 'States.Timeout', cause: 'The execution timed out' });
        } else {
          // The runner wraps what failed the execution (a Fail state's Error and Cause, or an uncaught error).
          const failed = e.cause ?? e;
          Object.assign(record, { status: 'FAILED', stopDate: this.world.clock.now(), error: failed.name, cause: failed.message });
        }
      }
    }
    await collecting.catch(() => undefined);
    this.announceEnd(record);
    this.onChange?.();
  }

  /** What Step Functions puts on the default bus when an execution ends (the service's backstop listens). */
  private announceEnd(record: ExecutionRecord): void {
    // Stopping the local cloud aborts what runs; nothing is left to hear about it.
    if (record.error === LOCAL_SHUTDOWN) return;
    const detail: ExecutionStatusChange & Record<string, unknown> = {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate.getTime(),
      stopDate: record.stopDate?.getTime() ?? null,
      error: record.error ?? null,
      cause: record.cause ?? null,
    };
    try {
      publishEvent(this.world, { source: EXECUTION_STATUS_SOURCE, detailType: EXECUTION_STATUS_DETAIL_TYPE, detail, resources: [record.executionArn] });
    } catch (error) {
      this.warn(`${record.name}: its status change was not published: ${(error as Error).message}`);
    }
  }

  /** A Task state as Lambda runs it: a JSON copy in, a JSON copy out, errors as Lambda reports them. */
  private async invoke(execution: Execution, state: string, payload: unknown): Promise<unknown> {
    const handler = execution.machine.handlers[state];
    if (!handler) throw Object.assign(new Error(`no handler bound to Task state "${state}"`), { name: 'States.Runtime' });
    const resource = String(execution.machine.states.get(state)?.Resource ?? state);
    execution.stats.lambdaInvocations++;
    execution.stats.invocationsByState[state] = (execution.stats.invocationsByState[state] ?? 0) + 1;
    this.event(execution, 'LambdaFunctionScheduled', { resource, input: JSON.stringify(payload) });
    this.event(execution, 'LambdaFunctionStarted');
    let result: unknown;
    try {
      result = JSON.parse(JSON.stringify((await handler(payload)) ?? null));
    } catch (error) {
      const e = error as Error;
      // Lambda's error for Step Functions: Error is the errorType, Cause the runtime's JSON.
      const cause = JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') });
      this.event(execution, 'LambdaFunctionFailed', { error: e.name, cause });
      throw Object.assign(new Error(cause), { name: e.name });
    }
    if (this.world.faults.takeStepCrash(state)) {
      // The side effect happened; the result is lost on the way back, as when Lambda's service fails.
      const message = 'Lambda was unable to return the function result (Service: Lambda, Status Code: 500)';
      this.event(execution, 'LambdaFunctionFailed', { error: 'Lambda.ServiceException', cause: message });
      throw Object.assign(new Error(message), { name: 'Lambda.ServiceException' });
    }
    this.event(execution, 'LambdaFunctionSucceeded', { output: JSON.stringify(result) });
    return result;
  }

  private async collect(execution: Execution, logs: AsyncGenerator<EventLog>): Promise<void> {
    for await (const log of logs) {
      const at = log.timestamp;
      switch (log.type) {
        case 'ExecutionStarted':
          if (!execution.resumed) this.event(execution, 'ExecutionStarted', { input: JSON.stringify(log.input), roleArn: this.roleArn(execution.machine.name) }, at);
          break;
        case 'ExecutionSucceeded':
          this.event(execution, 'ExecutionSucceeded', { output: JSON.stringify(log.output ?? null) }, at);
          break;
        case 'ExecutionFailed':
          this.event(execution, 'ExecutionFailed', { error: log.Error, cause: String(log.Cause ?? '') }, at);
          break;
        case 'ExecutionTimeout':
          this.event(execution, 'ExecutionTimedOut', { error: 'States.Timeout' }, at);
          break;
        case 'StateEntered':
          execution.stats.transitions++;
          // State names are unique in a state machine: a top-level name is the top-level state.
          if (log.state.name in execution.machine.definition.States) {
            execution.current = { state: log.state.name, input: log.state.input ?? null };
            this.onChange?.();
          }
          this.event(execution, `${log.state.type}StateEntered`, { name: log.state.name, input: JSON.stringify(log.state.input ?? null) }, at);
          break;
        case 'StateExited':
          this.event(execution, `${log.state.type}StateExited`, { name: log.state.name, output: JSON.stringify(log.state.output ?? null) }, at);
          break;
        case 'StateRetried':
          // Step Functions has no retry event (a retry is the next LambdaFunctionScheduled) but bills it as a transition.
          execution.stats.transitions++;
          execution.stats.retries++;
          break;
        case 'MapIterationStarted':
        case 'MapIterationSucceeded':
        case 'MapIterationFailed':
          this.event(execution, log.type, { name: log.parentState.name, index: log.index }, at);
          break;
        case 'ParallelBranchStarted':
        case 'ParallelBranchSucceeded':
        case 'ParallelBranchFailed':
          // AWS records ParallelStateStarted/Succeeded/Failed once per state, not per branch.
          break;
        default:
          break;
      }
    }
  }

  private event(execution: Execution, type: string, details?: Record<string, unknown>, realMs = Date.now()): void {
    // Emulated time, fixed when it happens: the history reads the same after a restart.
    execution.events.push({ at: this.emulated(realMs).getTime(), seq: this.seq++, type, ...(details ? { details } : {}) });
  }

  /** Emulated time of a real instant (the runner's timestamps are real). */
  private emulated(realMs: number): Date {
    return this.world.clock.at(realMs);
  }
}

/**
 * The history in the order things happened. Two streams feed it, each in order: the runner's
 * events (read from its log, after the fact) and the Lambda invocations' (recorded as they run),
 * both stamped to the real millisecond, which at a small time scale is a whole emulated second. So
 * they are merged by time, and within one millisecond by cause: each Lambda call is scheduled after
 * what makes it (its Task state entered, or the failed call it retries: the runner logs retries
 * but the history has no event for them), and once scheduled it runs and ends before the runner
 * does anything with its result.
 */
export function causalOrder<T extends { at: number; seq: number; type: string }>(events: readonly T[]): T[] {
  const byTime = (a: T, b: T) => a.at - b.at || a.seq - b.seq;
  const isLambda = (e: T) => e.type.startsWith('LambdaFunction');
  const lambda = events.filter(isLambda).sort(byTime);
  const runner = events.filter((e) => !isLambda(e)).sort(byTime);
  const merged: T[] = [];
  let calls = 0;
  let scheduled = 0;
  let retrying = false;
  let [l, r] = [0, 0];
  while (l < lambda.length || r < runner.length) {
    const nextLambda = lambda[l];
    const nextRunner = runner[r];
    const tie = nextLambda !== undefined && nextRunner !== undefined && nextLambda.at === nextRunner.at;
    const lambdaFirst = nextLambda !== undefined && (nextRunner === undefined || nextLambda.at < nextRunner.at || (tie && (nextLambda.type !== 'LambdaFunctionScheduled' || calls > scheduled || retrying)));
    if (lambdaFirst) {
      if (nextLambda.type === 'LambdaFunctionScheduled' && !retrying) scheduled++;
      retrying = /(Failed|TimedOut)$/.test(nextLambda.type);
      merged.push(nextLambda);
      l++;
    } else {
      if (nextRunner!.type === 'TaskStateEntered') calls++;
      // The runner's next move after a failed call is never a retry's: that is a call of its own.
      if (retrying && nextRunner!.type !== 'TaskStateEntered') retrying = false;
      merged.push(nextRunner!);
      r++;
    }
  }
  return merged;
}
