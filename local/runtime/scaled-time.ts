/**
 * One time factor for the whole local cloud: the emulator makes AWS resources take `scale` of
 * their real duration, so the state machine's Wait states and Retry intervals must shrink by the
 * same factor, or the run would be dominated by waits sized for real AWS.
 *
 * aws-local-stepfunctions only overrides waits and retry intervals with fixed numbers per state
 * name, read at the moment the Wait state runs or the retrier decides. The numbers we need are not
 * fixed: a Wait's `SecondsPath` points at what the preceding Task just returned, and a Retry's
 * delay grows with each attempt (IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds, with
 * FULL jitter). So every run the library starts (the execution itself, each Parallel branch, each
 * Map iteration) gets its own override objects whose getters answer for that run alone:
 *
 * - Wait: `Seconds` × scale; `SecondsPath` read from the result the run's previous Task returned
 *   (the Wait's input is that Task's input with the result at its ResultPath), × scale;
 *   `Timestamp` against the emulated clock.
 * - Retry: the delay Step Functions would pick for this attempt of the matching retrier,
 *   × scale, computed when the Task's handler fails (the library reads the override right after).
 *
 * Within one run, states execute one after another, so "the previous Task of this run" is exact
 * even while Map iterations of the same states run side by side.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { StateDefinition } from './state-machine-runner';

type Retrier = { ErrorEquals: string[]; IntervalSeconds?: number; BackoffRate?: number; MaxAttempts?: number; MaxDelaySeconds?: number; JitterStrategy?: string };

/** What one execution gives each of its runs: its states, its Task invoker and its clock. */
export interface ExecutionTiming {
  /** Every state of the definition by name (nested branches and processors included). */
  states: Map<string, StateDefinition>;
  /** Task state names bound to handlers. */
  taskStates: string[];
  /** Runs a Task state's handler as Lambda would; rejects with the error Step Functions would see. */
  invoke(state: string, input: unknown): Promise<unknown>;
  /** Real time per emulated time. */
  scale: number;
  /** Emulated now, for Timestamp waits. */
  now(): Date;
  /** For FULL jitter. */
  random(): number;
  /** Called when a wait cannot be sized from the run (documented approximation: it waits 0). */
  warn(message: string): void;
}

const SCOPE = Symbol.for('eks-provisioner.local.execution-timing');

type ScopedOverrides = {
  [SCOPE]: ExecutionTiming;
  taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>>;
  waitTimeOverrides: Record<string, number>;
  retryIntervalOverrides: Record<string, number[]>;
};

/** One run of the library's: the execution, a Parallel branch or a Map iteration. */
class RunScope {
  private last?: { state: string; result: unknown };
  private readonly retries = new Map<string, { attempts: number[]; pending?: number[] }>();
  readonly overrides: ScopedOverrides;

  constructor(
    private readonly timing: ExecutionTiming,
    /** The run's input: the first state's input (a resumed execution may start at a Wait). */
    private readonly input: unknown,
  ) {
    this.overrides = {
      [SCOPE]: timing,
      taskResourceLocalHandlers: Object.fromEntries(timing.taskStates.map((state) => [state, (input: unknown) => this.invoke(state, input)])),
      waitTimeOverrides: new Proxy({} as Record<string, number>, { get: (_target, name) => (typeof name === 'string' ? this.waitMs(name) : undefined) }),
      retryIntervalOverrides: new Proxy({} as Record<string, number[]>, { get: (_target, name) => (typeof name === 'string' ? this.retryMs(name) : undefined) }),
    };
  }

  private async invoke(state: string, input: unknown): Promise<unknown> {
    const retry = this.retries.get(state);
    if (retry) retry.pending = undefined;
    try {
      const result = await this.timing.invoke(state, input);
      this.retries.delete(state);
      this.last = { state, result };
      return result;
    } catch (error) {
      this.planRetry(state, error as Error);
      throw error;
    }
  }

