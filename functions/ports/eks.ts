import {
  AssociateAccessPolicyCommand,
  AssociateEncryptionConfigCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type LogType,
  type UpdateClusterConfigCommandInput,
  CreateAccessEntryCommand,
  CreateAddonCommand,
  CreateFargateProfileCommand,
  CreateNodegroupCommand,
  CreatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  DescribePodIdentityAssociationCommand,
  ListPodIdentityAssociationsCommand,
  type PodIdentityAssociation,
  type PodIdentityAssociationSummary,
  DeleteAccessEntryCommand,
  DeleteAddonCommand,
  DeleteFargateProfileCommand,
  DeleteNodegroupCommand,
  DescribeAccessEntryCommand,
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeFargateProfileCommand,
  DescribeInsightCommand,
  DescribeInsightsRefreshCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  ListAddonsCommand,
  ListFargateProfilesCommand,
  ListInsightsCommand,
  ListNodegroupsCommand,
  ListUpdatesCommand,
  StartInsightsRefreshCommand,
  UpdateAccessEntryCommand,
  UpdateAddonCommand,
  UpdateClusterConfigCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
  type AccessEntry,
  type Addon,
  type AddonInfo,
  type AssociateAccessPolicyCommandInput,
  type AssociatedAccessPolicy,
  type Cluster,
  type ClusterVersionInformation,
  type CreateAccessEntryCommandInput,
  type CreateAddonCommandInput,
  type CreateFargateProfileCommandInput,
  type CreateNodegroupCommandInput,
  EKSClient,
  type FargateProfile,
  type Insight,
  type InsightSummary,
  type Nodegroup,
  type NodegroupScalingConfig,
  type Update,
  type VpcConfigRequest,
} from '@aws-sdk/client-eks';
import type { KubernetesVersionInfo } from '../domain/version-support';
import type { ClusterConfigChange } from '../domain/cluster-settings';
import type { NodegroupConfigChange } from '../domain/nodegroup-update';
import type { AddonChange } from '../domain/addon-change';
import { classifyAwsError, isAwsError, ResourceBusyError, UpdateInProgressError } from '../shared/errors';
import { once } from '../shared/once';

export type { AccessEntry, Addon, AddonInfo, AssociatedAccessPolicy, Cluster, FargateProfile, Insight, InsightSummary, Nodegroup, NodegroupScalingConfig, PodIdentityAssociation, PodIdentityAssociationSummary, Update };

/** An upgrade insights refresh (StartInsightsRefresh / DescribeInsightsRefresh): IN_PROGRESS, FAILED or COMPLETED. */
/** UpdateNodegroupVersion's target: the control plane's version, or an AMI release of the nodegroup's own version. */
/** What UpdateNodegroupVersion moves a nodegroup to: a Kubernetes version, an AMI release, or a version of its own launch template. */
export type NodegroupVersionChange = (
  | { version: string; releaseVersion?: undefined; launchTemplate?: undefined }
  | { version?: undefined; releaseVersion: string; launchTemplate?: undefined }
  | { version?: undefined; releaseVersion?: undefined; launchTemplate: { id: string; version: string } }
) & { force: boolean };

export interface InsightsRefresh {
  status?: string;
  message?: string;
  startedAt?: string;
}

