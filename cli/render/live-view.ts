/**
 * The TTY view of an operation: a header, then one row per step and resource with its state and
 * elapsed time, redrawn in place. Finished steps show their duration on the service's clock;
 * steps in flight count from when this view first saw them (the service's clock may be another
 * machine's, or local mode's faster one).
 */
import type { Operation, OperationStep } from '../client/types';
import { describeOperation } from './log-lines';
import { formatDuration, type Style } from './style';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class LiveView {
  private readonly startedAt: number;
  private readonly firstSeen = new Map<string, number>();

  constructor(
    private readonly style: Style,
    private readonly now: () => number,
  ) {
    this.startedAt = now();
  }

  frame(operation: Operation): string {
    const now = this.now();
    const spinner = SPINNER[Math.floor(now / 100) % SPINNER.length]!;
    const steps = operation.steps ?? [];
    const header = `${this.style.bold(describeOperation(operation))}  ${operation.id}  ${this.status(operation)}  phase ${operation.phase}  ${formatDuration(now - this.startedAt)}`;
    const nameWidth = Math.max(0, ...steps.map((s) => s.name.length));
    const resourceWidth = Math.max(0, ...steps.map((s) => (s.resource ?? '').length));
    const rows = steps.map((step) => {
      const [icon, state] = this.state(step, spinner);
      const elapsed = step.endedAt ? formatDuration(Date.parse(step.endedAt) - Date.parse(step.startedAt)) : formatDuration(now - this.seen(step, now));
      return `  ${icon} ${step.name.padEnd(nameWidth)}  ${(step.resource ?? '').padEnd(resourceWidth)}  ${state.padEnd(9)} ${elapsed}`;
    });
    return [header, ...rows].join('\n');
  }

  private status(operation: Operation): string {
    if (operation.status === 'SUCCEEDED') return this.style.green(operation.status);
    if (operation.status === 'FAILED' || operation.status === 'ROLLED_BACK') return this.style.red(operation.status);
    return this.style.yellow(operation.status);
  }

  private state(step: OperationStep, spinner: string): [string, string] {
    switch (step.status) {
      case 'SUCCEEDED':
        return [this.style.green('✔'), 'done'];
      case 'SKIPPED':
        return [this.style.dim('-'), 'skipped'];
      case 'STARTED':
        return [this.style.yellow(spinner), 'running'];
      default:
        return [this.style.red('✖'), step.status.toLowerCase()];
    }
  }

  private seen(step: OperationStep, now: number): number {
    const key = `${step.name}\u0000${step.resource ?? ''}`;
    if (!this.firstSeen.has(key)) this.firstSeen.set(key, now);
    return this.firstSeen.get(key)!;
  }
}
