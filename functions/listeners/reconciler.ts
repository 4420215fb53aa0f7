/**
 * The reconciler, run on a schedule (every few minutes in AWS; on the emulated clock in local
 * mode): reads the operations not yet settled (a sparse index of the registry) and, for each,
 *   - a committed outcome: releases the lock if still held and delivers its terminal event if
 *     the bus has not taken it yet (an EventBridge outage, a step that crashed after its commit);
 *   - no outcome, its execution ended (the execution-ended listener failed or never heard): FAILED;
 *   - no outcome, its execution never started and nobody retried within NEVER_STARTED_GRACE_SECONDS: FAILED;
 *   - still running: left alone.
 * Settlements are conditional on the record not having moved since it was read, so a run racing
 * the workflow never overtakes it.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { isTerminal } from '../domain/status-event';
import type { OperationRecord } from '../ports/registry';
import { dynamoRegistry } from '../ports/registry';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { executionArnOf, sdkWorkflows } from '../ports/workflows';
import { wire, type StepDeps } from '../shared/deps';
import { logger } from '../shared/logger';
import { completeOutcome, endedWithoutOutcome, settle, type Ending, type Where } from './settle';

/** How long an operation whose execution does not exist may wait for its start (the API's own, or its caller's retry). */
export const NEVER_STARTED_GRACE_SECONDS = 10 * 60;
/** Operations read per registry page. */
const PAGE = 50;

export type Verdict = 'running' | 'waiting' | 'settled' | 'delivered' | 'undelivered' | 'unknown' | 'error';

export interface ReconcileReport {
  /** Operation id → what this run found or did. */
  operations: Record<string, Verdict>;
}

type ReconcilerDeps = StepDeps<'events' | 'registry' | 'workflows'>;

export async function reconcile(deps: ReconcilerDeps, where: Where): Promise<ReconcileReport> {
  const report: ReconcileReport = { operations: {} };
  let cursor: string | undefined;
  do {
    const page = await deps.registry.listUnsettled({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const record of page.items) {
      try {
        report.operations[record.id] = await reconcileOne(deps, record, where);
      } catch (error) {
        // One operation's trouble must not keep the others unsettled; the next run tries again.
        logger.warn('could not reconcile an operation', { operationId: record.id, errorName: (error as Error).name, errorMessage: (error as Error).message });
        report.operations[record.id] = 'error';
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return report;
}

async function reconcileOne(deps: ReconcilerDeps, record: OperationRecord, where: Where): Promise<Verdict> {
  if (isTerminal(record.status)) {
    const settled = await completeOutcome(deps, record);
    return settled.terminalEventSent ? 'delivered' : 'undelivered';
  }
  const executionArn = record.executionArn ?? (record.stateMachineArn ? executionArnOf(record.stateMachineArn, record.id) : undefined);
  // A record from before the service kept its state machine, with no execution ARN: nothing to ask.
  if (!executionArn) return 'unknown';
  const execution = await deps.workflows.describe(executionArn);
  if (execution?.status === 'RUNNING') return 'running';
  let ending: Ending;
  if (execution) {
    ending = endedWithoutOutcome(record, record.id, execution);
  } else {
    if (deps.clock().getTime() - Date.parse(record.updatedAt) < NEVER_STARTED_GRACE_SECONDS * 1000) return 'waiting';
    ending = {
      code: 'ExecutionNeverStarted',
      message: `the ${record.type.toLowerCase()} workflow never started${record.notStarted ? ' (StartExecution failed and the request was not retried)' : ''}`,
      resource: `execution ${record.id}`,
      neverStarted: true,
    };
  }
  const settled = await settle(deps, record, where, ending, 'reconciler', record);
  if (!isTerminal(settled.status)) return 'running';
  logger.warn('operation settled by the reconciler', { operationId: record.id, code: ending.code });
  return settled.terminalEventSent ? 'settled' : 'undelivered';
}

const deps = wire({ events: eventBridgeStatusEvents, registry: dynamoRegistry, workflows: sdkWorkflows });

/** Invoked by an EventBridge schedule rule: its event names the account and region. */
export const handler = middy((event: EventBridgeEvent<string, unknown>) => reconcile(deps(), { region: event.region, account: event.account })).use(injectLambdaContext(logger, { resetKeys: true }));
