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
  | { kind: 'step-crash'; state: string; count?: number };

const KINDS = ['throttle', 'server-error', 'stack-resource-failure', 'nodegroup-failure', 'update-failure', 'step-crash'];

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

  /** True when the named Task state should crash now (after its side effect); uses up one count. */
  takeStepCrash(state: string): boolean {
    const rule = this.rules.find((r): r is Extract<FaultRule, { kind: 'step-crash' }> => r.kind === 'step-crash' && r.state === state && (r.count ?? 1) > 0);
    if (!rule) return false;
    rule.count = (rule.count ?? 1) - 1;
    return true;
  }
}
