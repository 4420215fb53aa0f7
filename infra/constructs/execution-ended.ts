/**
 * The backstop of one terminal event per operation: Step Functions' "Execution Status Change"
 * events (default bus) of the service's state machines that ended FAILED, TIMED_OUT or ABORTED
 * go to a function that reports an operation whose workflow did not (functions/listeners).
 */
import { Duration } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { executionEndedEntry } from '../bundling';
import { EXECUTION_STATUS_DETAIL_TYPE, EXECUTION_STATUS_SOURCE, UNREPORTED_ENDINGS } from '../../functions/domain/execution-status';
import type { StatusEventBus } from './event-bus';
import { ServiceFunction } from './service-function';
import { grantRegistry } from './step-lambdas';

export interface ExecutionEndedProps {
  environment: Record<string, string>;
  bus: StatusEventBus;
  table: ITable;
  stateMachines: StateMachine[];
}

export class ExecutionEnded extends Construct {
  readonly handler: ServiceFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ExecutionEndedProps) {
    super(scope, id);
    this.handler = new ServiceFunction(this, 'Handler', {
      entry: executionEndedEntry(),
      description: 'eks-provisioner: the terminal FAILED event of an operation whose execution ended without reporting (stopped, timed out)',
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: props.environment,
    });
    props.bus.grantPublish(this.handler.role);
    grantRegistry(this.handler, props.table);
    this.rule = new Rule(this, 'Rule', {
      description: 'eks-provisioner: its executions that ended FAILED, TIMED_OUT or ABORTED',
      eventBus: EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      eventPattern: {
        source: [EXECUTION_STATUS_SOURCE],
        detailType: [EXECUTION_STATUS_DETAIL_TYPE],
        detail: { status: UNREPORTED_ENDINGS, stateMachineArn: props.stateMachines.map((m) => m.stateMachineArn) },
      },
      targets: [new LambdaFunction(this.handler.function, { retryAttempts: 8 })],
    });
  }
}
