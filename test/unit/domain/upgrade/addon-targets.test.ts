import { addonTarget, compareAddonVersions, compatibleAddonVersions, defaultAddonVersion } from '../../../../functions/domain/upgrade/addon-targets';
import { addonInfo, COREDNS } from './fixtures';

describe('add-on versions', () => {
  test('versions compare part by part as numbers: v1.10 after v1.9, eksbuild.10 after eksbuild.9', () => {
    expect(compareAddonVersions('v1.10.0-eksbuild.1', 'v1.9.9-eksbuild.1')).toBe(1);
    expect(compareAddonVersions('v1.11.3-eksbuild.10', 'v1.11.3-eksbuild.9')).toBe(1);
    expect(compareAddonVersions('v1.11.3-eksbuild.1', 'v1.11.3-eksbuild.1')).toBe(0);
    expect(compareAddonVersions('v1.11.3', 'v1.11.3-eksbuild.1')).toBe(-1);
  });

  test('the compatible versions for a Kubernetes version are listed newest first, and the default is the one EKS marks', () => {
    expect(compatibleAddonVersions(COREDNS, '1.33')).toEqual(['v1.12.1-eksbuild.1', 'v1.11.4-eksbuild.2', 'v1.11.3-eksbuild.1']);
    expect(defaultAddonVersion(COREDNS, '1.33')).toBe('v1.11.4-eksbuild.2');
    expect(defaultAddonVersion(COREDNS, '1.30')).toBeUndefined();
  });

  test('with no version marked default, the newest compatible one stands in', () => {
    expect(defaultAddonVersion(addonInfo('x', { 'v1.0.0': ['1.33'], 'v1.1.0': ['1.33'] }), '1.33')).toBe('v1.1.0');
  });
});

describe('addonTarget', () => {
  test('an unpinned add-on goes to EKS\'s default for the target', () => {
    expect(addonTarget({ name: 'coredns', kubernetesVersion: '1.33', installedVersion: 'v1.11.3-eksbuild.1', info: COREDNS }).target).toEqual({
      name: 'coredns', kubernetesVersion: '1.33', from: 'v1.11.3-eksbuild.1', to: 'v1.11.4-eksbuild.2', choice: 'default', downgrade: false, pinIgnored: false,
    });
  });

  test('a pin the target supports is honoured', () => {
    const { target } = addonTarget({ name: 'coredns', kubernetesVersion: '1.33', installedVersion: 'v1.11.3-eksbuild.1', pinnedVersion: 'v1.12.1-eksbuild.1', info: COREDNS });
    expect(target).toMatchObject({ to: 'v1.12.1-eksbuild.1', choice: 'pinned', pinIgnored: false, downgrade: false });
  });

  test('a pin the target does not support is set aside for the default, and flagged', () => {
    const { target } = addonTarget({ name: 'coredns', kubernetesVersion: '1.33', installedVersion: 'v1.11.1-eksbuild.9', pinnedVersion: 'v1.11.1-eksbuild.9', info: COREDNS });
    expect(target).toMatchObject({ to: 'v1.11.4-eksbuild.2', choice: 'default', pinIgnored: true });
    expect(target?.note).toMatch(/pins v1.11.1-eksbuild.9, which Kubernetes 1.33 does not support/);
  });

  test('an installed version newer than the default that the target supports is kept, not downgraded', () => {
    const { target } = addonTarget({ name: 'coredns', kubernetesVersion: '1.33', installedVersion: 'v1.12.1-eksbuild.1', info: COREDNS });
    expect(target).toMatchObject({ from: 'v1.12.1-eksbuild.1', to: 'v1.12.1-eksbuild.1', choice: 'installed', downgrade: false });
  });

  test('when the installed version is newer than the default but unsupported, the nearest compatible version not older than it is chosen', () => {
    const info = addonInfo('vpc-cni', { 'v1.18.0': ['1.32', '1.33*'], 'v1.19.0': ['1.32'], 'v1.19.2': ['1.33'], 'v1.20.0': ['1.33'] });
    const { target } = addonTarget({ name: 'vpc-cni', kubernetesVersion: '1.33', installedVersion: 'v1.19.0', info });
    expect(target).toMatchObject({ to: 'v1.19.2', choice: 'newest-compatible', downgrade: false });
  });

  test('a downgrade happens only when every compatible version is older, and the note says so', () => {
    const info = addonInfo('kube-proxy', { 'v1.33.0-eksbuild.1': ['1.33*'], 'v1.33.0-eksbuild.2': ['1.33'] });
    const { target } = addonTarget({ name: 'kube-proxy', kubernetesVersion: '1.33', installedVersion: 'v1.33.0-eksbuild.5', info });
    expect(target).toMatchObject({ to: 'v1.33.0-eksbuild.2', downgrade: true });
    expect(target?.note).toMatch(/a downgrade from v1.33.0-eksbuild.5: every version EKS lists for Kubernetes 1.33 is older/);
  });

  test('no compatible version is a problem, not a guess', () => {
    expect(addonTarget({ name: 'coredns', kubernetesVersion: '1.34', installedVersion: 'v1.11.3-eksbuild.1', info: COREDNS })).toEqual({
      problem: { code: 'NoCompatibleAddonVersion', message: 'EKS lists no version of add-on coredns for Kubernetes 1.34' },
    });
    expect(addonTarget({ name: 'gone', kubernetesVersion: '1.33' }).problem?.code).toBe('NoCompatibleAddonVersion');
  });
});
