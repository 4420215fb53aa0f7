/**
 * Metrics from the service's own status events (rule on the service bus, source eks-provisioner):
 * every operation is counted where all of them pass, whichever function reported it (a step, the
 * backstop, the reconciler, an abort), and the emitting code paths stay free of metrics calls. A
 * terminal event also reads the operation's step timeline for phase and operation durations.
 * EventBridge delivers at least once, so a rare redelivery counts twice: fine for alarms and trends.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import type { OperationStatusEvent } from '../generated/types';
import { operationMetrics, type MetricPoint } from '../domain/operation-metrics';
import { isTerminal } from '../domain/status-event';
import { emfMetrics, type MetricsPort } from '../ports/metrics';
import { dynamoRegistry, type RegistryPort } from '../ports/registry';
import { logger } from '../shared/logger';
import { once } from '../shared/once';

export interface OperationMetricsDeps {
  registry: Pick<RegistryPort, 'getOperation'>;
  metrics: MetricsPort;
}

export async function recordOperationMetrics(event: EventBridgeEvent<string, OperationStatusEvent>, deps: OperationMetricsDeps): Promise<MetricPoint[]> {
  const status = event.detail;
  const record = isTerminal(status.status) ? await deps.registry.getOperation(status.operationId) : undefined;
  const points = operationMetrics(status, record);
  deps.metrics.publish(points);
  return points;
}

const deps = once((): OperationMetricsDeps => ({ registry: dynamoRegistry(), metrics: emfMetrics() }));

export const handler = middy((event: EventBridgeEvent<string, OperationStatusEvent>) => recordOperationMetrics(event, deps())).use(injectLambdaContext(logger, { resetKeys: true }));
