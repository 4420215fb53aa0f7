import type { OperationFailureState } from '../../../functions/generated/types';
import { reportOperationFailure } from '../../../functions/steps/report-operation-failure';
import { SETTLE_LIMIT_SECONDS, settleUpgrade } from '../../../functions/steps/settle-upgrade';
import { CLUSTER } from './step-inputs';
import { runningAws, specAt, UPGRADE_OPERATION } from './upgrade-fixtures';

const FAILURE = { Error: 'VersionUpdateFailedError', Cause: JSON.stringify({ errorMessage: `cluster ${CLUSTER}: the update to Kubernetes 1.33 failed` }), Where: { State: 'Upgrade Control Plane' } };

function failed(extra: Partial<OperationFailureState> = {}): OperationFailureState {
  return { operation: UPGRADE_OPERATION, failure: FAILURE, spec: specAt('1.31'), ...extra };
}

describe('Settle Upgrade', () => {
  it('is settled at once when EKS updates nothing of the cluster, and names the version the control plane reached', async () => {
    const aws = runningAws({ version: '1.32', nodegroups: [{ name: 'ng-1', version: '1.31' }], addons: [{ name: 'coredns' }] });

    const lookedAt = aws.clock().toISOString();

    const settle = await settleUpgrade(failed(), aws.deps());

    expect(settle).toEqual({ ready: true, waitSeconds: 0, startedAt: lookedAt, version: '1.32' });
  });

  it('waits while the control plane, a nodegroup or an add-on is still updating, naming what', async () => {
    const aws = runningAws({ version: '1.32', nodegroups: [{ name: 'ng-1' }], addons: [{ name: 'coredns' }] });
    aws.clusters.get(CLUSTER)!.status = 'UPDATING';
    // Still rolling at the next few looks.
    Object.assign(aws.nodegroups.get(`${CLUSTER}/ng-1`)!, { status: 'UPDATING', describesLeft: 5 });
    Object.assign(aws.addons.get(`${CLUSTER}/coredns`)!, { status: 'UPDATING', describesLeft: 5 });

    const settle = await settleUpgrade(failed(), aws.deps());

    expect(settle).toMatchObject({ ready: false, waitSeconds: 60, updating: [`cluster ${CLUSTER}`, 'nodegroup ng-1', 'add-on coredns'] });
  });

  it('stops waiting past its limit and says what still runs', async () => {
    const aws = runningAws({ version: '1.32' });
    aws.clusters.get(CLUSTER)!.status = 'UPDATING';
    const startedAt = new Date(aws.clock().getTime() - SETTLE_LIMIT_SECONDS * 1000).toISOString();

    const settle = await settleUpgrade(failed({ settle: { ready: false, waitSeconds: 60, startedAt } }), aws.deps());

    expect(settle).toEqual({ ready: true, waitSeconds: 0, startedAt, updating: [`cluster ${CLUSTER}`], version: '1.32' });
  });
});

describe('Report Operation Failure after an upgrade settled', () => {
  it('records the version the control plane reached, so the registry stays the truth', async () => {
    const aws = runningAws({ version: '1.31' });

    await reportOperationFailure(failed({ settle: { ready: true, waitSeconds: 0, startedAt: aws.clock().toISOString(), version: '1.32' } }), aws.deps());

    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE', spec: { version: '1.32' } });
  });

  it('says what EKS was still updating when it had to report anyway', async () => {
    const aws = runningAws({ version: '1.31' });

    const { cause } = await reportOperationFailure(failed({ settle: { ready: true, waitSeconds: 0, startedAt: aws.clock().toISOString(), updating: ['nodegroup ng-1'] } }), aws.deps());

    expect(cause).toContain('(EKS was still updating nodegroup ng-1 when this was reported)');
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ spec: { version: '1.31' } });
  });
});
