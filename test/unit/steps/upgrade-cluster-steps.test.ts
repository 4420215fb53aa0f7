import { idempotencyToken } from '../../../functions/domain/naming';
import type { Poll, UpgradeInput } from '../../../functions/generated/types';

type PreflightState = NonNullable<UpgradeInput['preflight']>;
import { finalizeUpgrade, specAfter } from '../../../functions/steps/finalize-upgrade';
import { upgradeAddon } from '../../../functions/steps/upgrade-addon';
import { upgradeControlPlane } from '../../../functions/steps/upgrade-control-plane';
import { upgradeNodegroup } from '../../../functions/steps/upgrade-nodegroup';
import { upgradePreflight } from '../../../functions/steps/upgrade-preflight';
import { CLUSTER, rejectionOf } from './step-inputs';
import { stepEvents } from './update-inputs';
import { addonVersionFor, insight, runningAws, specAt, untilReady, UPGRADE_OPERATION, upgradeInput, upgradeItem } from './upgrade-fixtures';

const TO_133 = { version: '1.33', force: false };
const POLLING = ['InsightsRefreshNotDoneError', 'VersionUpdateNotReadyError', 'NodegroupNotReadyError', 'AddonNotReadyError'];

/** Preflight run to its end: the state the next steps get. */
async function preflightDone(aws: ReturnType<typeof runningAws>, input: UpgradeInput): Promise<UpgradeInput> {
  const { result } = await untilReady<PreflightState>((preflight) => upgradePreflight({ ...input, ...(preflight ? { preflight } : {}) }, aws.deps()), POLLING);
  return { ...input, preflight: result };
}

describe('Preflight', () => {
  it('asks EKS to refresh its upgrade insights first, and reports the step', async () => {
    const aws = runningAws({ version: '1.32' });

    const poll = await upgradePreflight(upgradeInput(specAt('1.32'), TO_133), aws.deps());

    expect(poll).toMatchObject({ ready: false, waitSeconds: 30, status: 'IN_PROGRESS' });
    expect(aws.callLog()).toContain(`eks:StartInsightsRefresh ${CLUSTER}`);
    expect(stepEvents(aws)).toEqual([`Preflight cluster ${CLUSTER} STARTED`]);
  });

  it('plans once the refresh is done: passes, add-ons to their versions for the target, nodegroups, versions before', async () => {
    const aws = runningAws({ version: '1.31', nodegroups: [{ name: 'ng-1' }], addons: [{ name: 'coredns' }] });
    aws.insights.push(insight('PASSING', '1.32'), insight('PASSING', '1.33'));

    const state = await preflightDone(aws, upgradeInput(specAt('1.31'), TO_133));

    expect(state.preflight).toMatchObject({
      ready: true,
      plan: { from: '1.31', to: '1.33', passes: ['1.32', '1.33'], canProceed: true, addons: [{ name: 'coredns', from: addonVersionFor('1.31'), to: addonVersionFor('1.33') }], nodegroups: [{ name: 'ng-1', from: '1.31', to: '1.33' }] },
      before: { version: '1.31', addons: { coredns: addonVersionFor('1.31') }, nodegroups: { 'ng-1': '1.31' } },
    });
    expect(aws.callLog((c) => c.operation === 'ListInsights')).toEqual([`eks:ListInsights ${CLUSTER} 1.32,1.33`]);
    expect(stepEvents(aws)).toEqual([`Preflight cluster ${CLUSTER} STARTED`, `Preflight cluster ${CLUSTER} SUCCEEDED`]);
  });

  it('refuses on an insight ERROR, naming it with EKS’s recommendation, before any change', async () => {
    const aws = runningAws({ version: '1.32' });
    aws.insights.push(insight('ERROR', '1.33', { id: 'abc-123', recommendation: 'Update manifests and clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v1.33.' }));

    const error = await rejectionOf(preflightDone(aws, upgradeInput(specAt('1.32'), TO_133)));

    expect(error.name).toBe('UpgradeRefusedError');
    expect(error.message).toContain(`cluster ${CLUSTER}: the upgrade from 1.32 to 1.33 is refused before any change: insight Deprecated APIs removed in Kubernetes v1.33: `);
    expect(error.message).toContain('Deprecated API usage detected within the last 30 days. (Kubernetes 1.33) — recommendation: Update manifests and clients to use newer Kubernetes APIs');
    expect(aws.callLog((c) => c.operation === 'DescribeInsight')).toEqual(['eks:DescribeInsight abc-123']);
    expect(aws.callLog((c) => c.service === 'eks' && c.operation.startsWith('Update'))).toEqual([]);
  });

  it('goes ahead past an insight ERROR when forced, keeping it in the plan', async () => {
    const aws = runningAws({ version: '1.32' });
    aws.insights.push(insight('ERROR', '1.33'));

    const state = await preflightDone(aws, upgradeInput(specAt('1.32'), { version: '1.33', force: true }));

    expect(state.preflight?.plan).toMatchObject({ canProceed: true, force: true, problems: [expect.objectContaining({ code: 'UpgradeInsightError', forceOverrides: true })] });
  });

  it('never forces past what EKS would refuse: a nodegroup too far behind', async () => {
    const aws = runningAws({ version: '1.31', nodegroups: [{ name: 'old', version: '1.29' }] });

    const error = await rejectionOf(preflightDone(aws, upgradeInput(specAt('1.31'), { version: '1.33', force: true })));

    expect(error.name).toBe('UpgradeRefusedError');
    expect(error.message).toContain('nodegroup old: nodegroup old runs Kubernetes 1.29');
  });

  it('waits out an update of the cluster someone else started before reading it', async () => {
    const aws = runningAws({ version: '1.32' });
    const first = await upgradePreflight(upgradeInput(specAt('1.32'), TO_133), aws.deps());
    aws.insightsRefresh!.describesLeft = 0;
    aws.startUpdateElsewhere(CLUSTER, { endpointPrivateAccess: true }, 5);

    const error = await rejectionOf(upgradePreflight(upgradeInput(specAt('1.32'), TO_133, { preflight: first }), aws.deps()));

    expect(error.name).toBe('UpdateInProgressError');
  });
});

