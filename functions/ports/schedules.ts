/**
 * Cluster expiry (`ttl`): one one-time EventBridge Scheduler schedule per cluster that, when it
 * fires, asks the service to delete the cluster (the spec's `ttl`, docs/events.md). Scheduled when a cluster
 * becomes ready, cancelled when it is deleted.
 */
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient, UpdateScheduleCommand, type CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { expiryRequestEvent } from '../domain/operation-request';
import { config } from '../shared/config';
import { classifyAwsError, isAwsError } from '../shared/errors';
import { once } from '../shared/once';

export interface SchedulesPort {
  /** Creates or replaces the cluster's expiry schedule, firing once at `at`. Safe to repeat. */
  scheduleExpiry(clusterName: string, at: Date): Promise<void>;
  /** Removes it; a cluster with no schedule is fine. */
  cancelExpiry(clusterName: string): Promise<void>;
}

/** The schedule's name: one per cluster, so rescheduling replaces it. */
export function expiryScheduleName(clusterName: string): string {
  return `eksp-${clusterName}-expiry`;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC: Scheduler's one-time expression has second precision and no zone suffix. */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

/** Where expiry schedules live and what they invoke (functions/shared/config). */
export interface ExpirySettings {
  groupName: string;
  /** The API function: it receives the "Operation Requested" event and deletes the cluster. */
  targetArn: string;
  /** The role Scheduler assumes to invoke the target (lambda:InvokeFunction on it only). */
  roleArn: string;
  region: string;
  account: string;
}

export class SdkSchedules implements SchedulesPort {
  constructor(
    private readonly client: () => SchedulerClient,
    private readonly settings: () => ExpirySettings,
  ) {}

  async scheduleExpiry(clusterName: string, at: Date): Promise<void> {
    const { groupName, targetArn, roleArn, region, account } = this.settings();
    const name = expiryScheduleName(clusterName);
    const input: CreateScheduleCommandInput = {
      Name: name,
      GroupName: groupName,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      // A fired one-time schedule is spent: deleting it keeps the account under Scheduler's quota.
      ActionAfterCompletion: 'DELETE',
      Description: `Deletes EKS cluster ${clusterName} when its ttl expires`,
      Target: { Arn: targetArn, RoleArn: roleArn, Input: JSON.stringify(expiryRequestEvent(clusterName, at, region, account)) },
    };
    try {
      await this.client().send(new CreateScheduleCommand(input));
      return;
    } catch (error) {
      if (!isAwsError(error, 'ConflictException')) throw classifyAwsError(error, `expiry schedule ${name}`);
    }
    // The cluster already has one (a retried step or a new ttl): UpdateSchedule replaces every field.
    try {
      await this.client().send(new UpdateScheduleCommand(input));
    } catch (error) {
      throw classifyAwsError(error, `expiry schedule ${name}`);
    }
  }

  async cancelExpiry(clusterName: string): Promise<void> {
    const name = expiryScheduleName(clusterName);
    try {
      await this.client().send(new DeleteScheduleCommand({ Name: name, GroupName: this.settings().groupName }));
    } catch (error) {
      // Already fired (ActionAfterCompletion DELETE), never made, or cancelled before: all fine.
      if (isAwsError(error, 'ResourceNotFoundException')) return;
      throw classifyAwsError(error, `expiry schedule ${name}`);
    }
  }
}

/** The deployed settings (EXPIRY_TARGET_ARN, SCHEDULER_ROLE_ARN, SCHEDULE_GROUP_NAME). */
export function expirySettingsFromConfig(): ExpirySettings {
  return { groupName: config.scheduleGroupName(), targetArn: config.expiryTargetArn(), roleArn: config.schedulerRoleArn(), region: config.region(), account: config.expiryAccount() };
}

/** The port over the SDK, with its client built once per container. */
export const sdkSchedules = once((): SchedulesPort => new SdkSchedules(once(() => new SchedulerClient({})), once(expirySettingsFromConfig)));
