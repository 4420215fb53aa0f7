/**
 * Auto Scaling's answer shapes (members of the awsQuery results) for a managed nodegroup's group
 * (or a self-managed nodegroup's, which a stack made), with the settings EKS gives the groups it makes: EC2 health checks with a 15 s grace period,
 * its termination policies, capacity rebalancing for Spot, every tag propagated at launch.
 */
import type { XmlValue } from '../../protocol';
import type { AutoScalingGroup } from '../../world';
import type { Activity, AutoScalingReads, Member } from './state';

type LaunchTemplate = NonNullable<AutoScalingGroup['launchTemplate']>;

function launchTemplateSpecification(template: LaunchTemplate): Record<string, XmlValue> {
  return { LaunchTemplateId: template.id, LaunchTemplateName: template.name, Version: template.version };
}

/** A nodegroup with several instance types gets a MixedInstancesPolicy; with one, the launch template alone. */
function launchSettings(group: AutoScalingGroup, spot: boolean): Record<string, XmlValue> {
  if (!group.launchTemplate) return {};
  if (!group.mixedInstanceTypes?.length && !group.instancesDistribution) return { LaunchTemplate: launchTemplateSpecification(group.launchTemplate) };
  // A stack's group has the distribution its template gave; EKS's own follow the nodegroup's capacity type.
  const distribution = group.instancesDistribution;
  return {
    MixedInstancesPolicy: {
      LaunchTemplate: {
        LaunchTemplateSpecification: launchTemplateSpecification(group.launchTemplate),
        Overrides: (group.mixedInstanceTypes ?? []).map((InstanceType) => ({ InstanceType })),
      },
      InstancesDistribution: {
        OnDemandAllocationStrategy: distribution?.onDemandAllocationStrategy ?? 'prioritized',
        OnDemandBaseCapacity: distribution?.onDemandBaseCapacity ?? 0,
        OnDemandPercentageAboveBaseCapacity: distribution?.onDemandPercentageAboveBaseCapacity ?? (spot ? 0 : 100),
        SpotAllocationStrategy: distribution?.spotAllocationStrategy ?? 'capacity-optimized',
      },
    },
  };
}

export function instanceShape(member: Member, withGroupName: boolean): Record<string, XmlValue> {
  const { group, instance } = member;
  const template = instance.launchTemplate ?? group.launchTemplate;
  return {
    InstanceId: instance.instanceId,
    InstanceType: instance.instanceType,
    AutoScalingGroupName: withGroupName ? group.name : undefined,
    AvailabilityZone: instance.availabilityZone,
    LifecycleState: member.lifecycleState,
    HealthStatus: 'Healthy',
    LaunchTemplate: template ? launchTemplateSpecification(template) : undefined,
    ProtectedFromScaleIn: false,
  };
}

export function groupShape(group: AutoScalingGroup, reads: AutoScalingReads): Record<string, XmlValue> {
  const spot = reads.isSpot(group);
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    ...launchSettings(group, spot),
    MinSize: group.minSize,
    MaxSize: group.maxSize,
    DesiredCapacity: group.desiredCapacity,
    DefaultCooldown: 300,
    AvailabilityZones: group.availabilityZones,
    LoadBalancerNames: [],
    TargetGroupARNs: [],
    HealthCheckType: 'EC2',
    HealthCheckGracePeriod: 15,
    Instances: reads.members(group).map((member) => instanceShape(member, false)),
    CreatedTime: group.createdTime,
    SuspendedProcesses: [],
    VPCZoneIdentifier: group.subnetIds.join(','),
    EnabledMetrics: [],
    Status: group.status,
    Tags: Object.entries(group.tags)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([Key, Value]) => ({ ResourceId: group.name, ResourceType: 'auto-scaling-group', Key, Value, PropagateAtLaunch: true })),
    TerminationPolicies: ['AllocationStrategy', 'OldestLaunchTemplate', 'OldestInstance'],
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${reads.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: spot,
    TrafficSources: [],
  };
}

export function activityShape(activity: Activity): Record<string, XmlValue> {
  return {
    ActivityId: activity.activityId,
    AutoScalingGroupName: activity.groupName,
    Description: activity.description,
    Cause: activity.cause,
    StartTime: activity.startTime,
    EndTime: activity.endTime,
    StatusCode: activity.statusCode,
    Progress: activity.progress,
    Details: JSON.stringify({ 'Subnet ID': activity.subnetId, 'Availability Zone': activity.availabilityZone }),
    AutoScalingGroupARN: activity.groupArn,
  };
}
