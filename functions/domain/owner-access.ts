/**
 * What the cluster's owner gets inside it (spec `ownerAccess`): in API modes an access entry with
 * the policy, in CONFIG_MAP mode an aws-auth mapping into system:masters. The owner is the
 * requester's principal (an assumed-role session's role, as caller.ts maps it), so the portal's
 * next session gets in too. An entry or mapping the spec gives the same principal wins: EKS would
 * refuse a second entry (409) and aws-auth would hold two answers.
 */
import { principalOf } from './caller';
import type { AccessEntrySpec, IdentityMappingSpec, Spec } from './spec';

export interface OwnerGrant {
  principalArn: string;
  accessEntry?: AccessEntrySpec;
  identityMapping?: IdentityMappingSpec;
}

/** The group aws-auth maps to cluster-admin (EKS's ClusterRoleBinding cluster-admin binds it). */
export const CLUSTER_ADMIN_GROUP = 'system:masters';

export function ownerGrant(spec: Spec, requester: string): OwnerGrant {
  const principalArn = principalOf(requester);
  // A spec normalised before ownerAccess existed (an execution resumed across the upgrade) gave the owner nothing.
  const access = spec.ownerAccess ?? 'none';
  if (access === 'none' || namedBySpec(spec, principalArn)) return { principalArn };
  if (spec.authenticationMode === 'CONFIG_MAP') {
    return { principalArn, identityMapping: { arn: principalArn, username: kubernetesUsername(principalArn), groups: [CLUSTER_ADMIN_GROUP] } };
  }
  return { principalArn, accessEntry: { principalArn, type: 'STANDARD', kubernetesGroups: [], accessPolicies: [{ ...access }] } };
}

/** Whether the spec's own access entries or identity mappings name this principal. */
export function namedBySpec(spec: Pick<Spec, 'accessEntries' | 'identityMappings'>, principalArn: string): boolean {
  return spec.accessEntries.some((e) => principalOf(e.principalArn) === principalArn) || spec.identityMappings.some((m) => principalOf(m.arn) === principalArn);
}

/** The username EKS gives an access entry by default, so the owner reads the same in audit logs in either mode. */
function kubernetesUsername(principalArn: string): string {
  const role = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(principalArn);
  return role ? `arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/{{SessionName}}` : principalArn;
}
