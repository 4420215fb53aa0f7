/**
 * What the update-cluster steps share. Each reads the live cluster, asks domain/cluster-change
 * for the next step and makes its calls; this module turns the outcome into the Poll the loop
 * reads ($.progress) and reports each change once, never per poll: the first look reports the
 * phase (the state STARTED, or SKIPPED when there is nothing to do), entering a stage reports it
 * STARTED, leaving it SUCCEEDED, and the end the state SUCCEEDED.
 *
 * Waits: entering a stage, the first look comes at its earliest finish; after that a long
 * remaining wait goes back to the ASL's Wait state, a short one throws the stage's
 * *NotReadyError for the ASL's Retry to poll (one state transition per look instead of three).
 */
import type { Phase, Poll, UpdateInput } from '../generated/types';
import { changeResource, changeTarget, isStage, STAGES, type ChangeCall, type ChangeResult, type NextStep, type Stage } from '../domain/cluster-change';
import { coarseWaitSeconds, elapsedSeconds, firstWaitSeconds } from '../domain/poll-schedule';
import type { StatusChange } from '../domain/status-event';
import type { StepDeps } from '../shared/deps';
import { ChangeRefusedError } from '../shared/errors';
import { reportProgress } from '../shared/progress';

export class ChangeProgress {
  readonly cluster: string;
  /** The nodegroup or Fargate profile name or principal ARN the change is about. */
  readonly target: string;

  constructor(
    readonly input: UpdateInput,
    private readonly deps: StepDeps<'events' | 'registry'>,
    /** The Task state's name: the step of the phase's first and last events. */
    private readonly stateName: string,
    /** The events' phase: update-cluster's, or another workflow's that drives a change the same way (upgrade-cluster's DataPlane). */
    private readonly phase: Phase = 'Update',
  ) {
    this.cluster = input.operation.cluster.name;
    this.target = changeTarget(input.change, this.cluster);
  }

  /**
   * Carries out the plan's next step: makes its calls (`call` answers an update id when the call
   * starts an EKS update) and answers the Poll, or throws the refusal or failure it names
   * (`rootCause` adds what only the step can find, e.g. a stack's failed resource).
   */
  async follow<C extends ChangeCall>(next: NextStep<C>, call: (call: C) => Promise<string | undefined | void>, rootCause?: (stage: Stage) => Promise<string | undefined>): Promise<Poll> {
    switch (next.kind) {
      case 'inSync':
        return this.done(false);
      case 'wait':
        return this.waiting(next.stage, next.status);
      case 'refused':
        throw await this.errorFor(next);
      case 'failed':
        throw await this.errorFor(next, rootCause ? await rootCause(next.stage) : undefined);
      case 'apply': {
        let updateId: string | undefined;
        for (const each of next.calls) updateId = (await call(each)) ?? updateId;
        return next.stage ? this.started(next.stage, { updateId }) : this.done(true);
      }
    }
  }

  /** Whether this change has started a stage of its own: from then on only that stage's status matters, not other updates. */
  get underway(): boolean {
    return this.input.progress?.stage !== undefined;
  }

  /** The update id the last Poll carried, while the change still waits for that stage. */
  trackedUpdateId(stage: Stage): string | undefined {
    return this.input.progress?.stage === stage ? this.input.progress.updateId : undefined;
  }

  stageResource(stage: Stage): string {
    return STAGES[stage].resource(this.cluster, this.target);
  }

  /**
   * The refusal or failure `next` names, as the error the ASL catches. Found at the first look,
   * the phase's start is reported first, so every update's events begin the same way.
   */
  private async errorFor(next: Extract<NextStep, { kind: 'failed' | 'refused' }>, rootCause?: string): Promise<Error> {
    if (!this.input.progress) await this.report({ name: this.stateName, status: 'STARTED', resource: this.changeResource(), startedAt: this.deps.clock().toISOString() });
    if (next.kind === 'refused') return new ChangeRefusedError(next.reason, { resource: this.changeResource() });
    return new STAGES[next.stage].failedError(rootCause ? `${next.reason}: ${rootCause}` : next.reason, { resource: this.stageResource(next.stage) });
  }

  /** Calls made for `stage`: wait for it, first looking at its earliest finish. */
  private async started(stage: Stage, extra: Pick<Poll, 'updateId' | 'status'> = {}): Promise<Poll> {
    const now = this.deps.clock();
    const startedAt = this.lastStage() === stage ? (this.input.progress?.startedAt ?? now.toISOString()) : now.toISOString();
    await this.reportMove(stage, now);
    return { ready: false, waitSeconds: firstWaitSeconds(STAGES[stage].pollKind, elapsedSeconds(startedAt, now)), stage, startedAt, ...definedOnly(extra) };
  }

  /** Something is in flight for `stage`: wait coarsely, or throw for the ASL's Retry near the expected finish. */
  private async waiting(stage: Stage, status: string): Promise<Poll> {
    const { progress } = this.input;
    if (!progress || this.lastStage() !== stage) return this.started(stage, { status });
    const now = this.deps.clock();
    const startedAt = progress.startedAt ?? now.toISOString();
    const wait = coarseWaitSeconds(STAGES[stage].pollKind, elapsedSeconds(startedAt, now));
    if (wait === 0) throw new STAGES[stage].notReadyError(status, { resource: this.stageResource(stage) });
    return { ready: false, waitSeconds: wait, stage, status, startedAt, ...definedOnly({ updateId: progress.updateId }) };
  }

  /** The cluster is as the change asks: `unchanged` when it already was at the first look. */
  private async done(appliedNow: boolean): Promise<Poll> {
    const now = this.deps.clock();
    const result: ChangeResult = this.input.progress || appliedNow ? 'applied' : 'unchanged';
    if (result === 'unchanged') {
      await this.report({ name: this.stateName, status: 'SKIPPED', resource: this.changeResource(), startedAt: now.toISOString(), endedAt: now.toISOString() });
    } else {
      await this.reportMove(undefined, now);
      // The execution starts as the request is accepted: requestedAt is when the change began.
      await this.report({ name: this.stateName, status: 'SUCCEEDED', resource: this.changeResource(), startedAt: this.input.operation.requestedAt, endedAt: now.toISOString() });
    }
    return { ready: true, waitSeconds: 0, stage: result };
  }

  private lastStage(): Stage | undefined {
    const stage = this.input.progress?.stage;
    return isStage(stage) ? stage : undefined;
  }

  private changeResource(): string {
    return changeResource(this.input.change, this.cluster);
  }

  /** The phase's first event on the first look; the last stage SUCCEEDED and `next` STARTED when they differ. */
  private async reportMove(next: Stage | undefined, now: Date): Promise<void> {
    const at = now.toISOString();
    if (!this.input.progress) await this.report({ name: this.stateName, status: 'STARTED', resource: this.changeResource(), startedAt: at });
    const last = this.lastStage();
    if (last && last !== next) {
      await this.report({ name: STAGES[last].stepName, status: 'SUCCEEDED', resource: this.stageResource(last), startedAt: this.input.progress?.startedAt ?? at, endedAt: at });
    }
    if (next && next !== last) await this.report({ name: STAGES[next].stepName, status: 'STARTED', resource: this.stageResource(next), startedAt: at });
  }

  private async report(step: NonNullable<StatusChange['step']>): Promise<void> {
    await reportProgress(this.deps, this.input.operation, { status: 'IN_PROGRESS', phase: this.phase, step });
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
