/**
 * Two ways to schedule the same sampled AWS durations: the critical path (everything that may
 * overlap does, every wait ends the moment AWS is done) and eksctl's (phases in sequence, each
 * noticed at its next fixed poll). Pure functions, tested in test/unit/bench.
 */

export interface PhaseDurations {
  /** The cluster stack, control plane included. */
  stack: number;
  nodegroups: number[];
  /** EKS creates one Fargate profile at a time. */
  fargateProfiles: number[];
  addons: Array<{ name: string; seconds: number }>;
  endpointUpdate: number;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const max = (values: number[]) => Math.max(0, ...values);

/** coredns runs on nodes: it turns ACTIVE no sooner than the first nodegroup or Fargate profile. */
function addonsReady(phases: PhaseDurations): number {
  const computeReady = [...phases.nodegroups, ...phases.fargateProfiles.slice(0, 1)];
  const firstCompute = computeReady.length ? Math.min(...computeReady) : 0;
  return max(phases.addons.map((a) => (/coredns/.test(a.name) ? Math.max(a.seconds, firstCompute) : a.seconds)));
}

export function criticalPath(phases: PhaseDurations): number {
  return phases.stack + Math.max(max(phases.nodegroups), sum(phases.fargateProfiles), addonsReady(phases)) + phases.endpointUpdate;
}

/** The first poll at or after `seconds`, polls every `interval`. */
export function nextPoll(seconds: number, interval: number): number {
  return Math.ceil(seconds / interval) * interval;
}

/** Polls backing off 30 → 60 → 120 s (then 120 s): when the first one at or after `seconds` comes. */
export function backoffPoll(seconds: number, intervals = [30, 60, 120]): number {
  let at = 0;
  for (let i = 0; at < seconds; i++) at += intervals[Math.min(i, intervals.length - 1)]!;
  return at;
}

export function eksctlSchedule(phases: PhaseDurations): number {
  const stack = nextPoll(phases.stack, 30);
  const nodegroups = Math.max(nextPoll(max(phases.nodegroups), 30), nextPoll(addonsReady(phases), 30));
  const fargate = sum(phases.fargateProfiles.map((s) => nextPoll(s, 60)));
  const endpoint = phases.endpointUpdate > 0 ? backoffPoll(phases.endpointUpdate) : 0;
  return stack + nodegroups + fargate + endpoint;
}

/** An upgrade's sampled AWS durations: each control-plane pass, each add-on update, each nodegroup's rolling update (its batches summed). */
export interface UpgradeDurations {
  /** StartInsightsRefresh until COMPLETED: the service's preflight reads fresh insights; eksctl reads none. */
  insightsRefresh: number;
  controlPlanePasses: number[];
  addons: number[];
  nodegroups: number[];
}

/** The control plane, one pass after another (EKS's rule), then add-ons and nodegroups all at once. */
export function upgradeCriticalPath(upgrade: UpgradeDurations): number {
  return sum(upgrade.controlPlanePasses) + Math.max(max(upgrade.addons), max(upgrade.nodegroups));
}

/**
 * eksctl's upgrade as its docs run it: `eksctl upgrade cluster` per pass, then `eksctl update
 * addon` for each add-on, then `eksctl upgrade nodegroup` for each nodegroup, one after another,
 * each noticed at its next 30 s poll.
 */
export function eksctlUpgradeSchedule(upgrade: UpgradeDurations): number {
  return sum([...upgrade.controlPlanePasses, ...upgrade.addons, ...upgrade.nodegroups].map((s) => nextPoll(s, 30)));
}
