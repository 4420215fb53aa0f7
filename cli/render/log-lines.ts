/**
 * Progress for pipes and CI logs, as eksctl prints it: `2026-12-04 02:10:11 [ℹ]  creating cluster
 * stack "eksp-demo-cluster"`, one line per change seen between two snapshots of the operation.
 */
import type { Operation, OperationStep } from '../client/types';
import { stepDone, stepStarted } from './step-words';

export type Level = 'info' | 'success' | 'warning' | 'error';
const ICONS: Record<Level, string> = { info: 'ℹ', success: '✔', warning: '!', error: '✖' };

/** eksctl's layout: local time to the second, the level's icon in brackets, two spaces, the message. */
export function logLine(level: Level, message: string, at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  return `${stamp} [${ICONS[level]}]  ${message}`;
}

export interface LogEvent {
  level: Level;
  message: string;
}

const stepKey = (step: OperationStep) => `${step.name}\u0000${step.resource ?? ''}`;

/** What changed from `before` (undefined: nothing seen yet) to `after`, in the order it happened. */
export function changesBetween(before: Operation | undefined, after: Operation): LogEvent[] {
  const events: LogEvent[] = [];
  if (!before) events.push({ level: 'info', message: `${describeOperation(after)}: operation ${after.id}` });
  if (!before || before.phase !== after.phase) {
    if (!isTerminal(after)) events.push({ level: 'info', message: `phase ${after.phase}` });
  }
  const seen = new Map((before?.steps ?? []).map((s) => [stepKey(s), s.status]));
  for (const step of after.steps ?? []) {
    const previous = seen.get(stepKey(step));
    if (previous === step.status) continue;
    if (step.status === 'STARTED') events.push({ level: 'info', message: stepStarted(step) });
    else {
      // A step that started and ended between two polls is still told as started first.
      if (previous === undefined && step.status !== 'SKIPPED') events.push({ level: 'info', message: stepStarted(step) });
      events.push(stepEnded(step));
    }
  }
  if (isTerminal(after) && (!before || !isTerminal(before))) events.push(...outcome(after));
  return events;
}

/** `create cluster "demo"`, `ADD_NODEGROUP on cluster "demo"`. */
export function describeOperation(operation: Operation): string {
  if (operation.action) return `${operation.action} on cluster "${operation.cluster}"`;
  return `${operation.type.toLowerCase()} cluster "${operation.cluster}"`;
}

function stepEnded(step: OperationStep): LogEvent {
  if (step.status === 'SUCCEEDED') return { level: 'success', message: stepDone(step) };
  if (step.status === 'SKIPPED') return { level: 'info', message: `skipped: ${stepStarted(step)}` };
  return { level: 'error', message: `${step.status.toLowerCase()}: ${stepStarted(step)}` };
}

function isTerminal(operation: Operation): boolean {
  return ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'].includes(operation.status);
}

/** The last word: success with the outputs, or the status with the error's code, root cause and resource. */
export function outcome(operation: Operation): LogEvent[] {
  if (operation.status === 'SUCCEEDED') {
    const outputs = Object.entries(operation.outputs ?? {}).map(([key, value]) => ({ level: 'info' as const, message: `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}` }));
    return [{ level: 'success', message: `${describeOperation(operation)} SUCCEEDED` }, ...outputs];
  }
  const error = operation.error;
  const cause = error ? `: ${error.code}: ${error.message}${error.resource ? ` (resource: ${error.resource})` : ''}` : '';
  return [{ level: 'error', message: `${describeOperation(operation)} ${operation.status} in phase ${operation.phase}${cause}` }];
}
