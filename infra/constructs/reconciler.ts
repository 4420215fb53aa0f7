/**
 * The reconciler (functions/listeners/reconciler.ts) on an EventBridge schedule: every few
 * minutes it settles operations whose execution ended or never started and redelivers terminal
 * events the bus refused. It reads the registry's unsettled index, asks Step Functions about the
 * service's executions, and puts status events on the bus; nothing else.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { reconcilerEntry } from '../bundling';
import { RECONCILE_INTERVAL_MINUTES } from '../../functions/domain/execution-status';
import { UNSETTLED_INDEX } from '../../functions/ports/registry-table';
import type { StatusEventBus } from './event-bus';
import { ServiceFunction } from './service-function';
import { grantRegistry } from './step-lambdas';

export interface ReconcilerProps {
  environment: Record<string, string>;
  bus: StatusEventBus;
  table: ITable;
  stateMachines: StateMachine[];
}

/** The executions of these state machines (each named by an operation id). */
export function executionsOf(scope: Construct, stateMachines: StateMachine[]): string[] {
  const stack = Stack.of(scope);
  return stateMachines.map((m) => stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${m.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
}

export const EXECUTIONS_REASON = 'Executions are named by operation ids, created at run time; the pattern is bounded to the executions of the service\'s own state machines.';

export class Reconciler extends Construct {
  readonly handler: ServiceFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    this.handler = new ServiceFunction(this, 'Handler', {
      entry: reconcilerEntry(),
      description: 'eks-provisioner: settles operations whose execution ended or never started, redelivers undelivered terminal events',
      timeout: Duration.seconds(60),
      memorySize: 256,
      environment: props.environment,
      permissions: [{ actions: ['states:DescribeExecution'], resources: executionsOf(this, props.stateMachines), wildcardReason: EXECUTIONS_REASON }],
    });
    props.bus.grantPublish(this.handler.role);
    grantRegistry(this.handler, props.table, { index: UNSETTLED_INDEX.name });
    this.rule = new Rule(this, 'Schedule', {
      description: `eks-provisioner: the reconciler, every ${RECONCILE_INTERVAL_MINUTES} minutes`,
      schedule: Schedule.rate(Duration.minutes(RECONCILE_INTERVAL_MINUTES)),
      targets: [new LambdaFunction(this.handler.function, { retryAttempts: 2 })],
    });
  }
}
