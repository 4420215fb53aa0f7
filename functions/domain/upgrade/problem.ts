/**
 * What preflight finds: each problem names the resource to look at and, where there is one, what
 * to do about it, so the person reading a refused upgrade (a 409/422 answer, a FAILED event, a
 * dry-run plan) can act without opening the AWS console.
 */

export interface UpgradeProblem {
  /** Stable, machine-readable: "UpgradeInsightError", "NodegroupSkew", … */
  code: string;
  /** error stops the upgrade before any change; warning is reported and never stops it. */
  severity: 'error' | 'warning';
  message: string;
  /** What it concerns: "cluster demo", "add-on coredns", "nodegroup ng-1", "insight Deprecated APIs removed in Kubernetes v1.32". */
  resource: string;
  recommendation?: string;
  /** The pass (Kubernetes version the control plane moves to) it concerns, when it concerns one. */
  pass?: string;
  /**
   * Whether `force` lets the upgrade go ahead despite it. Only findings about the cluster's
   * workloads (upgrade insights) are the caller's to accept; what EKS itself would refuse, or what
   * would leave nodes unable to talk to the control plane, is never forced.
   */
  forceOverrides: boolean;
}

/** The problems that stop this upgrade: errors, less those `force` overrides when it is set. */
export function blockingProblems(problems: readonly UpgradeProblem[], force: boolean): UpgradeProblem[] {
  return problems.filter((p) => p.severity === 'error' && !(force && p.forceOverrides));
}
