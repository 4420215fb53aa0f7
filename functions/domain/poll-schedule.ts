/**
 * When to look again at something AWS is building. A create step returns the first wait; a
 * check step either returns a longer coarse wait (still well before the resource can be ready)
 * or throws its *NotReadyError so the ASL's Retry (short, backing off, bounded) polls near the
 * expected finish. Coarse waits cost 3 state transitions each; retries cost 1. The figures come
 * from durations seen in the field (shared REFERENCE) and are tuned by the benchmark.
 */

export type PolledKind = 'stack' | 'nodegroup' | 'fargateProfile' | 'addon' | 'addonOnNodes' | 'endpointUpdate' | 'rollback' | 'nodegroupDelete' | 'fargateProfileDelete' | 'stackDelete' | 'emptyStackDelete' | 'roleStack' | 'nodegroupUpdate' | 'insightsRefresh' | 'versionUpdate' | 'nodegroupVersionUpdate' | 'addonUpdate' | 'addonDelete' | 'settingUpdate' | 'loggingUpdate' | 'encryptionUpdate' | 'stackTagUpdate' | 'selfManagedNodegroup' | 'selfManagedStackUpdate' | 'drain' | 'nodeReplacement';

/**
 * Kinds whose check only retries (Map items, delete-cluster's checks: no coarse loop in the
 * ASL), so their first look must not come before the earliest finish.
 */
export const RETRY_ONLY_KINDS: PolledKind[] = ['nodegroup', 'fargateProfile', 'addon', 'addonOnNodes', 'nodegroupDelete', 'fargateProfileDelete', 'stackDelete', 'emptyStackDelete', 'selfManagedNodegroup'];

interface Schedule {
  /** First look: early enough to catch fast failures (template errors, bad parameters). */
  firstCheckSeconds: number;
  /** Rarely done before this; until then a check waits coarsely instead of retrying. */
  earliestReadySeconds: number;
}

