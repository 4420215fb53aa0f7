/**
 * The EKS emulator's records: clusters and what hangs off them (nodegroups, Fargate profiles,
 * add-ons, access entries, updates), and the transitions that finish them later. Plain data that
 * the state's parts change and persistence.ts saves; no rules live here.
 */
import type { KubeStore } from './kube-store';

export type ClusterStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING' | 'FAILED';
export type AuthenticationMode = 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API';
/** What happens at the end of standard support: EXTENDED stays on the version (and costs more), STANDARD is upgraded. */
export type SupportType = 'STANDARD' | 'EXTENDED';
/** Envelope encryption of Kubernetes secrets with a KMS key: set at creation or by AssociateEncryptionConfig, never changed after. */
export interface EncryptionConfig {
  resources: string[];
  provider: { keyArn: string };
}
/** Forward only, one step at a time. */
export const AUTHENTICATION_LADDER: AuthenticationMode[] = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'];

/** EKS Auto Mode's compute (with block storage and load balancing, which follow it). */
export interface AutoModeConfig {
  enabled: boolean;
  nodePools: string[];
  nodeRoleArn?: string;
  /** When it turned on (the cluster became ACTIVE, or its AutoModeUpdate finished): its nodes' age. */
  since?: Date;
}

export interface Issue {
  code: string;
  message: string;
  resourceIds: string[];
}

export interface VpcConfig {
  subnetIds: string[];
  securityGroupIds: string[];
  clusterSecurityGroupId: string;
  vpcId: string;
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs: string[];
}

export interface Cluster {
  name: string;
  arn: string;
  id: string;
  createdAt: Date;
  version: string;
  platformVersion: string;
  roleArn: string;
  status: ClusterStatus;
  vpc: VpcConfig;
  enabledLogTypes: string[];
  serviceIpv4Cidr: string;
  ipFamily: string;
  oidcIssuer: string;
  certificateAuthorityData: string;
  /** Set once ACTIVE: the Kubernetes API emulator's URL for this cluster. */
  endpoint?: string;
  authenticationMode: AuthenticationMode;
  bootstrapClusterCreatorAdminPermissions: boolean;
  /** The IAM principal that created the cluster (an assumed role is its role). */
  creatorArn: string;
  tags: Record<string, string>;
  encryptionConfig?: EncryptionConfig[];
  /** DeleteCluster of an ACTIVE protected cluster is refused (settings.ts). */
  deletionProtection: boolean;
  supportType: SupportType;
  zonalShiftEnabled: boolean;
  /** EKS Auto Mode (auto-mode.ts); absent on a cluster that never had it. */
  autoMode?: AutoModeConfig;
  nodegroups: Map<string, Nodegroup>;
  fargateProfiles: Map<string, FargateProfile>;
  addons: Map<string, Addon>;
  /** Add-ons deleted with preserve: EKS no longer knows them, their workloads still run (absent in worlds saved before). */
  preservedAddons?: Map<string, Addon>;
  accessEntries: Map<string, AccessEntry>;
  /** EKS Pod Identity associations by id (pod-identity.ts); absent in worlds saved before them. */
  podIdentityAssociations?: Map<string, PodIdentityAssociation>;
  updates: Map<string, Update>;
  updateTokens: Map<string, string>;
  /** Upgrade insights as the last refresh found them (insights.ts); absent until first asked for. */
  insights?: InsightsSnapshot;
  kube: KubeStore;
  ready: Promise<void>;
  gone: Promise<void>;
}

export type NodegroupStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING' | 'CREATE_FAILED' | 'DELETE_FAILED' | 'DEGRADED';
export interface Taint {
  key: string;
  value?: string;
  effect: 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE';
}
export interface ScalingConfig {
  minSize: number;
  maxSize: number;
  desiredSize: number;
}
export interface Nodegroup {
  name: string;
  arn: string;
  clusterName: string;
  version: string;
  releaseVersion: string;
  createdAt: Date;
  modifiedAt: Date;
  status: NodegroupStatus;
  capacityType: string;
  scalingConfig: ScalingConfig;
  instanceTypes: string[];
  subnets: string[];
  remoteAccess?: { ec2SshKey?: string; sourceSecurityGroups?: string[] };
  remoteAccessSecurityGroup?: string;
  amiType: string;
  nodeRole: string;
  labels: Record<string, string>;
  taints: Taint[];
  diskSize?: number;
  launchTemplate?: { id?: string; name?: string; version?: string };
  updateConfig: Record<string, number>;
  tags: Record<string, string>;
  healthIssues: Issue[];
  autoScalingGroupName: string;
  clientRequestToken?: string;
}

export type FargateProfileStatus = 'CREATING' | 'ACTIVE' | 'DELETING' | 'CREATE_FAILED' | 'DELETE_FAILED';
export interface FargateSelector {
  namespace: string;
  labels?: Record<string, string>;
}
export interface FargateProfile {
  name: string;
  arn: string;
  clusterName: string;
  createdAt: Date;
  podExecutionRoleArn: string;
  subnets: string[];
  selectors: FargateSelector[];
  status: FargateProfileStatus;
  tags: Record<string, string>;
  clientRequestToken?: string;
}

export type AddonStatus = 'CREATING' | 'ACTIVE' | 'CREATE_FAILED' | 'UPDATING' | 'DELETING' | 'DELETE_FAILED' | 'DEGRADED';
export interface Addon {
  name: string;
  clusterName: string;
  status: AddonStatus;
  version: string;
  arn: string;
  createdAt: Date;
  modifiedAt: Date;
  serviceAccountRoleArn?: string;
  configurationValues?: string;
  tags: Record<string, string>;
  healthIssues: Issue[];
  /** DeleteAddon asked to keep its Kubernetes resources: once deleted it moves to Cluster.preservedAddons. */
  preserveOnDelete?: boolean;
}

