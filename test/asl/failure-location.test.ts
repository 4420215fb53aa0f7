/**
 * Errors say where: a failure injected into each Task state in turn (a Lambda service error on
 * every attempt, so the Retry gives up and the Catch takes over) is reported with the phase of
 * the state that failed — never "Diagnose" — and names the state and the resource it was working
 * on, inside Parallel branches and Map iterations too. Runs the real workflows over the fake AWS.
 */
import type { Operation, OperationStatusEvent, Phase } from '../../functions/generated/types';
import type { ChangeRequest } from '../../functions/domain/spec-change';
import { normaliseSpec, type Spec } from '../../functions/domain/spec';
import { apiChange } from '../support/change-request';
import { expectWellFormedEvents } from '../support/status-events';
import { FakeAws } from '../support/fake-aws';
import { crashOnceAfter, failEveryTime, operationFor, referenceSpec, runProvision, runWorkflow, type TaskHandler } from '../support/provision-run';

const CLUSTER = 'reference';
const STACK = `stack eksp-${CLUSTER}-cluster`;
const THE_CLUSTER = `cluster ${CLUSTER}`;

const itemNamed = (name: string) => (input: unknown) => (input as { item?: { name?: string } }).item?.name === name;

/** The terminal event of the run: failed where it was told to, and says so. */
function expectFailureAt(aws: FakeAws, operationId: string, state: string, phase: Phase, resource: string): OperationStatusEvent {
  const terminal = expectWellFormedEvents(aws, operationId);
  expect(terminal).toMatchObject({ phase, error: { code: 'Lambda.ServiceException', resource } });
  expect(terminal.error!.message).toBe(`${resource}: ${state}: Lambda.ServiceException: Lambda is unable to run the function (Service: Lambda, Status Code: 500)`);
  return terminal;
}

describe('provision-cluster: a failure in each Task state', () => {
  // The last column names the Map item to fail (the others go on), or is empty outside a Map.
  it.each<[string, Phase, string, string]>([
    ['Plan', 'Plan', THE_CLUSTER, ''],
    ['Create Cluster Stack', 'ClusterStack', STACK, ''],
    ['Check Cluster Stack', 'ClusterStack', STACK, ''],
    ['Create Nodegroup', 'ComputeAndAccess', 'nodegroup ng-spot', 'ng-spot'],
    ['Check Nodegroup', 'ComputeAndAccess', 'nodegroup ng-spot', 'ng-spot'],
    ['Create Fargate Profile', 'ComputeAndAccess', 'Fargate profile fp-default', 'fp-default'],
    ['Check Fargate Profile', 'ComputeAndAccess', 'Fargate profile fp-default', 'fp-default'],
    ['Create Add-on', 'ComputeAndAccess', 'add-on coredns', 'coredns'],
    ['Check Add-on', 'ComputeAndAccess', 'add-on coredns', 'coredns'],
    ['Map Identities', 'ComputeAndAccess', THE_CLUSTER, ''],
    ['Collect Outputs', 'Finalize', THE_CLUSTER, ''],
  ])('%s: the phase is %s and the error names the state and %s', async (state, phase, resource, item) => {
    const aws = new FakeAws();

    const run = await runProvision(aws, referenceSpec(), operationFor(CLUSTER), { wrapHandler: failEveryTime(state, item ? itemNamed(item) : undefined) });

    expect(run).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException' });
    expect(run.cause).toContain(`${resource}: ${state}:`);
    const terminal = expectFailureAt(aws, 'op-0001', state, phase, resource);
    expect(terminal.phase).not.toBe('Diagnose');
    // Rolled back all the same: the failure's location does not change what is cleaned up.
    expect(aws.stacks.size + aws.nodegroups.size + aws.profiles.size).toBe(0);
    expect(aws.operations.get('op-0001')).toMatchObject({ phase, error: { resource } });
  });
});

describe('a failure of our own inside a branch, reported as Lambda reports it (a JSON Cause)', () => {
  it('keeps the error’s own message and resource, and the phase of the state that failed', async () => {
    const aws = new FakeAws({ nodegroupFailure: { nodegroup: 'ng-spot', code: 'AsgInstanceLaunchFailures', message: 'Could not launch "Spot" Instances' } });
    // Lambda's errorType/errorMessage/trace JSON, as local mode and AWS hand it to the Catch.
    const asLambda = (_state: string, handler: TaskHandler): TaskHandler => async (input) => {
      try {
        return await handler(input);
      } catch (error) {
        const e = error as Error;
        throw Object.assign(new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') })), { name: e.name });
      }
    };

    const run = await runProvision(aws, referenceSpec(), operationFor(CLUSTER), { wrapHandler: asLambda });

    expect(run).toMatchObject({ status: 'FAILED', error: 'NodegroupFailedError' });
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'ROLLED_BACK', phase: 'ComputeAndAccess', error: { code: 'NodegroupFailedError', resource: 'nodegroup ng-spot' } });
    expect(terminal.error!.message).toMatch(/^nodegroup ng-spot: CREATE_FAILED: AsgInstanceLaunchFailures: Could not launch "?Spot"? Instances/);
  });
});