/** The EKS calls the service makes. Creates are idempotent: "already exists" is success. */
export interface EksPort {
  describeCluster(name: string): Promise<Cluster | undefined>;
  createNodegroup(input: CreateNodegroupCommandInput): Promise<void>;
  describeNodegroup(cluster: string, nodegroup: string): Promise<Nodegroup | undefined>;
  listNodegroups(cluster: string): Promise<string[]>;
  deleteNodegroup(cluster: string, nodegroup: string): Promise<void>;
  createFargateProfile(input: CreateFargateProfileCommandInput): Promise<void>;
  describeFargateProfile(cluster: string, profile: string): Promise<FargateProfile | undefined>;
  listFargateProfiles(cluster: string): Promise<string[]>;
  deleteFargateProfile(cluster: string, profile: string): Promise<void>;
  createAddon(input: CreateAddonCommandInput): Promise<void>;
  describeAddon(cluster: string, addon: string): Promise<Addon | undefined>;
  /** The version EKS marks default for this add-on and Kubernetes version. */
  defaultAddonVersion(addon: string, kubernetesVersion: string): Promise<string | undefined>;
  listAddons(cluster: string): Promise<string[]>;
  /** `preserve`: EKS stops managing the add-on but leaves its Kubernetes resources on the cluster. An absent add-on is success. */
  deleteAddon(cluster: string, addon: string, options?: { preserve?: boolean }): Promise<void>;
  /** Creates, or brings an existing entry's username and groups to what is asked. */
  putAccessEntry(input: CreateAccessEntryCommandInput): Promise<void>;
  associateAccessPolicy(input: AssociateAccessPolicyCommandInput): Promise<void>;
  listAccessEntries(cluster: string): Promise<string[]>;
  describeAccessEntry(cluster: string, principalArn: string): Promise<AccessEntry | undefined>;
  /** The access policies associated with an entry and their scopes; none when the entry does not exist. */
  listAssociatedAccessPolicies(cluster: string, principalArn: string): Promise<AssociatedAccessPolicy[]>;
  /** Deleting an entry also removes its policy associations; an absent entry is success. */
  deleteAccessEntry(cluster: string, principalArn: string): Promise<void>;
  /** UpdateNodegroupConfig with what differs (sizes, labels, taints, updateConfig); returns the update id. Throws UpdateInProgressError while the nodegroup has another update (EKS's 409). */
  updateNodegroupConfig(cluster: string, nodegroup: string, config: NodegroupConfigChange, clientRequestToken: string): Promise<string>;
  /** Returns the update id. Throws UpdateInProgressError while another update runs (EKS's 409). */
  updateEndpointAccess(cluster: string, config: VpcConfigRequest, clientRequestToken: string): Promise<string>;
  /** UpdateClusterConfig with one setting (EKS refuses two kinds in one call); returns the update id. Throws UpdateInProgressError while another update runs (EKS's 409). */
  updateClusterConfig(cluster: string, change: ClusterConfigChange, clientRequestToken: string): Promise<string>;
  /** AssociateEncryptionConfig: envelope encryption of secrets with the key, on a cluster that has none; returns the update id. */
  associateEncryptionConfig(cluster: string, kmsKeyArn: string, clientRequestToken: string): Promise<string>;
  /** TagResource on an EKS resource's ARN: takes effect at once. */
  tagResource(resourceArn: string, tags: Record<string, string>): Promise<void>;
  /** UntagResource: takes the keys off at once. */
  untagResource(resourceArn: string, keys: string[]): Promise<void>;
  /** `nodegroup` for a nodegroup's updates (DescribeUpdate's nodegroupName). */
  describeUpdate(cluster: string, updateId: string, nodegroup?: string): Promise<Update | undefined>;
  /** An add-on's update (DescribeUpdate with addonName). */
  describeAddonUpdate(cluster: string, addon: string, updateId: string): Promise<Update | undefined>;
  /** Every update of the cluster (or of one nodegroup), whoever started it: ListUpdates, then DescribeUpdate for each. */
  describeUpdates(cluster: string, nodegroup?: string): Promise<Update[]>;
  /** Every Kubernetes minor EKS knows, supported or not, with its support dates (DescribeClusterVersions). */
  clusterVersions(): Promise<KubernetesVersionInfo[]>;
  /** UpdateClusterVersion to the next minor; returns the update id. Throws UpdateInProgressError while another update runs (EKS's 409). */
  updateClusterVersion(cluster: string, version: string, clientRequestToken: string): Promise<string>;
  /**
   * UpdateNodegroupVersion, a rolling replacement of the nodes: to the control plane's `version`,
   * or to another AMI `releaseVersion` of the nodegroup's own version (`force`: evict despite
   * PodDisruptionBudgets); returns the update id.
   */
  updateNodegroupVersion(cluster: string, nodegroup: string, options: NodegroupVersionChange, clientRequestToken: string): Promise<string>;
  /**
   * UpdateAddon with only the fields given (a version, configuration values), keeping the
   * cluster's own changes to the add-on's resources (resolveConflicts PRESERVE); returns the update id.
   */
  updateAddon(cluster: string, addon: string, change: AddonChange, clientRequestToken: string): Promise<string>;
  /** Asks EKS to re-run the upgrade insights checks now rather than at their daily refresh. */
  startInsightsRefresh(cluster: string): Promise<InsightsRefresh>;
  describeInsightsRefresh(cluster: string): Promise<InsightsRefresh>;
  /** Insights of the categories and Kubernetes versions asked for (ListInsights, every page). */
  listInsights(cluster: string, filter: { categories: string[]; kubernetesVersions: string[] }): Promise<InsightSummary[]>;
  /** One insight with its recommendation and the resources it found (DescribeInsight). */
  describeInsight(cluster: string, id: string): Promise<Insight | undefined>;
  /** Every version of an add-on EKS publishes, for every Kubernetes version (DescribeAddonVersions by name, every page). */
  addonVersions(addon: string): Promise<AddonInfo | undefined>;
  /** CreatePodIdentityAssociation; answers the association (its id). */
  createPodIdentityAssociation(input: PodIdentityAssociationRequest): Promise<PodIdentityAssociation>;
  /** ListPodIdentityAssociations for one service account (EKS allows at most one): its summary, or undefined. */
  findPodIdentityAssociation(cluster: string, namespace: string, serviceAccount: string): Promise<PodIdentityAssociationSummary | undefined>;
  /** DescribePodIdentityAssociation; undefined when EKS does not know it. */
  describePodIdentityAssociation(cluster: string, associationId: string): Promise<PodIdentityAssociation | undefined>;
  /** DeletePodIdentityAssociation; one already gone counts as deleted. */
  deletePodIdentityAssociation(cluster: string, associationId: string): Promise<void>;
}

