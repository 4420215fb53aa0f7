/**
 * Auto Scaling groups CloudFormation makes (AWS::AutoScaling::AutoScalingGroup: a self-managed
 * nodegroup's), as Auto Scaling runs them: the group launches DesiredCapacity instances from its
 * launch template (or a MixedInstancesPolicy's, over its instance type overrides), spread over
 * its subnets' zones, each tagged with the group's PropagateAtLaunch tags and Auto Scaling's own,
 * On-Demand or Spot as its InstancesDistribution says. Deleting the group terminates them.
 * Its sizes and launch template version change in place (a stack update, UpdateAutoScalingGroup,
 * SetDesiredCapacity: resizeStackGroup), and one instance can be taken out
 * (TerminateInstanceInAutoScalingGroup: terminateStackGroupInstance); a scale-in or a termination
 * takes instances through Terminating (activities.ts), and an instance launched afterwards boots
 * the launch template version the group names then. Each launch and termination is a scaling activity.
 * EKS's own groups (managed nodegroups) are ec2/nodegroup-capacity.ts's.
 */
import { EmulatorError } from '../../protocol';
import { forgetOldTerminated, launchInstance, architectureOf, terminateInstance } from '../ec2/instances';
import { findLaunchTemplate } from '../ec2/state';
import { beginTermination, causeTime, recordLaunch, settleTerminations, terminationInProgress } from './activities';
import { perZone, scaleInToDesired } from './balance';
import type { AutoScalingGroup, Instance, ScalingActivity, Subnet, World } from '../../world';

/** The instances counting toward the group's capacity: a Terminating (shutting-down) one no longer does. */
function membersOf(world: World, group: AutoScalingGroup): Instance[] {
  return group.instanceIds.map((id) => world.ec2.instances.get(id)).filter((i): i is Instance => i !== undefined && (i.state === 'running' || i.state === 'pending'));
}

/**
 * Whether the group's next instance is On-Demand, given the instances it has: of DesiredCapacity,
 * the first onDemandBaseCapacity are, then onDemandPercentageAboveBaseCapacity percent of the
 * rest (Auto Scaling rounds the On-Demand share up); every other one is Spot.
 */
export function nextIsOnDemand(group: Pick<AutoScalingGroup, 'instancesDistribution' | 'desiredCapacity'>, members: Array<Pick<Instance, 'capacityType'>>): boolean {
  const distribution = group.instancesDistribution;
  if (!distribution) return true;
  const base = Math.min(distribution.onDemandBaseCapacity, group.desiredCapacity);
  const wanted = base + Math.ceil(((group.desiredCapacity - base) * distribution.onDemandPercentageAboveBaseCapacity) / 100);
  return members.filter((m) => m.capacityType === 'ON_DEMAND').length < wanted;
}

/**
 * Launches or terminates until the group has DesiredCapacity instances, balancing zones as Auto
 * Scaling does; `why` is what changed the capacity (a user request), the start of each activity's cause.
 */
