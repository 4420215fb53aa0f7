/**
 * The house rules every statemachines/*.asl.json keeps (docs/architecture.md, Workflows and Steps, ports and errors), as functions
 * returning the problems they find, so a test can show each rule also rejects a broken copy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RETRYABLE_ERRORS } from '../../functions/shared/errors';
import { allStates, STATEMACHINES_DIR } from '../../local/runtime/state-machine-runner';
import { TASK_FUNCTIONS } from '../../statemachines/task-functions';

type Json = Record<string, unknown>;
export interface Definition {
  StartAt: string;
  States: Record<string, Json & { Type: string }>;
}
interface Retrier {
  ErrorEquals: string[];
}
interface Catcher {
  ErrorEquals: string[];
  Next: string;
}

export const LAMBDA_SERVICE_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
const BLIND_ERRORS = ['States.ALL', 'States.TaskFailed'];
const PLACEHOLDER = /^\$\{(\w+)\}$/;

/** Every workflow file, by file name. */
export function aslFiles(): Array<{ file: string; definition: Definition }> {
  return readdirSync(STATEMACHINES_DIR)
    .filter((file) => file.endsWith('.asl.json'))
    .sort()
    .map((file) => ({ file, definition: JSON.parse(readFileSync(join(STATEMACHINES_DIR, file), 'utf8')) as Definition }));
}

const states = (definition: Definition) => allStates(definition as Parameters<typeof allStates>[0]) as Array<[string, Json & { Type: string }]>;
const tasks = (definition: Definition) => states(definition).filter(([, state]) => state.Type === 'Task');
const retriers = (state: Json) => (state.Retry as Retrier[] | undefined) ?? [];

export function placeholderOf(state: Json): string | undefined {
  return PLACEHOLDER.exec(String(state.Resource ?? ''))?.[1];
}

/** The placeholder of every Task state, nested ones included. */
export function taskPlaceholders(definition: Definition): string[] {
  return tasks(definition).flatMap(([, state]) => placeholderOf(state) ?? []);
}

/** Task Resources are `${Placeholder}`s that TASK_FUNCTIONS maps to a step module. */
export function placeholderProblems(definition: Definition): string[] {
  return tasks(definition).flatMap(([name, state]) => {
    const placeholder = placeholderOf(state);
    if (!placeholder) return [`${name}: Resource ${String(state.Resource)} is not a \${Placeholder}`];
    return placeholder in TASK_FUNCTIONS ? [] : [`${name}: placeholder ${placeholder} is not a key of TASK_FUNCTIONS`];
  });
}

/** Every Task retries the Lambda service's own transient errors (REFERENCE, Step Functions). */
export function lambdaRetryProblems(definition: Definition): string[] {
  return tasks(definition).flatMap(([name, state]) => {
    const retried = new Set(retriers(state).flatMap((r) => r.ErrorEquals));
    const missing = LAMBDA_SERVICE_ERRORS.filter((error) => !retried.has(error));
    return missing.length ? [`${name}: does not retry ${missing.join(', ')}`] : [];
  });
}

/** Retry only named, retryable errors: never a wildcard, never a terminal error. */
export function retryNameProblems(definition: Definition): string[] {
  const retryable = new Set<string>(RETRYABLE_ERRORS);
  return states(definition).flatMap(([name, state]) =>
    retriers(state).flatMap((retrier) =>
      retrier.ErrorEquals.flatMap((error) => {
        if (BLIND_ERRORS.includes(error)) return [`${name}: retries ${error}`];
        if (LAMBDA_SERVICE_ERRORS.includes(error) || retryable.has(error)) return [];
        return [`${name}: retries ${error}, which is not in RETRYABLE_ERRORS (functions/shared/errors.ts)`];
      }),
    ),
  );
}

/** EKS allows one Fargate profile CREATING or DELETING per cluster: the Map creating them runs one at a time. */
export function fargateConcurrencyProblems(definition: Definition): string[] {
  return fargateMaps(definition).flatMap(([name, state]) => (state.MaxConcurrency === 1 ? [] : [`${name}: MaxConcurrency is ${String(state.MaxConcurrency)}, not 1`]));
}

export function fargateMaps(definition: Definition): Array<[string, Json & { Type: string }]> {
  return states(definition).filter(
    ([, state]) => state.Type === 'Map' && Object.values((state.ItemProcessor as Definition | undefined)?.States ?? {}).some((inner) => placeholderOf(inner) === 'CreateFargateProfileFunctionArn'),
  );
}

