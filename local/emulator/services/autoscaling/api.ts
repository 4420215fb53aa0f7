/**
 * The Auto Scaling actions over awsQuery (Action=X&Version=2011-01-01, lists as `.member.N`,
 * pages by NextToken/MaxRecords): the reads the AWS CLI, boto3 and the cluster autoscaler make of
 * a nodegroup's group. Any other action answers InvalidAction, as Auto Scaling does for an action
 * it does not know (query/dispatch.ts).
 */
import { EmulatorError, formList, type XmlValue } from '../../protocol';
import type { QueryOperation } from '../../query';
import { pageOf, queryFilters, type PageRules } from '../../query/member-lists';
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

/** The operations for query/dispatch.ts, over one view of the World (AutoScalingReads). */
export function operationsOver(reads: AutoScalingReads): Record<string, QueryOperation> {
  return Object.fromEntries(Object.entries(ACTIONS).map(([name, action]) => [name, (_world, form) => action(form, reads)]));
}
