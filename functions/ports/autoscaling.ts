/**
 * The Auto Scaling calls of a self-managed nodegroup's node replacement: which launch template
 * version the group launches now and which instances run an older one, and the termination of
 * one drained instance, which the group replaces from its current version (desired capacity kept).
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand, type Instance, type LaunchTemplateSpecification } from '@aws-sdk/client-auto-scaling';
import { classifyAwsError, isAwsError } from '../shared/errors';
import { once } from '../shared/once';
import type { LiveGroup } from '../domain/self-managed-change';

export interface LiveAutoScalingGroup extends LiveGroup {
  name: string;
  desiredCapacity: number;
}

export interface AutoScalingPort {
  /** The group; undefined when there is none of that name. */
  describeGroup(name: string): Promise<LiveAutoScalingGroup | undefined>;
  /** Terminates one instance of its group, which launches a replacement (ShouldDecrementDesiredCapacity false). An instance already gone is success. */
  replaceInstance(instanceId: string): Promise<void>;
}

export class SdkAutoScaling implements AutoScalingPort {
  constructor(private readonly client: () => AutoScalingClient) {}

  async describeGroup(name: string): Promise<LiveAutoScalingGroup | undefined> {
    try {
      const { AutoScalingGroups } = await this.client().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
      const group = AutoScalingGroups?.[0];
      if (!group) return undefined;
      const template = group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
      return { name, ...versionOf(template), desiredCapacity: group.DesiredCapacity ?? 0, instances: (group.Instances ?? []).map(groupInstance) };
    } catch (error) {
      throw classifyAwsError(error, `Auto Scaling group ${name}`);
    }
  }

  async replaceInstance(instanceId: string): Promise<void> {
    try {
      await this.client().send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: false }));
    } catch (error) {
      // "Instance Id not found - No managed instance found for instance ID": terminated already.
      if (isAwsError(error, 'ValidationError') && /not found/i.test((error as Error).message)) return;
      throw classifyAwsError(error, `instance ${instanceId}`);
    }
  }
}

function versionOf(template: LaunchTemplateSpecification | undefined): { launchTemplateVersion?: string } {
  return template?.Version ? { launchTemplateVersion: template.Version } : {};
}

function groupInstance(instance: Instance): LiveGroup['instances'][number] {
  return { instanceId: instance.InstanceId ?? '', lifecycleState: instance.LifecycleState ?? 'Unknown', ...versionOf(instance.LaunchTemplate) };
}

export const sdkAutoScaling = once((): AutoScalingPort => new SdkAutoScaling(once(() => new AutoScalingClient({}))));
