/**
 * Lambda functions in the emulated account: the local runtime registers the service's handlers
 * by ARN (or name), and the emulator invokes them as AWS would: the Lambda Invoke API
 * (services/lambda.ts), EventBridge rule targets and EventBridge Scheduler targets.
 *
 * Every invocation is recorded in order (GET /_local/invocations). The event a function receives
 * is a JSON copy, as Lambda serializes it: a handler cannot change the emulator's state through
 * it. Asynchronous invocations (InvocationType Event, EventBridge, Scheduler) never fail the
 * caller: a handler's error is recorded and reported through `warn`. Differences from AWS, on
 * purpose: no retries of failed asynchronous invocations (AWS retries twice), no concurrency
 * limits, no cold starts.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatedClock } from './clock';

/** What a registered function runs: the service's Lambda handler, adapted to take just the event. */
export type LocalHandler = (event: unknown) => unknown;

export interface LocalFunction {
  name: string;
  arn: string;
  handler: LocalHandler;
}

/** Who asked for the invocation. */
export type InvocationSource = 'lambda' | 'events' | 'scheduler';

export interface Invocation {
  /** The Lambda request id. */
  requestId: string;
  functionArn: string;
  source: InvocationSource;
  invocationType: 'RequestResponse' | 'Event';
  /** What triggered it, when not a direct Invoke: the rule's or the schedule's ARN. */
  trigger?: string;
  /** Emulated time. */
  startTime: string;
  endTime?: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  event: unknown;
  error?: { errorType: string; errorMessage: string };
}

/** The result of a synchronous invocation: the payload, or the error the function threw. */
export interface InvocationResult {
  invocation: Invocation;
  payload?: unknown;
  error?: { errorType: string; errorMessage: string; stackTrace?: string[] };
}

export interface InvokeOptions {
  source: InvocationSource;
  trigger?: string;
}

/** Thrown by invoke() for a function that is not registered (Lambda's ResourceNotFoundException). */
export class FunctionNotFoundError extends Error {
  override name = 'FunctionNotFoundError';
  constructor(readonly functionArn: string) {
    super(`Function not found: ${functionArn}`);
  }
}

interface Account {
  readonly account: string;
  readonly region: string;
  readonly clock: EmulatedClock;
}

const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:([^:]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const NAME = /^[a-zA-Z0-9-_]{1,64}$/;

export class LocalFunctions {
  /** Every invocation, in the order it started. */
  readonly invocations: Invocation[] = [];
  /** Where failed asynchronous invocations and unknown targets are reported. */
  warn: (message: string) => void = (message) => console.warn(`[lambda] ${message}`);
  private readonly functions = new Map<string, LocalFunction>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly world: Account) {}

  /**
   * Registers (or replaces) a function. `nameOrArn` is a function name (the ARN is made in the
   * emulator's account and region) or a full function ARN. Returns the function's ARN.
   */
  register(nameOrArn: string, handler: LocalHandler): string {
    const arn = this.arnOf(nameOrArn);
    if (!arn) throw new Error(`not a Lambda function name or ARN: ${nameOrArn}`);
    const name = FUNCTION_ARN.exec(arn)![3]!;
    this.functions.set(arn, { name, arn, handler });
    return arn;
  }

  /** Removes a function; true when it was registered. */
  unregister(nameOrArn: string): boolean {
    const fn = this.get(nameOrArn);
    return fn ? this.functions.delete(fn.arn) : false;
  }

  /**
   * The registered function a caller names, as Lambda resolves FunctionName: a name, a full ARN,
   * or a partial ARN (`123456789012:function:name`), each with an optional version or alias
   * qualifier (every qualifier resolves to the one registered code).
   */
  get(nameOrArn: string): LocalFunction | undefined {
    const arn = this.arnOf(nameOrArn);
    return arn ? this.functions.get(arn) : undefined;
  }

  list(): LocalFunction[] {
    return [...this.functions.values()];
  }

  /** The unqualified function ARN a caller's FunctionName stands for, registered or not. */
  arnOf(nameOrArn: string): string | undefined {
    const full = FUNCTION_ARN.exec(nameOrArn);
    if (full) return `arn:aws:lambda:${full[1]}:${full[2]}:function:${full[3]}`;
    const partial = PARTIAL_ARN.exec(nameOrArn);
    if (partial) return `arn:aws:lambda:${this.world.region}:${partial[1]}:function:${partial[2]}`;
    const [name] = nameOrArn.split(':');
    return name && NAME.test(name) ? `arn:aws:lambda:${this.world.region}:${this.world.account}:function:${name}` : undefined;
  }

  /** Runs the function and waits for it (InvocationType RequestResponse). Throws FunctionNotFoundError. */
  async invoke(nameOrArn: string, event: unknown, options: InvokeOptions): Promise<InvocationResult> {
    const fn = this.get(nameOrArn);
    if (!fn) throw new FunctionNotFoundError(this.arnOf(nameOrArn) ?? nameOrArn);
    const invocation = this.start(fn, event, 'RequestResponse', options);
    return this.track(this.run(fn, invocation));
  }

  /**
   * Queues the function (InvocationType Event) and returns at once. Throws FunctionNotFoundError
   * (Lambda refuses an asynchronous invoke of a missing function); a handler's failure is only
   * recorded and reported.
   */
  invokeAsync(nameOrArn: string, event: unknown, options: InvokeOptions): Invocation {
    const fn = this.get(nameOrArn);
    if (!fn) throw new FunctionNotFoundError(this.arnOf(nameOrArn) ?? nameOrArn);
    const invocation = this.start(fn, event, 'Event', options);
    // setImmediate: the caller's reply (PutEvents, Invoke's 202) goes out before the handler runs.
    this.track(
      new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        const result = await this.run(fn, invocation);
        if (result.error) this.warn(`${fn.name} (${options.trigger ?? options.source}) failed: ${result.error.errorType}: ${result.error.errorMessage}`);
      }),
    );
    return invocation;
  }

  /** Resolves when every invocation started so far has ended. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private start(fn: LocalFunction, event: unknown, invocationType: Invocation['invocationType'], options: InvokeOptions): Invocation {
    const invocation: Invocation = {
      requestId: randomUUID(),
      functionArn: fn.arn,
      source: options.source,
      invocationType,
      ...(options.trigger ? { trigger: options.trigger } : {}),
      startTime: this.world.clock.now().toISOString(),
      status: 'RUNNING',
      event: jsonCopy(event),
    };
    this.invocations.push(invocation);
    return invocation;
  }

  private async run(fn: LocalFunction, invocation: Invocation): Promise<InvocationResult> {
    try {
      const payload = jsonCopy(await fn.handler(jsonCopy(invocation.event)));
      invocation.status = 'SUCCEEDED';
      return { invocation, payload };
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      invocation.status = 'FAILED';
      invocation.error = { errorType: error.name || 'Error', errorMessage: error.message };
      return { invocation, error: { ...invocation.error, stackTrace: (error.stack ?? '').split('\n').slice(1).map((line) => line.trim()) } };
    } finally {
      invocation.endTime = this.world.clock.now().toISOString();
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise)).catch(() => undefined);
    return promise;
  }
}

/** Lambda hands functions JSON and returns JSON: `undefined` becomes null. */
function jsonCopy(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}
