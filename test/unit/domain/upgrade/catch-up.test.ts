/** An upgrade asked again after it failed past its last pass: the control plane runs the target, the data plane does not. */
import { planUpgrade, plannedSnapshots, upgradeOutputs, versionSnapshot } from '../../../../functions/domain/upgrade/plan';
import { dataPlaneBehind, preflightProblems } from '../../../../functions/domain/upgrade/preflight';
import { COREDNS, healthyUpgrade, installed, KUBE_PROXY, nodegroup } from './fixtures';

/** The control plane at 1.33 (the target), a nodegroup and kube-proxy left at 1.32. */
const leftBehind = () =>
  healthyUpgrade({
    currentVersion: '1.33',
    targetVersion: '1.33',
    addons: [installed('coredns', 'v1.11.4-eksbuild.2'), installed('kube-proxy', 'v1.32.0-eksbuild.2')],
    addonVersions: [COREDNS, KUBE_PROXY],
    nodegroups: [nodegroup('ng-done', '1.33'), nodegroup('ng-blocked', '1.32')],
  });

describe('catching up the data plane', () => {
  test('is what an upgrade to the version the control plane runs does when parts lag behind it', () => {
    expect(dataPlaneBehind(leftBehind())).toBe(true);

    const plan = planUpgrade({ ...leftBehind(), force: true });

    expect(plan).toMatchObject({ from: '1.33', to: '1.33', passes: [], canProceed: true, problems: [] });
    expect(plan.nodegroups.map((n) => `${n.name} ${n.from} → ${n.to}`)).toEqual(['ng-done 1.33 → 1.33', 'ng-blocked 1.32 → 1.33']);
    expect(plan.addons.map((a) => `${a.name} ${a.from} → ${a.to}`)).toEqual(['coredns v1.11.4-eksbuild.2 → v1.11.4-eksbuild.2', 'kube-proxy v1.32.0-eksbuild.2 → v1.33.0-eksbuild.2']);
  });

  test('still checks the parts: a nodegroup that is not ACTIVE stops it', () => {
    const input = { ...leftBehind(), nodegroups: [nodegroup('ng-blocked', '1.32', { status: 'DEGRADED' })] };

    expect(preflightProblems(input).map((p) => p.code)).toEqual(['NodegroupNotActive']);
  });

  test('a cluster whose every part runs the target is still refused as the same version', () => {
    const current = { ...leftBehind(), addons: [installed('coredns', 'v1.11.4-eksbuild.2'), installed('kube-proxy', 'v1.33.0-eksbuild.2')], nodegroups: [nodegroup('ng-1', '1.33')] };

    expect(dataPlaneBehind(current)).toBe(false);
    expect(preflightProblems(current).map((p) => p.code)).toEqual(['SameVersion']);
    expect(planUpgrade(current)).toMatchObject({ passes: [], addons: [], nodegroups: [], canProceed: false });
  });

  describe('a self-managed nodegroup, of which EKS knows nothing', () => {
    const everythingElseDone = () => ({ ...leftBehind(), addons: [installed('coredns', 'v1.11.4-eksbuild.2'), installed('kube-proxy', 'v1.33.0-eksbuild.2')], nodegroups: [nodegroup('ng-1', '1.33')] });

    test('left on an older kubelet (its nodes as last read), it is caught up and the plan lists it', () => {
      const input = { ...everythingElseDone(), selfManagedNodegroups: [{ name: 'sm-batch', version: '1.32' }, { name: 'sm-done', version: '1.33' }] };

      expect(dataPlaneBehind(input)).toBe(true);
      const plan = planUpgrade(input);

      expect(plan).toMatchObject({ passes: [], canProceed: true, problems: [] });
      expect(plan.selfManagedNodegroups).toEqual([{ name: 'sm-batch', from: '1.32', to: '1.33' }, { name: 'sm-done', from: '1.33', to: '1.33' }]);
      expect(plannedSnapshots(plan).after.selfManagedNodegroups).toEqual({ 'sm-batch': '1.33', 'sm-done': '1.33' });
    });

    test('one that pins its AMI, or whose nodes were never read, does not make an upgrade of the same version a catch-up', () => {
      expect(dataPlaneBehind({ ...everythingElseDone(), selfManagedNodegroups: [{ name: 'sm-pinned', ami: 'ami-0123456789abcdef0', version: '1.32' }] })).toBe(false);
      expect(dataPlaneBehind({ ...everythingElseDone(), selfManagedNodegroups: [{ name: 'sm-unread' }] })).toBe(false);
    });

    test("the terminal event's outputs list it with the versions read on its nodes, beside the managed ones", () => {
      const before = versionSnapshot('1.32', [], [nodegroup('ng-1', '1.32')], [{ name: 'sm-batch', version: '1.32' }]);
      const after = versionSnapshot('1.33', [], [nodegroup('ng-1', '1.33')], [{ name: 'sm-batch', version: '1.33' }, { name: 'sm-unread' }]);

      expect(upgradeOutputs(before, after)).toEqual({ version: '1.32 → 1.33', 'nodegroup/ng-1': '1.32 → 1.33', 'selfManagedNodegroup/sm-batch': '1.32 → 1.33' });
    });
  });
});
