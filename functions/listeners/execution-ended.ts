/**
 * The prompt half of reconciliation: Step Functions publishes "Step Functions Execution Status
 * Change" on the default bus, and this function takes the service's executions that ended
 * FAILED, TIMED_OUT or ABORTED. One whose workflow committed its outcome (the usual failure path
 * ends in a Fail state after Report Failure; a Finalize that crashed after its commit) only gets
 * what the outcome left undone (lock, delivery); one that ended without is settled FAILED here.
 * An execution stopped while a step held the service's temporary cluster-admin entry (a wait the
 * ASL was retrying) leaves that entry behind: it is removed here first, before the cluster is
 * freed for another operation.
 * A failure here is retried by Lambda, then kept in the dead-letter queue; the scheduled
 * reconciler settles the operation anyway.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { UNREPORTED_ENDINGS, type ExecutionStatusChange } from '../domain/execution-status';
import { isTerminal } from '../domain/status-event';
import { sdkEks } from '../ports/eks';
import { dynamoRegistry } from '../ports/registry';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { wire, type StepDeps } from '../shared/deps';
import { logger } from '../shared/logger';
import { revokeAfterExecution } from './leftover-admin';
import { endedWithoutOutcome, settle } from './settle';

export async function executionEnded(event: EventBridgeEvent<string, ExecutionStatusChange>, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<'reported' | 'already reported' | 'not ours'> {
  const { detail } = event;
  const record = await deps.registry.getOperation(detail.name);
  if (!record || !UNREPORTED_ENDINGS.includes(detail.status)) return 'not ours';
  await revokeLeftAdmin(deps, record.clusterName, record.id);
  const where = { region: event.region, account: event.account };
  const alreadyReported = isTerminal(record.status);
  await settle(deps, record, where, endedWithoutOutcome(record, detail.name, detail), 'reconciler');
  if (alreadyReported) return 'already reported';
  logger.warn('operation ended by its execution', { operationId: record.id, status: detail.status });
  return 'reported';
}

/** The service's principal in clusters is the CloudFormation execution role (CLOUDFORMATION_ROLE_ARN); a failure is logged, as the next grant cleans up too. */
async function revokeLeftAdmin(deps: StepDeps<'eks'>, cluster: string, operationId: string): Promise<void> {
  const principal = deps.settings.cloudFormationRoleArn();
  if (!principal) return;
  try {
    if (await revokeAfterExecution(deps, cluster, principal, operationId)) logger.info('removed the temporary admin entry the stopped execution left', { operationId, cluster });
  } catch (error) {
    logger.warn('could not remove the temporary admin entry the stopped execution left; the next grant will', { operationId, cluster, error: String(error) });
  }
}

const deps = wire({ eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry });

export const handler = middy((event: EventBridgeEvent<string, ExecutionStatusChange>) => executionEnded(event, deps())).use(injectLambdaContext(logger, { resetKeys: true }));
