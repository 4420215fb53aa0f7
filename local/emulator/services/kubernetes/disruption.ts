/**
 * PodDisruptionBudget arithmetic, as the disruption controller (pkg/controller/disruption) and
 * the eviction subresource (pkg/registry/core/pod/storage/eviction.go) do it:
 * - expectedPods: with an integer minAvailable, the number of pods the selector matches; with a
 *   percentage or maxUnavailable, the sum of the scales of their controllers (a Deployment's
 *   replicas, a DaemonSet's desired pods);
 * - currentHealthy: the selected pods that are Ready and not terminating;
 * - desiredHealthy: minAvailable (a percentage of expectedPods, rounded up), or expectedPods −
 *   maxUnavailable (a percentage rounded up), never below 0;
 * - disruptionsAllowed: currentHealthy − desiredHealthy, never below 0.
 * An eviction ignores budgets for a pod that is Pending or already terminating; an unhealthy
 * pod may go while the budget is met (unhealthyPodEvictionPolicy IfHealthyBudget, the default)
 * or always (AlwaysAllow); a healthy pod needs disruptionsAllowed > 0, else 429.
 */
import type { PodDisruptionBudgetObject } from '../eks/kube-store';

export interface BudgetPod {
  ready: boolean;
  terminating: boolean;
  pending: boolean;
  /** The controller that owns it and its scale; pods without one count as 1 each. */
  controller?: { uid: string; scale: number };
}

export interface BudgetStatus {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

/** intstr.GetScaledValueFromIntOrPercent: an integer, or `NN%` of total (rounded up or down). */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) {
    if (/^\d+$/.test(value)) return Number(value);
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** What a budget's status says, given the pods its selector matches. */
export function budgetStatus(spec: PodDisruptionBudgetObject['spec'], pods: BudgetPod[]): BudgetStatus {
  const currentHealthy = pods.filter((p) => p.ready && !p.terminating).length;
  const controllersScale = () => {
    const scales = new Map<string, number>();
    let loose = 0;
    for (const pod of pods) {
      if (pod.controller) scales.set(pod.controller.uid, pod.controller.scale);
      else loose += 1;
    }
    return [...scales.values()].reduce((a, b) => a + b, loose);
  };
  let expectedPods: number;
  let desiredHealthy: number;
  if (spec.maxUnavailable !== undefined) {
    expectedPods = controllersScale();
    desiredHealthy = Math.max(0, expectedPods - scaledValue(spec.maxUnavailable, expectedPods, true));
  } else if (typeof spec.minAvailable === 'string' && spec.minAvailable.endsWith('%')) {
    expectedPods = controllersScale();
    desiredHealthy = scaledValue(spec.minAvailable, expectedPods, true);
  } else {
    expectedPods = pods.length;
    // Neither set (policy/v1 defaults neither): nothing is required.
    desiredHealthy = spec.minAvailable === undefined ? 0 : scaledValue(spec.minAvailable, expectedPods, true);
  }
  return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) };
}

export type EvictionVerdict = { allowed: true } | { allowed: false; budget: string; message: string };

/** Whether one budget lets the pod be evicted now. */
export function evictionVerdict(pod: BudgetPod, budget: { name: string; spec: PodDisruptionBudgetObject['spec']; status: BudgetStatus }): EvictionVerdict {
  if (pod.pending || pod.terminating) return { allowed: true };
  const { status } = budget;
  if (!pod.ready) {
    if (budget.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow') return { allowed: true };
    if (status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0) return { allowed: true };
  }
  if (status.disruptionsAllowed > 0) return { allowed: true };
  return { allowed: false, budget: budget.name, message: `The disruption budget ${budget.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently` };
}
