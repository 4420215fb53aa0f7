/** Runs provision-cluster.asl.json locally with every Task bound to its real handler over a FakeAws. */
import { StateMachine } from 'aws-local-stepfunctions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from '../../functions/generated/types';
import { normaliseSpec } from '../../functions/domain/spec';
import { useDeps } from '../../functions/shared/deps';
import { localTaskHandlers, readDefinition, substituted, timeOverrides } from '../../local/runtime/state-machine-runner';
import type { StateMachineName } from '../../statemachines/task-functions';
import { FakeAws } from './fake-aws';

export const referenceSpec = (): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'reference-cluster.json'), 'utf8'));

export interface ProvisionRun {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** States entered plus retries: what Step Functions bills as state transitions. */
  transitions: number;
  statesEntered: string[];
  /** One entry per StateRetried event: the state's name (Step Functions bills each as a transition). */
  retried: string[];
}

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface ProvisionRunOptions {
  /**
   * Replaces a Task state's handler, e.g. to crash after the real handler's side effect. Receives
   * the state's name and the real handler; return it unchanged for states left alone.
   */
  wrapHandler?: (state: string, handler: TaskHandler) => TaskHandler;
}

export function operationFor(clusterName: string, id = 'op-0001'): Operation {
  return { id, type: 'CREATE', cluster: { name: clusterName, region: 'us-east-1', account: '111122223333' }, requestedBy: 'arn:aws:iam::111122223333:role/platform-portal', requestedAt: '2026-11-21T10:00:00.000Z' };
}

export async function runProvision(
  aws: FakeAws,
  rawSpec: Record<string, unknown>,
  operation = operationFor(String(rawSpec.name)),
  options: ProvisionRunOptions = {},
): Promise<ProvisionRun> {
  const spec = normaliseSpec(rawSpec, aws.deps().settings.guardrails());
  aws.seedOperation(operation);
  return runWorkflow(aws, 'provision-cluster', { operation, spec }, options);
}

/** Runs any statemachines/*.asl.json with the given execution input, every Task on its real handler over `aws`. */
export async function runWorkflow(aws: FakeAws, name: StateMachineName, input: Record<string, unknown>, options: ProvisionRunOptions = {}): Promise<ProvisionRun> {
  const definition = readDefinition(name);
  const machine = new StateMachine(substituted(definition) as never);
  const restore = useDeps(aws.deps());
  const statesEntered: string[] = [];
  const retried: string[] = [];
  let transitions = 0;
  try {
    const real = await localTaskHandlers(definition);
    const handlers = options.wrapHandler ? Object.fromEntries(Object.entries(real).map(([state, handler]) => [state, options.wrapHandler!(state, handler)])) : real;
    const execution = machine.run(
      // Plain JSON, though the runner's JSONValue type cannot tell that from our interfaces.
      input as unknown as Parameters<typeof machine.run>[0],
      {
        // Handlers take and return JSON (Lambda's contract), which their `unknown` types do not show.
        overrides: { taskResourceLocalHandlers: handlers as never, ...timeOverrides(definition, 0) },
      },
    );
    const collect = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') {
          transitions++;
          statesEntered.push((event as { state: { name: string } }).state.name);
        }
        if (event.type === 'StateRetried') {
          transitions++;
          retried.push((event as { state: { name: string } }).state.name);
        }
      }
    })();
    try {
      const output = await execution.result;
      await collect;
      return { status: 'SUCCEEDED', output, transitions, statesEntered, retried };
    } catch (error) {
      await collect.catch(() => undefined);
      // The runner wraps the Fail state's error; DescribeExecution would report the Fail state's own Error and Cause.
      const e = error as { name?: string; message?: string; cause?: { name?: string; message?: string } };
      const failed = e.cause ?? e;
      return { status: 'FAILED', error: failed.name, cause: failed.message, transitions, statesEntered, retried };
    }
  } finally {
    restore();
  }
}

/**
 * A wrapHandler that runs the real handler of `state`, then fails once the way Lambda does after
 * the function's work was done (for the first input `when` accepts): the retry must be harmless.
 */
export function crashOnceAfter(state: string, when: (input: unknown) => boolean = () => true) {
  let crashed = false;
  return (name: string, handler: TaskHandler): TaskHandler =>
    name !== state
      ? handler
      : async (input) => {
          const output = await handler(input);
          if (!crashed && when(input)) {
            crashed = true;
            throw Object.assign(new Error('Lambda was unable to return the function result'), { name: 'Lambda.ServiceException' });
          }
          return output;
        };
}

/**
 * A wrapHandler under which `state` fails every time, before its handler runs, with a Lambda
 * service error (for the inputs `when` accepts): the Retry gives up and the Catch takes over.
 */
export function failEveryTime(state: string, when: (input: unknown) => boolean = () => true, error = { name: 'Lambda.ServiceException', message: 'Lambda is unable to run the function (Service: Lambda, Status Code: 500)' }) {
  return (name: string, handler: TaskHandler): TaskHandler =>
    name !== state
      ? handler
      : async (input) => {
          if (when(input)) throw Object.assign(new Error(error.message), { name: error.name });
          return handler(input);
        };
}