/**
 * Exactly one terminal event: every top-level state that can fail is caught and routed to the
 * failure path, which ends in the state reporting the FAILED/ROLLED_BACK outcome. The states that
 * commit an outcome (`committers`: that reporter and the success commit) are not caught at all.
 */
export function failurePathProblems(definition: Definition, committers: string[], failurePath: string[]): string[] {
  return Object.entries(definition.States)
    .filter(([name, state]) => ['Task', 'Parallel', 'Map'].includes(state.Type) && !committers.includes(name))
    .flatMap(([name, state]) => {
      const catchAll = ((state.Catch as Catcher[] | undefined) ?? []).find((c) => c.ErrorEquals.includes('States.ALL'));
      if (!catchAll) return [`${name}: a failure here is not caught, so no terminal event would be sent`];
      const next = throughPassStates(definition.States, catchAll.Next);
      return failurePath.includes(next) ? [] : [`${name}: caught into ${next}, not the failure path (${failurePath.join(', ')})`];
    });
}

/** Where a top-level state may go next: Next, a Choice's branches and default, its Catch targets. */
function successors(state: Json): string[] {
  const choices = ((state.Choices as Array<{ Next: string }> | undefined) ?? []).map((c) => c.Next);
  const catches = ((state.Catch as Catcher[] | undefined) ?? []).map((c) => c.Next);
  return [state.Next, state.Default, ...choices, ...catches].filter((next): next is string => typeof next === 'string');
}

/**
 * Terminal truth: the state that commits SUCCEEDED has no Catch and nothing after it reaches the
 * failure path, so a step failing after the outcome is committed can never diagnose, roll back or
 * report a failure of a finished cluster.
 */
export function afterSuccessProblems(definition: Definition, successCommit: string, failurePath: string[]): string[] {
  const commit = definition.States[successCommit];
  if (!commit) return [`${successCommit}: no such state`];
  const problems = commit.Catch ? [`${successCommit}: commits the outcome but has a Catch`] : [];
  const seen = new Set<string>();
  const queue = successors(commit);
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (failurePath.includes(name)) problems.push(`${successCommit}: ${name} can follow the committed outcome`);
    const next = definition.States[name];
    if (next) queue.push(...successors(next));
  }
  return problems;
}

/** Where a chain of Pass states starting at `name` leads. */
function throughPassStates(states: Definition['States'], name: string): string {
  let at = name;
  for (let hops = 0; states[at]?.Type === 'Pass' && typeof states[at]!.Next === 'string' && hops < 10; hops++) at = states[at]!.Next as string;
  return at;
}

/**
 * Errors say where (docs/events.md): every state whose failure is caught — nested Tasks included
 * — is caught into a Pass state that records its own name at $.failure.Where.State (and, in a
 * Map, the item's name), and FAILED_STATES (functions/domain/diagnosis.ts) knows its phase.
 */
export function failedStateProblems(definition: Definition, reporters: string[], knownStates: string[]): string[] {
  const scopes = (states: Definition['States']): Array<Definition['States']> => [
    states,
    ...Object.values(states).flatMap((state) => [
      ...((state.Branches as Definition[] | undefined) ?? []).flatMap((branch) => scopes(branch.States)),
      ...[state.ItemProcessor as Definition | undefined].filter((p): p is Definition => Boolean(p)).flatMap((p) => scopes(p.States)),
    ]),
  ];
  return scopes(definition.States).flatMap((states) =>
    Object.entries(states)
      .filter(([name, state]) => ['Task', 'Parallel', 'Map'].includes(state.Type) && !reporters.includes(name) && Array.isArray(state.Catch))
      .flatMap(([name, state]) => {
        const problems: string[] = knownStates.includes(name) ? [] : [`${name}: not in FAILED_STATES, so its failures have no phase`];
        const catchAll = (state.Catch as Catcher[]).find((c) => c.ErrorEquals.includes('States.ALL'));
        const recorder = catchAll ? states[catchAll.Next] : undefined;
        const recorded = (recorder?.Result ?? recorder?.Parameters) as { State?: string } | undefined;
        if (!catchAll || recorder?.Type !== 'Pass' || recorder.ResultPath !== '$.failure.Where' || recorded?.State !== name) {
          problems.push(`${name}: its Catch does not lead to a Pass state recording "${name}" at $.failure.Where`);
        }
        return problems;
      }),
  );
}

export function houseRuleProblems(definition: Definition): string[] {
  return [...placeholderProblems(definition), ...lambdaRetryProblems(definition), ...retryNameProblems(definition), ...fargateConcurrencyProblems(definition)];
}
