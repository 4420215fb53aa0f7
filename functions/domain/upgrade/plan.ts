/**
 * The upgrade plan: what `POST /clusters/{name}/upgrade?dryRun=true` answers and what the
 * workflow then does — the control plane's passes, each add-on's and nodegroup's version before
 * and after, and every preflight problem. Plain JSON (no Dates, no undefined) so it travels
 * unchanged through API answers, Step Functions state and events.
 */
import type { Addon, Nodegroup } from '@aws-sdk/client-eks';
import { addonTarget, type AddonTargetChoice } from './addon-targets';
import { dataPlaneBehind, preflightProblems, selfManagedVersion, type PreflightInput, type SelfManagedInput } from './preflight';
import { blockingProblems, type UpgradeProblem } from './problem';
import { upgradePasses, upgradeRefusal } from './versions';

export interface PlannedAddon {
  name: string;
  /** Absent when EKS reports no version for the installed add-on. */
  from?: string;
  to: string;
  choice: AddonTargetChoice;
  note?: string;
}

export interface PlannedNodegroup {
  name: string;
  from: string;
  to: string;
  /** How many nodes UpdateNodegroupVersion may replace at once (the nodegroup's own setting). */
  updateConfig: { maxUnavailable?: number; maxUnavailablePercentage?: number };
}

/**
 * A self-managed nodegroup (its own stack): the launch template takes the EKS optimized AMI of the
 * target and its nodes are replaced one at a time, unless its spec pins an AMI, which is kept.
 * EKS reports no version for it: `from` is the lowest kubelet minor the service last read on its
 * nodes, else (never read) the control plane's version, the one its AMI was chosen for.
 */
export interface PlannedSelfManagedNodegroup {
  name: string;
  from: string;
  /** The version its nodes run after: the target, or `from` when it stays on a pinned AMI. */
  to: string;
  /** The AMI the spec pins: the nodegroup is left as it is. */
  pinnedAmi?: string;
  /** Why the upgrade leaves it as it is. */
  skipped?: string;
}

export interface UpgradePlan {
  cluster: string;
  from: string;
  to: string;
  force: boolean;
  /** The versions the control plane moves through, in order, one minor at a time. */
  passes: string[];
  addons: PlannedAddon[];
  nodegroups: PlannedNodegroup[];
  selfManagedNodegroups: PlannedSelfManagedNodegroup[];
  problems: UpgradeProblem[];
  /** False when a problem stops the upgrade (`force` taken into account). */
  canProceed: boolean;
}

/** Versions of the cluster's parts at one moment: what the terminal event compares. */
export interface VersionSnapshot {
  version: string;
  addons: Record<string, string>;
  /** Managed nodegroups, as EKS reports them. */
  nodegroups: Record<string, string>;
  /**
   * Self-managed nodegroups: the lowest kubelet minor the service read on each one's nodes (the
   * registry's nodeVersions). Absent in a snapshot taken before the service recorded them.
   */
  selfManagedNodegroups?: Record<string, string>;
}

/** EKS's own default when a nodegroup was made without updateConfig: one node at a time. */
const EKS_DEFAULT_UPDATE_CONFIG = { maxUnavailable: 1 };

export function planUpgrade(input: PreflightInput & { force?: boolean }): UpgradePlan {
  const force = input.force ?? false;
  const problems = preflightProblems(input);
  const base = { cluster: input.clusterName, from: input.currentVersion, to: input.targetVersion, force, problems, canProceed: blockingProblems(problems, force).length === 0 };
  const refusal = upgradeRefusal(input.currentVersion, input.targetVersion);
  const catchUp = refusal?.code === 'SameVersion' && dataPlaneBehind(input);
  if (refusal && !catchUp) return { ...base, passes: [], addons: [], nodegroups: [], selfManagedNodegroups: [] };
  // Catching up (preflight.ts, dataPlaneBehind): no pass, the add-ons and nodegroups to the version the control plane runs.
  const passes = catchUp ? [] : upgradePasses(input.currentVersion, input.targetVersion);
  return {
    ...base,
    passes,
    addons: plannedAddons(input),
    nodegroups: plannedNodegroups(input.nodegroups, input.targetVersion),
    selfManagedNodegroups: plannedSelfManagedNodegroups(input.selfManagedNodegroups ?? [], input.currentVersion, input.targetVersion),
  };
}

function plannedSelfManagedNodegroups(nodegroups: readonly SelfManagedInput[], controlPlane: string, target: string): PlannedSelfManagedNodegroup[] {
  return nodegroups.map((ng) => {
    const from = selfManagedVersion(ng, controlPlane);
    return ng.ami
      ? { name: ng.name, from, to: from, pinnedAmi: ng.ami, skipped: `its spec pins AMI ${ng.ami}, which the upgrade keeps: remove the pin to follow the EKS optimized AMI of Kubernetes ${target}, or set an AMI for it` }
      : { name: ng.name, from, to: target };
  });
}