describe('Upgrade Control Plane', () => {
  async function planned(version: string, running = runningAws({ version })) {
    return { aws: running, state: await preflightDone(running, upgradeInput(specAt(version), TO_133)) };
  }

  it('moves one minor at a time, each pass its own step, each call with its own token', async () => {
    const { aws, state } = await planned('1.31');
    aws.events.length = 0;

    const { result } = await untilReady<Poll>((controlPlane) => upgradeControlPlane({ ...state, ...(controlPlane ? { controlPlane } : {}) }, aws.deps()), POLLING);

    expect(result).toEqual({ ready: true, waitSeconds: 0 });
    expect(aws.clusters.get(CLUSTER)!.version).toBe('1.33');
    expect(aws.calls.filter((c) => c.operation === 'UpdateClusterVersion')).toEqual([
      { service: 'eks', operation: 'UpdateClusterVersion', target: `${CLUSTER} 1.32`, token: idempotencyToken(UPGRADE_OPERATION.id, 'upgrade-control-plane', '1.32') },
      { service: 'eks', operation: 'UpdateClusterVersion', target: `${CLUSTER} 1.33`, token: idempotencyToken(UPGRADE_OPERATION.id, 'upgrade-control-plane', '1.33') },
    ]);
    expect(stepEvents(aws)).toEqual([
      `Control Plane 1.32 cluster ${CLUSTER} STARTED`,
      `Control Plane 1.32 cluster ${CLUSTER} SUCCEEDED`,
      `Control Plane 1.33 cluster ${CLUSTER} STARTED`,
      `Control Plane 1.33 cluster ${CLUSTER} SUCCEEDED`,
    ]);
    expect(aws.events.every((e) => e.phase === 'ControlPlane')).toBe(true);
  });

  it('first looks at a pass at its earliest finish (8 min)', async () => {
    const { aws, state } = await planned('1.32');

    const poll = await upgradeControlPlane(state, aws.deps());

    expect(poll).toMatchObject({ ready: false, waitSeconds: 480, stage: '1.33', updateId: expect.any(String) });
  });

  it('waits out an update in progress, whoever started it, before starting a pass', async () => {
    const { aws, state } = await planned('1.32');
    aws.startUpdateElsewhere(CLUSTER, { endpointPrivateAccess: true }, 5);

    const error = await rejectionOf(upgradeControlPlane(state, aws.deps()));

    expect(error.name).toBe('UpdateInProgressError');
    expect(aws.callLog((c) => c.operation === 'UpdateClusterVersion')).toEqual([]);
  });

  it('makes no call when the control plane is already at the target', async () => {
    const { aws, state } = await planned('1.32');
    aws.clusters.get(CLUSTER)!.version = '1.33';
    aws.events.length = 0;

    const poll = await upgradeControlPlane(state, aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0 });
    expect(aws.callLog((c) => c.service === 'eks' && c.operation.startsWith('Update'))).toEqual([]);
    expect(stepEvents(aws)).toEqual([`Control Plane 1.33 cluster ${CLUSTER} SKIPPED`]);
  });

  it('stops with EKS’s errors when a pass fails', async () => {
    const { aws, state } = await planned('1.32', runningAws({ version: '1.32', faults: { updateFailure: { message: 'Cluster upgrade failed: admission webhook unreachable' } } }));

    const error = await rejectionOf(untilReady<Poll>((controlPlane) => upgradeControlPlane({ ...state, ...(controlPlane ? { controlPlane } : {}) }, aws.deps()), POLLING));

    expect(error.name).toBe('ControlPlaneUpgradeFailedError');
    expect(error.message).toMatch(new RegExp(`^cluster ${CLUSTER}: the update to Kubernetes 1.33 \\(update .+\\) ended Failed: Unknown: Cluster upgrade failed: admission webhook unreachable`));
  });
});

