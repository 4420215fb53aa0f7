/**
 * The EKS emulator's state and rules (shared REFERENCE "EKS rules"), independent of HTTP: the
 * restJson1 routes in api.ts and CloudFormation's AWS::EKS::Cluster provider both drive it.
 *
 * Resources move through the real status sequences with durations sampled from the World
 * (CREATING → ACTIVE, DELETING → gone, update InProgress → Successful | Failed), and EKS's own
 * side effects happen as in AWS: the creator's admin access entry, access entries and aws-auth
 * mapRoles for node and Fargate roles, coredns DEGRADED until it has somewhere to run.
 *
 * EksState is the one object callers see (world.eks, api.ts, kubernetes.ts, persistence.ts); it
 * owns the shared context (context.ts) and hands each call to the part with that job: clusters.ts,
 * updates.ts, nodegroups.ts, fargate-profiles.ts, addons.ts, access-entries.ts, pod-identity.ts, tags.ts,
 * cloudformation-provider.ts, and transitions.ts (pending transitions, their timers, resume).
 * The records are in model.ts; the errors and shared input checks in validation.ts.
 */
import type {
  AssociateAccessPolicyRequest,
  AssociateEncryptionConfigRequest,
  CreateAccessEntryRequest,
  CreateAddonRequest,
  CreateClusterRequest,
  CreateFargateProfileRequest,
  CreateNodegroupRequest,
  CreatePodIdentityAssociationRequest,
  UpdateAccessEntryRequest,
  UpdateClusterConfigRequest,
  UpdateClusterVersionRequest,
  UpdateAddonRequest,
  UpdateNodegroupConfigRequest,
  UpdateNodegroupVersionRequest,
  UpdatePodIdentityAssociationRequest,
} from '@aws-sdk/client-eks';
import type { EksBackend, World } from '../../world';
import { AccessEntries } from './access-entries';
import { PodIdentityAssociations } from './pod-identity';
import { AddonUpdates } from './addon-updates';
import { Addons } from './addons';
import { StackClusters, type StackClusterContext, type clusterAttributes } from './cloudformation-provider';
import { Clusters } from './clusters';
import { EksContext, type EksParts, type EksStateOptions } from './context';
import { FargateProfiles } from './fargate-profiles';
import { Insights } from './insights';
import type { AccessEntry, Addon, Cluster, FargateProfile, Nodegroup, PendingTransition, PodIdentityAssociation, PolicyAssociation, Update } from './model';
import { NodegroupUpgrades } from './nodegroup-upgrades';
import { Nodegroups } from './nodegroups';
import { ClusterSettings } from './settings';
import { AutoMode } from './auto-mode';
import { Tags } from './tags';
import { Transitions } from './transitions';
import { Updates } from './updates';

export * from './model';
export { cidrContains } from './validation';
export { clusterAttributes, type StackClusterContext } from './cloudformation-provider';
export type { EksStateOptions } from './context';

export class EksState implements EksBackend {
  readonly clusters: Map<string, Cluster>;
  /** Transitions waiting for their time, by id. */
  readonly transitions: Map<string, PendingTransition>;
  private readonly parts: EksParts;

  constructor(
    readonly world: World,
    options: EksStateOptions,
  ) {
    const context = new EksContext(world, options);
    this.clusters = context.clusters;
    this.transitions = context.transitions;
    this.parts = {
      transitions: new Transitions(context),
      clusters: new Clusters(context),
      updates: new Updates(context),
      nodegroups: new Nodegroups(context),
      fargateProfiles: new FargateProfiles(context),
      addons: new Addons(context),
      accessEntries: new AccessEntries(context),
      podIdentityAssociations: new PodIdentityAssociations(context),
      tags: new Tags(context),
      stacks: new StackClusters(context),
      settings: new ClusterSettings(context),
      autoMode: new AutoMode(context),
      nodegroupUpgrades: new NodegroupUpgrades(context),
      addonUpdates: new AddonUpdates(context),
      insights: new Insights(context),
    };
    context.assemble(this.parts);
  }

  /**
   * After the clusters and transitions were restored from a saved world: the clusters get their
   * ready/gone signals back and every transition is armed for the time it was due.
   */
  resume(): void {
    this.parts.transitions.resume();
  }