/** Each installed add-on's target; those without one are left out (preflight names them). */
function plannedAddons(input: PreflightInput): PlannedAddon[] {
  return input.addons.flatMap((addon): PlannedAddon[] => {
    const name = addon.addonName;
    if (!name) return [];
    const pinned = input.pinnedAddons?.find((a) => a.name === name)?.version;
    const { target } = addonTarget({ name, kubernetesVersion: input.targetVersion, installedVersion: addon.addonVersion, pinnedVersion: pinned, info: input.addonVersions.find((a) => a.addonName === name) });
    if (!target) return [];
    return [{ name, ...(target.from !== undefined ? { from: target.from } : {}), to: target.to, choice: target.choice, ...(target.note ? { note: target.note } : {}) }];
  });
}

function plannedNodegroups(nodegroups: readonly Nodegroup[], target: string): PlannedNodegroup[] {
  return nodegroups.flatMap((ng): PlannedNodegroup[] => {
    if (!ng.nodegroupName || !ng.version) return [];
    const config = ng.updateConfig;
    const updateConfig = config?.maxUnavailablePercentage !== undefined ? { maxUnavailablePercentage: config.maxUnavailablePercentage } : config?.maxUnavailable !== undefined ? { maxUnavailable: config.maxUnavailable } : { ...EKS_DEFAULT_UPDATE_CONFIG };
    return [{ name: ng.nodegroupName, from: ng.version, to: target, updateConfig }];
  });
}

/** What the plan expects before and after: for a dry run's outputs, and to compare with what the workflow finds. */
export function plannedSnapshots(plan: UpgradePlan): { before: VersionSnapshot; after: VersionSnapshot } {
  const addonsBefore = Object.fromEntries(plan.addons.flatMap((a) => (a.from !== undefined ? [[a.name, a.from]] : [])));
  const selfManaged = (side: 'from' | 'to') => Object.fromEntries(plan.selfManagedNodegroups.map((n) => [n.name, n[side]]));
  return {
    before: { version: plan.from, addons: addonsBefore, nodegroups: Object.fromEntries(plan.nodegroups.map((n) => [n.name, n.from])), selfManagedNodegroups: selfManaged('from') },
    after: { version: plan.passes.length > 0 ? plan.to : plan.from, addons: Object.fromEntries(plan.addons.map((a) => [a.name, a.to])), nodegroups: Object.fromEntries(plan.nodegroups.map((n) => [n.name, n.to])), selfManagedNodegroups: selfManaged('to') },
  };
}

/**
 * The versions the cluster's parts run now, as a snapshot (the workflow reads them at its start
 * and its end): EKS's for the control plane, add-ons and managed nodegroups; the versions read on
 * the nodes of the spec's self-managed nodegroups (those never read are left out: nothing true can
 * be said of them).
 */
export function versionSnapshot(clusterVersion: string, addons: readonly Addon[], nodegroups: readonly Nodegroup[], selfManaged: readonly SelfManagedInput[] = []): VersionSnapshot {
  return {
    version: clusterVersion,
    addons: Object.fromEntries(addons.flatMap((a) => (a.addonName && a.addonVersion ? [[a.addonName, a.addonVersion]] : []))),
    nodegroups: Object.fromEntries(nodegroups.flatMap((n) => (n.nodegroupName && n.version ? [[n.nodegroupName, n.version]] : []))),
    selfManagedNodegroups: Object.fromEntries(selfManaged.flatMap((n) => (n.version ? [[n.name, n.version]] : []))),
  };
}

/** Shown for a part present on only one side: made or deleted while the upgrade ran. */
const ABSENT = '(none)';

/**
 * Flattens before and after into a status event's outputs (Record<string, string>):
 * {"version": "1.31 → 1.33", "addon/coredns": "v1.11.3-eksbuild.1 → v1.11.4-eksbuild.2",
 * "nodegroup/ng-1": "1.31 → 1.33", "selfManagedNodegroup/batch": "1.31 → 1.33"}. Every part
 * appears, changed or not, so the event alone says what the cluster runs.
 */
export function upgradeOutputs(before: VersionSnapshot, after: VersionSnapshot): Record<string, string> {
  const outputs: Record<string, string> = { version: `${before.version} → ${after.version}` };
  const pairs = (kind: string, b: Record<string, string>, a: Record<string, string>) => {
    for (const name of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) outputs[`${kind}/${name}`] = `${b[name] ?? ABSENT} → ${a[name] ?? ABSENT}`;
  };
  pairs('addon', before.addons, after.addons);
  pairs('nodegroup', before.nodegroups, after.nodegroups);
  pairs('selfManagedNodegroup', before.selfManagedNodegroups ?? {}, after.selfManagedNodegroups ?? {});
  return outputs;
}
