/**
 * The shared shape of the create/check steps for EKS sub-resources (nodegroups, Fargate
 * profiles, add-ons): report the start once, then on each check either report success, fail
 * with the resource's own diagnosis, or throw the *NotReadyError the ASL retries. The create
 * step's first wait already runs to the earliest finish, so a check never asks for a coarse
 * wait: the Map items end at the check, with no Choice loop (fewer state transitions).
 */
import type { Operation, Poll } from '../generated/types';
import { elapsedSeconds, firstWaitSeconds, type PolledKind } from '../domain/poll-schedule';
import type { Progress } from '../domain/status';
import type { StepDeps } from '../shared/deps';
import type { ErrorDetails } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { watchWithin } from './watch';

type ErrorClass = new (message: string, details?: ErrorDetails) => Error;

export interface Observed {
  status?: string;
  createdAt?: Date;
  /** Why it failed, in AWS's words (health issues, update errors). */
  problems?: string;
}

export interface PolledResource {
  kind: PolledKind;
  /** The Task state's name, as shown in the step timeline. */
  stepName: string;
  /** "nodegroup ng-spot": leads error messages and names the resource in events. */
  resource: string;
  classify: (status: string | undefined) => Progress;
  failedError: ErrorClass;
  notReadyError: ErrorClass;
}

export async function startedResource(deps: StepDeps<'events' | 'registry'>, operation: Operation, polled: PolledResource, observed: Observed | undefined): Promise<Poll> {
  const startedAt = (observed?.createdAt ?? deps.clock()).toISOString();
  await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'ComputeAndAccess', step: { name: polled.stepName, status: 'STARTED', resource: polled.resource, startedAt } });
  return { ready: false, waitSeconds: firstWaitSeconds(polled.kind, elapsedSeconds(startedAt, deps.clock())), status: observed?.status, startedAt };
}

/** `observe` reads the resource; while it is still being made, it is read again within the invocation (watch.ts). */
export async function checkedResource(deps: StepDeps<'events' | 'registry'>, operation: Operation, polled: PolledResource, observe: () => Promise<Observed | undefined>): Promise<Poll> {
  const observed = await watchWithin(deps, observe, (seen) => seen !== undefined && polled.classify(seen.status) === 'pending');
  if (!observed) throw new polled.failedError('disappeared while being created', { resource: polled.resource });
  const startedAt = (observed.createdAt ?? deps.clock()).toISOString();
  const progress = polled.classify(observed.status);
  if (progress === 'failed') throw new polled.failedError(`${observed.status}: ${observed.problems || 'EKS gave no reason'}`, { resource: polled.resource });
  if (progress === 'pending') throw new polled.notReadyError(`${observed.status}`, { resource: polled.resource });
  await reportProgress(deps, operation, {
    status: 'IN_PROGRESS',
    phase: 'ComputeAndAccess',
    step: { name: polled.stepName, status: 'SUCCEEDED', resource: polled.resource, startedAt, endedAt: deps.clock().toISOString() },
  });
  return { ready: true, waitSeconds: 0, status: observed.status, startedAt };
}
