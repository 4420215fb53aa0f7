/**
 * What an operator watches: metrics from every status event (functions/listeners/operation-metrics),
 * alarms on what needs a person — failed executions, dead letters, API 5xx, operations the
 * reconciler had to settle — sent to one SNS topic to subscribe to, and one dashboard.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, TextWidget, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { operationMetricsEntry } from '../bundling';
import { METRIC, METRICS_NAMESPACE, type MetricName } from '../../functions/domain/operation-metrics';
import { EVENT_SOURCE, STATUS_DETAIL_TYPE } from '../../functions/domain/status-event';
import { ServiceFunction } from './service-function';
import type { Workflow } from './workflow';

export interface ObservabilityProps {
  environment: Record<string, string>;
  bus: IEventBus;
  table: ITable;
  /** The Powertools service name the functions emit with: a default dimension of every metric. */
  serviceName: string;
  workflows: Workflow[];
  api: RestApi;
  /** Dead-letter queues of the service's other listeners: any message in one is an event nobody handled. */
  deadLetterQueues?: IQueue[];
}

const OPERATION_TYPES = ['CREATE', 'UPDATE', 'DELETE'] as const;
const FIVE_MINUTES = Duration.minutes(5);

export class Observability extends Construct {
  readonly metricsFunction: ServiceFunction;
  readonly rule: Rule;
  /** Where the metrics rule puts events it could not deliver. */
  readonly deadLetterQueue: Queue;
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, private readonly props: ObservabilityProps) {
    super(scope, id);
    this.metricsFunction = new ServiceFunction(this, 'MetricsFunction', {
      entry: operationMetricsEntry(),
      description: 'eks-provisioner: CloudWatch metrics (EMF) from every operation status event',
      timeout: Duration.seconds(10),
      memorySize: 256,
      environment: props.environment,
      // The step timeline of a terminal operation, for its durations: read-only.
      permissions: [{ actions: ['dynamodb:GetItem'], resources: [props.table.tableArn] }],
    });
    this.deadLetterQueue = new Queue(this, 'DeadLetters', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'It is a dead-letter queue itself (of the metrics rule target), watched by an alarm.' });
    this.rule = new Rule(this, 'StatusEvents', {
      description: 'eks-provisioner: every operation status event, for metrics',
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [STATUS_DETAIL_TYPE] },
      targets: [new LambdaFunction(this.metricsFunction.function, { retryAttempts: 8, maxEventAge: Duration.hours(2), deadLetterQueue: this.deadLetterQueue })],
    });

    // Alarm notifications carry cluster names and errors: encrypted at rest, TLS only.
    this.alarmTopic = new Topic(this, 'Alarms', { displayName: 'eks-provisioner alarms', masterKey: new Key(this, 'AlarmsKey', { enableKeyRotation: true, description: 'eks-provisioner alarm topic' }), enforceSSL: true });

    for (const { stateMachine: machine, node } of props.workflows) {
      const name = node.id;
      this.alarm(`${name}ExecutionsFailed`, `A ${name} execution failed, timed out or was aborted: its operation's terminal event says why`, new MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: { failed: machine.metricFailed(), timedOut: machine.metricTimedOut(), aborted: machine.metricAborted() },
        period: FIVE_MINUTES,
        label: `${name} executions failed`,
      }));
    }
    for (const [index, queue] of [this.deadLetterQueue, ...(props.deadLetterQueues ?? [])].entries()) {
      this.alarm(`DeadLetters${index}`, `Events in ${queue.node.path} were never handled: read them, fix the cause, redrive`, queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }));
    }
    this.alarm('Api5xx', 'The REST API answered 5xx: bad input never does, so this is the service or AWS failing', props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }));
    this.alarm('SettledByReconciler', 'The reconciler settled an operation whose execution ended or never started without reporting: look at its terminal event', this.metric(METRIC.settledByReconciler, {}, 'Sum'));

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${props.serviceName}-operations`, defaultInterval: Duration.days(1) });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: '# eks-provisioner\nOperations by type and outcome, phase durations, executions, the API and the alarms.', width: 24, height: 2 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Operations accepted', left: OPERATION_TYPES.map((t) => this.metric(METRIC.accepted, { OperationType: t }, 'Sum')), width: 8 }),
      new GraphWidget({ title: 'Operations succeeded', left: OPERATION_TYPES.map((t) => this.metric(METRIC.succeeded, { OperationType: t }, 'Sum')), width: 8 }),
      new GraphWidget({ title: 'Operations failed', left: OPERATION_TYPES.map((t) => this.metric(METRIC.failed, { OperationType: t }, 'Sum')), width: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Create: phase durations (p90)', left: ['Plan', 'ClusterStack', 'ComputeAndAccess', 'EndpointAccess'].map((phase) => this.metric(METRIC.phaseDuration, { OperationType: 'CREATE', Phase: phase }, 'p90')), width: 12 }),
      new GraphWidget({ title: 'Operation duration (p90)', left: OPERATION_TYPES.map((t) => this.metric(METRIC.operationDuration, { OperationType: t }, 'p90')), width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Executions failed', left: props.workflows.map((w) => w.stateMachine.metricFailed({ label: w.node.id })), width: 8 }),
      new GraphWidget({ title: 'API 5xx and 4xx', left: [props.api.metricServerError({ statistic: 'Sum' }), props.api.metricClientError({ statistic: 'Sum' })], width: 8 }),
      new GraphWidget({ title: 'API latency (p90)', left: [props.api.metricLatency({ statistic: 'p90' })], width: 8 }),
    );
  }

  private metric(name: MetricName, dimensions: Record<string, string>, statistic: string): Metric {
    return new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: this.props.serviceName, ...dimensions }, statistic, period: FIVE_MINUTES, label: Object.values(dimensions).join(' ') || name });
  }

  /** An alarm that fires on the first occurrence: each of these is worth a person's look. */
  private alarm(id: string, description: string, metric: IMetric): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
  }
}