  // ── Clusters and their updates ───────────────────────────────────────────────────────────

  cluster(name: string): Cluster {
    return this.parts.clusters.cluster(name);
  }

  createCluster(input: CreateClusterRequest, creatorArn: string): Cluster {
    return this.parts.clusters.createCluster(input, creatorArn);
  }

  deleteCluster(name: string): Cluster {
    return this.parts.clusters.deleteCluster(name);
  }

  updateClusterConfig(name: string, input: UpdateClusterConfigRequest): Update {
    return this.parts.updates.updateClusterConfig(name, input);
  }

  updateClusterVersion(name: string, input: UpdateClusterVersionRequest): Update {
    return this.parts.updates.updateClusterVersion(name, input);
  }

  /** Envelope encryption of secrets for a cluster that has none (settings.ts). */
  associateEncryptionConfig(name: string, input: AssociateEncryptionConfigRequest): Update {
    return this.parts.settings.associateEncryptionConfig(name, input);
  }

  describeUpdate(name: string, updateId: string, target: { nodegroupName?: string; addonName?: string }): Update {
    return this.parts.updates.describeUpdate(name, updateId, target);
  }

  listUpdates(name: string, target: { nodegroupName?: string; addonName?: string }): string[] {
    return this.parts.updates.listUpdates(name, target);
  }

  // ── Nodegroups ───────────────────────────────────────────────────────────────────────────

  nodegroup(clusterName: string, name: string): Nodegroup {
    return this.parts.nodegroups.nodegroup(clusterName, name);
  }

  createNodegroup(clusterName: string, input: CreateNodegroupRequest): Nodegroup {
    return this.parts.nodegroups.createNodegroup(clusterName, input);
  }

  deleteNodegroup(clusterName: string, name: string): Nodegroup {
    return this.parts.nodegroups.deleteNodegroup(clusterName, name);
  }

  updateNodegroupConfig(clusterName: string, name: string, input: UpdateNodegroupConfigRequest): Update {
    return this.parts.nodegroups.updateNodegroupConfig(clusterName, name, input);
  }

  updateNodegroupVersion(clusterName: string, name: string, input: UpdateNodegroupVersionRequest): Update {
    return this.parts.nodegroupUpgrades.updateNodegroupVersion(clusterName, name, input);
  }

  // ── Fargate profiles ─────────────────────────────────────────────────────────────────────

  fargateProfile(clusterName: string, name: string): FargateProfile {
    return this.parts.fargateProfiles.fargateProfile(clusterName, name);
  }

  createFargateProfile(clusterName: string, input: CreateFargateProfileRequest): FargateProfile {
    return this.parts.fargateProfiles.createFargateProfile(clusterName, input);
  }

  deleteFargateProfile(clusterName: string, name: string): FargateProfile {
    return this.parts.fargateProfiles.deleteFargateProfile(clusterName, name);
  }

  // ── Add-ons ──────────────────────────────────────────────────────────────────────────────

  addon(clusterName: string, name: string): Addon {
    return this.parts.addons.addon(clusterName, name);
  }

  createAddon(clusterName: string, input: CreateAddonRequest): Addon {
    return this.parts.addons.createAddon(clusterName, input);
  }

  deleteAddon(clusterName: string, name: string, preserve = false): Addon {
    return this.parts.addons.deleteAddon(clusterName, name, preserve);
  }

  updateAddon(clusterName: string, name: string, input: UpdateAddonRequest): Update {
    return this.parts.addonUpdates.updateAddon(clusterName, name, input);
  }

  // ── Upgrade insights ─────────────────────────────────────────────────────────────────────

  get insights(): Insights {
    return this.parts.insights;
  }

  /** Where coredns can run: a nodegroup with untainted nodes, or a Fargate profile selecting its pods. */
  hasCapacityForCoreDns(cluster: Cluster): boolean {
    return this.parts.addons.hasCapacityForCoreDns(cluster);
  }

  /** Add-ons whose pods need capacity are DEGRADED without it and ACTIVE with it. */
  refreshAddons(cluster: Cluster): void {
    this.parts.addons.refreshAddons(cluster);
  }

