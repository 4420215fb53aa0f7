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
 *
 * Besides the runtime's registered handlers, the account holds functions CloudFormation deployed
 * (AWS::Lambda::Function, services/lambda-deploy.ts): their configuration is world state (saved
 * with the World), their code an S3 location the local runtime says which handler stands for
 * (registerCode; runtime wiring, bound again after every start). A function with a VpcConfig is
 * Pending until Lambda has made its ENIs, and runs in the network scope of one of them
 * (network-scope.ts), so what its handler calls sees it come from inside its VPC.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatedClock } from './clock';
import { runInNetworkScope, type NetworkScope, type WorldNetwork } from './network-scope';
import type { NetworkInterface } from './world';

/** What a registered function runs: the service's Lambda handler, adapted to take just the event. */
export type LocalHandler = (event: unknown) => unknown;

export interface LocalFunction {
  name: string;
  arn: string;
  handler: LocalHandler;
  /** Set for a function CloudFormation deployed (its configuration, state and VPC attachment). */
  deployed?: DeployedFunction;
}

/** Where a function's code is, as AWS::Lambda::Function's Code names it. */
export interface CodeLocation {
  s3Bucket: string;
  s3Key: string;
}

/** A function the account holds (GetFunction's Configuration), as CreateFunction made it. */
export interface DeployedFunction {
  name: string;
  arn: string;
  role: string;
  runtime: string;
  handler: string;
  architectures: string[];
  memorySize: number;
  timeout: number;
  description?: string;
  environment?: Record<string, string>;
  code: CodeLocation;
  codeSha256: string;
  codeSize: number;
  vpc?: { vpcId: string; subnetIds: string[]; securityGroupIds: string[]; networkInterfaceIds: string[] };
  loggingConfig?: { logGroup: string; logFormat: string };
  /** Emulated epoch ms when Lambda has made its ENIs: Pending before, Active from then on. */
  activeAt: number;
  lastModified: Date;
  revisionId: string;
  tags: Record<string, string>;
}

export type FunctionState = 'Pending' | 'Active';

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

/** Thrown by invoke() for a function that cannot run yet (Lambda's ResourceConflictException, 409). */
export class FunctionStateError extends Error {
  override name = 'FunctionStateError';
  constructor(readonly state: FunctionState) {
    super(`The operation cannot be performed at this time. The function is currently in the following state: ${state}`);
  }
}

/** Thrown when a deployed function's code location has no handler registered by the local runtime. */
export class CodeNotRegisteredError extends Error {
  override name = 'CodeNotRegisteredError';
  constructor(readonly functionName: string, location: CodeLocation) {
    super(`local mode has no code registered for s3://${location.s3Bucket}/${location.s3Key} (function ${functionName}): the local runtime registers it with world.functions.registerCode`);
  }
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
  readonly ec2: { readonly networkInterfaces: Map<string, NetworkInterface> };
  readonly network: WorldNetwork;
}

const codeKey = (location: CodeLocation) => `${location.s3Bucket}\u0000${location.s3Key}`;

const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:([^:]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const NAME = /^[a-zA-Z0-9-_]{1,64}$/;

export class LocalFunctions {
  /** Every invocation, in the order it started. */
  readonly invocations: Invocation[] = [];
  /** Where failed asynchronous invocations and unknown targets are reported. */
  warn: (message: string) => void = (message) => console.warn(`[lambda] ${message}`);
  /** Functions CloudFormation deployed, by ARN: world state (persistence.ts saves them). */
  readonly deployed = new Map<string, DeployedFunction>();
  private readonly functions = new Map<string, LocalFunction>();
  /** S3 location → the handler it stands for: runtime wiring, never saved. */
  private readonly code = new Map<string, LocalHandler>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Which of a VPC function's ENIs the next invocation uses (Lambda spreads them over its subnets). */
  private nextInterface = 0;

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

  /** Says which handler the code at an S3 location stands for (the emulator has no S3). Returns an undo. */
  registerCode(location: CodeLocation, handler: LocalHandler): () => void {
    const key = codeKey(location);
    this.code.set(key, handler);
    return () => {
      if (this.code.get(key) === handler) this.code.delete(key);
    };
  }

  hasCode(location: CodeLocation): boolean {
    return this.code.has(codeKey(location));
  }

  /** The state of a deployed function now: Pending until its ENIs are made. */
  stateOf(fn: DeployedFunction): FunctionState {
    return this.world.clock.now().getTime() >= fn.activeAt ? 'Active' : 'Pending';
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
    if (!arn) return undefined;
    const registered = this.functions.get(arn);
    if (registered) return registered;
    const deployed = this.deployed.get(arn);
    return deployed ? this.runnable(deployed) : undefined;
  }

  list(): LocalFunction[] {
    return [...this.functions.values(), ...[...this.deployed.values()].filter((d) => !this.functions.has(d.arn)).map((d) => this.runnable(d))];
  }

  /** A deployed function as something to run: its code's handler (looked up when it runs), in its VPC's network scope. */
  private runnable(deployed: DeployedFunction): LocalFunction {
    const handler: LocalHandler = (event) => {
      const code = this.code.get(codeKey(deployed.code));
      if (!code) throw new CodeNotRegisteredError(deployed.name, deployed.code);
      const scope = this.scopeOf(deployed);
      return scope ? runInNetworkScope(scope, () => code(event)) : code(event);
    };
    return { name: deployed.name, arn: deployed.arn, handler, deployed };
  }

  /** The ENI an invocation of a VPC function calls from. */
  private scopeOf(deployed: DeployedFunction): NetworkScope | undefined {
    const interfaces = (deployed.vpc?.networkInterfaceIds ?? []).map((id) => this.world.ec2.networkInterfaces.get(id)).filter((eni): eni is NetworkInterface => eni !== undefined);
    if (!deployed.vpc || interfaces.length === 0) return undefined;
    const eni = interfaces[this.nextInterface++ % interfaces.length]!;
    return { networkInterfaceId: eni.networkInterfaceId, vpcId: eni.vpcId, subnetId: eni.subnetId, securityGroupIds: [...eni.securityGroupIds], privateIpAddress: eni.privateIpAddress, functionName: deployed.name, network: this.world.network };
  }

  /** Lambda refuses to run a function that is not Active yet, and local mode one whose code it does not know. */
  private checkRunnable(fn: LocalFunction): void {
    if (!fn.deployed) return;
    const state = this.stateOf(fn.deployed);
    if (state !== 'Active') throw new FunctionStateError(state);
    if (!this.hasCode(fn.deployed.code)) throw new CodeNotRegisteredError(fn.name, fn.deployed.code);
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

  /** Runs the function and waits for it (InvocationType RequestResponse). Throws FunctionNotFoundError, and FunctionStateError for a deployed function not Active yet. */
  async invoke(nameOrArn: string, event: unknown, options: InvokeOptions): Promise<InvocationResult> {
    const fn = this.get(nameOrArn);
    if (!fn) throw new FunctionNotFoundError(this.arnOf(nameOrArn) ?? nameOrArn);
    this.checkRunnable(fn);
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
    this.checkRunnable(fn);
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
