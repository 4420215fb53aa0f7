/**
 * Version skew between the control plane and managed nodegroups during an upgrade. The workflow
 * moves the control plane through every pass first and upgrades nodegroups after the last one, so
 * kubelets lag further behind with each pass. Kubernetes' skew policy lets a kubelet be up to
 * three minors older than the API server from 1.28 on (two before): a nodegroup that would lag
 * more stops the pass that breaks it. A nodegroup can never be newer than the control plane
 * (EKS: "Nodegroup Kubernetes version should be equal to Cluster kubernetes version" at most).
 */
import type { Nodegroup } from '@aws-sdk/client-eks';
import type { UpgradeProblem } from './problem';
import { compareMinors, minorsBetween, parseMinor } from './versions';

/** The oldest kubelet an API server of this version supports, in minors behind it. */
export function maxKubeletLag(controlPlaneVersion: string): number {
  const parsed = parseMinor(controlPlaneVersion);
  // Kubernetes 1.28 widened the kubelet skew from n-2 to n-3 (KEP-3935).
  return parsed && (parsed.major > 1 || parsed.minor >= 28) ? 3 : 2;
}

/** Skew problems of each managed nodegroup for an upgrade from `current` through `passes`. */
export function nodegroupSkewProblems(nodegroups: readonly Nodegroup[], current: string, passes: readonly string[]): UpgradeProblem[] {
  const last = passes[passes.length - 1];
  return nodegroups.flatMap((nodegroup): UpgradeProblem[] => {
    const name = nodegroup.nodegroupName ?? '(unnamed)';
    const version = nodegroup.version;
    const resource = `nodegroup ${name}`;
    if (version === undefined || !parseMinor(version)) {
      return [{ code: 'NodegroupVersionUnknown', severity: 'warning', resource, message: `EKS reports no Kubernetes version for nodegroup ${name}, so its skew cannot be checked`, forceOverrides: false }];
    }
    if (compareMinors(version, current) > 0) {
      return [{ code: 'NodegroupNewerThanControlPlane', severity: 'error', resource, message: `nodegroup ${name} runs Kubernetes ${version}, newer than the control plane's ${current}, which EKS never allows: the cluster's state is not what EKS reports`, recommendation: 'describe the cluster and the nodegroup again; if they still disagree, open an AWS support case before upgrading', forceOverrides: false }];
    }
    const breaking = passes.find((pass) => minorsBetween(version, pass) > maxKubeletLag(pass));
    if (breaking === undefined) return [];
    const lag = minorsBetween(version, breaking);
    // Upgrading the nodegroup first helps only as far as the control plane's current version.
    const fixable = last === undefined || minorsBetween(current, last) <= maxKubeletLag(last);
    const recommendation = fixable
      ? `upgrade nodegroup ${name} to ${current} (the control plane's version) first, then retry`
      : `upgrade nodegroup ${name} to ${current} first, then upgrade the cluster at most ${maxKubeletLag(last)} minors at a time`;
    return [{
      code: 'NodegroupSkew',
      severity: 'error',
      resource,
      pass: breaking,
      message: `nodegroup ${name} runs Kubernetes ${version}: once the control plane reaches ${breaking} its kubelets would be ${lag} minors behind, more than the ${maxKubeletLag(breaking)} Kubernetes supports`,
      recommendation,
      forceOverrides: false,
    }];
  });
}

/**
 * Skew of the spec's self-managed nodegroups. EKS reports no version for them: their kubelets run
 * the version the service last read on their nodes (`version`), else are taken to run the control
 * plane's current version (the one their AMI was chosen for). One that
 * follows the default AMI lags through the passes as a managed nodegroup does, and is checked the
 * same way. One that pins its AMI is never moved by the upgrade, so it is checked the same way
 * too (it lags at least as much during the passes as after them) and, when it passes, is named in
 * a warning: its kubelets stay behind until someone moves the pin.
 */
export function selfManagedSkewProblems(nodegroups: readonly { name: string; ami?: string; version?: string }[], controlPlane: string, passes: readonly string[]): UpgradeProblem[] {
  const last = passes[passes.length - 1];
  return nodegroups.flatMap((ng): UpgradeProblem[] => {
    const current = ng.version ?? controlPlane;
    const skew = nodegroupSkewProblems([{ nodegroupName: ng.name, version: current }], controlPlane, passes).map((problem) => ({ ...problem, resource: `self-managed nodegroup ${ng.name}` }));
    if (!ng.ami || last === undefined) return skew;
    if (skew.length > 0) {
      return skew.map((problem) => ({ ...problem, recommendation: `upgrade the cluster at most ${maxKubeletLag(last)} minors at a time and move nodegroup ${ng.name}'s pinned AMI on between upgrades, or remove its pin so the upgrade moves it` }));
    }
    return [{
      code: 'SelfManagedAmiPinned',
      severity: 'warning',
      resource: `self-managed nodegroup ${ng.name}`,
      pass: last,
      message: `nodegroup ${ng.name} pins AMI ${ng.ami}, so the upgrade leaves its nodes on it: their kubelets stay on the version that AMI carries (${current}), ${minorsBetween(current, last)} minor(s) behind ${last}, which Kubernetes supports up to ${maxKubeletLag(last)}`,
      recommendation: `after the upgrade, set an AMI built for Kubernetes ${last} (PATCH /clusters/{name}/nodegroups/${ng.name} {"ami": …}), or remove the pin to follow the EKS optimized AMI`,
      forceOverrides: false,
    }];
  });
}
