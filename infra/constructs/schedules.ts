/**
 * The service's one-time schedules (functions/ports/schedules.ts): EventBridge Scheduler invokes
 * the API function once with an "Operation Requested" event, at a cluster's expiry (`ttl`) to
 * delete it, or when its maintenance window opens to upgrade it (`maintenance.autoUpgrade`).
 * Scheduler assumes its own role, which may invoke that one function and nothing else; the
 * functions that create or cancel schedules may pass only that role, only to Scheduler, and touch
 * only the schedules of the kinds they handle.
 */
import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SCHEDULE_GROUP, patterns } from './iam';
import type { ServiceFunction } from './service-function';

const SCHEDULES_REASON = "The service's schedules are named eksp-<cluster>-expiry and eksp-<cluster>-upgrade (functions/ports/schedules.ts), one of each per cluster, in the service's schedule group.";

export type ScheduleKind = 'expiry' | 'upgrade';

/** What a function does with schedules, and of which kinds. */
export interface ScheduleGrant {
  use: 'create' | 'cancel';
  kinds: ScheduleKind[];
}

const SCHEDULE_PATTERNS = { expiry: patterns.expirySchedules, upgrade: patterns.upgradeSchedules } satisfies Record<ScheduleKind, unknown>;

export interface ServiceSchedulesProps {
  /** The API function's ARN, as a string built from its fixed name (a reference would make a cycle through the state machines). */
  targetFunctionArn: string;
}

export class ServiceSchedules extends Construct {
  readonly role: Role;
  private readonly targetFunctionArn: string;

  constructor(scope: Construct, id: string, props: ServiceSchedulesProps) {
    super(scope, id);
    this.targetFunctionArn = props.targetFunctionArn;
    this.role = new Role(this, 'SchedulerRole', {
      // Confused-deputy guard: only Scheduler acting for this account may assume it.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: "eks-provisioner: EventBridge Scheduler invokes the API function when a cluster's ttl expires or its maintenance window opens",
    });
    this.role.addToPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [props.targetFunctionArn] }));
  }

  /**
   * Gives a function what SdkSchedules reads (target, role, group) and the right to create and
   * replace schedules of the given kinds, passing the role only to Scheduler — or only to cancel them.
   */
  configure(fn: ServiceFunction, { use, kinds }: ScheduleGrant): void {
    fn.function.addEnvironment('EXPIRY_TARGET_ARN', this.targetFunctionArn);
    fn.function.addEnvironment('SCHEDULER_ROLE_ARN', this.role.roleArn);
    fn.function.addEnvironment('SCHEDULE_GROUP_NAME', SCHEDULE_GROUP);
    const resources = kinds.map((kind) => SCHEDULE_PATTERNS[kind]);
    if (use === 'cancel') {
      fn.allow({ actions: ['scheduler:DeleteSchedule'], resources, wildcardReason: SCHEDULES_REASON });
      return;
    }
    fn.allow({ actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule'], resources, wildcardReason: SCHEDULES_REASON });
    fn.allow({ actions: ['iam:PassRole'], resources: [this.role.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } });
  }
}
