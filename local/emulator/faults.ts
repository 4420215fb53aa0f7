/**
 * Injectable faults (POST /_local/faults {"rules": [...]}, DELETE clears). Each service asks the
 * registry at the point where AWS would fail; rules with a count are used up.
 */
import { EmulatorError } from './protocol';

export type FaultRule =
  | { kind: 'throttle'; service: string; operation?: string; rate: number }
  | { kind: 'server-error'; service: string; operation?: string; rate: number }
  | { kind: 'stack-resource-failure'; logicalId: string; reason: string; stack?: string }
  | { kind: 'nodegroup-failure'; nodegroup: string; code?: string; message: string }
  | { kind: 'update-failure'; updateType: string; message: string }
  | { kind: 'step-crash'; state: string; count?: number }
  /** A PodDisruptionBudget keeps a pod on the nodegroup: a version update without force fails; `count` updates, else all. */
  | { kind: 'pod-eviction-failure'; nodegroup: string; pod: string; namespace?: string; podDisruptionBudget: string; count?: number }
  /**
   * The kubelets of a nodegroup's nodes (managed, or self-managed: see nodeNotReady) report them
   * not Ready: by default Ready=Unknown, NodeStatusUnknown, as when a kubelet stops posting status.
   */
  | { kind: 'node-not-ready'; nodegroup: string; cluster?: string; status?: 'False' | 'Unknown'; reason?: string; message?: string }
  /** An UPGRADE_READINESS insight of that name and status for upgrades to kubernetesVersion (every cluster, or `cluster`). */
  | { kind: 'insight'; name: string; status: InsightFaultStatus; kubernetesVersion: string; cluster?: string; description?: string; recommendation?: string };

export type InsightFaultStatus = 'PASSING' | 'WARNING' | 'ERROR' | 'UNKNOWN';
export type NodeCondition = { status: 'False' | 'Unknown'; reason: string; message: string };
export type PodEvictionBlock = { pod: string; namespace: string; podDisruptionBudget: string };

const KINDS = ['throttle', 'server-error', 'stack-resource-failure', 'nodegroup-failure', 'update-failure', 'step-crash', 'pod-eviction-failure', 'insight', 'node-not-ready'];
/** Fields each kind needs, as strings, so a misspelt rule is refused rather than never matching. */
const REQUIRED: Record<string, string[]> = {
  'pod-eviction-failure': ['nodegroup', 'pod', 'podDisruptionBudget'],
  insight: ['name', 'status', 'kubernetesVersion'],
  'node-not-ready': ['nodegroup'],
};

export class Faults {
  private rules: FaultRule[] = [];

  constructor(private readonly random: () => number) {}

  /** Validates and adds rules; throws EmulatorError 400 naming the bad rule. */
  add(rules: unknown): FaultRule[] {
    if (!Array.isArray(rules)) throw new EmulatorError(400, 'ValidationError', 'body must be {"rules": [...]}');
    rules.forEach((rule, i) => {
      const kind = (rule as { kind?: string })?.kind;
      if (!kind || !KINDS.includes(kind)) throw new EmulatorError(400, 'ValidationError', `rules[${i}].kind must be one of ${KINDS.join(', ')}`);
      const rate = (rule as { rate?: number }).rate;
      if ((kind === 'throttle' || kind === 'server-error') && !(typeof rate === 'number' && rate >= 0 && rate <= 1)) {
        throw new EmulatorError(400, 'ValidationError', `rules[${i}].rate must be a number between 0 and 1`);
      }
      for (const field of REQUIRED[kind] ?? []) {
        if (typeof (rule as Record<string, unknown>)[field] !== 'string') throw new EmulatorError(400, 'ValidationError', `rules[${i}].${field} must be a string`);
      }
      const status = (rule as { status?: string }).status;
      if (kind === 'node-not-ready' && !['False', 'Unknown', undefined].includes(status)) throw new EmulatorError(400, 'ValidationError', `rules[${i}].status must be False or Unknown`);
      if (kind === 'insight' && !['PASSING', 'WARNING', 'ERROR', 'UNKNOWN'].includes(status ?? '')) throw new EmulatorError(400, 'ValidationError', `rules[${i}].status must be PASSING, WARNING, ERROR or UNKNOWN`);
    });
    this.rules.push(...(rules as FaultRule[]));
    return this.list();
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return structuredClone(this.rules);
  }

