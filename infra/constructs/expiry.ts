/**
 * Cluster expiry (`ttl`): EventBridge Scheduler invokes the API function once, at the cluster's
 * expiry, with an "Operation Requested" event to delete it. Scheduler assumes its own role, which
 * may invoke that one function and nothing else; the steps that create or cancel schedules may
 * pass only that role, and only to Scheduler.
 */
import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EXPIRY_SCHEDULE_GROUP, patterns } from './iam';

const SCHEDULES_REASON = "Expiry schedules are named eksp-<cluster>-expiry (functions/ports/schedules.ts), one per cluster, in the service's schedule group.";
import type { ServiceFunction } from './service-function';

export interface ExpirySchedulesProps {
  /** The API function's ARN, as a string built from its fixed name (a reference would make a cycle through the state machines). */
  targetFunctionArn: string;
}

export class ExpirySchedules extends Construct {
  readonly role: Role;
  private readonly targetFunctionArn: string;

  constructor(scope: Construct, id: string, props: ExpirySchedulesProps) {
    super(scope, id);
    this.targetFunctionArn = props.targetFunctionArn;
    this.role = new Role(this, 'SchedulerRole', {
      // Confused-deputy guard: only Scheduler acting for this account may assume it.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'eks-provisioner: EventBridge Scheduler invokes the API function when a cluster ttl expires',
    });
    this.role.addToPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [props.targetFunctionArn] }));
  }

  /**
   * Gives a function what SdkSchedules reads (target, role, group) and the right to create and
   * replace expiry schedules, passing the role only to Scheduler — or only to cancel them.
   */
  configure(fn: ServiceFunction, use: 'create' | 'cancel'): void {
    fn.function.addEnvironment('EXPIRY_TARGET_ARN', this.targetFunctionArn);
    fn.function.addEnvironment('SCHEDULER_ROLE_ARN', this.role.roleArn);
    fn.function.addEnvironment('SCHEDULE_GROUP_NAME', EXPIRY_SCHEDULE_GROUP);
    if (use === 'cancel') {
      fn.allow({ actions: ['scheduler:DeleteSchedule'], resources: [patterns.expirySchedules], wildcardReason: SCHEDULES_REASON });
      return;
    }
    fn.allow({ actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule'], resources: [patterns.expirySchedules], wildcardReason: SCHEDULES_REASON });
    fn.allow({ actions: ['iam:PassRole'], resources: [this.role.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } });
  }
}
