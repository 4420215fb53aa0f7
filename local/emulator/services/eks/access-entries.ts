/**
 * EKS access entries and access policy associations (API authentication modes), and the entries
 * EKS makes itself: the creator's cluster-admin entry, and for joined node and Fargate roles an
 * access entry (API modes) and an aws-auth mapRoles entry (CONFIG_MAP modes).
 */
import { randomUUID } from 'node:crypto';
import type { AssociateAccessPolicyRequest, CreateAccessEntryRequest, UpdateAccessEntryRequest } from '@aws-sdk/client-eks';
import { principalArnOf, samePrincipal } from '../sts';
import { ACCESS_POLICY_PREFIX, accessPolicyName } from './catalog';
import { EksPart } from './context';
import { addAwsAuthRole } from './kube-store';
import type { AccessEntry, AccessEntryType, Cluster, PolicyAssociation } from './model';
import { IAM_PRINCIPAL, inUse, invalidParameter, invalidRequest, notFound } from './validation';

const ACCESS_ENTRY_TYPES: AccessEntryType[] = ['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'EC2', 'HYBRID_LINUX', 'HYPERPOD_LINUX'];

export class AccessEntries extends EksPart {
  private accessEntriesEnabled(name: string, allowStatus = false): Cluster {
    const cluster = allowStatus ? this.cluster(name) : this.usableCluster(name);
    if (cluster.authenticationMode === 'CONFIG_MAP') {
      throw invalidRequest("The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.");
    }
    return cluster;
  }

  accessEntry(clusterName: string, principalArn: string): AccessEntry {
    const entry = this.accessEntriesEnabled(clusterName, true).accessEntries.get(principalArn);
    if (!entry) throw notFound(`The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.`);
    return entry;
  }

  listAccessEntries(clusterName: string, associatedPolicyArn?: string): string[] {
    const cluster = this.accessEntriesEnabled(clusterName, true);
    return [...cluster.accessEntries.values()].filter((e) => !associatedPolicyArn || e.policies.has(associatedPolicyArn)).map((e) => e.principalArn);
  }

  private checkGroupsAndUsername(type: AccessEntryType, groups: readonly string[] | undefined, username: string | undefined): void {
    if (type !== 'STANDARD' && (groups?.length || username !== undefined)) throw invalidParameter(`kubernetesGroups and username cannot be set for access entries of type ${type}`);
    for (const group of groups ?? []) {
      if (group.startsWith('system:')) throw invalidParameter(`The kubernetes group name ${group} is invalid, it cannot start with system:`);
    }
    if (username !== undefined && /^(system:|eks:|aws:|amazon:|iam:)/.test(username)) throw invalidParameter(`The username ${username} is invalid: it cannot start with system:, eks:, aws:, amazon: or iam:`);
  }

  createAccessEntry(clusterName: string, input: CreateAccessEntryRequest): AccessEntry {
    const cluster = this.accessEntriesEnabled(clusterName);
    const principalArn = input.principalArn ?? '';
    const match = IAM_PRINCIPAL.exec(principalArn);
    if (!match) throw invalidParameter(`The specified principalArn is invalid: invalid principal ${principalArn || '(empty)'} (an IAM role or user ARN, not an assumed-role session)`);
    if (cluster.accessEntries.has(principalArn)) throw inUse('The specified access entry resource is already in use on this cluster.');
    const type = (input.type ?? 'STANDARD') as AccessEntryType;
    if (!ACCESS_ENTRY_TYPES.includes(type)) throw invalidParameter(`type must be one of ${ACCESS_ENTRY_TYPES.join(', ')}`);
    if (type !== 'STANDARD' && match[2] !== 'role') throw invalidParameter(`Access entries of type ${type} need an IAM role principal`);
    this.checkGroupsAndUsername(type, input.kubernetesGroups, input.username);
    return this.putEntry(cluster, principalArn, type, input.username, input.kubernetesGroups ?? [], input.tags ?? {});
  }

  private putEntry(cluster: Cluster, principalArn: string, type: AccessEntryType, username: string | undefined, groups: readonly string[], tags: Record<string, string>): AccessEntry {
    const match = IAM_PRINCIPAL.exec(principalArn)!;
    const [, account, kind, principalName] = match as unknown as [string, string, 'role' | 'user', string];
    const defaultUsername =
      type === 'EC2_LINUX' || type === 'EC2_WINDOWS'
        ? 'system:node:{{EC2PrivateDNSName}}'
        : type === 'FARGATE_LINUX'
          ? 'system:node:{{SessionName}}'
          : kind === 'role'
            ? `arn:aws:sts::${account}:assumed-role/${principalName}/{{SessionName}}`
            : principalArn;
    const now = this.now();
    const entry: AccessEntry = {
      clusterName: cluster.name,
      principalArn,
      arn: this.arn(`access-entry/${cluster.name}/${kind}/${account}/${principalName}/${randomUUID()}`),
      type,
      username: username ?? defaultUsername,
      kubernetesGroups: type === 'STANDARD' ? [...groups] : ['system:nodes'],
      createdAt: now,
      modifiedAt: now,
      tags: { ...tags },
      policies: new Map(),
    };
    cluster.accessEntries.set(principalArn, entry);
    return entry;
  }

  updateAccessEntry(clusterName: string, principalArn: string, input: UpdateAccessEntryRequest): AccessEntry {
    this.accessEntriesEnabled(clusterName);
    const entry = this.accessEntry(clusterName, principalArn);
    this.checkGroupsAndUsername(entry.type, input.kubernetesGroups, input.username);
    if (input.kubernetesGroups !== undefined) entry.kubernetesGroups = [...input.kubernetesGroups];
    if (input.username !== undefined) entry.username = input.username;
    entry.modifiedAt = this.now();
    return entry;
  }

  deleteAccessEntry(clusterName: string, principalArn: string): void {
    const cluster = this.accessEntriesEnabled(clusterName, true);
    this.accessEntry(clusterName, principalArn);
    cluster.accessEntries.delete(principalArn);
  }

  associateAccessPolicy(clusterName: string, principalArn: string, input: AssociateAccessPolicyRequest): PolicyAssociation {
    this.accessEntriesEnabled(clusterName);
    const entry = this.accessEntry(clusterName, principalArn);
    const policyArn = input.policyArn ?? '';
    if (!accessPolicyName(policyArn)) throw invalidParameter(`The policy ${policyArn || '(empty)'} is not an EKS access policy (${ACCESS_POLICY_PREFIX}<Name>)`);
    if (entry.type !== 'STANDARD') throw invalidRequest(`Access policies can only be associated with access entries of type STANDARD, not ${entry.type}`);
    const scope = input.accessScope;
    if (!scope || (scope.type !== 'cluster' && scope.type !== 'namespace')) throw invalidParameter('accessScope.type must be cluster or namespace');
    const namespaces = scope.namespaces ?? [];
    if (scope.type === 'namespace' && namespaces.length === 0) throw invalidParameter('accessScope of type namespace needs at least one namespace');
    if (scope.type === 'cluster' && namespaces.length > 0) throw invalidParameter('accessScope of type cluster cannot list namespaces');
    const now = this.now();
    const existing = entry.policies.get(policyArn);
    const association: PolicyAssociation = { policyArn, accessScope: { type: scope.type, namespaces: [...namespaces] }, associatedAt: existing?.associatedAt ?? now, modifiedAt: now };
    entry.policies.set(policyArn, association);
    return association;
  }

  disassociateAccessPolicy(clusterName: string, principalArn: string, policyArn: string): void {
    const entry = this.accessEntry(clusterName, principalArn);
    if (!entry.policies.delete(policyArn)) throw notFound(`The policy ${policyArn} is not associated with the access entry ${principalArn}`);
  }

  /** EKS's bootstrap admin: the creator's entry with cluster-admin, in API modes. */
  addCreatorEntry(cluster: Cluster): void {
    const principal = cluster.creatorArn;
    if (!IAM_PRINCIPAL.test(principal) || [...cluster.accessEntries.keys()].some((arn) => samePrincipal(arn, principal))) return;
    const entry = this.putEntry(cluster, principal, 'STANDARD', undefined, [], {});
    const now = this.now();
    const policyArn = `${ACCESS_POLICY_PREFIX}AmazonEKSClusterAdminPolicy`;
    entry.policies.set(policyArn, { policyArn, accessScope: { type: 'cluster', namespaces: [] }, associatedAt: now, modifiedAt: now });
  }

  /**
   * What EKS does when managed nodes or Fargate join: an access entry for the role (API modes)
   * and a mapRoles entry in aws-auth (CONFIG_MAP modes), each unless already there.
   */
  computeJoined(cluster: Cluster, roleArn: string, type: 'EC2_LINUX' | 'FARGATE_LINUX'): void {
    if (cluster.authenticationMode !== 'CONFIG_MAP' && ![...cluster.accessEntries.keys()].some((arn) => samePrincipal(arn, roleArn))) {
      this.putEntry(cluster, roleArn, type, undefined, [], {});
    }
    if (cluster.authenticationMode !== 'API') {
      // aws-auth matches the pathless role ARN an assumed-role session reports.
      addAwsAuthRole(cluster.kube, {
        rolearn: principalArnOf(roleArn).replace(/:role\/(?:.*\/)?([^/]+)$/, ':role/$1'),
        username: type === 'EC2_LINUX' ? 'system:node:{{EC2PrivateDNSName}}' : 'system:node:{{SessionName}}',
        groups: type === 'EC2_LINUX' ? ['system:bootstrappers', 'system:nodes'] : ['system:bootstrappers', 'system:nodes', 'system:node-proxier'],
      });
    }
  }

  /** Switching on access entries: the creator and the roles of running compute get theirs. */
  enableAccessEntries(cluster: Cluster): void {
    if (cluster.bootstrapClusterCreatorAdminPermissions) this.addCreatorEntry(cluster);
    for (const nodegroup of cluster.nodegroups.values()) {
      if (nodegroup.status === 'ACTIVE' || nodegroup.status === 'UPDATING') this.computeJoined(cluster, nodegroup.nodeRole, 'EC2_LINUX');
    }
    for (const profile of cluster.fargateProfiles.values()) {
      if (profile.status === 'ACTIVE') this.computeJoined(cluster, profile.podExecutionRoleArn, 'FARGATE_LINUX');
    }
  }
}
