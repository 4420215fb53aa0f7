/**
 * What the upgrade-cluster steps share: their events (one per step change, never per poll) and
 * their waits. Entering something EKS runs, the first look comes at its earliest finish; after
 * that a long remaining wait goes back to the ASL's Wait state, a short one throws the step's
 * *NotReadyError for the ASL's Retry to poll (as update-cluster's steps do: update-change.ts).
 */
import type { Operation, Phase, Poll } from '../generated/types';
import { coarseWaitSeconds, elapsedSeconds, firstWaitSeconds, type PolledKind } from '../domain/poll-schedule';
import type { StatusChange } from '../domain/status-event';
import type { StepDeps } from '../shared/deps';
import { reportProgress } from '../shared/progress';

export type UpgradeStep = NonNullable<StatusChange['step']>;

export function reportUpgradeStep(deps: StepDeps<'events' | 'registry'>, operation: Operation, phase: Phase, step: UpgradeStep): Promise<void> {
  return reportProgress(deps, operation, { status: 'IN_PROGRESS', phase, step });
}

/** The Poll after starting something EKS runs: the first look at its earliest finish. */
export function startedPoll(kind: PolledKind, now: Date, extra: Omit<Poll, 'ready' | 'waitSeconds' | 'startedAt'> = {}): Poll {
  return { ready: false, waitSeconds: firstWaitSeconds(kind), startedAt: now.toISOString(), ...extra };
}

/** Still running: wait coarsely, or throw `notReady` for the ASL's Retry near the expected finish. */
export function stillRunning(kind: PolledKind, previous: Poll, now: Date, notReady: () => Error, status?: string): Poll {
  const startedAt = previous.startedAt ?? now.toISOString();
  const wait = coarseWaitSeconds(kind, elapsedSeconds(startedAt, now));
  if (wait === 0) throw notReady();
  return { ...previous, ready: false, waitSeconds: wait, startedAt, ...(status ? { status } : {}) };
}

export const DONE: Poll = { ready: true, waitSeconds: 0 };
