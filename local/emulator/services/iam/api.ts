/**
 * The IAM actions over awsQuery (Action=X&Version=2010-05-08, lists as `.member.N`, pages by
 * Marker/MaxItems with IsTruncated): the reads the AWS CLI and boto3 make of the roles, policies
 * and instance profiles the stacks created. Any other action answers InvalidAction, as IAM does
 * for an action it does not know (query/dispatch.ts).
 */
import { EmulatorError, type XmlValue } from '../../protocol';
import type { QueryOperation } from '../../query';
import { pageOf, type PageRules } from '../../query/member-lists';
import type { IamReads } from './state';
import { encodedDocument, instanceProfileShape, policyShape, roleDetail, roleSummary } from './shapes';

export const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const API_VERSION = '2010-05-08';

type Action = (form: URLSearchParams, reads: IamReads) => Record<string, XmlValue>;

/** IAM's ValidationError for a required member left out: `Value null at 'roleName'`. */
function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (value === null || value === '') throw new EmulatorError(400, 'ValidationError', `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

const PAGES: PageRules = {
  limitName: 'maxItems',
  defaultLimit: 100,
  maxLimit: 1000,
  invalidToken: () => new EmulatorError(400, 'ValidationError', 'Invalid Marker.'),
};

/** Marker/MaxItems paging: `IsTruncated`, and `Marker` only when it is. */
function paged<T>(form: URLSearchParams, items: T[], key: string, shape: (item: T) => XmlValue): Record<string, XmlValue> {
  const page = pageOf(items, { token: form.get('Marker') ?? undefined, limit: form.get('MaxItems') ?? undefined }, PAGES);
  return { [key]: page.items.map(shape), IsTruncated: page.next !== undefined, Marker: page.next };
}

const pathPrefix = (form: URLSearchParams) => form.get('PathPrefix') ?? undefined;

export const ACTIONS: Record<string, Action> = {
  GetRole(form, reads) {
    return { Role: roleDetail(reads.role(required(form, 'RoleName')), reads) };
  },

  ListRoles(form, reads) {
    return paged(form, reads.roles(pathPrefix(form)), 'Roles', (role) => roleSummary(role, reads));
  },

  ListRoleTags(form, reads) {
    const role = reads.role(required(form, 'RoleName'));
    return paged(form, Object.entries(role.tags), 'Tags', ([Key, Value]) => ({ Key, Value }));
  },

  ListAttachedRolePolicies(form, reads) {
    const role = reads.role(required(form, 'RoleName'));
    return paged(form, reads.attachedPolicies(role, pathPrefix(form)), 'AttachedPolicies', (p) => ({ PolicyName: p.name, PolicyArn: p.arn }));
  },

  ListRolePolicies(form, reads) {
    const role = reads.role(required(form, 'RoleName'));
    return paged(form, Object.keys(role.inlinePolicies ?? {}).sort(), 'PolicyNames', (name) => name);
  },

  GetRolePolicy(form, reads) {
    const role = reads.role(required(form, 'RoleName'));
    const policyName = required(form, 'PolicyName');
    return { RoleName: role.roleName, PolicyName: policyName, PolicyDocument: encodedDocument(reads.inlinePolicy(role, policyName)) };
  },

  GetInstanceProfile(form, reads) {
    return { InstanceProfile: instanceProfileShape(reads.instanceProfile(required(form, 'InstanceProfileName')), reads) };
  },

  ListInstanceProfiles(form, reads) {
    return paged(form, reads.instanceProfiles(pathPrefix(form)), 'InstanceProfiles', (profile) => instanceProfileShape(profile, reads));
  },

  ListInstanceProfilesForRole(form, reads) {
    const role = reads.role(required(form, 'RoleName'));
    return paged(form, reads.instanceProfilesOf(role), 'InstanceProfiles', (profile) => instanceProfileShape(profile, reads));
  },

  GetOpenIDConnectProvider(form, reads) {
    const provider = reads.oidcProvider(required(form, 'OpenIDConnectProviderArn'));
    return { Url: provider.url, ClientIDList: provider.clientIds, ThumbprintList: provider.thumbprints, CreateDate: provider.createDate, Tags: Object.entries(provider.tags).map(([Key, Value]) => ({ Key, Value })) };
  },

  // Not paged: IAM answers the whole list (an account holds at most 100 providers).
  ListOpenIDConnectProviders(_form, reads) {
    return { OpenIDConnectProviderList: reads.oidcProviders().map((p) => ({ Arn: p.arn })) };
  },

  GetPolicy(form, reads) {
    return { Policy: policyShape(reads.policy(required(form, 'PolicyArn')), reads) };
  },
};

/** The operations for query/dispatch.ts, over one view of the World (IamReads). */
export function operationsOver(reads: IamReads): Record<string, QueryOperation> {
  return Object.fromEntries(Object.entries(ACTIONS).map(([name, action]) => [name, (_world, form) => action(form, reads)]));
}
