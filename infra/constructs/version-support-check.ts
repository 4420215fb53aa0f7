/**
 * The version support check (functions/listeners/version-support-check.ts) on an EventBridge
 * schedule: once a day it reads EKS's Kubernetes version catalogue, lists the registry's clusters,
 * records the notices it sends there (conditional writes in the clusters' partitions), puts
 * "EKS Cluster Version Support Ending" events on the service bus and schedules unattended upgrades
 * (the stack grants that through infra/constructs/schedules.ts); nothing else.
 */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { versionSupportCheckEntry } from '../bundling';
import { VERSION_CHECK_INTERVAL_HOURS } from '../../functions/domain/version-support';
import type { StatusEventBus } from './event-bus';
import { ANY_RESOURCE } from './iam';
import { ServiceFunction } from './service-function';
import { grantRegistry } from './step-lambdas';

/** Shared with the API function, which shows a cluster's version support. */
export const CLUSTER_VERSIONS_REASON = 'eks:DescribeClusterVersions reads the Kubernetes version catalogue, which is no resource: it has no resource-level permissions (service authorization reference).';

export interface VersionSupportCheckProps {
  environment: Record<string, string>;
  bus: StatusEventBus;
  table: ITable;
}

export class VersionSupportCheck extends Construct {
  readonly handler: ServiceFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: VersionSupportCheckProps) {
    super(scope, id);
    this.handler = new ServiceFunction(this, 'Handler', {
      entry: versionSupportCheckEntry(),
      description: 'eks-provisioner: tells cluster owners 90, 30 and 7 days before their Kubernetes version loses support; schedules unattended upgrades',
      timeout: Duration.seconds(60),
      memorySize: 256,
      environment: props.environment,
      permissions: [{ actions: ['eks:DescribeClusterVersions'], resources: [ANY_RESOURCE], wildcardReason: CLUSTER_VERSIONS_REASON }],
    });
    props.bus.grantPublish(this.handler.role);
    // Scan: the clusters to check (cluster records only, in pages); Query/PutItem/UpdateItem/DeleteItem: the notices sent, claimed, marked sent, given back.
    grantRegistry(this.handler, props.table, { actions: ['dynamodb:Scan', 'dynamodb:DeleteItem'] });
    this.rule = new Rule(this, 'Schedule', {
      description: `eks-provisioner: the version support check, every ${VERSION_CHECK_INTERVAL_HOURS} hours`,
      schedule: Schedule.rate(Duration.hours(VERSION_CHECK_INTERVAL_HOURS)),
      targets: [new LambdaFunction(this.handler.function, { retryAttempts: 2 })],
    });
  }
}
