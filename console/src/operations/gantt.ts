/**
 * An operation's timeline (GET /operations/{id} `steps`) as Gantt bars: one row per step and
 * resource, grouped by phase, positioned in percent of the operation's span. Pure, so it can be
 * tested without a browser.
 *
 * The times are the service's clock (in local mode the emulated one, faster than the browser's),
 * so a step still running ends at the latest time the operation reports, never at the browser's
 * "now".
 */
import type { Operation, OperationStep as TimelineStep } from '../../../cli/client/types';
import { isTerminal } from '../../../functions/domain/operation-status';

export type { Operation, OperationError, OperationStep as TimelineStep } from '../../../cli/client/types';
export { isTerminal };

export interface GanttBar {
  label: string;
  resource?: string;
  phase: string;
  status: string;
  startedAt: string;
  endedAt?: string;
  /** Still running: no end yet, drawn to the latest reported time. */
  running: boolean;
  /** Where the operation failed: the error is shown on this row. */
  failed: boolean;
  offsetPct: number;
  widthPct: number;
  durationMs: number;
}

export interface GanttPhase {
  phase: string;
  offsetPct: number;
  widthPct: number;
  bars: GanttBar[];
}

export interface Gantt {
  start: string;
  end: string;
  spanMs: number;
  phases: GanttPhase[];
}

/** A bar is never thinner than this, so an instant step stays visible and clickable. */
const MIN_WIDTH_PCT = 0.5;

const round = (n: number) => Math.round(n * 100) / 100;

/** The step the operation's error belongs to: its resource's last unfinished step, else the last step of the failed phase. */
export function failedStepIndex(operation: Operation): number {
  if (!operation.error || !operation.steps?.length) return -1;
  const steps = operation.steps;
  const unfinished = (s: TimelineStep) => s.status !== 'SUCCEEDED' && s.status !== 'SKIPPED';
  const { resource } = operation.error;
  for (let i = steps.length - 1; i >= 0; i--) if (resource && steps[i]!.resource === resource && unfinished(steps[i]!)) return i;
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.phase === operation.phase && unfinished(steps[i]!)) return i;
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.phase === operation.phase) return i;
  return -1;
}

export function ganttOf(operation: Operation): Gantt {
  const steps = operation.steps ?? [];
  const times = (s: TimelineStep) => [Date.parse(s.startedAt), ...(s.endedAt ? [Date.parse(s.endedAt)] : [])];
  const start = Math.min(Date.parse(operation.requestedAt), ...steps.map((s) => Date.parse(s.startedAt)));
  const latest = Math.max(Date.parse(operation.updatedAt), start, ...steps.flatMap(times));
  const span = Math.max(latest - start, 1);
  const failedAt = isTerminal(operation.status) && operation.status !== 'SUCCEEDED' ? failedStepIndex(operation) : -1;
  const phases: GanttPhase[] = [];
  steps.forEach((step, index) => {
    const from = Date.parse(step.startedAt);
    // An operation that ended leaves no step running, whatever its last status said.
    const running = !step.endedAt && !isTerminal(operation.status);
    const to = step.endedAt ? Date.parse(step.endedAt) : latest;
    const offset = ((from - start) / span) * 100;
    const bar: GanttBar = {
      label: step.name,
      ...(step.resource ? { resource: step.resource } : {}),
      phase: step.phase,
      status: step.status,
      startedAt: step.startedAt,
      ...(step.endedAt ? { endedAt: step.endedAt } : {}),
      running,
      failed: index === failedAt,
      offsetPct: round(Math.min(offset, 100 - MIN_WIDTH_PCT)),
      widthPct: round(Math.max(((to - from) / span) * 100, MIN_WIDTH_PCT)),
      durationMs: Math.max(to - from, 0),
    };
    // Phases in the order they first start; a phase seen again later (rare) keeps its group.
    let group = phases.find((p) => p.phase === step.phase);
    if (!group) phases.push((group = { phase: step.phase, offsetPct: 0, widthPct: 0, bars: [] }));
    group.bars.push(bar);
  });
  for (const group of phases) {
    const from = Math.min(...group.bars.map((b) => b.offsetPct));
    const to = Math.max(...group.bars.map((b) => b.offsetPct + b.widthPct));
    group.offsetPct = round(from);
    group.widthPct = round(Math.min(to, 100) - from);
  }
  return { start: new Date(start).toISOString(), end: new Date(latest).toISOString(), spanMs: span, phases };
}

/** "2.4 s", "11 min 3 s", "1 h 2 min": durations on the service's clock. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
