/**
 * Static checks of every statemachines/*.asl.json: valid Amazon States Language once CDK has
 * filled the placeholders, wired to real step modules, and keeping the retry rules of docs/architecture.md (Steps, ports and errors).
 */
import aslValidator from 'asl-validator';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { substituted } from '../../local/runtime/state-machine-runner';
import { STATE_MACHINES, TASK_FUNCTIONS } from '../../statemachines/task-functions';
import { FAILED_STATES } from '../../functions/domain/diagnosis';
import {
  aslFiles,
  afterSuccessProblems,
  failedStateProblems,
  failurePathProblems,
  fargateConcurrencyProblems,
  fargateMaps,
  houseRuleProblems,
  lambdaRetryProblems,
  placeholderProblems,
  retryNameProblems,
  taskPlaceholders,
  type Definition,
} from './asl-rules';

const files = aslFiles();
const provision = files.find((f) => f.file === STATE_MACHINES['provision-cluster'].file)!.definition;
const deletion = files.find((f) => f.file === STATE_MACHINES['delete-cluster'].file)!.definition;
const update = files.find((f) => f.file === STATE_MACHINES['update-cluster'].file)!.definition;

/** What CDK deploys: every `${XFunctionArn}` replaced by a function ARN. */
const deployed = (definition: Definition) => substituted(definition as Parameters<typeof substituted>[0]) as unknown as Definition;

function validate(definition: Definition) {
  // asl-validator writes QueryLanguage into every state it visits: never hand it the original.
  return aslValidator(structuredClone(definition));
}

function brokenCopy(edit: (definition: Definition) => void): Definition {
  const copy = structuredClone(provision);
  edit(copy);
  return copy;
}

/** A top-level state of a copy, for the negative cases to break. */
const state = (definition: Definition, name: string): Record<string, unknown> => definition.States[name]!;

