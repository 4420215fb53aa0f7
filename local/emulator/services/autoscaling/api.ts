/**
 * The Auto Scaling actions over awsQuery (Action=X&Version=2011-01-01, lists as `.member.N`,
 * pages by NextToken/MaxRecords): the reads the AWS CLI, boto3 and the cluster autoscaler make of
 * a nodegroup's group, and the writes that scale a stack's group or replace one of its instances
 * (UpdateAutoScalingGroup, SetDesiredCapacity, TerminateInstanceInAutoScalingGroup:
 * stack-groups.ts). Any other action answers InvalidAction, as Auto Scaling does for an action it
 * does not know (query/dispatch.ts).
 */
import { EmulatorError, formList, type XmlValue } from '../../protocol';
import type { QueryOperation } from '../../query';
import { pageOf, queryFilters, type PageRules } from '../../query/member-lists';
import type { World } from '../../world';
import type { AutoScalingReads } from './state';
import { activityShape, groupShape, instanceShape } from './shapes';
import { launchTemplateVersion, requireStackGroup, resizeStackGroup, setStackGroupDesiredCapacity, terminateStackGroupInstance } from './stack-groups';

export const NAMESPACE = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
export const API_VERSION = '2011-01-01';

type Action = (form: URLSearchParams, reads: AutoScalingReads, world: World) => Record<string, XmlValue>;

const PAGES: PageRules = {
  limitName: 'maxRecords',
  defaultLimit: 50,
  maxLimit: 100,
  invalidToken: (token) => new EmulatorError(400, 'InvalidNextToken', `The token '${token}' is invalid.`),
};

const required = (form: URLSearchParams, name: string): string => {
  const value = form.get(name);
  if (value === null) throw new EmulatorError(400, 'ValidationError', `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return value;
};

/** An Integer or Boolean member as the query protocol carries it; a malformed one is refused as Auto Scaling refuses it. */
function integer(form: URLSearchParams, name: string): number | undefined {
  const value = form.get(name);
  if (value === null) return undefined;
  if (!/^-?\d+$/.test(value)) throw new EmulatorError(400, 'ValidationError', `Invalid value '${value}' for ${name}: an integer is expected`);
  return Number(value);
}

function requiredInteger(form: URLSearchParams, name: string): number {
  required(form, name);
  return integer(form, name) as number;
}

function boolean(form: URLSearchParams, name: string): boolean {
  const value = required(form, name);
  if (value !== 'true' && value !== 'false') throw new EmulatorError(400, 'ValidationError', `Invalid value '${value}' for ${name}: true or false is expected`);
  return value === 'true';
}

/** What the local UpdateAutoScalingGroup changes; any other member is refused rather than ignored. */
const UPDATABLE_MEMBERS = new Set(['Action', 'Version', 'AutoScalingGroupName', 'MinSize', 'MaxSize', 'DesiredCapacity', 'LaunchTemplate.LaunchTemplateId', 'LaunchTemplate.LaunchTemplateName', 'LaunchTemplate.Version']);

/** NextToken/MaxRecords paging: `NextToken` only when more follow. */
function paged<T>(form: URLSearchParams, items: T[], key: string, shape: (item: T) => XmlValue): Record<string, XmlValue> {
  const page = pageOf(items, { token: form.get('NextToken') ?? undefined, limit: form.get('MaxRecords') ?? undefined }, PAGES);
  return { [key]: page.items.map(shape), NextToken: page.next };
}

export const ACTIONS: Record<string, Action> = {
  DescribeAutoScalingGroups(form, reads) {
    const groups = reads.groups(formList(form, 'AutoScalingGroupNames'), queryFilters(form));
    return paged(form, groups, 'AutoScalingGroups', (group) => groupShape(group, reads));
  },

  DescribeAutoScalingInstances(form, reads) {
    return paged(form, reads.allMembers(formList(form, 'InstanceIds')), 'AutoScalingInstances', (member) => instanceShape(member, true));
  },

  DescribeScalingActivities(form, reads) {
    const ids = formList(form, 'ActivityIds');
    const activities = reads.activities(form.get('AutoScalingGroupName') ?? undefined).filter((activity) => ids.length === 0 || ids.includes(activity.activityId));
    return paged(form, activities, 'Activities', activityShape);
  },

  TerminateInstanceInAutoScalingGroup(form, _reads, world) {
    const { group, activity } = terminateStackGroupInstance(world, required(form, 'InstanceId'), boolean(form, 'ShouldDecrementDesiredCapacity'));
    return { Activity: activityShape({ ...activity, groupName: group.name, groupArn: group.arn }) };
  },

  SetDesiredCapacity(form, _reads, world) {
    const group = requireStackGroup(world, required(form, 'AutoScalingGroupName'));
    setStackGroupDesiredCapacity(world, group, requiredInteger(form, 'DesiredCapacity'));
    return {};
  },

  UpdateAutoScalingGroup(form, _reads, world) {
    const group = requireStackGroup(world, required(form, 'AutoScalingGroupName'));
    const unsupported = [...form.keys()].filter((key) => !UPDATABLE_MEMBERS.has(key));
    if (unsupported.length) throw new EmulatorError(400, 'ValidationError', `The local emulator's UpdateAutoScalingGroup changes MinSize, MaxSize, DesiredCapacity and the LaunchTemplate version only; it was given ${unsupported.join(', ')}`);
    const templateId = form.get('LaunchTemplate.LaunchTemplateId') ?? undefined;
    const templateName = form.get('LaunchTemplate.LaunchTemplateName') ?? undefined;
    if ((templateId !== undefined && templateId !== group.launchTemplate?.id) || (templateName !== undefined && templateName !== group.launchTemplate?.name)) {
      throw new EmulatorError(400, 'ValidationError', "The local emulator's UpdateAutoScalingGroup keeps the group's launch template: pass its own LaunchTemplateId or LaunchTemplateName with a new Version");
    }
    const version = form.get('LaunchTemplate.Version') ?? undefined;
    const change = { minSize: integer(form, 'MinSize'), maxSize: integer(form, 'MaxSize'), desiredCapacity: integer(form, 'DesiredCapacity'), launchTemplateVersion: version === undefined ? undefined : launchTemplateVersion(world, group, version) };
    resizeStackGroup(world, group, Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)));
    return {};
  },

  /** EKS launches nodes from launch templates: the account has no launch configurations. */
  DescribeLaunchConfigurations(form) {
    return paged(form, [], 'LaunchConfigurations', () => ({}));
  },
};

/** The operations for query/dispatch.ts, over one view of the World (AutoScalingReads). */
export function operationsOver(reads: AutoScalingReads): Record<string, QueryOperation> {
  return Object.fromEntries(Object.entries(ACTIONS).map(([name, action]) => [name, (world, form) => action(form, reads, world)]));
}
