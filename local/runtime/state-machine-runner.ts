/**
 * Runs statemachines/*.asl.json locally with aws-local-stepfunctions: the same definition CDK
 * deploys, with each Task state bound to the real step handler (same payload Lambda would pass).
 * Wait states and Retry intervals can be scaled or zeroed so hours of AWS time take seconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { STATE_MACHINES, TASK_FUNCTIONS, type StateMachineName, type StepModule, type TaskPlaceholder } from '../../statemachines/task-functions';
import { runAsFunction } from './function-scope';
import { stepFunctionName } from './service-roles';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22); Lambda runs 22, this machine may run 20.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  (Promise as unknown as { withResolvers: () => unknown }).withResolvers = function withResolvers<T>() {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

type Json = Record<string, unknown>;
export type StateDefinition = Json & { Type: string; Resource?: string; Branches?: Array<{ States: Record<string, StateDefinition> }>; ItemProcessor?: { States: Record<string, StateDefinition> }; Iterator?: { States: Record<string, StateDefinition> } };
export interface Definition {
  StartAt: string;
  States: Record<string, StateDefinition>;
}

export const STATEMACHINES_DIR = join(__dirname, '..', '..', 'statemachines');

export function readDefinition(name: StateMachineName): Definition {
  return JSON.parse(readFileSync(join(STATEMACHINES_DIR, STATE_MACHINES[name].file), 'utf8')) as Definition;
}

/** Every state of a definition, nested Parallel branches and Map processors included. */
export function allStates(definition: { States: Record<string, StateDefinition> }): Array<[string, StateDefinition]> {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, StateDefinition],
    ...(state.Branches ?? []).flatMap((branch) => allStates(branch)),
    ...[state.ItemProcessor, state.Iterator].filter((p): p is { States: Record<string, StateDefinition> } => Boolean(p)).flatMap((p) => allStates(p)),
  ]);
}

const PLACEHOLDER = /^\$\{(\w+)\}$/;

/** Task state name → the step module serving it, from the placeholder in its Resource. */
export function taskModules(definition: Definition): Record<string, string> {
  const modules: Record<string, string> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const placeholder = PLACEHOLDER.exec(state.Resource ?? '')?.[1];
    const module = placeholder ? TASK_FUNCTIONS[placeholder as TaskPlaceholder] : undefined;
    if (!module) throw new Error(`Task state "${name}" has Resource ${state.Resource}, which names no step in statemachines/task-functions.ts`);
    modules[name] = module;
  }
  return modules;
}

/** The definition with `${Placeholder}` replaced by local function ARNs (what CDK does with real ones). */
export function substituted(definition: Definition, region = 'us-east-1', account = '000000000000'): Definition {
  const text = JSON.stringify(definition).replace(/\$\{(\w+)FunctionArn\}/g, (_m, name: string) => `arn:aws:lambda:${region}:${account}:function:eksp-${name}`);
  return JSON.parse(text) as Definition;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** The context object Lambda passes a handler (what middy's logger middleware reads). */
export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Task state name → a function invoking the real handler as Lambda would. */
export async function localTaskHandlers(definition: Definition): Promise<Record<string, (input: unknown) => Promise<unknown>>> {
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [state, module] of Object.entries(taskModules(definition))) {
    const { handler } = (await import(`../../functions/steps/${module}`)) as { handler: Handler };
    // Lambda hands the function a JSON copy of the state input, never the runner's own object.
    // Each invocation runs as its function (its role's credentials in local mode: runtime/deps.ts).
    const functionName = stepFunctionName(module as StepModule);
    handlers[state] = async (input) => runAsFunction(functionName, () => handler(JSON.parse(JSON.stringify(input)), lambdaContext(functionName)));
  }
  return handlers;
}

/** Wait and Retry overrides in ms for every Wait state and every state with a Retry. */
export function timeOverrides(definition: Definition, ms: number): { waitTimeOverrides: Record<string, number>; retryIntervalOverrides: Record<string, number> } {
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Type === 'Wait') waitTimeOverrides[name] = ms;
    if (Array.isArray(state.Retry)) retryIntervalOverrides[name] = ms;
  }
  return { waitTimeOverrides, retryIntervalOverrides };
}
