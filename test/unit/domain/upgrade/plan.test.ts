import { planUpgrade, plannedSnapshots, upgradeOutputs, versionSnapshot } from '../../../../functions/domain/upgrade/plan';
import { healthyUpgrade, installed, nodegroup } from './fixtures';

describe('planUpgrade', () => {
  test('lists the passes, each add-on and each nodegroup before and after, with the nodegroups\' update settings', () => {
    const plan = planUpgrade(
      healthyUpgrade({
        nodegroups: [nodegroup('ng-1', '1.31', { updateConfig: { maxUnavailablePercentage: 25 } }), nodegroup('ng-2', '1.30', { updateConfig: { maxUnavailable: 2 } }), nodegroup('ng-3', '1.31')],
      }),
    );
    expect(plan).toEqual({
      cluster: 'demo',
      from: '1.31',
      to: '1.33',
      force: false,
      passes: ['1.32', '1.33'],
      addons: [
        { name: 'coredns', from: 'v1.11.3-eksbuild.1', to: 'v1.11.4-eksbuild.2', choice: 'default' },
        { name: 'kube-proxy', from: 'v1.31.3-eksbuild.2', to: 'v1.33.0-eksbuild.2', choice: 'default' },
      ],
      nodegroups: [
        { name: 'ng-1', from: '1.31', to: '1.33', updateConfig: { maxUnavailablePercentage: 25 } },
        { name: 'ng-2', from: '1.30', to: '1.33', updateConfig: { maxUnavailable: 2 } },
        // EKS's own default when the nodegroup was made without one.
        { name: 'ng-3', from: '1.31', to: '1.33', updateConfig: { maxUnavailable: 1 } },
      ],
      selfManagedNodegroups: [],
      problems: [],
      canProceed: true,
    });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  test("moves each self-managed nodegroup to the target's default AMI; one that pins an AMI is left as it is, with the reason and a warning", () => {
    const plan = planUpgrade(healthyUpgrade({ selfManagedNodegroups: [{ name: 'sm-1' }, { name: 'sm-pinned', ami: 'ami-0abc' }] }));
    expect(plan.selfManagedNodegroups).toEqual([
      { name: 'sm-1', from: '1.31', to: '1.33' },
      { name: 'sm-pinned', from: '1.31', to: '1.31', pinnedAmi: 'ami-0abc', skipped: expect.stringContaining('pins AMI ami-0abc') },
    ]);
    expect(plan.problems).toEqual([expect.objectContaining({ code: 'SelfManagedAmiPinned', severity: 'warning', resource: 'self-managed nodegroup sm-pinned', pass: '1.33' })]);
    expect(plan.canProceed).toBe(true);
  });

  test('an ERROR insight stops the plan unless forced', () => {
    const insights = [{ name: 'Deprecated APIs', kubernetesVersion: '1.33', insightStatus: { status: 'ERROR' as const } }];
    expect(planUpgrade(healthyUpgrade({ insights })).canProceed).toBe(false);
    const forced = planUpgrade({ ...healthyUpgrade({ insights }), force: true });
    expect(forced).toMatchObject({ canProceed: true, force: true, problems: [expect.objectContaining({ code: 'UpgradeInsightError' })] });
  });

  test('a refused version plans nothing and says why', () => {
    expect(planUpgrade(healthyUpgrade({ targetVersion: '1.30' }))).toMatchObject({ passes: [], addons: [], nodegroups: [], selfManagedNodegroups: [], canProceed: false, problems: [expect.objectContaining({ code: 'Downgrade' })] });
  });

  test('an add-on without a compatible version is left out of the targets; its problem stops the plan', () => {
    const plan = planUpgrade(healthyUpgrade({ targetVersion: '1.34', guardrails: { kubernetesVersions: ['1.34'] }, offeredVersions: [{ clusterVersion: '1.32' }, { clusterVersion: '1.33' }, { clusterVersion: '1.34' }], addons: [installed('coredns', 'v1.11.3-eksbuild.1')], nodegroups: [] }));
    expect(plan.addons).toEqual([]);
    expect(plan.canProceed).toBe(false);
  });
});

describe('upgradeOutputs', () => {
  test('flattens the versions before and after into a status event\'s outputs', () => {
    const before = versionSnapshot('1.31', [installed('coredns', 'v1.11.3-eksbuild.1')], [nodegroup('ng-1', '1.31')]);
    const after = versionSnapshot('1.33', [installed('coredns', 'v1.11.4-eksbuild.2')], [nodegroup('ng-1', '1.33')]);
    expect(upgradeOutputs(before, after)).toEqual({ version: '1.31 → 1.33', 'addon/coredns': 'v1.11.3-eksbuild.1 → v1.11.4-eksbuild.2', 'nodegroup/ng-1': '1.31 → 1.33' });
  });

  test('a part made or deleted while the upgrade ran shows as (none) on the side it was absent', () => {
    const outputs = upgradeOutputs({ version: '1.32', addons: { 'vpc-cni': 'v1.19.0' }, nodegroups: {} }, { version: '1.33', addons: {}, nodegroups: { 'ng-new': '1.33' } });
    expect(outputs).toEqual({ version: '1.32 → 1.33', 'addon/vpc-cni': 'v1.19.0 → (none)', 'nodegroup/ng-new': '(none) → 1.33' });
  });

  test('a dry run\'s plan gives the outputs the upgrade expects to report', () => {
    const { before, after } = plannedSnapshots(planUpgrade(healthyUpgrade()));
    expect(upgradeOutputs(before, after)).toEqual({
      version: '1.31 → 1.33',
      'addon/coredns': 'v1.11.3-eksbuild.1 → v1.11.4-eksbuild.2',
      'addon/kube-proxy': 'v1.31.3-eksbuild.2 → v1.33.0-eksbuild.2',
      'nodegroup/ng-1': '1.31 → 1.33',
    });
  });
});
