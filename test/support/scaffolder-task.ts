/**
 * Running a Backstage scaffolder action as the scaffolder's task worker does, without a Backstage
 * backend: the step's input is checked against the action's JSON schema first (a refusal names the
 * field and fails the step before the handler runs), an action that does not support dry runs is
 * skipped in one, and the handler gets an action context of the documented shape (ActionContext in
 * @backstage/plugin-scaffolder-node) that records what it logs and outputs.
 * (@backstage/plugin-scaffolder-node-test-utils' createMockActionContext would bring
 * @backstage/backend-test-utils and React along: 800 packages, some needing Node 22.)
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendFeature, LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type { ActionContext, ScaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import type { JsonObject, JsonValue } from '@backstage/types';
import Ajv from 'ajv';

/** An action as the scaffolder holds it once a module added it: its input is known only at run time. */
export type RegisteredAction = Parameters<ScaffolderActionsExtensionPoint['addActions']>[number];

/**
 * The actions a scaffolder backend module adds, from its init given what a backend gives it: the
 * scaffolder's extension point and app-config. (getRegistrations is the feature's internal shape,
 * which Backstage's own startTestBackend reads.)
 */
export async function actionsOfModule(feature: BackendFeature, config: ConstructorParameters<typeof ConfigReader>[0]): Promise<Map<string, RegisteredAction>> {
  const [registration] = (feature as unknown as { getRegistrations(): Array<{ init: { func(deps: Record<string, unknown>): Promise<void> } }> }).getRegistrations();
  const actions = new Map<string, RegisteredAction>();
  await registration!.init.func({ scaffolder: { addActions: (...list: RegisteredAction[]) => list.forEach((a) => actions.set(a.id, a)) }, config: new ConfigReader(config) });
  return actions;
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export interface StepRun {
  /** skipped: a dry run, and the action does not support them. */
  ran: boolean;
  outputs: Record<string, JsonValue>;
  logs: LogLine[];
}

export interface StepOptions {
  isDryRun?: boolean;
  signal?: AbortSignal;
  taskId?: string;
  stepId?: string;
}

/** What the scaffolder says when a step's input does not fit the action's schema. */
export class InvalidInputError extends Error {
  override readonly name = 'InputError';
}

const ajv = new Ajv({ allErrors: true, strict: false });

/** The input checked against the action's schema, as the scaffolder does before every step. */
export function validateInput(action: RegisteredAction, input: JsonObject): void {
  if (!action.schema?.input) return;
  const validate = ajv.compile(action.schema.input);
  if (!validate(input)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(input)'} ${e.message}`).join('; ');
    throw new InvalidInputError(`Invalid input passed to action ${action.id}: ${errors}`);
  }
}

/** Runs one step; the logs and outputs gathered so far are on the rejection's `step` too. */
export async function runStep(action: RegisteredAction, input: JsonObject, options: StepOptions = {}): Promise<StepRun> {
  const run: StepRun = { ran: false, outputs: {}, logs: [] };
  if (options.isDryRun && !action.supportsDryRun) return run;
  validateInput(action, input);
  const ctx = await actionContext(input, run, options);
  run.ran = true;
  try {
    await action.handler(ctx);
  } catch (error) {
    Object.assign(error as object, { step: run });
    throw error;
  }
  return run;
}

async function actionContext(input: JsonObject, run: StepRun, options: StepOptions): Promise<ActionContext<JsonObject, JsonObject>> {
  const workspacePath = await mkdtemp(join(tmpdir(), 'eksp-scaffolder-'));
  return {
    input,
    logger: recordingLogger(run.logs),
    workspacePath,
    output: (name, value) => {
      run.outputs[String(name)] = value as JsonValue;
    },
    checkpoint: async ({ fn }) => fn(),
    createTemporaryDirectory: () => mkdtemp(join(workspacePath, 'tmp-')),
    getInitiatorCredentials: async () => ({ $$type: '@backstage/BackstageCredentials', principal: { type: 'user', userEntityRef: 'user:default/developer' } }),
    task: { id: options.taskId ?? 'task-1' },
    step: { id: options.stepId ?? 'step', name: options.stepId ?? 'step' },
    user: { ref: 'user:default/developer' },
    isDryRun: options.isDryRun ?? false,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

function recordingLogger(lines: LogLine[]): LoggerService {
  const at = (level: LogLine['level']) => (message: string) => {
    lines.push({ level, message });
  };
  const logger: LoggerService = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}
