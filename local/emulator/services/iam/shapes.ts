/**
 * IAM's answer shapes (the members of the awsQuery results), as AWS returns them: policy
 * documents URL-encoded JSON, tags as Key/Value members, dates ISO 8601.
 */
import type { XmlValue } from '../../protocol';
import type { InstanceProfile, Role } from '../../world';
import type { IamReads, PolicyView } from './state';

/** IAM returns every policy document URL-encoded (botocore and the SDKs decode it). */
export function encodedDocument(document: unknown): string {
  return encodeURIComponent(typeof document === 'string' ? document : JSON.stringify(document));
}

function tagList(tags: Record<string, string>): Array<Record<string, XmlValue>> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** The fields ListRoles returns (it leaves out the boundary, tags and last use, as AWS does). */
export function roleSummary(role: Role, reads: IamReads): Record<string, XmlValue> {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: reads.roleId(role),
    Arn: role.arn,
    CreateDate: reads.createDate(role),
    AssumeRolePolicyDocument: encodedDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration ?? 3600,
  };
}

/** GetRole's Role (and the roles inside an instance profile). */
export function roleDetail(role: Role, reads: IamReads): Record<string, XmlValue> {
  return {
    ...roleSummary(role, reads),
    PermissionsBoundary: role.permissionsBoundary ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: role.permissionsBoundary } : undefined,
    Tags: tagList(role.tags),
    // No sign-ins are recorded: AWS shows an empty RoleLastUsed for a role not used in its tracking period.
    RoleLastUsed: {},
  };
}

export function instanceProfileShape(profile: InstanceProfile, reads: IamReads): Record<string, XmlValue> {
  return {
    Path: profile.path,
    InstanceProfileName: profile.name,
    InstanceProfileId: reads.instanceProfileId(profile),
    Arn: profile.arn,
    CreateDate: profile.createDate,
    Roles: reads.rolesOf(profile).map((role) => roleDetail(role, reads)),
    Tags: tagList(profile.tags),
  };
}

export function policyShape(view: PolicyView, reads: IamReads): Record<string, XmlValue> {
  const created = view.policy ? reads.createDate(view.policy) : undefined;
  return {
    PolicyName: view.name,
    PolicyId: view.policyId,
    Arn: view.arn,
    Path: view.path,
    // An AWS managed policy's version history and dates are AWS's: not held here, so not shown.
    DefaultVersionId: view.policy ? 'v1' : undefined,
    AttachmentCount: view.attachmentCount,
    PermissionsBoundaryUsageCount: view.permissionsBoundaryUsageCount,
    IsAttachable: true,
    Description: view.policy?.description,
    CreateDate: created,
    UpdateDate: created,
    Tags: [],
  };
}
