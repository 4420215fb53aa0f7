import { preflightProblems } from '../../../../functions/domain/upgrade/preflight';
import { blockingProblems } from '../../../../functions/domain/upgrade/problem';
import { addonInfo, healthyUpgrade, installed, nodegroup, offered } from './fixtures';

const codes = (input: Parameters<typeof preflightProblems>[0]) => preflightProblems(input).map((p) => p.code);

describe('preflightProblems', () => {
  test('a healthy upgrade has no problems', () => {
    expect(preflightProblems(healthyUpgrade())).toEqual([]);
  });

  test('a downgrade, the same version or a malformed one is the only problem reported, never forced', () => {
    expect(preflightProblems(healthyUpgrade({ targetVersion: '1.30' }))).toEqual([
      { code: 'Downgrade', severity: 'error', resource: 'cluster demo', message: expect.stringContaining('cannot downgrade'), forceOverrides: false },
    ]);
    expect(codes(healthyUpgrade({ targetVersion: '1.31' }))).toEqual(['SameVersion']);
    expect(codes(healthyUpgrade({ targetVersion: 'latest' }))).toEqual(['MalformedVersion']);
  });

  test('a cluster that is not ACTIVE cannot be upgraded', () => {
    expect(preflightProblems(healthyUpgrade({ clusterStatus: 'UPDATING' }))).toEqual([expect.objectContaining({ code: 'ClusterNotActive', message: 'the cluster is UPDATING; EKS upgrades only an ACTIVE cluster', forceOverrides: false })]);
  });

  test('the target must be allowed by the guardrails; intermediate passes need not be', () => {
    expect(codes(healthyUpgrade({ guardrails: { kubernetesVersions: ['1.31', '1.33'] } }))).toEqual([]);
    const [problem] = preflightProblems(healthyUpgrade({ guardrails: { kubernetesVersions: ['1.31', '1.32'] } }));
    expect(problem).toMatchObject({ code: 'VersionNotAllowed', message: 'Kubernetes 1.33 is not an allowed version (guardrail kubernetesVersions: 1.31, 1.32)' });
  });

  test('every pass must be a version EKS offers and supports', () => {
    const missing = preflightProblems(healthyUpgrade({ offeredVersions: [offered('1.31'), offered('1.33')] }));
    expect(missing).toEqual([expect.objectContaining({ code: 'VersionNotOffered', pass: '1.32', message: expect.stringContaining('must pass through it on the way to 1.33') })]);
    expect(codes(healthyUpgrade({ offeredVersions: [offered('1.32', 'UNSUPPORTED'), offered('1.33')] }))).toEqual(['VersionUnsupported']);
  });

  test('a target in extended support is a warning about cost, not a refusal', () => {
    const problems = preflightProblems(healthyUpgrade({ offeredVersions: [offered('1.32'), offered('1.33', 'EXTENDED_SUPPORT')] }));
    expect(problems).toEqual([expect.objectContaining({ code: 'VersionInExtendedSupport', severity: 'warning' })]);
    expect(blockingProblems(problems, false)).toEqual([]);
  });

  test('an ERROR upgrade insight blocks unless forced, naming the insight, its description and its recommendation', () => {
    const problems = preflightProblems(
      healthyUpgrade({
        insights: [
          { id: 'i-1', name: 'Deprecated APIs removed in Kubernetes v1.32', category: 'UPGRADE_READINESS', kubernetesVersion: '1.32', description: 'Checks for usage of deprecated APIs', insightStatus: { status: 'ERROR', reason: 'Deprecated API usage detected within last 30 days' }, recommendation: 'Update manifests to use flowcontrol.apiserver.k8s.io/v1' },
        ],
      }),
    );
    expect(problems).toEqual([
      {
        code: 'UpgradeInsightError',
        severity: 'error',
        resource: 'insight Deprecated APIs removed in Kubernetes v1.32',
        message: 'Checks for usage of deprecated APIs — Deprecated API usage detected within last 30 days',
        recommendation: 'Update manifests to use flowcontrol.apiserver.k8s.io/v1',
        pass: '1.32',
        forceOverrides: true,
      },
    ]);
    expect(blockingProblems(problems, false)).toHaveLength(1);
    expect(blockingProblems(problems, true)).toEqual([]);
  });

  test('an insight summary without a recommendation points at DescribeInsight', () => {
    const [problem] = preflightProblems(healthyUpgrade({ insights: [{ id: 'i-2', name: 'Cluster health issues', kubernetesVersion: '1.33', insightStatus: { status: 'ERROR' } }] }));
    expect(problem?.recommendation).toBe('DescribeInsight i-2 lists the affected resources');
  });

  test('WARNING insights are reported and never block; passing insights and those for other versions are left out', () => {
    const problems = preflightProblems(
      healthyUpgrade({
        insights: [
          { name: 'Kubelet version skew', kubernetesVersion: '1.33', insightStatus: { status: 'WARNING' }, description: 'kubelets lag' },
          { name: 'Passing', kubernetesVersion: '1.33', insightStatus: { status: 'PASSING' } },
          { name: 'For 1.34', kubernetesVersion: '1.34', insightStatus: { status: 'ERROR' } },
          { name: 'Misconfigured', category: 'MISCONFIGURATION', kubernetesVersion: '1.33', insightStatus: { status: 'ERROR' } },
        ],
      }),
    );
    expect(problems).toEqual([expect.objectContaining({ code: 'UpgradeInsightWarning', severity: 'warning', resource: 'insight Kubelet version skew' })]);
    expect(blockingProblems(problems, false)).toEqual([]);
  });

  test('an add-on with no version for one of the passes blocks, even forced', () => {
    const noneFor132 = addonInfo('kube-proxy', { 'v1.31.3-eksbuild.2': ['1.31*'], 'v1.33.0-eksbuild.2': ['1.33*'] });
    const problems = preflightProblems(healthyUpgrade({ addonVersions: [healthyUpgrade().addonVersions[0]!, noneFor132] }));
    expect(problems).toEqual([expect.objectContaining({ code: 'NoCompatibleAddonVersion', resource: 'add-on kube-proxy', pass: '1.32', forceOverrides: false })]);
    expect(blockingProblems(problems, true)).toHaveLength(1);
  });

  test('an add-on DescribeAddonVersions knows nothing of blocks', () => {
    expect(codes(healthyUpgrade({ addons: [installed('mystery', 'v1.0.0')] }))).toEqual(['AddonVersionsUnknown']);
  });

  test('an add-on pinned in the spec to a version the target does not support blocks, with what to pin instead', () => {
    const problems = preflightProblems(healthyUpgrade({ addons: [installed('coredns', 'v1.11.3-eksbuild.1')], pinnedAddons: [{ name: 'coredns', version: 'v1.11.1-eksbuild.9' }] }));
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'AddonPinIncompatible',
        severity: 'error',
        message: 'the spec pins add-on coredns at v1.11.1-eksbuild.9, which EKS does not list for Kubernetes 1.33',
        recommendation: "pin a version that supports 1.33 (EKS's default: v1.11.4-eksbuild.2) or remove the pin, then retry",
        forceOverrides: false,
      }),
    ]);
  });

  test('a nodegroup that is not ACTIVE blocks, with its health issues', () => {
    const degraded = nodegroup('ng-1', '1.31', { status: 'DEGRADED', health: { issues: [{ code: 'AsgInstanceLaunchFailures', message: 'capacity' }] } });
    const [problem] = preflightProblems(healthyUpgrade({ addons: [], nodegroups: [degraded] }));
    expect(problem).toMatchObject({ code: 'NodegroupNotActive', message: 'nodegroup ng-1 is DEGRADED (AsgInstanceLaunchFailures: capacity); EKS upgrades only ACTIVE nodegroups', recommendation: 'repair or delete nodegroup ng-1, then retry' });
  });

  test('a nodegroup that would lag too far blocks the pass it breaks', () => {
    expect(preflightProblems(healthyUpgrade({ addons: [], nodegroups: [nodegroup('old', '1.29')] }))).toEqual([expect.objectContaining({ code: 'NodegroupSkew', pass: '1.33' })]);
  });
});