/** What CreatePodIdentityAssociation is given. */
export interface PodIdentityAssociationRequest {
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  clientRequestToken: string;
  tags?: Record<string, string>;
}

const NOT_FOUND = 'ResourceNotFoundException';
const IN_USE = 'ResourceInUseException';

async function orUndefined<T>(call: Promise<T>, resource: string): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isAwsError(error, NOT_FOUND)) return undefined;
    throw classifyAwsError(error, resource);
  }
}

async function listAll(fetch: (nextToken?: string) => Promise<{ items?: string[]; nextToken?: string }>, resource: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await fetch(nextToken);
      names.push(...(page.items ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (isAwsError(error, NOT_FOUND)) return names;
    throw classifyAwsError(error, resource);
  }
  return names;
}

export class SdkEks implements EksPort {
  constructor(private readonly client: () => EKSClient) {}

  async describeCluster(name: string) {
    return (await orUndefined(this.client().send(new DescribeClusterCommand({ name })), `cluster ${name}`))?.cluster;
  }

  async createNodegroup(input: CreateNodegroupCommandInput) {
    await this.createIdempotently(this.client().send(new CreateNodegroupCommand(input)), `nodegroup ${input.nodegroupName}`);
  }

  async describeNodegroup(cluster: string, nodegroup: string) {
    return (await orUndefined(this.client().send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: nodegroup })), `nodegroup ${nodegroup}`))?.nodegroup;
  }

  listNodegroups(cluster: string) {
    return listAll(async (nextToken) => {
      const page = await this.client().send(new ListNodegroupsCommand({ clusterName: cluster, nextToken }));
      return { items: page.nodegroups, nextToken: page.nextToken };
    }, `cluster ${cluster}`);
  }

  async deleteNodegroup(cluster: string, nodegroup: string) {
    await this.deleteIdempotently(this.client().send(new DeleteNodegroupCommand({ clusterName: cluster, nodegroupName: nodegroup })), `nodegroup ${nodegroup}`);
  }

  async createFargateProfile(input: CreateFargateProfileCommandInput) {
    try {
      await this.client().send(new CreateFargateProfileCommand(input));
    } catch (error) {
      if (!isAwsError(error, IN_USE)) throw classifyAwsError(error, `Fargate profile ${input.fargateProfileName}`);
      // ResourceInUse means either "this profile exists" (idempotent success) or "another profile is in flight".
      if (await this.describeFargateProfile(input.clusterName!, input.fargateProfileName!)) return;
      throw new ResourceBusyError(`another Fargate profile is being created or deleted (EKS allows one at a time)`, { resource: `Fargate profile ${input.fargateProfileName}`, cause: error });
    }
  }

  async describeFargateProfile(cluster: string, profile: string) {
    return (await orUndefined(this.client().send(new DescribeFargateProfileCommand({ clusterName: cluster, fargateProfileName: profile })), `Fargate profile ${profile}`))?.fargateProfile;
  }

  listFargateProfiles(cluster: string) {
    return listAll(async (nextToken) => {
      const page = await this.client().send(new ListFargateProfilesCommand({ clusterName: cluster, nextToken }));
      return { items: page.fargateProfileNames, nextToken: page.nextToken };
    }, `cluster ${cluster}`);
  }

  async deleteFargateProfile(cluster: string, profile: string) {
    try {
      await this.client().send(new DeleteFargateProfileCommand({ clusterName: cluster, fargateProfileName: profile }));
    } catch (error) {
      if (isAwsError(error, NOT_FOUND)) return;
      if (isAwsError(error, IN_USE)) throw new ResourceBusyError('another Fargate profile is being created or deleted (EKS allows one at a time)', { resource: `Fargate profile ${profile}`, cause: error });
      throw classifyAwsError(error, `Fargate profile ${profile}`);
    }
  }

  async createAddon(input: CreateAddonCommandInput) {
    await this.createIdempotently(this.client().send(new CreateAddonCommand(input)), `add-on ${input.addonName}`);
  }

  async describeAddon(cluster: string, addon: string) {
    return (await orUndefined(this.client().send(new DescribeAddonCommand({ clusterName: cluster, addonName: addon })), `add-on ${addon}`))?.addon;
  }

  async defaultAddonVersion(addon: string, kubernetesVersion: string) {
    try {
      const { addons } = await this.client().send(
        new DescribeAddonVersionsCommand({ addonName: addon, kubernetesVersion }),
      );
      const versions = addons?.[0]?.addonVersions ?? [];
      const preferred = versions.find((v) => v.compatibilities?.some((c) => c.defaultVersion && (!c.clusterVersion || c.clusterVersion === kubernetesVersion)));
      return (preferred ?? versions[0])?.addonVersion;
    } catch (error) {
      throw classifyAwsError(error, `add-on ${addon}`);
    }
  }

  listAddons(cluster: string) {
    return listAll(async (nextToken) => {
      const page = await this.client().send(new ListAddonsCommand({ clusterName: cluster, nextToken }));
      return { items: page.addons, nextToken: page.nextToken };
    }, `cluster ${cluster}`);
  }

  async deleteAddon(cluster: string, addon: string, options: { preserve?: boolean } = {}) {
    await this.deleteIdempotently(this.client().send(new DeleteAddonCommand({ clusterName: cluster, addonName: addon, ...(options.preserve ? { preserve: true } : {}) })), `add-on ${addon}`);
  }

  async putAccessEntry(input: CreateAccessEntryCommandInput) {
    const resource = `access entry ${input.principalArn}`;
    try {
      await this.client().send(new CreateAccessEntryCommand(input));
      return;
    } catch (error) {
      if (!isAwsError(error, IN_USE)) throw classifyAwsError(error, resource);
    }
    const existing = (await orUndefined(this.client().send(new DescribeAccessEntryCommand({ clusterName: input.clusterName, principalArn: input.principalArn })), resource))?.accessEntry;
    const sameGroups = JSON.stringify([...(existing?.kubernetesGroups ?? [])].sort()) === JSON.stringify([...(input.kubernetesGroups ?? [])].sort());
    if (existing && sameGroups && (!input.username || existing.username === input.username)) return;
    try {
      await this.client().send(new UpdateAccessEntryCommand({ clusterName: input.clusterName, principalArn: input.principalArn, kubernetesGroups: input.kubernetesGroups, username: input.username, clientRequestToken: input.clientRequestToken }));
    } catch (error) {
      throw classifyAwsError(error, resource);
    }
  }

  async associateAccessPolicy(input: AssociateAccessPolicyCommandInput) {
    // Associating an already associated policy replaces its scope: naturally idempotent.
    try {
      await this.client().send(new AssociateAccessPolicyCommand(input));
    } catch (error) {
      throw classifyAwsError(error, `access entry ${input.principalArn}`);
    }
  }

  async updateEndpointAccess(cluster: string, config: VpcConfigRequest, clientRequestToken: string) {
    try {
      const { update } = await this.client().send(new UpdateClusterConfigCommand({ name: cluster, resourcesVpcConfig: config, clientRequestToken }));
      return update?.id ?? '';
    } catch (error) {
      if (isAwsError(error, IN_USE)) throw new UpdateInProgressError((error as Error).message, { resource: `cluster ${cluster}`, cause: error });
      throw classifyAwsError(error, `cluster ${cluster}`);
    }
  }

  async updateClusterConfig(cluster: string, change: ClusterConfigChange, clientRequestToken: string) {
    return this.startUpdate(() => this.client().send(new UpdateClusterConfigCommand({ name: cluster, ...clusterConfigInput(change), clientRequestToken })), `cluster ${cluster}`);
  }

  async associateEncryptionConfig(cluster: string, kmsKeyArn: string, clientRequestToken: string) {
    return this.startUpdate(
      () => this.client().send(new AssociateEncryptionConfigCommand({ clusterName: cluster, encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: kmsKeyArn } }], clientRequestToken })),
      `cluster ${cluster}`,
    );
  }

  async tagResource(resourceArn: string, tags: Record<string, string>) {
    try {
      await this.client().send(new TagResourceCommand({ resourceArn, tags }));
    } catch (error) {
      throw classifyAwsError(error, resourceArn);
    }
  }

  async untagResource(resourceArn: string, keys: string[]) {
    try {
      await this.client().send(new UntagResourceCommand({ resourceArn, tagKeys: keys }));
    } catch (error) {
      throw classifyAwsError(error, resourceArn);
    }
  }

  listAccessEntries(cluster: string) {
    return listAll(async (nextToken) => {
      const page = await this.client().send(new ListAccessEntriesCommand({ clusterName: cluster, nextToken }));
      return { items: page.accessEntries, nextToken: page.nextToken };
    }, `cluster ${cluster}`);
  }

  async describeAccessEntry(cluster: string, principalArn: string) {
    return (await orUndefined(this.client().send(new DescribeAccessEntryCommand({ clusterName: cluster, principalArn })), `access entry ${principalArn}`))?.accessEntry;
  }

  async listAssociatedAccessPolicies(cluster: string, principalArn: string) {
    const policies: AssociatedAccessPolicy[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client().send(new ListAssociatedAccessPoliciesCommand({ clusterName: cluster, principalArn, nextToken }));
        policies.push(...(page.associatedAccessPolicies ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      if (isAwsError(error, NOT_FOUND)) return [];
      throw classifyAwsError(error, `access entry ${principalArn}`);
    }
    return policies;
  }

  async deleteAccessEntry(cluster: string, principalArn: string) {
    await this.deleteIdempotently(this.client().send(new DeleteAccessEntryCommand({ clusterName: cluster, principalArn })), `access entry ${principalArn}`);
  }

  async updateNodegroupConfig(cluster: string, nodegroup: string, config: NodegroupConfigChange, clientRequestToken: string) {
    try {
      const { update } = await this.client().send(new UpdateNodegroupConfigCommand({ clusterName: cluster, nodegroupName: nodegroup, ...config, clientRequestToken }));
      return update?.id ?? '';
    } catch (error) {
      if (isAwsError(error, IN_USE)) throw new UpdateInProgressError((error as Error).message, { resource: `nodegroup ${nodegroup}`, cause: error });
      throw classifyAwsError(error, `nodegroup ${nodegroup}`);
    }
  }

  async describeUpdate(cluster: string, updateId: string, nodegroup?: string) {
    return (await orUndefined(this.client().send(new DescribeUpdateCommand({ name: cluster, updateId, ...(nodegroup ? { nodegroupName: nodegroup } : {}) })), `update ${updateId}`))?.update;
  }

  async describeAddonUpdate(cluster: string, addon: string, updateId: string) {
    return (await orUndefined(this.client().send(new DescribeUpdateCommand({ name: cluster, updateId, addonName: addon })), `update ${updateId}`))?.update;
  }

  async describeUpdates(cluster: string, nodegroup?: string) {
    const target = nodegroup ? { nodegroupName: nodegroup } : {};
    const ids = await listAll(async (nextToken) => {
      const page = await this.client().send(new ListUpdatesCommand({ name: cluster, nextToken, ...target }));
      return { items: page.updateIds, nextToken: page.nextToken };
    }, nodegroup ? `nodegroup ${nodegroup}` : `cluster ${cluster}`);
    // ListUpdates promises no order and names finished updates too: each one is looked at.
    const updates = await Promise.all(ids.map((id) => this.describeUpdate(cluster, id, nodegroup)));
    return updates.filter((update): update is Update => update !== undefined);
  }

  async clusterVersions() {
    const versions: KubernetesVersionInfo[] = [];
    let nextToken: string | undefined;
    try {
      do {
        // includeAll: without it EKS leaves out versions past extended support, which a cluster may still run.
        const page = await this.client().send(new DescribeClusterVersionsCommand({ includeAll: true, nextToken }));
        for (const v of page.clusterVersions ?? []) {
          if (!v.clusterVersion) continue;
          versions.push({
            version: v.clusterVersion,
            ...(v.releaseDate ? { releaseDate: v.releaseDate.toISOString() } : {}),
            ...(v.endOfStandardSupportDate ? { endOfStandardSupport: v.endOfStandardSupportDate.toISOString() } : {}),
            ...(v.endOfExtendedSupportDate ? { endOfExtendedSupport: v.endOfExtendedSupportDate.toISOString() } : {}),
            ...(supportStatusOf(v) ? { status: supportStatusOf(v) } : {}),
            defaultVersion: v.defaultVersion ?? false,
          });
        }
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      throw classifyAwsError(error, 'cluster versions');
    }
    return versions;
  }

  async updateClusterVersion(cluster: string, version: string, clientRequestToken: string) {
    return this.startUpdate(() => this.client().send(new UpdateClusterVersionCommand({ name: cluster, version, clientRequestToken })), `cluster ${cluster}`);
  }

  async updateNodegroupVersion(cluster: string, nodegroup: string, options: NodegroupVersionChange, clientRequestToken: string) {
    const { version, releaseVersion, launchTemplate, force } = options;
    return this.startUpdate(
      () =>
        this.client().send(
          new UpdateNodegroupVersionCommand({ clusterName: cluster, nodegroupName: nodegroup, ...(version ? { version } : {}), ...(releaseVersion ? { releaseVersion } : {}), ...(launchTemplate ? { launchTemplate } : {}), force, clientRequestToken }),
        ),
      `nodegroup ${nodegroup}`,
    );
  }

  async updateAddon(cluster: string, addon: string, change: AddonChange, clientRequestToken: string) {
    const fields = { ...(change.version !== undefined ? { addonVersion: change.version } : {}), ...(change.configurationValues !== undefined ? { configurationValues: change.configurationValues } : {}) };
    return this.startUpdate(() => this.client().send(new UpdateAddonCommand({ clusterName: cluster, addonName: addon, ...fields, resolveConflicts: 'PRESERVE', clientRequestToken })), `add-on ${addon}`);
  }

  async startInsightsRefresh(cluster: string) {
    try {
      const answer = await this.client().send(new StartInsightsRefreshCommand({ clusterName: cluster }));
      return { ...(answer.status ? { status: answer.status } : {}), ...(answer.message ? { message: answer.message } : {}) };
    } catch (error) {
      throw classifyAwsError(error, `cluster ${cluster}`);
    }
  }

  async describeInsightsRefresh(cluster: string) {
    try {
      const answer = await this.client().send(new DescribeInsightsRefreshCommand({ clusterName: cluster }));
      return { ...(answer.status ? { status: answer.status } : {}), ...(answer.message ? { message: answer.message } : {}), ...(answer.startedAt ? { startedAt: answer.startedAt.toISOString() } : {}) };
    } catch (error) {
      throw classifyAwsError(error, `cluster ${cluster}`);
    }
  }

  async listInsights(cluster: string, filter: { categories: string[]; kubernetesVersions: string[] }) {
    const insights: InsightSummary[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client().send(new ListInsightsCommand({ clusterName: cluster, filter: { categories: filter.categories as never, kubernetesVersions: filter.kubernetesVersions }, nextToken }));
        insights.push(...(page.insights ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      throw classifyAwsError(error, `cluster ${cluster}`);
    }
    return insights;
  }

  async describeInsight(cluster: string, id: string) {
    return (await orUndefined(this.client().send(new DescribeInsightCommand({ clusterName: cluster, id })), `insight ${id}`))?.insight;
  }

  async createPodIdentityAssociation(input: PodIdentityAssociationRequest) {
    const resource = `Pod Identity association ${input.namespace}/${input.serviceAccount}`;
    try {
      const { association } = await this.client().send(new CreatePodIdentityAssociationCommand(input));
      return association ?? {};
    } catch (error) {
      throw classifyAwsError(error, resource);
    }
  }

  async findPodIdentityAssociation(cluster: string, namespace: string, serviceAccount: string) {
    try {
      const page = await this.client().send(new ListPodIdentityAssociationsCommand({ clusterName: cluster, namespace, serviceAccount }));
      // EKS filters on both exactly; checking again keeps a looser filter from handing back another service account's association.
      return page.associations?.find((a) => a.namespace === namespace && a.serviceAccount === serviceAccount);
    } catch (error) {
      throw classifyAwsError(error, `Pod Identity association ${namespace}/${serviceAccount}`);
    }
  }

  async describePodIdentityAssociation(cluster: string, associationId: string) {
    return (await orUndefined(this.client().send(new DescribePodIdentityAssociationCommand({ clusterName: cluster, associationId })), `Pod Identity association ${associationId}`))?.association;
  }

  async deletePodIdentityAssociation(cluster: string, associationId: string) {
    await this.deleteIdempotently(this.client().send(new DeletePodIdentityAssociationCommand({ clusterName: cluster, associationId })), `Pod Identity association ${associationId}`);
  }

  async addonVersions(addon: string) {
    let info: AddonInfo | undefined;
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client().send(new DescribeAddonVersionsCommand({ addonName: addon, nextToken }));
        for (const each of page.addons ?? []) {
          if (each.addonName !== addon) continue;
          info = info ? { ...info, addonVersions: [...(info.addonVersions ?? []), ...(each.addonVersions ?? [])] } : each;
        }
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      throw classifyAwsError(error, `add-on ${addon}`);
    }
    return info;
  }

  /** An Update* call that starts an EKS update: its id, or UpdateInProgressError on EKS's 409 "update in progress". */
  private async startUpdate(call: () => Promise<{ update?: Update }>, resource: string): Promise<string> {
    try {
      const { update } = await call();
      return update?.id ?? '';
    } catch (error) {
      if (isAwsError(error, IN_USE)) throw new UpdateInProgressError((error as Error).message, { resource, cause: error });
      throw classifyAwsError(error, resource);
    }
  }

  private async createIdempotently(call: Promise<unknown>, resource: string) {
    try {
      await call;
    } catch (error) {
      if (isAwsError(error, IN_USE)) return;
      throw classifyAwsError(error, resource);
    }
  }

  private async deleteIdempotently(call: Promise<unknown>, resource: string) {
    try {
      await call;
    } catch (error) {
      if (isAwsError(error, NOT_FOUND)) return;
      throw classifyAwsError(error, resource);
    }
  }
}

/** The UpdateClusterConfig members for one setting. */
function clusterConfigInput(change: ClusterConfigChange): Omit<UpdateClusterConfigCommandInput, 'name'> {
  if ('logging' in change) {
    const { enable, disable } = change.logging;
    const setup = [...(enable.length > 0 ? [{ types: enable as LogType[], enabled: true }] : []), ...(disable.length > 0 ? [{ types: disable as LogType[], enabled: false }] : [])];
    return { logging: { clusterLogging: setup } };
  }
  if ('deletionProtection' in change) return { deletionProtection: change.deletionProtection };
  if ('supportType' in change) return { upgradePolicy: { supportType: change.supportType } };
  if ('zonalShift' in change) return { zonalShiftConfig: { enabled: change.zonalShift } };
  if ('autoMode' in change) {
    // EKS takes Auto Mode's three parts together, all on or all off.
    const { enabled, nodePools, nodeRoleArn } = change.autoMode;
    return {
      computeConfig: { enabled, ...(enabled ? { nodePools, ...(nodeRoleArn ? { nodeRoleArn } : {}) } : {}) },
      storageConfig: { blockStorage: { enabled } },
      kubernetesNetworkConfig: { elasticLoadBalancing: { enabled } },
    };
  }
  return { accessConfig: { authenticationMode: change.authenticationMode } };
}

/** EKS's status of a version: `versionStatus`, or the deprecated lower-case `status` older answers carry. */
function supportStatusOf(v: ClusterVersionInformation): KubernetesVersionInfo['status'] {
  if (v.versionStatus) return v.versionStatus;
  const legacy = { 'standard-support': 'STANDARD_SUPPORT', 'extended-support': 'EXTENDED_SUPPORT', unsupported: 'UNSUPPORTED' } as const;
  return v.status ? legacy[v.status] : undefined;
}

/** The port over the SDK, with its client built once per container. */
export const sdkEks = once((): EksPort => new SdkEks(once(() => new EKSClient({}))));
