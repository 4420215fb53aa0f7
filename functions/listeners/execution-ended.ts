/**
 * The backstop of "every accepted operation ends with exactly one terminal event": Step Functions
 * publishes "Step Functions Execution Status Change" on the default bus, and this function takes
 * the service's executions that ended FAILED, TIMED_OUT or ABORTED. One whose workflow already
 * reported its outcome (the usual failure path ends in a Fail state after Report Failure) is left
 * alone; one that ended without (an operator's StopExecution, a timeout, a failure report that
 * itself failed) gets its terminal FAILED event here and its cluster's lock released.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import type { Operation } from '../generated/types';
import { UNREPORTED_ENDINGS, type ExecutionStatusChange } from '../domain/execution-status';
import type { ClusterStatus, OperationRecord } from '../ports/registry';
import { dynamoRegistry } from '../ports/registry';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { wire, type StepDeps } from '../shared/deps';
import { logger } from '../shared/logger';
import { reportOutcome } from '../shared/progress';

/** Where the cluster is left: a create or delete may have left something behind; a failed update left a working cluster. */
const CLUSTER_AFTER: Record<Operation['type'], ClusterStatus> = { CREATE: 'FAILED', DELETE: 'FAILED', UPDATE: 'ACTIVE' };

export async function executionEnded(event: EventBridgeEvent<string, ExecutionStatusChange>, deps: StepDeps<'events' | 'registry'>): Promise<'reported' | 'already reported' | 'not ours'> {
  const { detail } = event;
  const record = await deps.registry.getOperation(detail.name);
  if (!record || !UNREPORTED_ENDINGS.includes(detail.status)) return 'not ours';
  if (record.terminalEventSent) return 'already reported';
  const reason = [detail.error, detail.cause].filter(Boolean).join(': ');
  await reportOutcome(
    deps,
    operationOf(record, event),
    {
      status: 'FAILED',
      phase: record.phase,
      error: { code: `Execution${pascal(detail.status)}`, message: `the ${record.type.toLowerCase()} workflow ended ${detail.status} without reporting its outcome${reason ? ` (${reason})` : ''}`, resource: `execution ${detail.name}` },
    },
    CLUSTER_AFTER[record.type],
  );
  logger.warn('operation ended by its execution', { operationId: record.id, status: detail.status });
  return 'reported';
}

function operationOf(record: OperationRecord, event: EventBridgeEvent<string, unknown>): Operation {
  return {
    id: record.id,
    type: record.type,
    ...(record.action ? { action: record.action } : {}),
    cluster: { name: record.clusterName, region: event.region, account: event.account },
    requestedBy: record.requestedBy,
    requestedAt: record.requestedAt,
  };
}

const pascal = (status: string) => status.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());

const deps = wire({ events: eventBridgeStatusEvents, registry: dynamoRegistry });

export const handler = middy((event: EventBridgeEvent<string, ExecutionStatusChange>) => executionEnded(event, deps())).use(injectLambdaContext(logger, { resetKeys: true }));
