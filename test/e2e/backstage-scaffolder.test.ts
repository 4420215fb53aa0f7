/**
 * The Backstage scaffolder actions against local mode, registered by their backend module from an
 * app-config as a Backstage backend would: a dry run plans and creates nothing; create → wait
 * follows the cluster to SUCCEEDED with the CLI's progress lines in the task log; delete → wait
 * leaves nothing behind; a wait on an operation that rolled back fails with its root cause.
 */
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import eksProvisionerModule from '../../packages/scaffolder-backend-module-eks-provisioner/src';
import { startLocal, type LocalMode } from '../../local/start';
import { LocalCloud } from '../support/local-cloud';
import { until } from '../support/until';
import { actionsOfModule, runStep, type RegisteredAction, type StepRun } from '../support/scaffolder-task';

/** A cluster with one nodegroup takes ~20 emulated minutes: ~1.2 s here. */
const TIME_SCALE = 0.001;
const CLUSTER = 'backstage-demo';

let local: LocalMode;
let cloud: LocalCloud;
let actions: Map<string, RegisteredAction>;

const action = (id: string) => actions.get(id)!;
const messages = (step: StepRun) => step.logs.map((l) => l.message);

beforeAll(async () => {
  local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 13, quiet: true });
  cloud = new LocalCloud(local);
  actions = await actionsOfModule(eksProvisionerModule, { eksProvisioner: { endpoint: local.apiUrl, pollIntervalSeconds: 0.05 } });
}, 60_000);

afterAll(async () => {
  // A wait ends at the terminal status; the workflow's last writes (the lock's release) may still
  // be under way, and the registry must not close under them.
  if (local) await until(async () => runningExecutions(local), (running) => running === 0, 'the workflows to end', 15_000);
  cloud?.destroy();
  await local?.stop();
});

function runningExecutions(mode: LocalMode): number {
  return mode.executions.stateMachines().reduce((count, machine) => count + mode.executions.list(machine.stateMachineArn, 'RUNNING').length, 0);
}

const createInput = { name: CLUSTER, managedNodeGroups: [{ name: 'general', desiredSize: 2, minSize: 1, maxSize: 3 }], spec: { tags: { team: 'platform' } } };

describe('Backstage scaffolder actions against local mode', () => {
  test('a dry run of create returns the plan and creates nothing', async () => {
    const step = await runStep(action('eks-provisioner:cluster:create'), createInput, { isDryRun: true });

    expect(step.outputs).toEqual({ cluster: CLUSTER, stackName: `eksp-${CLUSTER}-cluster`, steps: expect.arrayContaining([`Create cluster stack eksp-${CLUSTER}-cluster (Kubernetes 1.33, endpoint public (0.0.0.0/0))`, 'Create nodegroup general (m5.large ON_DEMAND, 1/2/3)']) });
    expect(messages(step)).toContain('  Create nodegroup general (m5.large ON_DEMAND, 1/2/3)');
    expect((await cloud.call('GET', `/clusters/${CLUSTER}`)).status).toBe(404);
    await expect(cloud.eks.send(new DescribeClusterCommand({ name: CLUSTER }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('create, then wait, follows the cluster to SUCCEEDED and logs each phase and resource', async () => {
    const created = await runStep(action('eks-provisioner:cluster:create'), createInput, { taskId: 'task-create', stepId: 'create' });
    const operationId = String(created.outputs.operationId);

    const waited = await runStep(action('eks-provisioner:cluster:wait'), { operationId }, { taskId: 'task-create', stepId: 'wait' });

    expect(created.outputs).toEqual({ cluster: CLUSTER, operationId: expect.stringMatching(/^op-/), operationUrl: `${local.apiUrl}/operations/${operationId}`, consoleUrl: `${local.apiUrl}/#/operations/${operationId}` });
    expect(waited.outputs).toMatchObject({ status: 'SUCCEEDED', cluster: CLUSTER });
    expect(messages(waited)[0]).toBe(`create cluster "${CLUSTER}": operation ${operationId}`);
    expect(messages(waited)).toEqual(expect.arrayContaining([`creating cluster stack "eksp-${CLUSTER}-cluster"`, `created cluster stack "eksp-${CLUSTER}-cluster"`, 'created nodegroup "general"', `create cluster "${CLUSTER}" SUCCEEDED`]));
    expect(messages(waited).filter((m) => m.startsWith('phase ')).length).toBeGreaterThan(1);
    expect((await cloud.eks.send(new DescribeClusterCommand({ name: CLUSTER }))).cluster).toMatchObject({ status: 'ACTIVE', tags: expect.objectContaining({ team: 'platform' }) });
  }, 60_000);

  test('the same task and step creating again gets the operation it started, not another', async () => {
    const again = await runStep(action('eks-provisioner:cluster:create'), createInput, { taskId: 'task-create', stepId: 'create' });

    const operations = (await cloud.call('GET', `/operations?cluster=${CLUSTER}`)).body.operations as Array<{ id: string }>;
    expect(operations.map((o) => o.id)).toEqual([again.outputs.operationId]);
  });

  test('delete, then wait, removes the cluster and everything made for it', async () => {
    const deleted = await runStep(action('eks-provisioner:cluster:delete'), { name: CLUSTER }, { taskId: 'task-delete', stepId: 'delete' });

    const waited = await runStep(action('eks-provisioner:cluster:wait'), { operationId: String(deleted.outputs.operationId) }, { taskId: 'task-delete', stepId: 'wait' });

    expect(waited.outputs).toMatchObject({ status: 'SUCCEEDED', cluster: CLUSTER });
    expect(messages(waited)).toContain(`delete cluster "${CLUSTER}" SUCCEEDED`);
    await cloud.expectNothingLeft(CLUSTER);
  }, 60_000);

  test('wait fails the task with the root cause when the operation rolls back', async () => {
    const name = 'backstage-fails';
    await fetch(`${local.awsUrl}/_local/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ kind: 'nodegroup-failure', nodegroup: 'general', code: 'AsgInstanceLaunchFailures', message: 'no capacity' }] }) });
    try {
      const created = await runStep(action('eks-provisioner:cluster:create'), { ...createInput, name }, { taskId: 'task-fails', stepId: 'create' });

      const waiting = runStep(action('eks-provisioner:cluster:wait'), { operationId: String(created.outputs.operationId) }, { taskId: 'task-fails', stepId: 'wait' });

      await expect(waiting).rejects.toMatchObject({ name: 'OperationFailedError', message: expect.stringMatching(new RegExp(`^create cluster "${name}" (ROLLED_BACK|FAILED) in phase \\S+: .*AsgInstanceLaunchFailures.*no capacity`)) });
      await expect(waiting).rejects.toMatchObject({ step: { logs: expect.arrayContaining([expect.objectContaining({ level: 'error' })]) } });
    } finally {
      await fetch(`${local.awsUrl}/_local/faults`, { method: 'DELETE' });
    }
  }, 60_000);
});
