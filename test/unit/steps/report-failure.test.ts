import type { Diagnosis } from '../../../functions/generated/types';
import { reportFailure } from '../../../functions/steps/report-failure';
import { reportRolledBack } from '../../../functions/step-support/rollback-outcome';
import { CLUSTER, failureState, fakeAws, lambdaCause, operation, specOf } from './step-inputs';

const FAILURE = { Error: 'NodegroupFailedError', Cause: lambdaCause('NodegroupFailedError', 'nodegroup ng-spot: CREATE_FAILED: AsgInstanceLaunchFailures: Could not launch Spot Instances') };
const DIAGNOSIS: Diagnosis = {
  code: 'NodegroupFailedError',
  message: 'nodegroup ng-spot: CREATE_FAILED: AsgInstanceLaunchFailures: Could not launch Spot Instances',
  resource: 'nodegroup ng-spot',
  phase: 'ComputeAndAccess',
  resourcesCreated: true,
};
const ROLLED_BACK = { ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE' };

const terminalEvents = (aws: ReturnType<typeof fakeAws>) => aws.events.filter((e) => ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'].includes(e.status));

describe('Report Failure', () => {
  it('reports ROLLED_BACK with the root cause and frees the name when the rollback finished', async () => {
    const aws = fakeAws();

    const result = await reportFailure(failureState(specOf({ onFailure: 'rollback' }), FAILURE, { diagnosis: DIAGNOSIS, rollback: ROLLED_BACK }), aws.deps());

    expect(result).toEqual({ error: 'NodegroupFailedError', cause: DIAGNOSIS.message });
    expect(terminalEvents(aws)).toEqual([expect.objectContaining({ status: 'ROLLED_BACK', phase: 'ComputeAndAccess', error: { code: 'NodegroupFailedError', message: DIAGNOSIS.message, resource: 'nodegroup ng-spot' } })]);
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ROLLED_BACK', owner: operation.requestedBy });
    expect(aws.clusterRecords.get(CLUSTER)?.lockedBy).toBeUndefined();
    expect(aws.operations.get(operation.id)).toMatchObject({ status: 'ROLLED_BACK', terminalEventSent: true });
  });

  it('reports FAILED and keeps the name taken when the spec says retain', async () => {
    const aws = fakeAws();

    await reportFailure(failureState(specOf({ onFailure: 'retain' }), FAILURE, { diagnosis: DIAGNOSIS }), aws.deps());

    expect(terminalEvents(aws)).toEqual([expect.objectContaining({ status: 'FAILED' })]);
    expect(aws.clusterRecords.get(CLUSTER)!.status).toBe('FAILED');
  });

  it('schedules the expiry of a retained cluster with a ttl, and of nothing rolled back', async () => {
    const retained = fakeAws();
    const rolledBack = fakeAws();

    await reportFailure(failureState(specOf({ onFailure: 'retain', ttl: '2h' }), FAILURE, { diagnosis: DIAGNOSIS }), retained.deps());
    await reportFailure(failureState(specOf({ ttl: '2h' }), FAILURE, { diagnosis: DIAGNOSIS, rollback: ROLLED_BACK }), rolledBack.deps());

    expect(retained.expirySchedules.get(CLUSTER)).toEqual(new Date(new Date(operation.requestedAt).getTime() + 2 * 3600_000));
    expect(rolledBack.expirySchedules.size).toBe(0);
  });

  it('reports FAILED, adding why, when the rollback itself did not finish', async () => {
    const aws = fakeAws();
    const rollbackFailure = { Error: 'RollbackFailedError', Cause: lambdaCause('RollbackFailedError', 'stack eksp-demo-cluster: DELETE_FAILED: VPC has dependencies') };

    const result = await reportFailure(failureState(specOf({ onFailure: 'rollback' }), FAILURE, { diagnosis: DIAGNOSIS, rollbackFailure }), aws.deps());

    expect(result.cause).toBe(`${DIAGNOSIS.message} — rollback did not finish: stack eksp-demo-cluster: DELETE_FAILED: VPC has dependencies`);
    expect(terminalEvents(aws)).toEqual([expect.objectContaining({ status: 'FAILED', error: expect.objectContaining({ message: result.cause }) })]);
    expect(aws.clusterRecords.get(CLUSTER)!.status).toBe('FAILED');
  });

  it('reports ROLLED_BACK, without "did not finish", when Roll Back last saw nothing left though its last attempt crashed', async () => {
    const aws = fakeAws();
    aws.seedOperation(operation);
    await reportRolledBack(operation, 'stack eksp-demo-cluster', aws.deps());
    const rollbackFailure = { Error: 'Lambda.ServiceException', Cause: 'Lambda was unable to return the function result' };

    const result = await reportFailure(failureState(specOf({ onFailure: 'rollback' }), FAILURE, { diagnosis: DIAGNOSIS, rollbackFailure }), aws.deps());

    expect(result.cause).toBe(DIAGNOSIS.message);
    expect(terminalEvents(aws)).toEqual([expect.objectContaining({ status: 'ROLLED_BACK', error: expect.objectContaining({ message: DIAGNOSIS.message }) })]);
    expect(aws.clusterRecords.get(CLUSTER)!.status).toBe('ROLLED_BACK');
  });

  it('reports FAILED but frees the name when nothing was ever created', async () => {
    const aws = fakeAws();
    const diagnosis: Diagnosis = { code: 'InvalidSpecError', message: '/network/subnets: subnet-0bad does not exist', phase: 'Plan', resourcesCreated: false };

    await reportFailure(failureState(specOf(), { Error: 'InvalidSpecError', Cause: lambdaCause('InvalidSpecError', diagnosis.message) }, { diagnosis }), aws.deps());

    expect(terminalEvents(aws)).toEqual([expect.objectContaining({ status: 'FAILED', phase: 'Plan' })]);
    expect(aws.clusterRecords.get(CLUSTER)!.status).toBe('ROLLED_BACK');
  });

  it('falls back to the raw failure when Diagnose produced nothing, rather than lose the terminal event', async () => {
    const aws = fakeAws();

    const result = await reportFailure(failureState(specOf({ onFailure: 'rollback' }), FAILURE), aws.deps());

    expect(result).toEqual({ error: 'NodegroupFailedError', cause: DIAGNOSIS.message });
    expect(terminalEvents(aws)).toEqual([expect.objectContaining({ status: 'FAILED', phase: 'ComputeAndAccess', error: expect.objectContaining({ resource: 'nodegroup ng-spot' }) })]);
  });

  it('sends exactly one terminal event when run twice', async () => {
    const aws = fakeAws();
    const input = failureState(specOf({ onFailure: 'rollback' }), FAILURE, { diagnosis: DIAGNOSIS, rollback: ROLLED_BACK });

    await reportFailure(input, aws.deps());
    const second = await reportFailure(input, aws.deps());

    expect(terminalEvents(aws)).toHaveLength(1);
    expect(second).toEqual({ error: 'NodegroupFailedError', cause: DIAGNOSIS.message });
  });
});
