/**
 * The Backstage scaffolder actions against a recorded API (the CLI's ApiClient over a fake fetch):
 * what the scaffolder refuses before a handler runs, what each handler asks of the API, what it
 * logs and outputs, and how the backend module registers them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { ApiClient, type Operation } from '../../../cli/client';
import eksProvisionerModule, { apiFromClient, eksProvisionerActions, OperationFailedError, StoppedFollowingError } from '../../../packages/scaffolder-backend-module-eks-provisioner/src';
import { actionsOfModule, runStep, validateInput, type RegisteredAction } from '../../support/scaffolder-task';

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** An API that answers from a script, one answer per request, and records what it was asked. */
function recordedApi(answers: Array<{ status: number; body: unknown }>) {
  const sent: Sent[] = [];
  const fetch = async (url: URL | string | Request, init?: RequestInit) => {
    const target = new URL(String(url));
    sent.push({ method: init?.method ?? 'GET', path: `${target.pathname}${target.search}`, headers: init?.headers as Record<string, string>, ...(init?.body ? { body: JSON.parse(String(init.body)) } : {}) });
    const answer = answers.shift() ?? { status: 500, body: { title: 'no answer scripted' } };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': answer.status < 300 ? 'application/json' : 'application/problem+json' } });
  };
  const client = new ApiClient({ baseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod', fetch });
  const [create, wait, remove]: RegisteredAction[] = eksProvisionerActions(async () => apiFromClient(client, 'https://console.example.com'), { pollIntervalMs: 1 });
  return { sent, create: create!, wait: wait!, remove: remove! };
}

const snapshot = (status: Operation['status'], phase: string, steps: Operation['steps'] = [], extra: Partial<Operation> = {}): Operation => ({
  id: 'op-1',
  type: 'CREATE',
  cluster: 'payments-dev',
  status,
  phase,
  requestedAt: '2026-12-04T10:00:00Z',
  updatedAt: '2026-12-04T10:00:00Z',
  steps,
  ...extra,
});

describe('input the scaffolder refuses before a handler runs', () => {
  const { create, wait, remove } = recordedApi([]);

  it.each([
    ['a cluster name with capitals and underscores', { name: 'Payments_Dev' }, '/name must match pattern'],
    ['a cluster name of two letters', { name: 'ab' }, '/name must NOT have fewer than 3 characters'],
    ['a version that is not a Kubernetes minor', { name: 'payments-dev', version: '1.33.2' }, '/version must match pattern'],
    ['a nodegroup with a negative minimum', { name: 'payments-dev', managedNodeGroups: [{ name: 'general', minSize: -1 }] }, '/managedNodeGroups/0/minSize must be >= 0'],
    ['a nodegroup size that is not a whole number', { name: 'payments-dev', managedNodeGroups: [{ name: 'general', desiredSize: 1.5 }] }, '/managedNodeGroups/0/desiredSize must be integer'],
    ['an instance type that is not one', { name: 'payments-dev', managedNodeGroups: [{ name: 'general', instanceTypes: ['large'] }] }, '/managedNodeGroups/0/instanceTypes/0 must match pattern'],
    ['no name at all', { version: '1.33' }, "(input) must have required property 'name'"],
  ])('create refuses %s, naming the field', (_case, input, message) => {
    expect(() => validateInput(create, input)).toThrow(message);
  });

  it('create takes a name, a version, nodegroup sizes and more of the spec', () => {
    expect(() => validateInput(create, { name: 'payments-dev', version: '1.33', managedNodeGroups: [{ name: 'general', instanceTypes: ['m5.large'], desiredSize: 2, minSize: 1, maxSize: 4 }], spec: { tags: { team: 'payments' } } })).not.toThrow();
  });

  it('wait needs the operation to follow, and delete the cluster to delete', () => {
    expect(() => validateInput(wait, {})).toThrow("must have required property 'operationId'");
    expect(() => validateInput(remove, { name: 'Not A Cluster' })).toThrow('/name must match pattern');
  });
});

describe('eks-provisioner:cluster:create', () => {
  it('in a dry run asks the API for the plan, outputs the stack and steps, and starts nothing', async () => {
    const api = recordedApi([{ status: 200, body: { spec: { name: 'payments-dev' }, stackName: 'eksp-payments-dev-cluster', steps: ['Preflight', 'Create Cluster Stack', 'Create Nodegroup Stacks'], template: {} } }]);

    const step = await runStep(api.create, { name: 'payments-dev', version: '1.33' }, { isDryRun: true });

    expect(api.sent.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /prod/clusters?dryRun=true']);
    expect(step.outputs).toEqual({ cluster: 'payments-dev', stackName: 'eksp-payments-dev-cluster', steps: ['Preflight', 'Create Cluster Stack', 'Create Nodegroup Stacks'] });
    expect(step.logs.map((l) => l.message)).toEqual(['dry run: nothing created; cluster "payments-dev" would be stack eksp-payments-dev-cluster, made in 3 steps:', '  Preflight', '  Create Cluster Stack', '  Create Nodegroup Stacks']);
  });

  it('sends the spec with the named inputs over `spec`, an Idempotency-Key of the task and step, and outputs the operation and its links', async () => {
    const api = recordedApi([{ status: 202, body: { operationId: 'op-7', cluster: 'payments-dev', status: 'ACCEPTED', links: { operation: '/operations/op-7' } } }]);

    const step = await runStep(api.create, { name: 'payments-dev', managedNodeGroups: [{ name: 'general', desiredSize: 3 }], spec: { name: 'ignored', tags: { team: 'payments' } } }, { taskId: 'task-42', stepId: 'create' });

    expect(api.sent).toEqual([expect.objectContaining({ method: 'POST', path: '/prod/clusters', body: { name: 'payments-dev', tags: { team: 'payments' }, managedNodeGroups: [{ name: 'general', desiredSize: 3 }] } })]);
    expect(api.sent[0]!.headers['idempotency-key']).toBe('backstage:task-42:create');
    expect(step.outputs).toEqual({
      cluster: 'payments-dev',
      operationId: 'op-7',
      operationUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/operations/op-7',
      consoleUrl: 'https://console.example.com/#/operations/op-7',
    });
  });

  it('fails with the API’s problem, each field on its line, when the API refuses the spec', async () => {
    const api = recordedApi([{ status: 422, body: { title: 'Invalid cluster spec', status: 422, errors: [{ pointer: '/version', message: 'Kubernetes 1.20 is not supported; supported: 1.31, 1.32, 1.33' }] } }]);

    await expect(runStep(api.create, { name: 'payments-dev', version: '1.20' }, { isDryRun: true })).rejects.toThrow('Invalid cluster spec\n  /version: Kubernetes 1.20 is not supported; supported: 1.31, 1.32, 1.33');
  });
});

describe('eks-provisioner:cluster:wait', () => {
  it('logs each phase and each step on each resource as the operation goes, then outputs how it ended', async () => {
    const api = recordedApi([
      { status: 200, body: snapshot('IN_PROGRESS', 'CLUSTER', [{ name: 'Create Cluster Stack', resource: 'stack eksp-payments-dev-cluster', phase: 'CLUSTER', status: 'STARTED', startedAt: '2026-12-04T10:00:01Z' }]) },
      {
        status: 200,
        body: snapshot(
          'SUCCEEDED',
          'DONE',
          [
            { name: 'Create Cluster Stack', resource: 'stack eksp-payments-dev-cluster', phase: 'CLUSTER', status: 'SUCCEEDED', startedAt: '2026-12-04T10:09:00Z' },
            { name: 'Create Nodegroup', resource: 'nodegroup general', phase: 'NODEGROUPS', status: 'SUCCEEDED', startedAt: '2026-12-04T10:15:00Z' },
          ],
          { outputs: { endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com' } },
        ),
      },
    ]);

    const step = await runStep(api.wait, { operationId: 'op-1' });

    expect(api.sent.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /prod/operations/op-1', 'GET /prod/operations/op-1']);
    expect(step.logs.map((l) => `${l.level} ${l.message}`)).toEqual([
      'info create cluster "payments-dev": operation op-1',
      'info phase CLUSTER',
      'info creating cluster stack "eksp-payments-dev-cluster"',
      'info created cluster stack "eksp-payments-dev-cluster"',
      'info creating nodegroup "general"',
      'info created nodegroup "general"',
      'info create cluster "payments-dev" SUCCEEDED',
      'info endpoint: https://ABC.gr7.eu-west-1.eks.amazonaws.com',
    ]);
    expect(step.outputs).toEqual({ status: 'SUCCEEDED', phase: 'DONE', cluster: 'payments-dev', outputs: { endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com' } });
  });

  it('fails with the root cause when the operation did not succeed, after outputting how it ended', async () => {
    const failed = snapshot('ROLLED_BACK', 'NODEGROUPS', [{ name: 'Create Nodegroup', resource: 'nodegroup general', phase: 'NODEGROUPS', status: 'FAILED', startedAt: '2026-12-04T10:15:00Z' }], {
      error: { code: 'NodegroupCreateFailed', message: 'AsgInstanceLaunchFailures: no capacity', resource: 'nodegroup general' },
    });
    const api = recordedApi([{ status: 200, body: failed }]);

    const failure = runStep(api.wait, { operationId: 'op-1' });

    await expect(failure).rejects.toThrow(OperationFailedError);
    await expect(failure).rejects.toThrow('create cluster "payments-dev" ROLLED_BACK in phase NODEGROUPS: NodegroupCreateFailed: AsgInstanceLaunchFailures: no capacity (resource: nodegroup general)');
    await expect(failure).rejects.toMatchObject({ step: { outputs: { status: 'ROLLED_BACK', phase: 'NODEGROUPS' } } });
  });

  it('stops following, and says the operation goes on, when the task is cancelled', async () => {
    const api = recordedApi(Array.from({ length: 1000 }, () => ({ status: 200, body: snapshot('IN_PROGRESS', 'CLUSTER') })));
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);

    const following = runStep(api.wait, { operationId: 'op-1' }, { signal: cancel.signal });

    await expect(following).rejects.toThrow(StoppedFollowingError);
    await expect(following).rejects.toThrow('stopped following operation op-1 because the task was cancelled; it goes on in eks-provisioner (phase CLUSTER)');
  });

  it('is skipped in a dry run, as the create it would follow started nothing', async () => {
    const api = recordedApi([]);

    const step = await runStep(api.wait, { operationId: 'op-1' }, { isDryRun: true });

    expect({ ran: step.ran, sent: api.sent }).toEqual({ ran: false, sent: [] });
  });
});

describe('eks-provisioner:cluster:delete', () => {
  it('deletes the named cluster, turning deletion protection off when asked, and outputs the operation', async () => {
    const api = recordedApi([{ status: 202, body: { operationId: 'op-9', cluster: 'payments-dev', status: 'ACCEPTED', links: { operation: '/operations/op-9' } } }]);

    const step = await runStep(api.remove, { name: 'payments-dev', disableDeletionProtection: true }, { taskId: 'task-43', stepId: 'delete' });

    expect(api.sent.map((s) => `${s.method} ${s.path} ${s.headers['idempotency-key']}`)).toEqual(['DELETE /prod/clusters/payments-dev?disableDeletionProtection=true backstage:task-43:delete']);
    expect(step.outputs).toMatchObject({ operationId: 'op-9', operationUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/operations/op-9' });
  });
});

describe('the backend module', () => {
  it('adds the three actions to the scaffolder, reaching the endpoint app-config names', async () => {
    const [registration] = (eksProvisionerModule as unknown as { getRegistrations(): Array<{ pluginId: string; moduleId: string; init: { deps: Record<string, unknown> } }> }).getRegistrations();

    const added = [...(await actionsOfModule(eksProvisionerModule, { eksProvisioner: { endpoint: 'http://127.0.0.1:1' } })).values()];

    expect(registration).toMatchObject({ pluginId: 'scaffolder', moduleId: 'eks-provisioner' });
    expect(registration!.init.deps.scaffolder).toBe(scaffolderActionsExtensionPoint);
    expect(added.map((a) => [a.id, Boolean(a.supportsDryRun)])).toEqual([
      ['eks-provisioner:cluster:create', true],
      ['eks-provisioner:cluster:wait', false],
      ['eks-provisioner:cluster:delete', false],
    ]);
    // Nothing listens on port 1: the configured endpoint is the one the actions reach.
    await expect(runStep(added[2]!, { name: 'payments-dev' })).rejects.toThrow('cannot reach the eks-provisioner API at http://127.0.0.1:1');
  });
});

describe('the example template (packages/…/examples/template.yaml)', () => {
  const templates = parseAllDocuments(readFileSync(join(__dirname, '../../../packages/scaffolder-backend-module-eks-provisioner/examples/template.yaml'), 'utf8')).map(
    (doc) => doc.toJS() as { metadata: { name: string }; spec: { steps: Array<{ id: string; action: string; input: Record<string, unknown> }> } },
  );
  const { create, wait, remove } = recordedApi([]);
  const byId = new Map([create, wait, remove].map((a) => [a.id, a]));
  const schemaOf = (action: RegisteredAction, side: 'input' | 'output') => action.schema?.[side] as { properties: Record<string, unknown>; required?: string[] };

  it.each(templates.map((t) => [t.metadata.name, t] as const))('%s uses only the actions’ inputs, gives the required ones, and reads only outputs they declare', (_name, template) => {
    const text = JSON.stringify(template);
    for (const step of template.spec.steps) {
      const action = byId.get(step.action);
      expect(action).toBeDefined();
      const input = schemaOf(action!, 'input');
      expect(Object.keys(step.input).filter((key) => !(key in input.properties))).toEqual([]);
      expect((input.required ?? []).filter((key) => !(key in step.input))).toEqual([]);
    }
    for (const [, stepId, output] of text.matchAll(/steps\.(\w+)\.output\.(\w+)/g)) {
      const action = byId.get(template.spec.steps.find((s) => s.id === stepId)!.action)!;
      expect(Object.keys(schemaOf(action, 'output').properties)).toContain(output);
    }
  });
});
