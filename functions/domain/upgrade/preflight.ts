/**
 * The upgrade's preflight: everything that can be known to stop an upgrade, found before the
 * first UpdateClusterVersion, because a control plane cannot be downgraded once a pass is made.
 * Pure: the step reads EKS (DescribeCluster, DescribeClusterVersions, ListInsights/DescribeInsight,
 * ListAddons/DescribeAddon, DescribeAddonVersions, DescribeNodegroup) and hands the answers here.
 */
import type { Addon, AddonInfo, ClusterVersionInformation, Insight, InsightSummary, Nodegroup } from '@aws-sdk/client-eks';
import type { ResolvedGuardrails } from '../guardrails';
import { addonTarget, compatibleAddonVersions, defaultAddonVersion } from './addon-targets';
import type { UpgradeProblem } from './problem';
import { nodegroupSkewProblems, selfManagedSkewProblems } from './skew';
import { compareMinors, parseMinor, upgradePasses, upgradeRefusal } from './versions';

export interface PreflightInput {
  clusterName: string;
  /** Cluster.status from DescribeCluster. */
  clusterStatus?: string;
  currentVersion: string;
  targetVersion: string;
  /** DescribeClusterVersions' clusterVersions: what EKS offers in this region. */
  offeredVersions: readonly ClusterVersionInformation[];
  guardrails: Pick<ResolvedGuardrails, 'kubernetesVersions'>;
  /** ListInsights (category UPGRADE_READINESS) summaries, or DescribeInsight's fuller answers, which add the recommendation. */
  insights: readonly (InsightSummary | Insight)[];
  /** The add-ons installed on the cluster (DescribeAddon). */
  addons: readonly Addon[];
  /** DescribeAddonVersions' addons, one entry per installed add-on. */
  addonVersions: readonly AddonInfo[];
  /** The spec's add-ons, for the versions it pins. */
  pinnedAddons?: readonly { name: string; version?: string }[];
  /** The cluster's managed nodegroups (DescribeNodegroup). */
  nodegroups: readonly Nodegroup[];
  /** The spec's self-managed nodegroups, with the AMI each pins, if any. */
  selfManagedNodegroups?: readonly SelfManagedInput[];
}

export interface SelfManagedInput {
  name: string;
  ami?: string;
  /**
   * The version its nodes ran when the service last read them (the lowest kubelet minor: the
   * registry's nodeVersions). Absent when never read: taken to be the control plane's version, the
   * one its AMI was chosen for.
   */
  version?: string;
}

/** The spec's self-managed nodegroups, each with the AMI it pins and the version last read on its nodes (the registry's nodeVersions). */
export function selfManagedInputs(spec: { selfManagedNodeGroups: readonly { name: string; ami?: string }[] }, nodeVersions: Readonly<Record<string, { version: string }>>): SelfManagedInput[] {
  return spec.selfManagedNodeGroups.map((ng) => ({ name: ng.name, ...(ng.ami ? { ami: ng.ami } : {}), ...(nodeVersions[ng.name] ? { version: nodeVersions[ng.name]!.version } : {}) }));
}

/** The version a self-managed nodegroup's kubelets run: as read, else the control plane's. */
export function selfManagedVersion(nodegroup: SelfManagedInput, controlPlane: string): string {
  return nodegroup.version !== undefined && parseMinor(nodegroup.version) ? nodegroup.version : controlPlane;
}

/** Every problem preflight finds; `blockingProblems(problems, force)` says which stop the upgrade. */
export function preflightProblems(input: PreflightInput): UpgradeProblem[] {
  const cluster = `cluster ${input.clusterName}`;
  const problems: UpgradeProblem[] = [...clusterStatusProblems(input, cluster)];
  const refusal = upgradeRefusal(input.currentVersion, input.targetVersion);
  const catchUp = refusal?.code === 'SameVersion' && dataPlaneBehind(input);
  if (refusal && !catchUp) return [...problems, { code: refusal.code, severity: 'error', resource: cluster, message: refusal.message, forceOverrides: false }];
  // Catching up, the control plane makes no pass: the add-ons are checked against the version it runs.
  const passes = catchUp ? [] : upgradePasses(input.currentVersion, input.targetVersion);
  return [
    ...problems,
    ...versionProblems(input, passes, cluster),
    ...insightProblems(input.insights, passes),
    ...addonProblems(input, catchUp ? [input.targetVersion] : passes),
    ...nodegroupStatusProblems(input.nodegroups),
    ...nodegroupSkewProblems(input.nodegroups, input.currentVersion, passes),
    ...selfManagedSkewProblems((input.selfManagedNodegroups ?? []).map((ng) => ({ ...ng, version: selfManagedVersion(ng, input.currentVersion) })), input.currentVersion, passes),
  ];
}

