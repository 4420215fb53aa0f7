import type { Operation, OperationFailureState } from '../../../functions/generated/types';
import { reportOperationFailure } from '../../../functions/steps/report-operation-failure';
import { apiChange } from '../../support/change-request';
import { CLUSTER, fakeAws, lambdaCause, operation, specOf } from './step-inputs';

const DELETE: Operation = { ...operation, id: 'op-delete', type: 'DELETE' };
const UPDATE: Operation = { ...operation, id: 'op-update', type: 'UPDATE', action: 'ADD_NODEGROUP' };
const STACK_MESSAGE = 'stack eksp-demo-cluster: DELETE_FAILED: VPC (AWS::EC2::VPC) DELETE_FAILED: The vpc has dependencies and cannot be deleted';
const DELETE_FAILED = { Error: 'DeleteFailedError', Cause: lambdaCause('DeleteFailedError', STACK_MESSAGE) };

function aws(op: Operation) {
  const fake = fakeAws();
  fake.seedOperation(op);
  return fake;
}

const failed = (op: Operation, failure = DELETE_FAILED, extra: Partial<OperationFailureState> = {}): OperationFailureState => ({ operation: op, failure, ...extra });

describe('Report Operation Failure', () => {
  it('reports a failed DELETE with one FAILED event naming the resource, and leaves the cluster FAILED so DELETE may be asked for again', async () => {
    const fake = aws(DELETE);

    const result = await reportOperationFailure(failed(DELETE), fake.deps());

    expect(result).toEqual({ error: 'DeleteFailedError', cause: STACK_MESSAGE });
    expect(fake.events).toEqual([
      expect.objectContaining({ status: 'FAILED', phase: 'Teardown', operation: 'DELETE', error: { code: 'DeleteFailedError', message: STACK_MESSAGE, resource: 'stack eksp-demo-cluster' } }),
    ]);
    expect(fake.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'FAILED' });
    expect(fake.clusterRecords.get(CLUSTER)!.lockedBy).toBeUndefined();
    expect(fake.operations.get(DELETE.id)).toMatchObject({ status: 'FAILED', terminalEventSent: true, error: { code: 'DeleteFailedError' } });
  });

  it('leaves the cluster ACTIVE when the DELETE failed turning deletion protection off, before deleting anything', async () => {
    const fake = aws(DELETE);
    const failure = { Error: 'SettingsUpdateFailedError', Cause: lambdaCause('SettingsUpdateFailedError', 'cluster demo: turning deletion protection off: update Failed: AccessDenied'), Where: { State: 'Disable Deletion Protection' } };

    await reportOperationFailure(failed(DELETE, failure), fake.deps());

    expect(fake.events).toEqual([expect.objectContaining({ status: 'FAILED', operation: 'DELETE' })]);
    expect(fake.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE' });
    expect(fake.clusterRecords.get(CLUSTER)!.lockedBy).toBeUndefined();
  });

  it('reports a failed UPDATE and leaves the cluster ACTIVE: the change failed, the cluster still works', async () => {
    const fake = aws(UPDATE);
    const failure = { Error: 'NodegroupFailedError', Cause: lambdaCause('NodegroupFailedError', 'nodegroup ng-new: CREATE_FAILED: AsgInstanceLaunchFailures: no capacity') };

    const { change, spec } = apiChange(specOf(), { action: 'ADD_NODEGROUP', body: { name: 'ng-new' } });

    const result = await reportOperationFailure(failed(UPDATE, failure, { change, spec }), fake.deps());

    expect(result).toEqual({ error: 'NodegroupFailedError', cause: 'nodegroup ng-new: CREATE_FAILED: AsgInstanceLaunchFailures: no capacity' });
    expect(fake.events).toEqual([expect.objectContaining({ status: 'FAILED', phase: 'Update', action: 'ADD_NODEGROUP', error: expect.objectContaining({ resource: 'nodegroup ng-new' }) })]);
    expect(fake.clusterRecords.get(CLUSTER)!.status).toBe('ACTIVE');
  });

  it('reports a Step Functions error (no JSON cause, no resource) as it came', async () => {
    const fake = aws(DELETE);

    const result = await reportOperationFailure(failed(DELETE, { Error: 'States.Timeout', Cause: 'Task timed out' }), fake.deps());

    expect(result).toEqual({ error: 'States.Timeout', cause: 'Task timed out' });
    expect(fake.events[0]!.error).toEqual({ code: 'States.Timeout', message: 'Task timed out' });
  });

  it('sends exactly one terminal event when run twice', async () => {
    const fake = aws(DELETE);

    await reportOperationFailure(failed(DELETE), fake.deps());
    const second = await reportOperationFailure(failed(DELETE), fake.deps());

    expect(fake.events).toHaveLength(1);
    expect(second).toEqual({ error: 'DeleteFailedError', cause: STACK_MESSAGE });
  });
});
