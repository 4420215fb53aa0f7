/** GET /operations/{id}: status, phase, error or outputs, and the step timeline. Owner or admin only; to anyone else it does not exist. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { StepEntry } from '../ports/registry';
import { mayUseOperation, operationNotFound } from './access';
import type { ApiDeps, ApiRequest } from './request';
import { json } from './problem';

export async function getOperation(request: ApiRequest, deps: ApiDeps, id: string): Promise<APIGatewayProxyResult> {
  const record = await deps.registry.getOperation(id);
  // Who asked for it, or the cluster's owner then (an admin's or the expiry's operation on their cluster).
  if (!record || !mayUseOperation(request, deps, record)) return operationNotFound(id);
  // The outbox and delivery bookkeeping stay inside: the outcome itself is in status, error and outputs.
  const { steps, requestHash: _hash, terminalEventSent: _sent, terminalEvent, clusterAfter: _after, deliveringSince: _claim, notStarted: _notStarted, clusterName, ...rest } = record;
  return json(200, { ...rest, ...(terminalEvent?.settledBy ? { settledBy: terminalEvent.settledBy } : {}), cluster: clusterName, steps: timeline(Object.values(steps ?? {})) });
}

export interface TimelineStep {
  name: string;
  resource?: string;
  phase: string;
  status: string;
  startedAt: string;
  endedAt?: string;
  /** Waits on a nodegroup's nodes: Ready of desired, as last reported. */
  nodes?: { ready: number; desired: number };
}

/**
 * One line per step and resource: the registry holds one entry per status event (STARTED, then
 * SUCCEEDED or FAILED); the timeline shows each step once, with its start, end and latest status.
 */
export function timeline(entries: StepEntry[]): TimelineStep[] {
  const steps = new Map<string, TimelineStep>();
  for (const entry of [...entries].sort((a, b) => a.at.localeCompare(b.at))) {
    const key = `${entry.name}\u0000${entry.resource ?? ''}`;
    const seen = steps.get(key);
    steps.set(key, {
      name: entry.name,
      ...(entry.resource ? { resource: entry.resource } : {}),
      phase: entry.phase,
      status: entry.status,
      startedAt: seen && seen.startedAt < entry.startedAt ? seen.startedAt : entry.startedAt,
      ...(entry.endedAt ? { endedAt: entry.endedAt } : {}),
      ...(entry.nodes ? { nodes: entry.nodes } : {}),
    });
  }
  return [...steps.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
