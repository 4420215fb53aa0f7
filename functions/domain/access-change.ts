/**
 * update-cluster's access changes (ADD_ACCESS_ENTRY, REMOVE_ACCESS_ENTRY): EKS access entries
 * and the aws-auth ConfigMap, planned like every other change (cluster-change.ts). Its own module
 * because aws-auth is YAML: only the step that edits access carries the YAML parser.
 */
import { findIdentityMapping, mergeIdentityMappings, removeIdentityMapping } from './aws-auth';
import { apply, IN_SYNC, refused, type AccessCall, type AccessScope, type ChangePlanner, type LiveState, type NextStep } from './cluster-change';
import { accessPolicyArn } from './naming';
import type { AccessEntrySpec, IdentityMappingSpec } from './spec';

export const planAccessChange: ChangePlanner<'Change Access', AccessCall> = (change, _spec, live) => {
  switch (change.action) {
    case 'ADD_ACCESS_ENTRY':
      return 'arn' in change.item ? addIdentityMapping(change.item, live) : addAccessEntry(change.item, live);
    case 'REMOVE_ACCESS_ENTRY':
      return removeAccess(change.target, live);
  }
};

const sameSet = (a: string[] = [], b: string[] = []) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

function scopeOf(policy: AccessEntrySpec['accessPolicies'][number]): AccessScope {
  return policy.scope === 'namespace' ? { type: 'namespace', namespaces: policy.namespaces ?? [] } : { type: 'cluster' };
}

/** The entry with its username and groups, and each policy with its scope; policies associated besides them stay. */
function addAccessEntry(entry: AccessEntrySpec, live: LiveState): NextStep<AccessCall> {
  const existing = live.accessEntry;
  const type = entry.type ?? 'STANDARD';
  if (existing?.type && existing.type !== type) return refused(`exists with type ${existing.type}, and EKS cannot change an entry's type`);
  const calls: AccessCall[] = [];
  const entryDiffers = !existing || !sameSet(existing.kubernetesGroups, entry.kubernetesGroups) || (entry.username !== undefined && existing.username !== entry.username);
  if (entryDiffers) calls.push({ call: 'putAccessEntry', entry });
  for (const policy of entry.accessPolicies) {
    const policyArn = accessPolicyArn(policy.policy);
    const scope = scopeOf(policy);
    const associated = existing?.policies.find((p) => p.policyArn === policyArn);
    const sameScope = associated?.scope.type === scope.type && (scope.type === 'cluster' || sameSet(associated.scope.namespaces, scope.namespaces));
    if (!sameScope) calls.push({ call: 'associateAccessPolicy', principalArn: entry.principalArn, policyArn, scope });
  }
  return calls.length ? apply(undefined, ...calls) : IN_SYNC;
}

function addIdentityMapping(mapping: IdentityMappingSpec, live: LiveState): NextStep<AccessCall> {
  const found = findIdentityMapping(live.awsAuth, mapping.arn);
  const asked = [...mapping.groups].sort().join(',');
  if (found?.node && [...found.groups].sort().join(',') !== asked) {
    return refused(`aws-auth maps it into ${found.groups.join(', ')} for nodes or Fargate pods; changing it would cut them off the cluster`);
  }
  const merged = mergeIdentityMappings(live.awsAuth, [mapping]);
  return merged ? apply(undefined, { call: 'writeAwsAuth', data: merged }) : IN_SYNC;
}

/**
 * The access entry and the aws-auth mapping of the principal, whichever exist — but never those
 * of nodes, Fargate pods or the bootstrapped creator the service acts as, without which the
 * cluster or the service would lose its access. Every refusal is decided before any call, so nothing is half removed.
 */
function removeAccess(principalArn: string, live: LiveState): NextStep<AccessCall> {
  if (live.protectedPrincipals?.includes(principalArn)) {
    return refused('is the cluster creator EKS made admin, which eks-provisioner acts as in this cluster; removing its access would lock the service out of the cluster');
  }
  const entry = live.accessEntry;
  if (entry?.type && entry.type !== 'STANDARD') {
    return refused(`EKS made this entry (type ${entry.type}) for nodes or Fargate pods; deleting it would cut them off the cluster`);
  }
  const mapping = findIdentityMapping(live.awsAuth, principalArn);
  if (mapping?.node) return refused(`aws-auth maps it into ${mapping.groups.join(', ')} for nodes or Fargate pods; removing it would cut them off the cluster`);
  const calls: AccessCall[] = [];
  // aws-auth first: when the principal is the one the service writes it as (local mode, where
  // the developer is both), its entry must still be there for the write.
  const data = removeIdentityMapping(live.awsAuth, principalArn);
  if (data) calls.push({ call: 'writeAwsAuth', data });
  if (entry) calls.push({ call: 'deleteAccessEntry', principalArn });
  return calls.length ? apply(undefined, ...calls) : IN_SYNC;
}