  /** Mirrors the library's retrier choice (first retrier whose ErrorEquals matches decides). */
  private planRetry(state: string, error: Error): void {
    const definition = this.timing.states.get(state);
    const retriers = (definition?.Retry ?? []) as Retrier[];
    const index = retriers.findIndex((r) => r.ErrorEquals.some((e) => e === error.name || e === 'States.ALL' || (e === 'States.TaskFailed' && error.name !== 'States.Timeout')));
    const retrier = retriers[index];
    if (!retrier) {
      this.retries.delete(state);
      return;
    }
    const entry = this.retries.get(state) ?? { attempts: retriers.map(() => 0) };
    const attempt = entry.attempts[index] ?? 0;
    if (attempt >= (retrier.MaxAttempts ?? 3)) {
      // The library gives up here: the next entry of this state starts afresh.
      this.retries.delete(state);
      return;
    }
    let seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
    if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
    // The library skips its own jitter when an override is given: apply Step Functions' FULL jitter here.
    if (retrier.JitterStrategy === 'FULL') seconds *= this.timing.random();
    entry.attempts[index] = attempt + 1;
    entry.pending = retriers.map((_r, i) => (i === index ? seconds * 1000 * this.timing.scale : -1));
    this.retries.set(state, entry);
  }

  private retryMs(state: string): number[] | undefined {
    const retriers = this.timing.states.get(state)?.Retry as Retrier[] | undefined;
    if (!retriers) return undefined;
    // Errors that did not come from a handler (a state timeout): the first interval, scaled.
    return this.retries.get(state)?.pending ?? retriers.map((r) => (r.IntervalSeconds ?? 1) * 1000 * this.timing.scale);
  }

  private waitMs(name: string): number | undefined {
    const state = this.timing.states.get(name);
    if (state?.Type !== 'Wait') return undefined;
    const ms = (seconds: number) => Math.max(0, seconds * 1000 * this.timing.scale);
    if (typeof state.Seconds === 'number') return ms(state.Seconds);
    if (typeof state.SecondsPath === 'string') {
      const seconds = this.fromLastResult(state.SecondsPath);
      if (typeof seconds === 'number') return ms(seconds);
    }
    const timestamp = typeof state.Timestamp === 'string' ? state.Timestamp : typeof state.TimestampPath === 'string' ? this.fromLastResult(state.TimestampPath) : undefined;
    if (typeof timestamp === 'string' && !Number.isNaN(Date.parse(timestamp))) return ms((Date.parse(timestamp) - this.timing.now().getTime()) / 1000);
    this.timing.warn(`Wait state "${name}": cannot size the wait from the previous Task's result; not waiting`);
    return 0;
  }

  /** A JSONPath into the Wait's input, answered from the result the run's last Task put at its ResultPath. */
  private fromLastResult(path: string): unknown {
    // No Task ran yet in this run: the Wait is its first state, whose input is the run's input.
    if (!this.last) return readPath(this.input, path);
    const resultPath = this.timing.states.get(this.last.state)?.ResultPath;
    if (resultPath === null) return undefined;
    const base = typeof resultPath === 'string' ? resultPath : '$';
    let rest: string;
    if (path === base) rest = '';
    else if (base === '$' && path.startsWith('$.')) rest = path.slice(2);
    else if (path.startsWith(`${base}.`)) rest = path.slice(base.length + 1);
    else return undefined;
    return readPath(this.last.result, rest === '' ? '$' : `$.${rest}`);
  }
}

/** A dotted JSONPath (`$.poll.waitSeconds`) read from a value. */
function readPath(value: unknown, path: string): unknown {
  if (path === '$') return value;
  if (!path.startsWith('$.')) return undefined;
  return path
    .slice(2)
    .split('.')
    .reduce<unknown>((current, key) => (current && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined), value);
}

type RunFn = StateMachine['run'];
let installed = false;

/** Gives every run that carries execution timing its own RunScope (idempotent). */
function installScopedRuns(): void {
  if (installed) return;
  installed = true;
  const original: RunFn = StateMachine.prototype.run;
  StateMachine.prototype.run = function run(this: StateMachine, input, options) {
    const timing = (options?.overrides as Partial<ScopedOverrides> | undefined)?.[SCOPE];
    if (!timing) return original.call(this, input, options);
    return original.call(this, input, { ...options, overrides: new RunScope(timing, input).overrides as never });
  };
}

/** Run options for an execution: Task states bound through `timing`, waits and retries scaled per run. */
export function scaledOverrides(timing: ExecutionTiming): NonNullable<Parameters<RunFn>[1]>['overrides'] {
  // The execution's own run gets its scope from the patched run(), like the nested ones.
  return { [SCOPE]: timing } as never;
}

// At load, not on first use: `machine.run(scaledOverrides(...))` reads `run` before evaluating its arguments.
installScopedRuns();
