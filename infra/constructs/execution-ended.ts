/**
 * The prompt half of reconciliation: Step Functions' "Execution Status Change" events (default
 * bus) of the service's state machines that ended FAILED, TIMED_OUT or ABORTED go to a function
 * that settles an operation whose workflow did not (functions/listeners). Delivery is retried by
 * EventBridge, a failing invocation by Lambda; what still fails lands in a dead-letter queue
 * (and the scheduled reconciler settles the operation anyway).
 */
import { Duration } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { executionEndedEntry } from '../bundling';
import { EXECUTION_STATUS_DETAIL_TYPE, EXECUTION_STATUS_SOURCE, UNREPORTED_ENDINGS } from '../../functions/domain/execution-status';
import type { StatusEventBus } from './event-bus';
import { ServiceFunction } from './service-function';
import { grantRegistry } from './step-lambdas';
import { patterns } from './iam';

const ACCESS_ENTRIES_REASON = 'The clusters are named by requests: the access entries of the service principal in any of them, scoped to this account and region.';

export interface ExecutionEndedProps {
  environment: Record<string, string>;
  /** The service's principal in clusters, whose temporary admin entry a stopped execution may leave. */
  clusterStackRole: IRole;
  bus: StatusEventBus;
  table: ITable;
  stateMachines: StateMachine[];
}

/** Lambda's asynchronous retries of a failed invocation (its maximum). */
export const LISTENER_RETRY_ATTEMPTS = 2;

export class ExecutionEnded extends Construct {
  readonly handler: ServiceFunction;
  readonly rule: Rule;
  /** Execution-ended events neither EventBridge nor Lambda could get handled, kept 14 days for a person to look at. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: ExecutionEndedProps) {
    super(scope, id);
    this.handler = new ServiceFunction(this, 'Handler', {
      entry: executionEndedEntry(),
      description: 'eks-provisioner: settles an operation whose execution ended without its outcome (stopped, timed out, failed)',
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { ...props.environment, CLOUDFORMATION_ROLE_ARN: props.clusterStackRole.roleArn },
    });
    props.bus.grantPublish(this.handler.role);
    // The temporary admin entry a stopped execution left (functions/step-support/temporary-admin.ts): read, and deleted when its tag names that operation.
    this.handler.allow({ actions: ['eks:DescribeAccessEntry', 'eks:DeleteAccessEntry'], resources: [patterns.accessEntries], wildcardReason: ACCESS_ENTRIES_REASON });
    grantRegistry(this.handler, props.table);
    this.deadLetters = new Queue(this, 'DeadLetters', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(this.deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the execution-ended listener.' });
    this.handler.function.configureAsyncInvoke({ retryAttempts: LISTENER_RETRY_ATTEMPTS, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(this.deadLetters) });
    this.rule = new Rule(this, 'Rule', {
      description: 'eks-provisioner: its executions that ended FAILED, TIMED_OUT or ABORTED',
      eventBus: EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      eventPattern: {
        source: [EXECUTION_STATUS_SOURCE],
        detailType: [EXECUTION_STATUS_DETAIL_TYPE],
        detail: { status: UNREPORTED_ENDINGS, stateMachineArn: props.stateMachines.map((m) => m.stateMachineArn) },
      },
      targets: [new LambdaFunction(this.handler.function, { retryAttempts: 8, maxEventAge: Duration.hours(6), deadLetterQueue: this.deadLetters })],
    });
  }
}
