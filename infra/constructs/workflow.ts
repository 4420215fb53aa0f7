/**
 * A Standard state machine whose definition is the ASL file in statemachines/ (the only copy of
 * the workflow), loaded inline so infra tests can read it. `${<Placeholder>}`s are filled by
 * CloudFormation from definitionSubstitutions, with the same map the local runtime uses.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../bundling';
import { STATE_MACHINES, TASK_FUNCTIONS, type StateMachineName, type TaskPlaceholder } from '../../statemachines/task-functions';
import { XRAY_REASON, acknowledgeIam5 } from './iam';

export function aslPath(name: StateMachineName): string {
  return join(PROJECT_ROOT, 'statemachines', STATE_MACHINES[name].file);
}

/** `${Name}` placeholders of an ASL text, in order of first appearance. */
export function placeholdersOf(asl: string): string[] {
  return [...new Set([...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string))];
}

export interface WorkflowProps {
  name: StateMachineName;
  /** The Lambda behind each TASK_FUNCTIONS placeholder. */
  functionFor: (placeholder: TaskPlaceholder) => IFunction;
}

export class Workflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  /** Placeholders the definition uses, each bound to a function ARN. */
  readonly placeholders: TaskPlaceholder[];

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const file = aslPath(props.name);
    const asl = readFileSync(file, 'utf8');
    JSON.parse(asl); // a syntax error should name the file at synth, not surface as a deploy failure

    const used = placeholdersOf(asl);
    const unknown = used.filter((p) => !(p in TASK_FUNCTIONS));
    if (unknown.length > 0) {
      throw new Error(`${file} uses placeholders with no entry in TASK_FUNCTIONS (statemachines/task-functions.ts): ${unknown.join(', ')}`);
    }
    this.placeholders = used as TaskPlaceholder[];
    const functions = this.placeholders.map((p) => [p, props.functionFor(p)] as const);

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(asl),
      definitionSubstitutions: Object.fromEntries(functions.map(([p, fn]) => [p, fn.functionArn])),
      // ALL so every state transition is visible, without execution data: inputs and outputs
      // carry cluster specs and error details, and logs are not the place for them.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });

    // Task Resources are function ARNs: invoke exactly those (unqualified) functions, nothing else.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [...new Set(functions.map(([, fn]) => fn.functionArn))] }),
    );

    acknowledgeIam5(
      this.stateMachine.role,
      'Resource::*',
      `${XRAY_REASON} CloudWatch Logs vended log delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, ...) has no resource-level permissions either; CDK adds it for the state machine's log destination.`,
    );
  }
}
