/**
 * One Lambda of the service, built the same way for the API and every step: its own role with no
 * managed policies (each permission is written out and scoped), its own log group with a
 * retention, active tracing, arm64 and the shared esbuild options.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { PROJECT_ROOT, nodejsBundling, type FunctionEntry } from '../bundling';
import { XRAY_REASON, acknowledgeIam5, allow, type Permission } from './iam';

/** Lambda runtime of every function; infra/bundling.ts targets the same Node major. */
export const RUNTIME = Runtime.NODEJS_22_X;

export interface ServiceFunctionProps {
  entry: FunctionEntry;
  description: string;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  permissions?: Permission[];
  logRetention?: RetentionDays;
  /** A fixed name, for a function whose ARN others must know without a reference to it. */
  functionName?: string;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `eks-provisioner ${props.entry.name} function`,
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      // Operational logs, not the audit record (that is the registry table and the event archive).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Instead of AWSLambdaBasicExecutionRole (CreateLogGroup/CreateLogStream/PutLogEvents on every
    // log group in the account): write to this function's own group only.
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry.entry,
      handler: 'handler',
      ...(props.functionName ? { functionName: props.functionName } : {}),
      description: props.description,
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: props.environment,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      bundling: nodejsBundling(),
    });

    for (const permission of props.permissions ?? []) allow(this.role, permission);

    acknowledgeIam5(this.role, 'Resource::*', XRAY_REASON);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to nodejs22.x on purpose: the bundles are compiled for node22 (infra/bundling.ts) and tested on it; a runtime upgrade is a deliberate change of both, not a side effect of a CDK upgrade.',
    });
  }

  /** Adds a permission after construction (e.g. one that refers to a resource created later). */
  allow(permission: Permission): void {
    allow(this.role, permission);
  }
}