  // ── Access entries ───────────────────────────────────────────────────────────────────────

  createPodIdentityAssociation(clusterName: string, input: CreatePodIdentityAssociationRequest): PodIdentityAssociation {
    return this.parts.podIdentityAssociations.createPodIdentityAssociation(clusterName, input);
  }

  podIdentityAssociation(clusterName: string, associationId: string): PodIdentityAssociation {
    return this.parts.podIdentityAssociations.podIdentityAssociation(clusterName, associationId);
  }

  listPodIdentityAssociations(clusterName: string, filter: { namespace?: string; serviceAccount?: string }): PodIdentityAssociation[] {
    return this.parts.podIdentityAssociations.listPodIdentityAssociations(clusterName, filter);
  }

  updatePodIdentityAssociation(clusterName: string, associationId: string, input: UpdatePodIdentityAssociationRequest): PodIdentityAssociation {
    return this.parts.podIdentityAssociations.updatePodIdentityAssociation(clusterName, associationId, input);
  }

  deletePodIdentityAssociation(clusterName: string, associationId: string): PodIdentityAssociation {
    return this.parts.podIdentityAssociations.deletePodIdentityAssociation(clusterName, associationId);
  }

  accessEntry(clusterName: string, principalArn: string): AccessEntry {
    return this.parts.accessEntries.accessEntry(clusterName, principalArn);
  }

  listAccessEntries(clusterName: string, associatedPolicyArn?: string): string[] {
    return this.parts.accessEntries.listAccessEntries(clusterName, associatedPolicyArn);
  }

  createAccessEntry(clusterName: string, input: CreateAccessEntryRequest): AccessEntry {
    return this.parts.accessEntries.createAccessEntry(clusterName, input);
  }

  updateAccessEntry(clusterName: string, principalArn: string, input: UpdateAccessEntryRequest): AccessEntry {
    return this.parts.accessEntries.updateAccessEntry(clusterName, principalArn, input);
  }

  deleteAccessEntry(clusterName: string, principalArn: string): void {
    this.parts.accessEntries.deleteAccessEntry(clusterName, principalArn);
  }

  associateAccessPolicy(clusterName: string, principalArn: string, input: AssociateAccessPolicyRequest): PolicyAssociation {
    return this.parts.accessEntries.associateAccessPolicy(clusterName, principalArn, input);
  }

  disassociateAccessPolicy(clusterName: string, principalArn: string, policyArn: string): void {
    this.parts.accessEntries.disassociateAccessPolicy(clusterName, principalArn, policyArn);
  }

  // ── Tags ─────────────────────────────────────────────────────────────────────────────────

  taggable(arn: string): { tags: Record<string, string> } {
    return this.parts.tags.taggable(arn);
  }

  tagResource(arn: string, tags: Record<string, string>): void {
    this.parts.tags.tagResource(arn, tags);
  }

  untagResource(arn: string, keys: string[]): void {
    this.parts.tags.untagResource(arn, keys);
  }

  // ── CloudFormation's AWS::EKS::Cluster provider (EksBackend) ─────────────────────────────

  /**
   * Creates from AWS::EKS::Cluster properties and resolves when ACTIVE with the resource's
   * attributes (Ref is the name). `context.creatorArn` is who CloudFormation acted as (the stack's
   * RoleARN, else the caller); without it the creator is the local developer identity.
   */
  createClusterForStack(properties: Record<string, unknown>, stackTags: Record<string, string>, context: StackClusterContext = {}): Promise<ReturnType<typeof clusterAttributes>> {
    return this.parts.stacks.createClusterForStack(properties, stackTags, context);
  }

  resumeClusterForStack(name: string): ReturnType<EksBackend['createClusterForStack']> | undefined {
    return this.parts.stacks.resumeClusterForStack(name);
  }

  clusterTagsForStack(name: string): { tags: Record<string, string> } | undefined {
    return this.clusters.get(name);
  }

  /** Resolves when the cluster is gone; rejects (ResourceInUse) while nodegroups or Fargate profiles remain. */
  deleteClusterForStack(name: string): Promise<void> {
    return this.parts.stacks.deleteClusterForStack(name);
  }
}
