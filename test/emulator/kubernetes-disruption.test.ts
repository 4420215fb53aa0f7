/**
 * PodDisruptionBudget arithmetic and the eviction rules (disruption.ts), as the disruption
 * controller and kube-apiserver's eviction subresource compute them.
 */
import { budgetStatus, evictionVerdict, scaledValue, type BudgetPod } from '../../local/emulator/services/kubernetes/disruption';

const deployment = (scale: number) => ({ uid: 'deploy-uid', scale });
const healthy = (scale = 2): BudgetPod => ({ ready: true, terminating: false, pending: false, controller: deployment(scale) });
const terminating = (scale = 2): BudgetPod => ({ ready: false, terminating: true, pending: false, controller: deployment(scale) });
const starting = (scale = 2): BudgetPod => ({ ready: false, terminating: false, pending: true, controller: deployment(scale) });
const crashing = (scale = 2): BudgetPod => ({ ready: false, terminating: false, pending: false, controller: deployment(scale) });

describe('scaled values (intstr.GetScaledValueFromIntOrPercent)', () => {
  it('takes integers as they are and percentages of the total, rounded as asked', () => {
    expect(scaledValue(3, 10, true)).toBe(3);
    expect(scaledValue('50%', 3, true)).toBe(2);
    expect(scaledValue('50%', 3, false)).toBe(1);
    expect(scaledValue('100%', 2, true)).toBe(2);
    expect(scaledValue('0%', 5, true)).toBe(0);
    expect(() => scaledValue('half', 2, true)).toThrow('string is not a percentage');
  });
});

describe('budget status', () => {
  it('maxUnavailable 1 over coredns (2 replicas): expects the Deployment scale, needs 1, allows 1', () => {
    expect(budgetStatus({ maxUnavailable: 1 }, [healthy(), healthy()])).toEqual({ expectedPods: 2, currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1 });
  });

  it('counts neither a terminating pod nor its still-starting replacement as healthy', () => {
    expect(budgetStatus({ maxUnavailable: 1 }, [terminating(), starting(), healthy()])).toEqual({ expectedPods: 2, currentHealthy: 1, desiredHealthy: 1, disruptionsAllowed: 0 });
  });

  it('an integer minAvailable expects the pods selected (terminating ones too) and needs that many', () => {
    expect(budgetStatus({ minAvailable: 2 }, [healthy(), healthy()])).toEqual({ expectedPods: 2, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
    expect(budgetStatus({ minAvailable: 1 }, [terminating(), healthy(), healthy()])).toEqual({ expectedPods: 3, currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1 });
  });

  it('percentages scale the controllers’ replicas, rounded up, for minAvailable and maxUnavailable alike', () => {
    const three = [healthy(3), healthy(3), healthy(3)];
    expect(budgetStatus({ minAvailable: '50%' }, three)).toEqual({ expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
    // maxUnavailable 50% of 3 rounds up to 2 unavailable: 1 must stay.
    expect(budgetStatus({ maxUnavailable: '50%' }, three)).toEqual({ expectedPods: 3, currentHealthy: 3, desiredHealthy: 1, disruptionsAllowed: 2 });
    // A controller scaled to 3 with only 2 pods left still expects 3.
    expect(budgetStatus({ maxUnavailable: 1 }, [healthy(3), healthy(3)])).toEqual({ expectedPods: 3, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
  });

  it('never asks for fewer than 0 nor allows fewer than 0; pods without a controller count one each', () => {
    expect(budgetStatus({ maxUnavailable: 5 }, [healthy()])).toEqual({ expectedPods: 2, currentHealthy: 1, desiredHealthy: 0, disruptionsAllowed: 1 });
    expect(budgetStatus({ minAvailable: 3 }, [healthy(), healthy()]).disruptionsAllowed).toBe(0);
    expect(budgetStatus({ maxUnavailable: 1 }, [{ ready: true, terminating: false, pending: false }, { ready: true, terminating: false, pending: false }])).toMatchObject({ expectedPods: 2, desiredHealthy: 1 });
  });
});

describe('eviction verdicts', () => {
  const budget = (spec: Parameters<typeof budgetStatus>[0], pods: BudgetPod[], extra: { unhealthyPodEvictionPolicy?: 'AlwaysAllow' | 'IfHealthyBudget' } = {}) => ({ name: 'coredns', spec: { ...spec, ...extra }, status: budgetStatus(spec, pods) });

  it('lets a healthy pod go while disruptions are allowed, else refuses naming what the budget needs', () => {
    expect(evictionVerdict(healthy(), budget({ maxUnavailable: 1 }, [healthy(), healthy()]))).toEqual({ allowed: true });
    expect(evictionVerdict(healthy(), budget({ minAvailable: 2 }, [healthy(), healthy()]))).toEqual({ allowed: false, budget: 'coredns', message: 'The disruption budget coredns needs 2 healthy pods and has 2 currently' });
    expect(evictionVerdict(healthy(), budget({ maxUnavailable: 1 }, [terminating(), starting(), healthy()]))).toEqual({ allowed: false, budget: 'coredns', message: 'The disruption budget coredns needs 1 healthy pods and has 1 currently' });
  });

  it('ignores the budget for a Pending or terminating pod', () => {
    const blocking = budget({ minAvailable: 2 }, [healthy(), healthy()]);
    expect(evictionVerdict(starting(), blocking)).toEqual({ allowed: true });
    expect(evictionVerdict(terminating(), blocking)).toEqual({ allowed: true });
  });

  it('lets an unhealthy running pod go while the budget is met (IfHealthyBudget), or always (AlwaysAllow)', () => {
    expect(evictionVerdict(crashing(3), budget({ minAvailable: 2 }, [crashing(3), healthy(3), healthy(3)]))).toEqual({ allowed: true });
    expect(evictionVerdict(crashing(), budget({ minAvailable: 2 }, [crashing(), healthy()])).allowed).toBe(false);
    expect(evictionVerdict(crashing(), budget({ minAvailable: 2 }, [crashing(), healthy()], { unhealthyPodEvictionPolicy: 'AlwaysAllow' }))).toEqual({ allowed: true });
  });
});