describe('statemachines/*.asl.json', () => {
  it('finds the workflows, each registered in STATE_MACHINES so CDK deploys it', () => {
    expect(files.map((f) => f.file)).toContain('provision-cluster.asl.json');
    const registered = Object.values(STATE_MACHINES).map((m) => m.file as string);
    for (const { file } of files) expect(registered).toContain(file);
  });

  it.each(files.map((f) => [f.file, f.definition] as const))('%s is valid ASL with its placeholders substituted as CDK would', (_file, definition) => {
    const result = validate(deployed(definition));

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(files.map((f) => [f.file, f.definition] as const))('%s keeps the house rules: known placeholders, Lambda retries, named retryable errors, one Fargate profile at a time', (_file, definition) => {
    expect(houseRuleProblems(definition)).toEqual([]);
  });

  it('uses every step module in TASK_FUNCTIONS, and each module exists under functions/steps', () => {
    const used = new Set(files.flatMap((f) => taskPlaceholders(f.definition)));

    for (const [placeholder, module] of Object.entries(TASK_FUNCTIONS)) {
      expect({ placeholder, used: used.has(placeholder) }).toEqual({ placeholder, used: true });
      expect(existsSync(join(__dirname, '..', '..', 'functions', 'steps', `${module}.ts`))).toBe(true);
    }
  });

  it('creates Fargate profiles in a Map with MaxConcurrency 1 (EKS: one profile CREATING or DELETING per cluster)', () => {
    const maps = fargateMaps(provision);

    expect(maps.map(([name]) => name)).toEqual(['Fargate Profiles']);
    expect(maps[0]![1].MaxConcurrency).toBe(1);
  });

  it('routes every failure after acceptance to Diagnose Failure or Report Failure, so one terminal event is always sent', () => {
    expect(failurePathProblems(provision, ['Report Failure', 'Finalize'], ['Diagnose Failure', 'Report Failure'])).toEqual([]);
    expect(provision.States['Report Failure']).toMatchObject({ Type: 'Task', Next: 'Provisioning Failed' });
    expect(provision.States['Provisioning Failed']).toMatchObject({ Type: 'Fail' });
  });

  it('never lets anything after the committed SUCCEEDED outcome reach Diagnose Failure, Roll Back or a failure report', () => {
    expect(afterSuccessProblems(provision, 'Finalize', ['Diagnose Failure', 'Roll Back?', 'Roll Back', 'Report Failure'])).toEqual([]);
    expect(afterSuccessProblems(deletion, 'Finalize Deletion', ['Report Operation Failure'])).toEqual([]);
    expect(afterSuccessProblems(update, 'Finalize Update', ['Report Operation Failure'])).toEqual([]);
    expect(provision.States['Collect Outputs']).toMatchObject({ Next: 'Finalize', Catch: [expect.objectContaining({ Next: 'Collect Outputs Failed' })] });
    expect(provision.States['Collect Outputs Failed']).toMatchObject({ Type: 'Pass', Next: 'Diagnose Failure' });
  });

  it('delete-cluster routes every failure to Report Operation Failure, which ends in a Fail state with its error and cause', () => {
    expect(failurePathProblems(deletion, ['Report Operation Failure', 'Finalize Deletion'], ['Report Operation Failure'])).toEqual([]);
    expect(deletion.States['Report Operation Failure']).toMatchObject({ Type: 'Task', Next: 'Deletion Failed' });
    expect(deletion.States['Deletion Failed']).toEqual({ Type: 'Fail', ErrorPath: '$.result.error', CausePath: '$.result.cause' });
  });

  it('update-cluster routes every failure, an unknown action included, to Report Operation Failure, which ends in a Fail state with its error and cause', () => {
    expect(failurePathProblems(update, ['Report Operation Failure', 'Finalize Update'], ['Uncordon Self-managed Nodes', 'Report Operation Failure'])).toEqual([]);
    // A failed self-managed nodegroup change uncordons what it cordoned, then is reported whatever that does.
    expect(update.States['Uncordon Self-managed Nodes']).toMatchObject({ Type: 'Task', Next: 'Report Operation Failure', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report Operation Failure' }] });
    expect(update.States['Route Change']!.Default).toBe('Unknown Change');
    expect(update.States['Unknown Change']).toMatchObject({ Type: 'Pass', ResultPath: '$.failure', Result: { Where: { State: 'Route Change' } }, Next: 'Report Operation Failure' });
    expect(update.States['Report Operation Failure']).toMatchObject({ Type: 'Task', Next: 'Update Failed' });
    expect(update.States['Update Failed']).toEqual({ Type: 'Fail', ErrorPath: '$.result.error', CausePath: '$.result.cause' });
  });

  it.each(files.map((f) => [f.file, f.definition] as const))('%s records the state that failed, with its item in a Map, and each such state has a phase', (_file, definition) => {
    expect(failedStateProblems(definition, ['Diagnose Failure', 'Roll Back', 'Uncordon Self-managed Nodes', 'Settle Upgrade', 'Report Failure', 'Report Operation Failure'], Object.keys(FAILED_STATES))).toEqual([]);
  });

  it('update-cluster waits out EKS’s one-update-at-a-time and one-Fargate-profile-at-a-time rules instead of failing', () => {
    const retried = (state: string) => ((update.States[state]!.Retry as Array<{ ErrorEquals: string[] }>) ?? []).flatMap((r) => r.ErrorEquals);

    expect(retried('Change Endpoint Access')).toContain('UpdateInProgressError');
    expect(retried('Change Nodegroup')).toContain('UpdateInProgressError');
    expect(retried('Change Fargate Profile')).toContain('ResourceBusyError');
  });

  it('delete-cluster turns deletion protection off (when asked) before anything, compute before what controllers left in the VPC, those before the cluster stack, and the stack before the registry and the event', () => {
    const next = (name: string) => String(deletion.States[name]!.Next ?? (deletion.States[name]!.Choices as Array<{ Next: string }> | undefined)?.[0]?.Next);

    expect([deletion.StartAt, next('Protection To Disable?'), next('Disable Deletion Protection'), next('Protection Off?'), deletion.States['Protection To Disable?']!.Default]).toEqual([
      'Protection To Disable?',
      'Disable Deletion Protection',
      'Protection Off?',
      'Delete Compute',
      'Delete Compute',
    ]);
    expect([
      next('Delete Compute'),
      next('Compute Deleted?'),
      next('Check Compute Deletion'),
      next('Delete Controller Resources'),
      next('Controller Resources Deleted?'),
      deletion.States['Controller Resources Deleted?']!.Default,
      next('Wait For Controller Resources'),
      next('Cluster Stack Deleted?'),
      next('Check Cluster Stack Deletion'),
    ]).toEqual([
      'Compute Deleted?',
      'Delete Controller Resources',
      'Delete Controller Resources',
      'Controller Resources Deleted?',
      'Delete Cluster Stack',
      'Wait For Controller Resources',
      'Delete Controller Resources',
      'Finalize Deletion',
      'Finalize Deletion',
    ]);
  });
});

describe('the checks reject a broken copy', () => {
  it('asl-validator rejects a transition to a state that does not exist', () => {
    const broken = brokenCopy((d) => {
      state(d, 'Plan').Next = 'No Such State';
    });

    const result = validate(deployed(broken));

    expect(result.isValid).toBe(false);
    expect(result.errorsText('\n')).toContain('No Such State');
  });

  it('asl-validator rejects a Task without a Resource', () => {
    const broken = brokenCopy((d) => {
      delete state(d, 'Finalize').Resource;
    });

    expect(validate(deployed(broken)).isValid).toBe(false);
  });

  it('flags a placeholder with no step module', () => {
    const broken = brokenCopy((d) => {
      state(d, 'Finalize').Resource = '${FinaliseFunctionArn}';
    });

    expect(placeholderProblems(broken)).toEqual(['Finalize: placeholder FinaliseFunctionArn is not a key of TASK_FUNCTIONS']);
  });

  it('flags a Task that does not retry the Lambda service errors', () => {
    const broken = brokenCopy((d) => {
      const plan = state(d, 'Plan');
      plan.Retry = (plan.Retry as Array<{ ErrorEquals: string[] }>).filter((r) => !r.ErrorEquals.includes('Lambda.ServiceException'));
    });

    expect(lambdaRetryProblems(broken)).toEqual([expect.stringMatching(/^Plan: does not retry Lambda\.ServiceException/)]);
  });

  it.each([
    ['States.ALL', 'Plan: retries States.ALL'],
    ['States.TaskFailed', 'Plan: retries States.TaskFailed'],
    ['StackFailedError', 'Plan: retries StackFailedError, which is not in RETRYABLE_ERRORS (functions/shared/errors.ts)'],
  ])('flags a Retry on %s', (error, problem) => {
    const broken = brokenCopy((d) => {
      (state(d, 'Plan').Retry as unknown[]).push({ ErrorEquals: [error], MaxAttempts: 3 });
    });

    expect(retryNameProblems(broken)).toEqual([problem]);
  });

  it('flags a Fargate profile Map that runs profiles concurrently', () => {
    const broken = brokenCopy((d) => {
      d.States['Add Compute And Access']!.Branches = (d.States['Add Compute And Access']!.Branches as Definition[]).map((branch) =>
        branch.StartAt === 'Fargate Profiles' ? { ...branch, States: { ...branch.States, 'Fargate Profiles': { ...branch.States['Fargate Profiles']!, MaxConcurrency: 0 } } } : branch,
      );
    });

    expect(fargateConcurrencyProblems(broken)).toEqual(['Fargate Profiles: MaxConcurrency is 0, not 1']);
  });

  it('flags a success commit whose failure would be diagnosed and rolled back', () => {
    const broken = brokenCopy((d) => {
      state(d, 'Finalize').Catch = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Diagnose Failure' }];
    });

    expect(afterSuccessProblems(broken, 'Finalize', ['Diagnose Failure', 'Roll Back?', 'Roll Back', 'Report Failure'])).toEqual([
      'Finalize: commits the outcome but has a Catch',
      'Finalize: Diagnose Failure can follow the committed outcome',
      'Finalize: Roll Back? can follow the committed outcome',
      'Finalize: Report Failure can follow the committed outcome',
      'Finalize: Roll Back can follow the committed outcome',
    ]);
  });

  it('flags a caught state that does not record its name, and one with no phase', () => {
    const broken = brokenCopy((d) => {
      (state(d, 'Plan').Catch as Array<{ Next: string }>)[0]!.Next = 'Diagnose Failure';
      d.States['Collect Outputs Failed']!.Result = { State: 'Collect Output' };
    });

    expect(failedStateProblems(broken, ['Diagnose Failure', 'Roll Back', 'Report Failure'], Object.keys(FAILED_STATES).filter((name) => name !== 'Check Add-on'))).toEqual([
      'Plan: its Catch does not lead to a Pass state recording "Plan" at $.failure.Where',
      'Collect Outputs: its Catch does not lead to a Pass state recording "Collect Outputs" at $.failure.Where',
      'Check Add-on: not in FAILED_STATES, so its failures have no phase',
    ]);
  });

  it('flags a state whose failure would skip the terminal event', () => {
    const broken = brokenCopy((d) => {
      delete state(d, 'Collect Outputs').Catch;
    });

    expect(failurePathProblems(broken, ['Report Failure', 'Finalize'], ['Diagnose Failure', 'Report Failure'])).toEqual([
      'Collect Outputs: a failure here is not caught, so no terminal event would be sent',
    ]);
  });
});