describe('update-cluster: a failure in each Task state', () => {
  const guardrails = () => new FakeAws().deps().settings.guardrails();
  const UPDATE: Operation = { ...operationFor(CLUSTER, 'op-update-1'), type: 'UPDATE' };

  it.each<[string, Phase, string, ChangeRequest]>([
    ['Change Nodegroup', 'Update', 'nodegroup ng-spot', { action: 'UPDATE_NODEGROUP', target: 'ng-spot', body: { desiredSize: 2 } }],
    ['Change Fargate Profile', 'Update', 'Fargate profile fp-default', { action: 'REMOVE_FARGATE_PROFILE', target: 'fp-default' }],
    ['Change Access', 'Update', 'access entry arn:aws:iam::111122223333:user/viewer', { action: 'REMOVE_ACCESS_ENTRY', target: 'arn:aws:iam::111122223333:user/viewer' }],
    ['Change Endpoint Access', 'Update', THE_CLUSTER, { action: 'SET_ENDPOINT_ACCESS', body: { public: true, private: false } }],
    ['Change Addon', 'Update', 'add-on coredns', { action: 'UPDATE_ADDON', target: 'coredns', body: { configurationValues: '{}' } }],
  ])('%s: the phase is %s and the error names the state and %s', async (state, phase, resource, request) => {
    const aws = new FakeAws();
    expect((await runProvision(aws, referenceSpec())).status).toBe('SUCCEEDED');
    const current: Spec = normaliseSpec(referenceSpec(), guardrails());
    const { change, spec: desired } = apiChange(current, request);
    const operation = { ...UPDATE, action: change.action };
    aws.seedOperation(operation, { status: 'UPDATING', spec: current });

    const run = await runWorkflow(aws, 'update-cluster', { operation, change, spec: desired }, { wrapHandler: failEveryTime(state) });

    expect(run).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException' });
    expectFailureAt(aws, UPDATE.id, state, phase, resource);
  });
});

describe('delete-cluster: a failure in each Task state', () => {
  const DELETE: Operation = { ...operationFor(CLUSTER, 'op-delete-1'), type: 'DELETE' };

  it.each<[string, Phase, string]>([
    ['Delete Compute', 'Teardown', THE_CLUSTER],
    ['Check Compute Deletion', 'Teardown', THE_CLUSTER],
    ['Delete Cluster Stack', 'Teardown', STACK],
    ['Check Cluster Stack Deletion', 'Teardown', STACK],
  ])('%s: the phase is %s and the error names the state and %s', async (state, phase, resource) => {
    const aws = new FakeAws();
    expect((await runProvision(aws, referenceSpec())).status).toBe('SUCCEEDED');
    aws.seedOperation(DELETE);

    const run = await runWorkflow(aws, 'delete-cluster', { operation: DELETE, spec: normaliseSpec(referenceSpec(), aws.deps().settings.guardrails()) }, { wrapHandler: failEveryTime(state) });

    expect(run).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException' });
    expectFailureAt(aws, DELETE.id, state, phase, resource);
  });
});

describe('a rollback whose step crashed after deleting the last thing', () => {
  it('reports ROLLED_BACK without "rollback did not finish", since nothing is left behind', async () => {
    const aws = new FakeAws({ nodegroupFailure: { nodegroup: 'ng-spot', code: 'AsgInstanceLaunchFailures', message: 'Could not launch Spot Instances' } });
    // Every attempt that finds everything gone loses its answer, until the Retry gives up.
    const crashWhenDone = (name: string, handler: TaskHandler): TaskHandler => {
      if (name !== 'Roll Back') return handler;
      return async (input) => {
        const output = await handler(input);
        throw Object.assign(new Error(`Lambda was unable to return the function result: ${JSON.stringify(output)}`), { name: 'Lambda.ServiceException' });
      };
    };

    const run = await runProvision(aws, referenceSpec(), operationFor(CLUSTER), { wrapHandler: crashWhenDone });

    expect(run.retried.filter((state) => state === 'Roll Back').length).toBeGreaterThanOrEqual(5);
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'ROLLED_BACK', phase: 'ComputeAndAccess', error: { code: 'NodegroupFailedError', resource: 'nodegroup ng-spot' } });
    expect(terminal.error!.message).not.toContain('rollback did not finish');
    expect(aws.stacks.size + aws.clusters.size + aws.nodegroups.size + aws.profiles.size).toBe(0);
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('ROLLED_BACK');
  });

  it('still says "rollback did not finish" when something is left behind', async () => {
    const aws = new FakeAws({
      nodegroupFailure: { nodegroup: 'ng-spot', code: 'AsgInstanceLaunchFailures', message: 'Could not launch Spot Instances' },
      stackDeleteFailure: { logicalId: 'VPC', type: 'AWS::EC2::VPC', reason: 'The vpc has dependencies and cannot be deleted' },
    });

    const run = await runProvision(aws, referenceSpec(), operationFor(CLUSTER), { wrapHandler: crashOnceAfter('Roll Back') });

    expect(run.status).toBe('FAILED');
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'FAILED', phase: 'ComputeAndAccess' });
    expect(terminal.error!.message).toContain('rollback did not finish');
    expect(terminal.error!.message).toContain('The vpc has dependencies and cannot be deleted');
  });
});