export function reconcileStackGroup(world: World, group: AutoScalingGroup, why = ''): void {
  settleTerminations(world, group);
  forgetOldTerminated(world);
  const subnets = group.subnetIds.map((id) => world.ec2.subnets.get(id)).filter((s): s is Subnet => s !== undefined);
  if (subnets.length === 0) return;
  const template = group.launchTemplate ? findLaunchTemplate(world, group.launchTemplate) : undefined;
  const data = template?.data ?? {};
  const types = group.mixedInstanceTypes?.length ? group.mixedInstanceTypes : [String(data.InstanceType ?? 't3.medium')];
  let members = membersOf(world, group);
  while (members.length < group.desiredCapacity) {
    const count = perZone(members);
    const subnet = subnets.reduce((best, s) => (count(s.availabilityZone) < count(best.availabilityZone) ? s : best));
    const onDemand = nextIsOnDemand(group, members);
    // On-Demand takes the types in order (prioritized); Spot spreads over them (capacity pools).
    const spotSoFar = members.filter((m) => m.capacityType === 'SPOT').length;
    const instanceType = onDemand ? types[0]! : types[spotSoFar % types.length]!;
    const instance = launchInstance(world, {
      subnet,
      instanceType,
      imageId: String(data.ImageId ?? ''),
      architecture: architectureOf('', instanceType),
      securityGroupIds: Array.isArray(data.SecurityGroupIds) ? data.SecurityGroupIds.map(String) : [],
      capacityType: onDemand ? 'ON_DEMAND' : 'SPOT',
      ...(typeof (data.IamInstanceProfile as { Arn?: unknown } | undefined)?.Arn === 'string' ? { iamInstanceProfileArn: (data.IamInstanceProfile as { Arn: string }).Arn } : {}),
      ...(group.launchTemplate ? { launchTemplate: group.launchTemplate } : {}),
      autoScalingGroupName: group.name,
      tags: {
        ...Object.fromEntries(Object.entries(group.tags).filter(([key]) => !group.notPropagatedAtLaunch?.includes(key))),
        'aws:autoscaling:groupName': group.name,
        ...(group.launchTemplate ? { 'aws:ec2launchtemplate:id': group.launchTemplate.id, 'aws:ec2launchtemplate:version': group.launchTemplate.version } : {}),
      },
    });
    group.instanceIds.push(instance.instanceId);
    recordLaunch(world, group, instance, members.length, why);
    members = [...members, instance];
  }
  scaleInToDesired(world, group, members, (victim, from) => {
    const at = causeTime(world.clock.now());
    beginTermination(world, group, victim, `${why}At ${at} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${from} to ${from - 1}.  At ${at} instance ${victim.instanceId} was selected for termination.`);
  });
}

const validation = (message: string) => new EmulatorError(400, 'ValidationError', message);

/** A group stacks made, by name: Auto Scaling's answer for one it does not have; the local emulator's for EKS's own. */
export function requireStackGroup(world: World, name: string | undefined): AutoScalingGroup {
  const group = name === undefined ? undefined : world.autoScaling.groups.get(name);
  if (!group) throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${name ?? 'null'} not found`);
  if (group.stackName === undefined) throw validation(`The local emulator changes only Auto Scaling groups that stacks made; ${group.name} is a managed nodegroup's: scale or update the nodegroup through EKS.`);
  return group;
}

/** Auto Scaling's rule for a group's sizes, worded as its ValidationErrors. */
export function checkGroupSizes(minSize: number, maxSize: number, desiredCapacity: number): void {
  if (minSize > maxSize) throw validation(`Max bound, ${maxSize}, must be greater than or equal to min bound, ${minSize}`);
  if (desiredCapacity < minSize || desiredCapacity > maxSize) throw validation(`Desired capacity:${desiredCapacity} must be between the specified min size:${minSize} and max size:${maxSize}`);
}

export interface GroupChange {
  minSize?: number;
  maxSize?: number;
  desiredCapacity?: number;
  /** The launch template version the group launches from from now on. */
  launchTemplateVersion?: string;
}

/**
 * UpdateAutoScalingGroup's rules: a new MinSize above the desired capacity raises it, a new MaxSize
 * below lowers it (when DesiredCapacity is not given); then min ≤ desired ≤ max or a ValidationError
 * worded as Auto Scaling's. The group then launches or scales in to the new desired capacity;
 * running instances keep the launch template version they booted.
 */
export function resizeStackGroup(world: World, group: AutoScalingGroup, change: GroupChange): void {
  const minSize = change.minSize ?? group.minSize;
  const maxSize = change.maxSize ?? group.maxSize;
  const desiredCapacity = change.desiredCapacity ?? Math.min(Math.max(group.desiredCapacity, minSize), maxSize);
  checkGroupSizes(minSize, maxSize, desiredCapacity);
  const sizesChanged = minSize !== group.minSize || maxSize !== group.maxSize || desiredCapacity !== group.desiredCapacity;
  const why = desiredCapacity !== group.desiredCapacity ? `At ${causeTime(world.clock.now())} a user request update of AutoScalingGroup constraints to min: ${minSize}, max: ${maxSize}, desired: ${desiredCapacity} changing the desired capacity from ${group.desiredCapacity} to ${desiredCapacity}.  ` : '';
  Object.assign(group, { minSize, maxSize, desiredCapacity });
  if (change.launchTemplateVersion !== undefined && group.launchTemplate) group.launchTemplate = { ...group.launchTemplate, version: change.launchTemplateVersion };
  if (sizesChanged) reconcileStackGroup(world, group, why);
}

