import { maxKubeletLag, nodegroupSkewProblems, selfManagedSkewProblems } from '../../../../functions/domain/upgrade/skew';
import { nodegroup } from './fixtures';

describe('kubelet skew during an upgrade', () => {
  test('from Kubernetes 1.28 kubelets may lag three minors behind the API server, before that two', () => {
    expect(maxKubeletLag('1.28')).toBe(3);
    expect(maxKubeletLag('1.33')).toBe(3);
    expect(maxKubeletLag('1.27')).toBe(2);
  });

  test('nodegroups within three minors of every pass raise nothing', () => {
    expect(nodegroupSkewProblems([nodegroup('ng-1', '1.30'), nodegroup('ng-2', '1.31')], '1.31', ['1.32', '1.33'])).toEqual([]);
  });

  test('a nodegroup that would lag four minors blocks the pass that breaks it, recommending to upgrade it first', () => {
    const [problem, ...rest] = nodegroupSkewProblems([nodegroup('old', '1.29'), nodegroup('fine', '1.31')], '1.31', ['1.32', '1.33']);
    expect(rest).toEqual([]);
    expect(problem).toEqual({
      code: 'NodegroupSkew',
      severity: 'error',
      resource: 'nodegroup old',
      pass: '1.33',
      message: "nodegroup old runs Kubernetes 1.29: once the control plane reaches 1.33 its kubelets would be 4 minors behind, more than the 3 Kubernetes supports",
      recommendation: "upgrade nodegroup old to 1.31 (the control plane's version) first, then retry",
      forceOverrides: false,
    });
  });

  test('an upgrade spanning more minors than kubelets may lag says to go in steps', () => {
    const [problem] = nodegroupSkewProblems([nodegroup('ng-1', '1.29')], '1.29', ['1.30', '1.31', '1.32', '1.33']);
    expect(problem).toMatchObject({ pass: '1.33', recommendation: 'upgrade nodegroup ng-1 to 1.29 first, then upgrade the cluster at most 3 minors at a time' });
  });

  test('a nodegroup newer than the control plane is reported as impossible, never forced', () => {
    const [problem] = nodegroupSkewProblems([nodegroup('ahead', '1.32')], '1.31', ['1.32']);
    expect(problem).toMatchObject({ code: 'NodegroupNewerThanControlPlane', severity: 'error', forceOverrides: false });
  });

  test('a nodegroup without a version is a warning, since its skew cannot be checked', () => {
    expect(nodegroupSkewProblems([{ nodegroupName: 'custom' }], '1.31', ['1.32'])[0]).toMatchObject({ code: 'NodegroupVersionUnknown', severity: 'warning' });
  });

  describe('self-managed nodegroups (taken to run the control plane\'s version)', () => {
    test('one that follows the default AMI is checked as a managed nodegroup is, and raises nothing within the skew', () => {
      expect(selfManagedSkewProblems([{ name: 'sm' }], '1.31', ['1.32', '1.33'])).toEqual([]);
    });

    test('one that pins its AMI is left behind: a warning saying how far, never blocking', () => {
      expect(selfManagedSkewProblems([{ name: 'sm', ami: 'ami-0abc' }], '1.31', ['1.32'])).toEqual([
        expect.objectContaining({ code: 'SelfManagedAmiPinned', severity: 'warning', resource: 'self-managed nodegroup sm', pass: '1.32', message: expect.stringContaining('1 minor(s) behind 1.32'), forceOverrides: false }),
      ]);
    });

    test('lagging beyond the skew refuses the upgrade, never forced, as for a managed nodegroup; a pinned one is told to move its pin between upgrades', () => {
      const passes = ['1.29', '1.30', '1.31', '1.32'];
      const [following, pinned, ...rest] = selfManagedSkewProblems([{ name: 'sm' }, { name: 'pinned', ami: 'ami-0abc' }], '1.28', passes);
      expect(rest).toEqual([]);
      expect(following).toMatchObject({ code: 'NodegroupSkew', severity: 'error', resource: 'self-managed nodegroup sm', pass: '1.32', forceOverrides: false });
      expect(pinned).toMatchObject({ code: 'NodegroupSkew', severity: 'error', resource: 'self-managed nodegroup pinned', pass: '1.32', forceOverrides: false, recommendation: expect.stringContaining("move nodegroup pinned's pinned AMI on between upgrades") });
      expect(nodegroupSkewProblems([nodegroup('managed', '1.28')], '1.28', passes)).toEqual([expect.objectContaining({ code: 'NodegroupSkew', pass: '1.32' })]);
    });
  });
});