export interface PolicyAssociation {
  policyArn: string;
  accessScope: { type: 'cluster' | 'namespace'; namespaces: string[] };
  associatedAt: Date;
  modifiedAt: Date;
}
export interface PodIdentityAssociation {
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  associationId: string;
  associationArn: string;
  tags: Record<string, string>;
  createdAt: Date;
  modifiedAt: Date;
  disableSessionTags: boolean;
  clientRequestToken?: string;
}
export type AccessEntryType = 'STANDARD' | 'EC2_LINUX' | 'EC2_WINDOWS' | 'FARGATE_LINUX' | 'EC2' | 'HYBRID_LINUX' | 'HYPERPOD_LINUX';
export interface AccessEntry {
  clusterName: string;
  principalArn: string;
  arn: string;
  type: AccessEntryType;
  username: string;
  kubernetesGroups: string[];
  createdAt: Date;
  modifiedAt: Date;
  tags: Record<string, string>;
  policies: Map<string, PolicyAssociation>;
}

export type UpdateStatus = 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';
export interface Update {
  id: string;
  status: UpdateStatus;
  type: string;
  params: Array<{ type: string; value: string }>;
  createdAt: Date;
  errors: Array<{ errorCode: string; errorMessage: string; resourceIds: string[] }>;
  nodegroupName?: string;
  addonName?: string;
}

/** What an update changes when it succeeds: data, not a closure, so a saved world can finish it. */
export type UpdateChange =
  | { kind: 'endpointAccess'; vpc: Pick<VpcConfig, 'endpointPublicAccess' | 'endpointPrivateAccess' | 'publicAccessCidrs'> }
  | { kind: 'logging'; enabledLogTypes: string[] }
  | { kind: 'authenticationMode'; from: AuthenticationMode; to: AuthenticationMode }
  | { kind: 'version'; version: string }
  | { kind: 'deletionProtection'; enabled: boolean }
  | { kind: 'upgradePolicy'; supportType: SupportType }
  | { kind: 'zonalShift'; enabled: boolean }
  | { kind: 'autoMode'; config: AutoModeConfig }
  | { kind: 'encryption'; encryptionConfig: EncryptionConfig[] }
  | { kind: 'addon'; addon: string; version: string; configurationValues?: string; serviceAccountRoleArn?: string }
  | { kind: 'nodegroupConfig'; nodegroup: string; scalingConfig: ScalingConfig; labels: Record<string, string>; taints: Taint[]; updateConfig: Record<string, number> };

/**
 * What EKS finishes once a sampled duration has passed. Resources are named by cluster id and ARN
 * (a cluster deleted and made again under the same name is another cluster).
 */
export type Transition =
  | { kind: 'clusterCreated' | 'clusterDeleted'; clusterName: string; clusterId: string }
  | { kind: 'nodegroupCreated' | 'nodegroupDeleted' | 'fargateProfileCreated' | 'fargateProfileDeleted' | 'addonCreated' | 'addonDeleted'; clusterName: string; clusterId: string; name: string; arn: string }
  | { kind: 'updateFinished'; clusterName: string; clusterId: string; updateId: string; change: UpdateChange }
  | { kind: 'nodegroupUpgradeStep'; clusterName: string; clusterId: string; updateId: string; plan: NodegroupUpgradePlan }
  | { kind: 'insightsRefreshed'; clusterName: string; clusterId: string };

/**
 * A nodegroup version update under way (nodegroup-upgrades.ts): what it moves to and the old
 * instances still to replace, a batch (updateConfig's maxUnavailable) per step.
 */
export interface NodegroupUpgradePlan {
  nodegroup: string;
  nodegroupArn: string;
  version: string;
  releaseVersion: string;
  launchTemplateVersion?: string;
  force: boolean;
  batchSize: number;
  /** Instance ids launched before the update that still run the old AMI. */
  remaining: string[];
  /** The pod a PodDisruptionBudget keeps from eviction (a fault), when there is one. */
  evictionBlocked?: { pod: string; namespace: string; podDisruptionBudget: string };
}

export type InsightStatusValue = 'PASSING' | 'WARNING' | 'ERROR' | 'UNKNOWN';
export interface InsightResource {
  insightStatus: { status: InsightStatusValue; reason: string };
  kubernetesResourceUri?: string;
  arn?: string;
}
/** One upgrade insight (DescribeInsight's shape, dates as Dates). */
export interface InsightRecord {
  id: string;
  name: string;
  category: 'UPGRADE_READINESS' | 'MISCONFIGURATION';
  kubernetesVersion: string;
  lastRefreshTime: Date;
  lastTransitionTime: Date;
  description: string;
  insightStatus: { status: InsightStatusValue; reason: string };
  recommendation: string;
  additionalInfo: Record<string, string>;
  resources: InsightResource[];
  categorySpecificSummary: {
    deprecationDetails: Array<{ usage: string; replacedWith: string; stopServingVersion: string; startServingReplacementVersion: string; clientStats: Array<{ userAgent: string; numberOfRequestsLast30Days: number; lastRequestTime: Date }> }>;
    addonCompatibilityDetails: Array<{ name: string; compatibleVersions: string[] }>;
  };
}
export interface InsightsSnapshot {
  /** The cluster version the checks looked at: a cluster upgraded since has stale insights. */
  clusterVersion: string;
  insights: InsightRecord[];
  refresh: { status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'; startedAt: Date; endedAt?: Date };
}

/** A transition and when it happens (emulated epoch ms): part of the saved world, re-armed on restore. */
export interface PendingTransition {
  dueAt: number;
  transition: Transition;
}