  private matches(rule: { service: string; operation?: string }, service: string, operation: string): boolean {
    return (rule.service === '*' || rule.service === service) && (!rule.operation || rule.operation === '*' || rule.operation === operation);
  }

  /** Throws the throttling or 5xx error AWS would, at the configured rate. */
  checkCall(service: string, operation: string, throttleCode = 'ThrottlingException'): void {
    for (const rule of this.rules) {
      if (rule.kind === 'throttle' && this.matches(rule, service, operation) && this.random() < rule.rate) {
        throw new EmulatorError(service === 'ec2' ? 503 : 400, throttleCode, 'Rate exceeded');
      }
      if (rule.kind === 'server-error' && this.matches(rule, service, operation) && this.random() < rule.rate) {
        throw new EmulatorError(500, 'InternalFailure', 'We encountered an internal error. Please try again.');
      }
    }
  }

  stackResourceFailure(stackName: string, logicalId: string): string | undefined {
    const rule = this.rules.find((r): r is Extract<FaultRule, { kind: 'stack-resource-failure' }> => r.kind === 'stack-resource-failure' && r.logicalId === logicalId && (!r.stack || r.stack === stackName));
    return rule?.reason;
  }

  nodegroupFailure(nodegroup: string): { code: string; message: string } | undefined {
    const rule = this.rules.find((r): r is Extract<FaultRule, { kind: 'nodegroup-failure' }> => r.kind === 'nodegroup-failure' && r.nodegroup === nodegroup);
    return rule && { code: rule.code ?? 'AsgInstanceLaunchFailures', message: rule.message };
  }

  updateFailure(updateType: string): string | undefined {
    return this.rules.find((r): r is Extract<FaultRule, { kind: 'update-failure' }> => r.kind === 'update-failure' && r.updateType === updateType)?.message;
  }

  /** The pod a PodDisruptionBudget keeps on this nodegroup, when a rule says so; uses up one count. */
  takePodEvictionFailure(nodegroup: string): PodEvictionBlock | undefined {
    const rule = this.rules.find((r): r is Extract<FaultRule, { kind: 'pod-eviction-failure' }> => r.kind === 'pod-eviction-failure' && r.nodegroup === nodegroup && (r.count === undefined || r.count > 0));
    if (!rule) return undefined;
    if (rule.count !== undefined) rule.count -= 1;
    return { pod: rule.pod, namespace: rule.namespace ?? 'default', podDisruptionBudget: rule.podDisruptionBudget };
  }

  /** The Ready condition a rule forces on the nodes of `nodegroups` (the names a node goes by), if any. */
  nodeNotReady(cluster: string, nodegroups: string[]): NodeCondition | undefined {
    const rule = this.rules.find((r): r is Extract<FaultRule, { kind: 'node-not-ready' }> => r.kind === 'node-not-ready' && nodegroups.includes(r.nodegroup) && (!r.cluster || r.cluster === cluster));
    if (!rule) return undefined;
    const status = rule.status ?? 'Unknown';
    return {
      status,
      reason: rule.reason ?? (status === 'Unknown' ? 'NodeStatusUnknown' : 'KubeletNotReady'),
      message: rule.message ?? (status === 'Unknown' ? 'Kubelet stopped posting node status.' : 'container runtime is down'),
    };
  }

  /** The insights rules add for a cluster's upgrade to `kubernetesVersion`. */
  insights(cluster: string, kubernetesVersion: string): Array<Extract<FaultRule, { kind: 'insight' }>> {
    return this.rules.filter((r): r is Extract<FaultRule, { kind: 'insight' }> => r.kind === 'insight' && r.kubernetesVersion === kubernetesVersion && (!r.cluster || r.cluster === cluster)).map((r) => ({ ...r }));
  }

  /** True when the named Task state should crash now (after its side effect); uses up one count. */
  takeStepCrash(state: string): boolean {
    const rule = this.rules.find((r): r is Extract<FaultRule, { kind: 'step-crash' }> => r.kind === 'step-crash' && r.state === state && (r.count ?? 1) > 0);
    if (!rule) return false;
    rule.count = (rule.count ?? 1) - 1;
    return true;
  }
}