describe('Upgrade Nodegroup', () => {
  const NG = { name: 'ng-1', from: '1.32', to: '1.33' };

  it('asks for the control plane’s version and follows the update until it is done', async () => {
    const aws = runningAws({ version: '1.33', nodegroups: [{ name: 'ng-1', version: '1.32' }] });

    const { result } = await untilReady<Poll>((poll) => upgradeNodegroup(upgradeItem(NG, false, poll), aws.deps()), POLLING);

    expect(result).toEqual({ ready: true, waitSeconds: 0 });
    expect(aws.nodegroups.get(`${CLUSTER}/ng-1`)!.version).toBe('1.33');
    expect(aws.callLog((c) => c.operation === 'UpdateNodegroupVersion')).toEqual(['eks:UpdateNodegroupVersion ng-1 1.33']);
    expect(stepEvents(aws)).toEqual(['Upgrade Nodegroup nodegroup ng-1 STARTED', 'Upgrade Nodegroup nodegroup ng-1 SUCCEEDED']);
  });

  it('names the nodegroup and EKS’s message when a PodDisruptionBudget blocks eviction', async () => {
    const message = 'Reached max retries while trying to evict pods from nodes in node group ng-1: pod payments/api-7d9f blocked by PodDisruptionBudget payments/api-pdb';
    const aws = runningAws({ version: '1.33', nodegroups: [{ name: 'ng-1', version: '1.32' }], faults: { podEvictionFailure: { nodegroup: 'ng-1', message } } });

    const error = await rejectionOf(untilReady<Poll>((poll) => upgradeNodegroup(upgradeItem(NG, false, poll), aws.deps()), POLLING));

    expect(error.name).toBe('NodegroupUpgradeFailedError');
    expect(error.message).toContain(`nodegroup ng-1: the update to Kubernetes 1.33 ended Failed: PodEvictionFailure: ${message}`);
    expect(error.message).toContain('"force": true');
  });

  it('evicts regardless when forced', async () => {
    const aws = runningAws({ version: '1.33', nodegroups: [{ name: 'ng-1', version: '1.32' }], faults: { podEvictionFailure: { nodegroup: 'ng-1', message: 'blocked' } } });

    await untilReady<Poll>((poll) => upgradeNodegroup(upgradeItem(NG, true, poll), aws.deps()), POLLING);

    expect(aws.callLog((c) => c.operation === 'UpdateNodegroupVersion')).toEqual(['eks:UpdateNodegroupVersion ng-1 1.33 force']);
    expect(aws.nodegroups.get(`${CLUSTER}/ng-1`)!.version).toBe('1.33');
  });

  it('leaves a nodegroup already at the version alone', async () => {
    const aws = runningAws({ version: '1.33', nodegroups: [{ name: 'ng-1', version: '1.33' }] });

    const poll = await upgradeNodegroup(upgradeItem(NG), aws.deps());

    expect(poll.ready).toBe(true);
    expect(aws.callLog((c) => c.service === 'eks' && c.operation.startsWith('Update'))).toEqual([]);
    expect(stepEvents(aws)).toEqual(['Upgrade Nodegroup nodegroup ng-1 SKIPPED']);
  });
});