/** A launch template version as the group keeps it (a number): `$Latest` and `$Default` resolved, an unknown one refused. */
export function launchTemplateVersion(world: World, group: AutoScalingGroup, version: string): string {
  const template = group.launchTemplate ? findLaunchTemplate(world, group.launchTemplate) : undefined;
  if (!template) throw validation(`AutoScalingGroup ${group.name} has no launch template`);
  if (version === '$Latest' || version === '$Default') return String(template.version);
  if (!template.versions.some((v) => String(v.number) === version)) throw validation(`The specified launch template version ${version} of launch template ${template.id} does not exist.`);
  return version;
}

/** SetDesiredCapacity: within the group's sizes, as Auto Scaling words the refusal. */
export function setStackGroupDesiredCapacity(world: World, group: AutoScalingGroup, desiredCapacity: number): void {
  if (desiredCapacity > group.maxSize) throw validation(`New SetDesiredCapacity value ${desiredCapacity} is above max value ${group.maxSize} for the AutoScalingGroup.`);
  if (desiredCapacity < group.minSize) throw validation(`New SetDesiredCapacity value ${desiredCapacity} is below min value ${group.minSize} for the AutoScalingGroup.`);
  if (desiredCapacity === group.desiredCapacity) return;
  const why = `At ${causeTime(world.clock.now())} a user request explicitly set group desired capacity changing the desired capacity from ${group.desiredCapacity} to ${desiredCapacity}.  `;
  group.desiredCapacity = desiredCapacity;
  reconcileStackGroup(world, group, why);
}

/** The group whose member `instanceId` is (running, or already Terminating), with its terminations that are due finished. */
function groupOfInstance(world: World, instanceId: string): AutoScalingGroup | undefined {
  const group = [...world.autoScaling.groups.values()].find((g) => g.instanceIds.includes(instanceId));
  if (group) settleTerminations(world, group);
  const instance = world.ec2.instances.get(instanceId);
  return instance && instance.state !== 'terminated' && group?.instanceIds.includes(instanceId) ? group : undefined;
}

/**
 * TerminateInstanceInAutoScalingGroup: the instance goes Terminating; with `decrement` the
 * desired capacity drops by one (refused at MinSize, as Auto Scaling refuses it), without it the
 * group launches a replacement from its current launch template version at once. Asking again
 * for an instance already Terminating answers its termination activity.
 */
export function terminateStackGroupInstance(world: World, instanceId: string, decrement: boolean): { group: AutoScalingGroup; activity: ScalingActivity } {
  const owner = groupOfInstance(world, instanceId);
  if (!owner) throw validation(`Instance Id not found - No managed instance found for instance ID: ${instanceId}`);
  const group = requireStackGroup(world, owner.name);
  const running = terminationInProgress(group, instanceId);
  if (running) return { group, activity: running };
  const instance = world.ec2.instances.get(instanceId) as Instance;
  const before = group.desiredCapacity;
  if (decrement && before <= group.minSize) {
    throw validation(`Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`);
  }
  if (decrement) group.desiredCapacity = before - 1;
  const at = causeTime(world.clock.now());
  const cause = `At ${at} instance ${instanceId} was taken out of service in response to a user request${decrement ? `, shrinking the capacity from ${before} to ${before - 1}` : ''}.`;
  const activity = beginTermination(world, group, instance, cause);
  reconcileStackGroup(world, group);
  return { group, activity };
}

/** The group is deleted: its instances terminated (ForceDelete, as CloudFormation deletes a group), the group gone. */
export function deleteStackGroup(world: World, name: string): void {
  const group = world.autoScaling.groups.get(name);
  if (!group) return;
  for (const id of group.instanceIds) terminateInstance(world, id);
  world.autoScaling.groups.delete(name);
}
