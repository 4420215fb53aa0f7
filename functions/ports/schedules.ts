/**
 * The service's one-time EventBridge Scheduler schedules, each invoking the API function with an
 * "Operation Requested" event from one of the service's own sources (docs/events.md):
 * - expiry (`ttl`): deletes the cluster; scheduled when it becomes ready, cancelled when deleted;
 * - unattended upgrade (`maintenance.autoUpgrade`): upgrades it when its window opens; planned by
 *   the daily version check, cancelled when the cluster is deleted.
 */
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient, UpdateScheduleCommand, type CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { expiryRequestEvent, maintenanceUpgradeEvent, type OperationRequestEvent } from '../domain/operation-request';
import { config } from '../shared/config';
import { classifyAwsError, isAwsError } from '../shared/errors';
import { once } from '../shared/once';

export interface SchedulesPort {
  /** Creates or replaces the cluster's expiry schedule, firing once at `at`. Safe to repeat. */
  scheduleExpiry(clusterName: string, at: Date): Promise<void>;
  /** Removes it; a cluster with no schedule is fine. */
  cancelExpiry(clusterName: string): Promise<void>;
  /** Creates or replaces the cluster's unattended upgrade to `version`, starting once at `at` (its maintenance window). Safe to repeat. */
  scheduleUpgrade(clusterName: string, version: string, at: Date): Promise<void>;
  /** Removes it; a cluster with no schedule is fine. */
  cancelUpgrade(clusterName: string): Promise<void>;
}

/** The schedule's name: one per cluster, so rescheduling replaces it. */
export function expiryScheduleName(clusterName: string): string {
  return `eksp-${clusterName}-expiry`;
}

/** The unattended upgrade's schedule: one per cluster, so a newer plan replaces an older one. */
export function upgradeScheduleName(clusterName: string): string {
  return `eksp-${clusterName}-upgrade`;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC: Scheduler's one-time expression has second precision and no zone suffix. */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

/** Where the schedules live and what they invoke (functions/shared/config). */
export interface ScheduleSettings {
  groupName: string;
  /** The API function: it receives the "Operation Requested" event and acts on it. */
  targetArn: string;
  /** The role Scheduler assumes to invoke the target (lambda:InvokeFunction on it only). */
  roleArn: string;
  region: string;
  account: string;
}

export class SdkSchedules implements SchedulesPort {
  constructor(
    private readonly client: () => SchedulerClient,
    private readonly settings: () => ScheduleSettings,
  ) {}

  async scheduleExpiry(clusterName: string, at: Date): Promise<void> {
    const { region, account } = this.settings();
    await this.putOneTime(expiryScheduleName(clusterName), at, `Deletes EKS cluster ${clusterName} when its ttl expires`, expiryRequestEvent(clusterName, at, region, account));
  }

  async cancelExpiry(clusterName: string): Promise<void> {
    await this.remove(expiryScheduleName(clusterName));
  }

  async scheduleUpgrade(clusterName: string, version: string, at: Date): Promise<void> {
    const { region, account } = this.settings();
    await this.putOneTime(upgradeScheduleName(clusterName), at, `Upgrades EKS cluster ${clusterName} to Kubernetes ${version} in its maintenance window`, maintenanceUpgradeEvent(clusterName, version, at, region, account));
  }

  async cancelUpgrade(clusterName: string): Promise<void> {
    await this.remove(upgradeScheduleName(clusterName));
  }

  /** A one-time UTC schedule invoking the API function with `event`, created or (already there) replaced. */
  private async putOneTime(name: string, at: Date, description: string, event: OperationRequestEvent): Promise<void> {
    const { groupName, targetArn, roleArn } = this.settings();
    const input: CreateScheduleCommandInput = {
      Name: name,
      GroupName: groupName,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      // A fired one-time schedule is spent: deleting it keeps the account under Scheduler's quota.
      ActionAfterCompletion: 'DELETE',
      Description: description,
      Target: { Arn: targetArn, RoleArn: roleArn, Input: JSON.stringify(event) },
    };
    try {
      await this.client().send(new CreateScheduleCommand(input));
      return;
    } catch (error) {
      if (!isAwsError(error, 'ConflictException')) throw classifyAwsError(error, `schedule ${name}`);
    }
    // The cluster already has one (a retried step or a new plan): UpdateSchedule replaces every field.
    try {
      await this.client().send(new UpdateScheduleCommand(input));
    } catch (error) {
      throw classifyAwsError(error, `schedule ${name}`);
    }
  }

  private async remove(name: string): Promise<void> {
    try {
      await this.client().send(new DeleteScheduleCommand({ Name: name, GroupName: this.settings().groupName }));
    } catch (error) {
      // Already fired (ActionAfterCompletion DELETE), never made, or cancelled before: all fine.
      if (isAwsError(error, 'ResourceNotFoundException')) return;
      throw classifyAwsError(error, `schedule ${name}`);
    }
  }
}

/** The deployed settings (EXPIRY_TARGET_ARN, SCHEDULER_ROLE_ARN, SCHEDULE_GROUP_NAME). */
export function scheduleSettingsFromConfig(): ScheduleSettings {
  return { groupName: config.scheduleGroupName(), targetArn: config.expiryTargetArn(), roleArn: config.schedulerRoleArn(), region: config.region(), account: config.expiryAccount() };
}

/** The port over the SDK, with its client built once per container. */
export const sdkSchedules = once((): SchedulesPort => new SdkSchedules(once(() => new SchedulerClient({})), once(scheduleSettingsFromConfig)));
