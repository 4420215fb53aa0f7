/**
 * The Auto Scaling actions over awsQuery (Action=X&Version=2011-01-01, lists as `.member.N`,
 * pages by NextToken/MaxRecords): the reads the AWS CLI, boto3 and the cluster autoscaler make of
 * a nodegroup's group. Any other action answers InvalidAction, as Auto Scaling does for an action
 * it does not know.
 */
import { EmulatorError, formList, type XmlValue } from '../../protocol';
import { pageOf, queryFilters, type PageRules } from '../../query-lists';
import type { AutoScalingReads } from './state';
import { activityShape, groupShape, instanceShape } from './shapes';

export const NAMESPACE = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
export const API_VERSION = '2011-01-01';

type Action = (form: URLSearchParams, reads: AutoScalingReads) => Record<string, XmlValue>;

const PAGES: PageRules = {
  limitName: 'maxRecords',
  defaultLimit: 50,
  maxLimit: 100,
  invalidToken: (token) => new EmulatorError(400, 'InvalidNextToken', `The token '${token}' is invalid.`),
};

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

  /** EKS launches nodes from launch templates: the account has no launch configurations. */
  DescribeLaunchConfigurations(form) {
    return paged(form, [], 'LaunchConfigurations', () => ({}));
  },
};

/** The result of one action, or InvalidAction for one Auto Scaling has but this emulator does not (or that does not exist). */
export function runAction(action: string, form: URLSearchParams, reads: AutoScalingReads): Record<string, XmlValue> {
  const handler = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (!handler) throw new EmulatorError(400, 'InvalidAction', `Could not find operation ${action} for version ${form.get('Version') ?? API_VERSION}`);
  return handler(form, reads);
}
