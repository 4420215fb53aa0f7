/**
 * What the service measures about its operations, derived from its own status events (and, for a
 * terminal one, the operation's step timeline): operations accepted, succeeded and failed by type,
 * operations the reconciler had to settle, and how long each phase and each operation took. Pure,
 * so the figures on the dashboard and the alarms' thresholds are tested here, not in CloudWatch.
 */
import type { OperationStatusEvent } from '../generated/types';
import { isTerminal } from './status-event';

export const METRICS_NAMESPACE = 'EksProvisioner';

export const METRIC = {
  accepted: 'OperationsAccepted',
  succeeded: 'OperationsSucceeded',
  /** FAILED and ROLLED_BACK alike: the operation did not do what was asked. */
  failed: 'OperationsFailed',
  rolledBack: 'OperationsRolledBack',
  /** Operations whose execution ended or never started without reporting: each one is worth a look. */
  settledByReconciler: 'OperationsSettledByReconciler',
  operationDuration: 'OperationDuration',
  phaseDuration: 'PhaseDuration',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export interface MetricPoint {
  name: MetricName;
  unit: 'Count' | 'Milliseconds';
  value: number;
  dimensions: Record<string, string>;
}

/** One step of the operation's timeline, as far as durations need it. */
export interface TimedStep {
  phase: string;
  startedAt: string;
  endedAt?: string;
  at: string;
}

/** The operation record's part that a terminal event's durations are measured from. */
export interface OperationTimeline {
  requestedAt: string;
  steps: Record<string, TimedStep>;
}

const COUNT_OF_STATUS: Partial<Record<OperationStatusEvent['status'], MetricName[]>> = {
  ACCEPTED: [METRIC.accepted],
  SUCCEEDED: [METRIC.succeeded],
  FAILED: [METRIC.failed],
  ROLLED_BACK: [METRIC.failed, METRIC.rolledBack],
};

export function operationMetrics(event: OperationStatusEvent, timeline?: OperationTimeline): MetricPoint[] {
  const byType = { OperationType: event.operation };
  const points: MetricPoint[] = (COUNT_OF_STATUS[event.status] ?? []).map((name) => ({ name, unit: 'Count', value: 1, dimensions: byType }));
  // One series across types: the alarm watches the service as a whole.
  if (event.settledBy === 'reconciler') points.push({ name: METRIC.settledByReconciler, unit: 'Count', value: 1, dimensions: {} });
  if (!isTerminal(event.status) || !timeline) return points;

  const total = millisBetween(timeline.requestedAt, event.time);
  if (total !== undefined) points.push({ name: METRIC.operationDuration, unit: 'Milliseconds', value: total, dimensions: byType });
  for (const [phase, span] of phaseSpans(Object.values(timeline.steps))) {
    points.push({ name: METRIC.phaseDuration, unit: 'Milliseconds', value: span, dimensions: { ...byType, Phase: phase } });
  }
  return points;
}

/** Each phase's wall time: from its first step's start to its last step's end (parallel steps overlap, so not a sum). */
function phaseSpans(steps: TimedStep[]): Map<string, number> {
  const bounds = new Map<string, { start: number; end: number }>();
  for (const step of steps) {
    const start = Date.parse(step.startedAt);
    const end = Date.parse(step.endedAt ?? step.at);
    if (Number.isNaN(start) || Number.isNaN(end)) continue;
    const known = bounds.get(step.phase);
    bounds.set(step.phase, known ? { start: Math.min(known.start, start), end: Math.max(known.end, end) } : { start, end });
  }
  return new Map([...bounds].map(([phase, { start, end }]) => [phase, Math.max(0, end - start)]));
}

function millisBetween(from: string, to: string): number | undefined {
  const span = Date.parse(to) - Date.parse(from);
  return Number.isNaN(span) ? undefined : Math.max(0, span);
}