describe('Upgrade Add-on', () => {
  const COREDNS = { name: 'coredns', to: addonVersionFor('1.33') };

  it('updates the add-on to the planned version, preserving its configuration, until ACTIVE', async () => {
    const aws = runningAws({ version: '1.33', addons: [{ name: 'coredns', version: addonVersionFor('1.32') }] });
    const update = jest.spyOn(aws.eks, 'updateAddon');

    const { result } = await untilReady<Poll>((poll) => upgradeAddon(upgradeItem(COREDNS, false, poll), aws.deps()), POLLING);

    expect(result.ready).toBe(true);
    expect(update).toHaveBeenCalledTimes(1);
    expect(update).toHaveBeenCalledWith(CLUSTER, 'coredns', { version: addonVersionFor('1.33') }, idempotencyToken(UPGRADE_OPERATION.id, 'upgrade-addon', `coredns@${addonVersionFor('1.33')}`));
    expect(stepEvents(aws)).toEqual(['Upgrade Add-on add-on coredns STARTED', 'Upgrade Add-on add-on coredns SUCCEEDED']);
  });

  it('fails with the add-on’s health issue when the update fails', async () => {
    const aws = runningAws({ version: '1.33', addons: [{ name: 'coredns', version: addonVersionFor('1.32') }], faults: { addonUpdateFailure: { addon: 'coredns', message: 'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode.' } } });

    const error = await rejectionOf(untilReady<Poll>((poll) => upgradeAddon(upgradeItem(COREDNS, false, poll), aws.deps()), POLLING));

    expect(error.name).toBe('AddonFailedError');
    expect(error.message).toBe(`add-on coredns: the update to ${addonVersionFor('1.33')} ended UPDATE_FAILED: ConfigurationConflict: Conflicts found when trying to apply. Will not continue due to resolve conflicts mode.`);
  });

  it('leaves an add-on already at the version alone', async () => {
    const aws = runningAws({ version: '1.33', addons: [{ name: 'coredns' }] });

    const poll = await upgradeAddon(upgradeItem(COREDNS), aws.deps());

    expect(poll.ready).toBe(true);
    expect(aws.callLog((c) => c.operation === 'UpdateAddon')).toEqual([]);
    expect(stepEvents(aws)).toEqual(['Upgrade Add-on add-on coredns SKIPPED']);
  });
});

describe('Finalize Upgrade', () => {
  it('sends one SUCCEEDED event with every version before and after, and records the spec at the new version', async () => {
    const aws = runningAws({ version: '1.33', nodegroups: [{ name: 'ng-1' }], addons: [{ name: 'coredns' }] });
    const before = { version: '1.31', addons: { coredns: addonVersionFor('1.31') }, nodegroups: { 'ng-1': '1.31' } };
    const spec = specAt('1.31', { addons: [{ name: 'vpc-cni' }, { name: 'coredns', version: addonVersionFor('1.31') }, { name: 'kube-proxy' }] });

    const outputs = await finalizeUpgrade(upgradeInput(spec, TO_133, { preflight: { ready: true, waitSeconds: 0, before } }), aws.deps());

    expect(outputs).toEqual({ version: '1.31 → 1.33', 'addon/coredns': `${addonVersionFor('1.31')} → ${addonVersionFor('1.33')}`, 'nodegroup/ng-1': '1.31 → 1.33' });
    const terminal = aws.events.filter((e) => e.status === 'SUCCEEDED');
    expect(terminal).toHaveLength(1);
    expect(terminal[0]).toMatchObject({ operation: 'UPGRADE', phase: 'Completed', outputs });
    const record = aws.clusterRecords.get(CLUSTER)!;
    expect(record.status).toBe('ACTIVE');
    expect(record.lockedBy).toBeUndefined();
    expect(record.spec).toMatchObject({ version: '1.33', addons: [{ name: 'vpc-cni' }, { name: 'coredns', version: addonVersionFor('1.33') }, { name: 'kube-proxy' }] });
  });
});

describe('the spec after an upgrade', () => {
  it('drops a nodegroup’s AMI release pin of the old Kubernetes version: the nodes run the new version’s newest release', () => {
    const spec = specAt('1.32', { version: '1.32', managedNodeGroups: [{ name: 'ng-1', releaseVersion: '1.32.9-20251001' }, { name: 'ng-2' }] });

    const after = specAfter(spec, { version: '1.33', addons: {}, nodegroups: { 'ng-1': '1.33', 'ng-2': '1.33' } });

    expect(after.managedNodeGroups.map((ng) => ng.releaseVersion)).toEqual([undefined, undefined]);
    expect(specAfter(spec, { version: '1.32', addons: {}, nodegroups: {} }).managedNodeGroups[0]!.releaseVersion).toBe('1.32.9-20251001');
  });
});

describe('Upgrade Add-on, when someone else updates it', () => {
  const COREDNS = { name: 'coredns', to: addonVersionFor('1.33') };

  it('waits out an update in progress, then asks for its own and reports it once', async () => {
    const aws = runningAws({ version: '1.33', addons: [{ name: 'coredns', version: addonVersionFor('1.32') }] });
    Object.assign(aws.addons.get(`${CLUSTER}/coredns`)!, { status: 'UPDATING', describesLeft: 1 });

    const { result } = await untilReady<Poll>((poll) => upgradeAddon(upgradeItem(COREDNS, false, poll), aws.deps()), POLLING);

    expect(result.ready).toBe(true);
    expect(aws.callLog((c) => c.operation === 'UpdateAddon')).toEqual([`eks:UpdateAddon coredns ${addonVersionFor('1.33')}`]);
    expect(stepEvents(aws)).toEqual(['Upgrade Add-on add-on coredns STARTED', 'Upgrade Add-on add-on coredns SUCCEEDED']);
  });
});