/**
 * The control plane already runs the target but its data plane does not: an upgrade that failed
 * after its last pass (a PodDisruptionBudget blocked a nodegroup, an add-on update failed). Asked
 * again, the upgrade catches the nodegroups and add-ons up instead of being refused as "the same
 * version", so that retrying (with `force`, say) is the remedy a failure can name. A self-managed
 * nodegroup that follows the default AMI is behind when its nodes were last read on an older
 * kubelet (a replacement that failed, or was stopped by another part's failure).
 */
export function dataPlaneBehind(input: PreflightInput): boolean {
  const target = input.targetVersion;
  if (!parseMinor(target)) return false;
  const nodegroupBehind = input.nodegroups.some((ng) => ng.version !== undefined && parseMinor(ng.version) !== undefined && compareMinors(ng.version, target) < 0);
  const addonBehind = input.addons.some((addon) => {
    const pinned = input.pinnedAddons?.find((a) => a.name === addon.addonName)?.version;
    const { target: chosen } = addonTarget({ name: addon.addonName ?? '', kubernetesVersion: target, installedVersion: addon.addonVersion, pinnedVersion: pinned, info: input.addonVersions.find((a) => a.addonName === addon.addonName) });
    return chosen !== undefined && chosen.to !== addon.addonVersion;
  });
  const selfManagedBehind = (input.selfManagedNodegroups ?? []).some((ng) => !ng.ami && compareMinors(selfManagedVersion(ng, input.currentVersion), target) < 0);
  return nodegroupBehind || addonBehind || selfManagedBehind;
}

/** EKS takes one update at a time and refuses UpdateClusterVersion unless the cluster is ACTIVE. */
function clusterStatusProblems(input: PreflightInput, cluster: string): UpgradeProblem[] {
  if (input.clusterStatus === undefined || input.clusterStatus === 'ACTIVE') return [];
  return [{ code: 'ClusterNotActive', severity: 'error', resource: cluster, message: `the cluster is ${input.clusterStatus}; EKS upgrades only an ACTIVE cluster`, recommendation: 'wait until the cluster is ACTIVE again (its current update finished), then retry', forceOverrides: false }];
}

/**
 * The target must be allowed by the guardrails; every pass must be a version EKS offers and still
 * supports (the control plane goes through each). Intermediate passes need not be allowed: the
 * cluster stays on them only minutes.
 */
function versionProblems(input: PreflightInput, passes: readonly string[], cluster: string): UpgradeProblem[] {
  const problems: UpgradeProblem[] = [];
  const target = input.targetVersion;
  const allowed = input.guardrails.kubernetesVersions;
  if (!allowed.includes(target)) {
    problems.push({ code: 'VersionNotAllowed', severity: 'error', resource: cluster, message: `Kubernetes ${target} is not an allowed version (guardrail kubernetesVersions: ${allowed.join(', ')})`, recommendation: 'choose an allowed version, or ask the platform team to allow this one', forceOverrides: false });
  }
  for (const pass of passes) {
    const offered = input.offeredVersions.find((v) => v.clusterVersion === pass);
    if (!offered) {
      problems.push({ code: 'VersionNotOffered', severity: 'error', resource: cluster, pass, message: `EKS does not offer Kubernetes ${pass} here (DescribeClusterVersions does not list it)${pass === target ? '' : `, and the control plane must pass through it on the way to ${target}`}`, forceOverrides: false });
    } else if (offered.versionStatus === 'UNSUPPORTED' || offered.status === 'unsupported') {
      problems.push({ code: 'VersionUnsupported', severity: 'error', resource: cluster, pass, message: `Kubernetes ${pass} is past the end of EKS support`, recommendation: 'choose a version in standard support', forceOverrides: false });
    } else if (pass === target && (offered.versionStatus === 'EXTENDED_SUPPORT' || offered.status === 'extended-support')) {
      problems.push({ code: 'VersionInExtendedSupport', severity: 'warning', resource: cluster, pass, message: `Kubernetes ${target} is in extended support, which EKS bills at a higher hourly rate than standard support`, recommendation: 'consider a version in standard support', forceOverrides: false });
    }
  }
  return problems;
}

/**
 * Upgrade insights for the versions the control plane will reach (an insight's kubernetesVersion
 * is the version it checks readiness for). ERROR stops the upgrade unless forced: EKS found
 * something the new version breaks, such as deprecated APIs still called. WARNING and UNKNOWN are
 * reported only.
 */
