/**
 * The three actions as a Backstage task runs them, against a running local mode (`npm start`),
 * printing the task log and each step's outputs: a dry run, then create → wait, then (with
 * --delete) delete → wait. The handlers are the module's own, registered from an app-config as a
 * backend would, and run through the scaffolder harness the tests use (test/support/scaffolder-task.ts).
 *
 *   npm start                                                     # in another terminal
 *   npx tsx packages/scaffolder-backend-module-eks-provisioner/examples/run-locally.ts payments-dev --delete
 */
import type { JsonObject } from '@backstage/types';
import { randomUUID } from 'node:crypto';
import { actionsOfModule, runStep, type StepRun } from '../../../test/support/scaffolder-task';
import eksProvisionerModule from '../src';

async function main(): Promise<void> {
  const [name = 'payments-dev', ...flags] = process.argv.slice(2);
  const actions = await actionsOfModule(eksProvisionerModule, { eksProvisioner: { endpoint: process.env.EKSP_ENDPOINT ?? 'http://127.0.0.1:3000', pollIntervalSeconds: 1 } });
  const step = async (title: string, id: string, input: JsonObject, options: { isDryRun?: boolean } = {}) => {
    process.stdout.write(`--- ${title} (${id})\n`);
    let run: StepRun;
    try {
      run = await runStep(actions.get(id)!, input, { ...options, taskId: randomUUID(), stepId: title });
    } catch (error) {
      print((error as { step: StepRun }).step);
      throw error;
    }
    print(run);
    return run;
  };

  const input = { name, version: '1.33', managedNodeGroups: [{ name: 'general', instanceTypes: ['m5.large'], minSize: 1, desiredSize: 2, maxSize: 3 }], spec: { tags: { 'backstage-template': 'eks-cluster' } } };
  await step('dry run', 'eks-provisioner:cluster:create', input, { isDryRun: true });
  const created = await step('create', 'eks-provisioner:cluster:create', input);
  await step('wait', 'eks-provisioner:cluster:wait', { operationId: String(created.outputs.operationId) });
  if (!flags.includes('--delete')) return;
  const deleted = await step('delete', 'eks-provisioner:cluster:delete', { name });
  await step('wait', 'eks-provisioner:cluster:wait', { operationId: String(deleted.outputs.operationId) });
}

function print(run: StepRun): void {
  for (const line of run.logs) process.stdout.write(`${line.level.padEnd(5)} ${line.message}\n`);
  process.stdout.write(`outputs ${JSON.stringify(run.outputs, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(`task failed: ${(error as Error).name}: ${(error as Error).message}`);
  process.exit(1);
});
