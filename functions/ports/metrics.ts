/**
 * Metrics out: CloudWatch embedded metric format through Powertools Metrics. EMF is a log line,
 * so publishing is neither an API call nor a permission (CloudWatch Logs extracts the metrics from
 * the function's own log group), and a metric can never fail the caller.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, type MetricPoint } from '../domain/operation-metrics';
import { logger } from '../shared/logger';

export interface MetricsPort {
  publish(points: MetricPoint[]): void;
}

export class EmfMetrics implements MetricsPort {
  constructor(private readonly metrics: Metrics) {}

  publish(points: MetricPoint[]): void {
    // Points carry different dimension sets (by type; by type and phase): one EMF document each.
    for (const point of points) {
      const single = this.metrics.singleMetric();
      single.addDimensions(point.dimensions);
      single.addMetric(point.name, MetricUnit[point.unit], point.value);
    }
  }
}

export const emfMetrics = (): MetricsPort => new EmfMetrics(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'eks-provisioner', logger }));