export const POLL_SCHEDULES: Record<PolledKind, Schedule> = {
  stack: { firstCheckSeconds: 60, earliestReadySeconds: 480 },
  // Nodegroup and endpoint-update failures surface late anyway; one look at the earliest finish saves a coarse loop.
  nodegroup: { firstCheckSeconds: 120, earliestReadySeconds: 120 },
  fargateProfile: { firstCheckSeconds: 30, earliestReadySeconds: 30 },
  addon: { firstCheckSeconds: 15, earliestReadySeconds: 15 },
  // Add-ons whose pods need nodes (coredns) stay DEGRADED until the first nodegroup is up.
  addonOnNodes: { firstCheckSeconds: 120, earliestReadySeconds: 120 },
  endpointUpdate: { firstCheckSeconds: 240, earliestReadySeconds: 240 },
  rollback: { firstCheckSeconds: 30, earliestReadySeconds: 30 },
  // delete-cluster: nodegroups take 3-6 min to delete; profiles (one at a time) and nodegroup stacks less.
  nodegroupDelete: { firstCheckSeconds: 180, earliestReadySeconds: 180 },
  fargateProfileDelete: { firstCheckSeconds: 60, earliestReadySeconds: 60 },
  // Deleting a cluster stack deletes the control plane (3-8 min) and the VPC after it.
  stackDelete: { firstCheckSeconds: 180, earliestReadySeconds: 180 },
  // A stack CloudFormation already rolled back holds no resources: its delete takes seconds.
  emptyStackDelete: { firstCheckSeconds: 10, earliestReadySeconds: 10 },
  // update-cluster: a nodegroup's or Fargate's own stack (an IAM role, a launch template) is made or deleted in 30-60 s.
  roleStack: { firstCheckSeconds: 30, earliestReadySeconds: 30 },
  // A scaling-only UpdateNodegroupConfig changes the Auto Scaling group's sizes, not its nodes: under a minute.
  nodegroupUpdate: { firstCheckSeconds: 20, earliestReadySeconds: 20 },
  // upgrade-cluster: an upgrade insights refresh re-reads the audit logs' API calls: about a minute.
  insightsRefresh: { firstCheckSeconds: 30, earliestReadySeconds: 30 },
  // UpdateClusterVersion takes 8-12 min per minor; failures (a bad add-on, a webhook) surface late too.
  versionUpdate: { firstCheckSeconds: 480, earliestReadySeconds: 480 },
  // UpdateNodegroupVersion replaces nodes batch by batch (maxUnavailable): a few minutes per batch,
  // and a PodDisruptionBudget that blocks eviction fails it only after EKS's own retries.
  nodegroupVersionUpdate: { firstCheckSeconds: 240, earliestReadySeconds: 240 },
  // UpdateAddon rolls the add-on's DaemonSet or Deployment: about a minute.
  addonUpdate: { firstCheckSeconds: 45, earliestReadySeconds: 45 },
  // DeleteAddon removes the add-on's resources from the cluster (or only EKS's management, with preserve): 10-60 s.
  addonDelete: { firstCheckSeconds: 15, earliestReadySeconds: 15 },
  // A flag on the control plane (deletion protection, upgrade policy, zonal shift, authentication mode): seconds to a minute.
  settingUpdate: { firstCheckSeconds: 10, earliestReadySeconds: 10 },
  // Control-plane logging reconfigures the log delivery: under a minute.
  loggingUpdate: { firstCheckSeconds: 20, earliestReadySeconds: 20 },
  // AssociateEncryptionConfig re-encrypts every secret: 15-45 min.
  encryptionUpdate: { firstCheckSeconds: 900, earliestReadySeconds: 900 },
  // UpdateStack with new tags only re-tags each resource: under a minute.
  stackTagUpdate: { firstCheckSeconds: 15, earliestReadySeconds: 15 },
  // A self-managed nodegroup's stack: the role, then its instance profile (IAM takes about two
  // minutes to make one usable), then the launch template and the Auto Scaling group.
  selfManagedNodegroup: { firstCheckSeconds: 120, earliestReadySeconds: 120 },
  // Its stack's update changes the group's sizes or makes a launch template version, in place: under a minute.
  selfManagedStackUpdate: { firstCheckSeconds: 30, earliestReadySeconds: 30 },
  // Evictions take seconds (the pods' grace period); a budget that blocks one is looked at again soon.
  drain: { firstCheckSeconds: 10, earliestReadySeconds: 10 },
  // A replaced node: drain, terminate, and its successor boots, registers and is Ready in one to two minutes.
  nodeReplacement: { firstCheckSeconds: 60, earliestReadySeconds: 60 },
};

export function firstWaitSeconds(kind: PolledKind, elapsedSeconds = 0): number {
  return Math.max(0, Math.round(POLL_SCHEDULES[kind].firstCheckSeconds - elapsedSeconds));
}

/**
 * Seconds to wait coarsely before the next check, or 0 when the resource is close enough to
 * its expected finish that the check should hand over to the ASL's Retry.
 */
export function coarseWaitSeconds(kind: PolledKind, elapsedSeconds: number): number {
  const remaining = POLL_SCHEDULES[kind].earliestReadySeconds - elapsedSeconds;
  // Not worth a 3-transition detour for less than 30 s: let Retry handle it.
  return remaining >= 30 ? Math.round(remaining) : 0;
}

export function elapsedSeconds(since: string | Date | undefined, now: Date): number {
  if (!since) return 0;
  const start = since instanceof Date ? since : new Date(since);
  return Math.max(0, (now.getTime() - start.getTime()) / 1000);
}

/** Add-ons that run as Deployments on worker nodes: ACTIVE only once nodes (or Fargate pods) run them. */
const ADDONS_ON_NODES = new Set(['coredns', 'aws-ebs-csi-driver', 'aws-efs-csi-driver', 'metrics-server']);

export function addonPollKind(addonName: string): PolledKind {
  return ADDONS_ON_NODES.has(addonName) ? 'addonOnNodes' : 'addon';
}