function insightProblems(insights: readonly (InsightSummary | Insight)[], passes: readonly string[]): UpgradeProblem[] {
  return insights.flatMap((insight): UpgradeProblem[] => {
    const status = insight.insightStatus?.status;
    if (status !== 'ERROR' && status !== 'WARNING' && status !== 'UNKNOWN') return [];
    if (insight.category !== undefined && insight.category !== 'UPGRADE_READINESS') return [];
    if (insight.kubernetesVersion !== undefined && !passes.includes(insight.kubernetesVersion)) return [];
    const name = insight.name ?? insight.id ?? 'unnamed insight';
    const reason = insight.insightStatus?.reason;
    const message = [insight.description ?? name, reason].filter(Boolean).join(' — ');
    const recommendation = ('recommendation' in insight && insight.recommendation) || (insight.id ? `DescribeInsight ${insight.id} lists the affected resources` : undefined);
    return [{
      code: status === 'ERROR' ? 'UpgradeInsightError' : status === 'WARNING' ? 'UpgradeInsightWarning' : 'UpgradeInsightUnknown',
      severity: status === 'ERROR' ? 'error' : 'warning',
      resource: `insight ${name}`,
      message,
      ...(recommendation ? { recommendation } : {}),
      ...(insight.kubernetesVersion ? { pass: insight.kubernetesVersion } : {}),
      forceOverrides: status === 'ERROR',
    }];
  });
}

/**
 * Each installed add-on needs a version for every pass (EKS lists add-on versions per Kubernetes
 * version) and a target for the last one. That the installed version is not listed for an
 * intermediate pass is not reported: EKS lists kube-proxy for one minor only, so it would be said
 * of every multi-minor upgrade, while kube-proxy tolerates the same skew as kubelets. A pin the target does not support is the spec's to fix:
 * silently moving past it would break the spec's promise.
 */
function addonProblems(input: PreflightInput, passes: readonly string[]): UpgradeProblem[] {
  const target = passes[passes.length - 1] as string;
  return input.addons.flatMap((addon): UpgradeProblem[] => {
    const name = addon.addonName ?? '(unnamed)';
    const resource = `add-on ${name}`;
    const info = input.addonVersions.find((a) => a.addonName === name);
    if (!info) {
      return [{ code: 'AddonVersionsUnknown', severity: 'error', resource, message: `DescribeAddonVersions gave no versions for add-on ${name}, so its compatibility with ${target} cannot be checked`, recommendation: `check that ${name} is still published for Kubernetes ${target}, or remove it before upgrading`, forceOverrides: false }];
    }
    const problems: UpgradeProblem[] = [];
    for (const pass of passes) {
      if (compatibleAddonVersions(info, pass).length === 0) {
        problems.push({ code: 'NoCompatibleAddonVersion', severity: 'error', resource, pass, message: `EKS lists no version of add-on ${name} for Kubernetes ${pass}`, recommendation: `remove add-on ${name} before upgrading, or upgrade to a version it supports`, forceOverrides: false });
      }
    }
    if (problems.some((p) => p.severity === 'error')) return problems;
    const pinned = input.pinnedAddons?.find((a) => a.name === name)?.version;
    const result = addonTarget({ name, kubernetesVersion: target, installedVersion: addon.addonVersion, pinnedVersion: pinned, info });
    if (result.target?.pinIgnored) {
      problems.push({ code: 'AddonPinIncompatible', severity: 'error', resource, pass: target, message: `the spec pins add-on ${name} at ${pinned}, which EKS does not list for Kubernetes ${target}`, recommendation: `pin a version that supports ${target} (EKS's default: ${defaultAddonVersion(info, target)}) or remove the pin, then retry`, forceOverrides: false });
    } else if (result.target?.downgrade && result.target.choice !== 'pinned') {
      problems.push({ code: 'AddonDowngrade', severity: 'warning', resource, pass: target, message: `add-on ${name} goes from ${result.target.from} down to ${result.target.to}: ${result.target.note}`, forceOverrides: false });
    }
    return problems;
  });
}

/** UpdateNodegroupVersion needs an ACTIVE nodegroup; one that is mid-change or failed would stop the upgrade half-way, after the control plane moved. */
function nodegroupStatusProblems(nodegroups: readonly Nodegroup[]): UpgradeProblem[] {
  return nodegroups.flatMap((ng): UpgradeProblem[] => {
    if (ng.status === undefined || ng.status === 'ACTIVE') return [];
    const name = ng.nodegroupName ?? '(unnamed)';
    const issues = (ng.health?.issues ?? []).map((i) => `${i.code}: ${i.message}`).join('; ');
    return [{ code: 'NodegroupNotActive', severity: 'error', resource: `nodegroup ${name}`, message: `nodegroup ${name} is ${ng.status}${issues ? ` (${issues})` : ''}; EKS upgrades only ACTIVE nodegroups`, recommendation: ng.status === 'DEGRADED' || ng.status.endsWith('FAILED') ? `repair or delete nodegroup ${name}, then retry` : `wait until nodegroup ${name} is ACTIVE, then retry`, forceOverrides: false }];
  });
}
