/**
 * The EKS emulator's state and rules (shared REFERENCE "EKS rules"), independent of HTTP: the
 * restJson1 routes in api.ts and CloudFormation's AWS::EKS::Cluster provider both drive it.
 *
 * Resources move through the real status sequences with durations sampled from the World
 * (CREATING → ACTIVE, DELETING → gone, update InProgress → Successful | Failed), and EKS's own
 * side effects happen as in AWS: the creator's admin access entry, access entries and aws-auth
 * mapRoles for node and Fargate roles, coredns DEGRADED until it has somewhere to run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  AssociateAccessPolicyRequest,
  CreateAccessEntryRequest,
  CreateAddonRequest,
  CreateClusterRequest,
  CreateFargateProfileRequest,
  CreateNodegroupRequest,
  UpdateAccessEntryRequest,
  UpdateClusterConfigRequest,
  UpdateClusterVersionRequest,
  UpdateNodegroupConfigRequest,
} from '@aws-sdk/client-eks';
import { load } from 'js-yaml';
import { EmulatorError } from '../../protocol';
import type { DurationKind } from '../../durations';
import type { EksBackend, Role, Subnet, World } from '../../world';
import { principalArnOf, samePrincipal } from '../sts';
import {
  ACCESS_POLICY_PREFIX,
  COREDNS_POD_LABELS,
  DEFAULT_KUBERNETES_VERSION,
  KUBERNETES_VERSIONS,
  LOG_TYPES,
  NEEDS_CAPACITY,
  PLATFORM_VERSION,
  accessPolicyName,
  addonEntry,
  defaultAddonVersion,
  minor,
} from './catalog';
import { KubeStore, addAwsAuthRole } from './kube-store';

// ── Records ──────────────────────────────────────────────────────────────────────────────────

export type ClusterStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING' | 'FAILED';
export type AuthenticationMode = 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API';
/** Forward only, one step at a time. */
export const AUTHENTICATION_LADDER: AuthenticationMode[] = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'];

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
  encryptionConfig?: unknown[];
  nodegroups: Map<string, Nodegroup>;
  fargateProfiles: Map<string, FargateProfile>;
  addons: Map<string, Addon>;
  accessEntries: Map<string, AccessEntry>;
  updates: Map<string, Update>;
  updateTokens: Map<string, string>;
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
}

export interface PolicyAssociation {
  policyArn: string;
  accessScope: { type: 'cluster' | 'namespace'; namespaces: string[] };
  associatedAt: Date;
  modifiedAt: Date;
}
export type AccessEntryType = 'STANDARD' | 'EC2_LINUX' | 'EC2_WINDOWS' | 'FARGATE_LINUX' | 'EC2' | 'HYBRID_LINUX' | 'HYPERPOD_LINUX';
const ACCESS_ENTRY_TYPES: AccessEntryType[] = ['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'EC2', 'HYBRID_LINUX', 'HYPERPOD_LINUX'];
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
  | { kind: 'nodegroupConfig'; nodegroup: string; scalingConfig: ScalingConfig; labels: Record<string, string>; taints: Taint[]; updateConfig: Record<string, number> };

/**
 * What EKS finishes once a sampled duration has passed. Resources are named by cluster id and ARN
 * (a cluster deleted and made again under the same name is another cluster).
 */
export type Transition =
  | { kind: 'clusterCreated' | 'clusterDeleted'; clusterName: string; clusterId: string }
  | { kind: 'nodegroupCreated' | 'nodegroupDeleted' | 'fargateProfileCreated' | 'fargateProfileDeleted' | 'addonCreated' | 'addonDeleted'; clusterName: string; clusterId: string; name: string; arn: string }
  | { kind: 'updateFinished'; clusterName: string; clusterId: string; updateId: string; change: UpdateChange };

/** A transition and when it happens (emulated epoch ms): part of the saved world, re-armed on restore. */
export interface PendingTransition {
  dueAt: number;
  transition: Transition;
}

// ── Errors as EKS names them ─────────────────────────────────────────────────────────────────

const invalidParameter = (message: string) => new EmulatorError(400, 'InvalidParameterException', message);
const invalidRequest = (message: string) => new EmulatorError(400, 'InvalidRequestException', message);
const inUse = (message: string) => new EmulatorError(409, 'ResourceInUseException', message);
const notFound = (message: string) => new EmulatorError(404, 'ResourceNotFoundException', message);
const limitExceeded = (message: string) => new EmulatorError(400, 'ResourceLimitExceededException', message);

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const CHILD_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const IAM_PRINCIPAL = /^arn:aws:iam::(\d{12}):(role|user)\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;
const NODE_POLICIES: Array<string[]> = [['AmazonEKSWorkerNodePolicy'], ['AmazonEC2ContainerRegistryReadOnly', 'AmazonEC2ContainerRegistryPullOnly']];
const MAX_NODEGROUPS = 30;
const MAX_FARGATE_PROFILES = 10;

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function parseCidr(text: string): { address: number; prefix: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  return { address: octets.reduce((acc, o) => acc * 256 + o, 0), prefix };
}

/** True when the IPv4 address lies in the CIDR block. */
export function cidrContains(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const address = parseCidr(`${ip}/32`);
  if (!block || !address) return false;
  const mask = block.prefix === 0 ? 0 : (0xffffffff << (32 - block.prefix)) >>> 0;
  return ((block.address & mask) >>> 0) === ((address.address & mask) >>> 0);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

function asBoolean(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  return Boolean(value);
}

function reservedLabelPrefix(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) return false;
  const prefix = key.slice(0, slash);
  return ['kubernetes.io', 'k8s.io'].some((domain) => prefix === domain || prefix.endsWith(`.${domain}`));
}

// ── The state ────────────────────────────────────────────────────────────────────────────────

export interface EksStateOptions {
  /** The emulator's base URL (known once it listens): cluster endpoints are `<base>/k8s/<name>`. */
  baseUrl: () => string;
}

export interface StackClusterContext {
  /** The identity CloudFormation created the cluster as: the stack's RoleARN, else the CreateStack caller. */
  creatorArn?: string;
}

export class EksState implements EksBackend {
  readonly clusters = new Map<string, Cluster>();
  /** Transitions waiting for their time, by id. */
  readonly transitions = new Map<string, PendingTransition>();
  private readonly deferreds = new WeakMap<Cluster, { ready: Deferred; gone: Deferred }>();

  constructor(
    readonly world: World,
    private readonly options: EksStateOptions,
  ) {}

  // ── helpers ──────────────────────────────────────────────────────────────────────────────

  private now(): Date {
    return this.world.clock.now();
  }

  /** Makes `transition` happen after a duration sampled for this resource, in emulated time. */
  private after(kind: DurationKind, resource: string, transition: Transition): void {
    const seconds = this.world.durations.sample(kind, resource);
    const id = randomUUID();
    const pending: PendingTransition = { dueAt: this.now().getTime() + seconds * 1000, transition };
    this.transitions.set(id, pending);
    this.arm(id, pending);
  }

  private arm(id: string, pending: PendingTransition): void {
    void this.world.clock.sleepUntil(pending.dueAt).then(() => {
      if (this.transitions.get(id) !== pending) return;
      this.transitions.delete(id);
      this.complete(pending.transition);
    });
  }

  /**
   * After the clusters and transitions were restored from a saved world: the clusters get their
   * ready/gone signals back and every transition is armed for the time it was due.
   */
  resume(): void {
    for (const cluster of this.clusters.values()) {
      // The emulator may listen on another port than before.
      if (cluster.endpoint !== undefined) cluster.endpoint = this.endpointOf(cluster.name);
      const signals = { ready: deferred(), gone: deferred() };
      if (cluster.status !== 'CREATING') signals.ready.resolve();
      Object.assign(cluster, { ready: signals.ready.promise, gone: signals.gone.promise });
      this.deferreds.set(cluster, signals);
    }
    for (const [id, pending] of this.transitions) this.arm(id, pending);
  }

  /**
   * A cluster's Kubernetes API on this emulator (its port may differ after a restart): HTTPS on
   * the emulator's own port, which tells TLS from plain HTTP by the first byte (server.ts).
   */
  private endpointOf(name: string): string {
    return `${this.options.baseUrl().replace(/\/$/, '').replace(/^http:/, 'https:')}/k8s/${encodeURIComponent(name)}`;
  }

  private complete(transition: Transition): void {
    const cluster = this.clusters.get(transition.clusterName);
    if (!cluster || cluster.id !== transition.clusterId) return;
    switch (transition.kind) {
      case 'clusterCreated':
        if (cluster.status !== 'CREATING') return;
        cluster.status = 'ACTIVE';
        cluster.endpoint = this.endpointOf(cluster.name);
        if (cluster.bootstrapClusterCreatorAdminPermissions && cluster.authenticationMode !== 'CONFIG_MAP') this.addCreatorEntry(cluster);
        this.deferreds.get(cluster)?.ready.resolve();
        return;
      case 'clusterDeleted':
        this.clusters.delete(cluster.name);
        this.world.ec2.securityGroups.delete(cluster.vpc.clusterSecurityGroupId);
        this.deferreds.get(cluster)?.gone.resolve();
        return;
      case 'nodegroupCreated': {
        const nodegroup = cluster.nodegroups.get(transition.name);
        if (nodegroup?.arn !== transition.arn || nodegroup.status !== 'CREATING') return;
        nodegroup.modifiedAt = this.now();
        const failure = this.world.faults.nodegroupFailure(nodegroup.name);
        if (failure) {
          nodegroup.status = 'CREATE_FAILED';
          nodegroup.healthIssues = [{ code: failure.code, message: failure.message, resourceIds: [nodegroup.autoScalingGroupName] }];
          return;
        }
        nodegroup.status = 'ACTIVE';
        this.computeJoined(cluster, nodegroup.nodeRole, 'EC2_LINUX');
        this.refreshAddons(cluster);
        return;
      }
      case 'nodegroupDeleted':
        if (cluster.nodegroups.get(transition.name)?.arn !== transition.arn) return;
        cluster.nodegroups.delete(transition.name);
        this.refreshAddons(cluster);
        return;
      case 'fargateProfileCreated': {
        const profile = cluster.fargateProfiles.get(transition.name);
        if (profile?.arn !== transition.arn || profile.status !== 'CREATING') return;
        profile.status = 'ACTIVE';
        this.computeJoined(cluster, profile.podExecutionRoleArn, 'FARGATE_LINUX');
        this.refreshAddons(cluster);
        return;
      }
      case 'fargateProfileDeleted':
        if (cluster.fargateProfiles.get(transition.name)?.arn !== transition.arn) return;
        cluster.fargateProfiles.delete(transition.name);
        this.refreshAddons(cluster);
        return;
      case 'addonCreated': {
        const addon = cluster.addons.get(transition.name);
        if (addon?.arn !== transition.arn || addon.status !== 'CREATING') return;
        addon.status = 'ACTIVE';
        this.refreshAddons(cluster);
        return;
      }
      case 'addonDeleted':
        if (cluster.addons.get(transition.name)?.arn === transition.arn) cluster.addons.delete(transition.name);
        return;
      case 'updateFinished':
        this.finishUpdate(cluster, transition.updateId, transition.change);
        return;
      default: {
        const unknown: never = transition;
        throw new Error(`unknown transition ${JSON.stringify(unknown)}`);
      }
    }
  }

  private finishUpdate(cluster: Cluster, updateId: string, change: UpdateChange): void {
    const update = cluster.updates.get(updateId);
    if (!update || update.status !== 'InProgress') return;
    const nodegroup = update.nodegroupName ? cluster.nodegroups.get(update.nodegroupName) : undefined;
    const failure = this.world.faults.updateFailure(update.type);
    if (failure) {
      update.status = 'Failed';
      update.errors = [{ errorCode: 'Unknown', errorMessage: failure, resourceIds: [update.nodegroupName ?? cluster.name] }];
    } else {
      this.applyChange(cluster, change);
      update.status = 'Successful';
    }
    if (nodegroup) {
      if (nodegroup.status === 'UPDATING') nodegroup.status = 'ACTIVE';
      nodegroup.modifiedAt = this.now();
      this.refreshAddons(cluster);
    } else if (cluster.status === 'UPDATING') {
      cluster.status = 'ACTIVE';
    }
  }

  private applyChange(cluster: Cluster, change: UpdateChange): void {
    switch (change.kind) {
      case 'endpointAccess':
        Object.assign(cluster.vpc, change.vpc);
        return;
      case 'logging':
        cluster.enabledLogTypes = change.enabledLogTypes;
        return;
      case 'authenticationMode':
        cluster.authenticationMode = change.to;
        if (change.from === 'CONFIG_MAP') this.enableAccessEntries(cluster);
        return;
      case 'version':
        cluster.version = change.version;
        return;
      case 'nodegroupConfig': {
        const nodegroup = cluster.nodegroups.get(change.nodegroup);
        if (!nodegroup) return;
        Object.assign(nodegroup, { scalingConfig: change.scalingConfig, labels: change.labels, taints: change.taints, updateConfig: change.updateConfig });
        return;
      }
      default: {
        const unknown: never = change;
        throw new Error(`unknown update change ${JSON.stringify(unknown)}`);
      }
    }
  }

  cluster(name: string): Cluster {
    const cluster = this.clusters.get(name);
    if (!cluster) throw notFound(`No cluster found for name: ${name}.`);
    return cluster;
  }

  /** Nodegroups, profiles, add-ons and access entries are made on a running control plane. */
  private usableCluster(name: string): Cluster {
    const cluster = this.cluster(name);
    if (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') throw invalidRequest(`Cluster '${name}' is not in ACTIVE status (it is ${cluster.status})`);
    return cluster;
  }

  private inAccount(arn: string): boolean {
    return arn.split(':')[4] === this.world.account;
  }

  private findRole(arn: string): Role | undefined {
    const name = IAM_PRINCIPAL.exec(arn)?.[3];
    return this.world.iam.byArn(arn) ?? [...this.world.iam.roles.values()].find((r) => r.roleName === name && samePrincipal(r.arn, arn));
  }

  /** A role of this account must exist in IAM; one of another account cannot be checked. */
  private requireRole(arn: string | undefined, field: string): string {
    if (!arn) throw invalidParameter(`${field} is required`);
    const match = IAM_PRINCIPAL.exec(arn);
    if (!match || match[2] !== 'role') throw invalidParameter(`${field} ${arn} is not an IAM role ARN`);
    if (this.inAccount(arn) && !this.findRole(arn)) throw invalidParameter(`The role with name ${match[3]} cannot be found (${field} ${arn})`);
    return arn;
  }

  private subnets(ids: readonly string[] | undefined, field: string): Subnet[] {
    if (!ids || ids.length === 0) throw invalidParameter(`${field} must name at least one subnet`);
    return ids.map((id) => {
      const subnet = this.world.ec2.subnets.get(id);
      if (!subnet) throw invalidParameter(`The subnet ID '${id}' does not exist`);
      return subnet;
    });
  }

  private arn(resource: string): string {
    return this.world.arn('eks', resource);
  }

  // ── Clusters ─────────────────────────────────────────────────────────────────────────────

  createCluster(input: CreateClusterRequest, creatorArn: string): Cluster {
    const name = input.name ?? '';
    if (!CLUSTER_NAME.test(name) || name.length > 100) throw invalidParameter(`Cluster name ${name || '(empty)'} must be 1-100 characters, start with a letter or digit and contain only letters, digits, hyphens and underscores`);
    if (this.clusters.has(name)) throw inUse(`Cluster already exists with name: ${name}`);
    const version = input.version ?? DEFAULT_KUBERNETES_VERSION;
    if (!KUBERNETES_VERSIONS.includes(version)) throw invalidParameter(`unsupported Kubernetes version ${version}`);
    const roleArn = input.roleArn;
    if (!roleArn) throw invalidParameter('roleArn is required');
    if (!IAM_PRINCIPAL.test(roleArn) || (this.inAccount(roleArn) && !this.findRole(roleArn))) {
      throw invalidParameter(`Role with arn: ${roleArn}, could not be assumed because it does not exist or the trusted entity is not correct`);
    }

    const vpcInput = input.resourcesVpcConfig ?? {};
    const subnets = this.subnets(vpcInput.subnetIds, 'resourcesVpcConfig.subnetIds');
    const vpcId = subnets[0]!.vpcId;
    if (subnets.some((s) => s.vpcId !== vpcId)) throw invalidParameter('Subnets specified must belong to the same VPC');
    if (new Set(subnets.map((s) => s.availabilityZone)).size < 2) throw invalidParameter('Subnets specified must be in at least two different AZs');
    for (const id of vpcInput.securityGroupIds ?? []) {
      if (!this.world.ec2.securityGroups.has(id)) throw invalidParameter(`The security group '${id}' does not exist`);
    }
    const endpointPublicAccess = asBoolean(vpcInput.endpointPublicAccess, true);
    const endpointPrivateAccess = asBoolean(vpcInput.endpointPrivateAccess, false);
    if (!endpointPublicAccess && !endpointPrivateAccess) throw invalidParameter('Invalid endpoint access configuration: endpointPublicAccess and endpointPrivateAccess cannot both be false');
    const publicAccessCidrs = this.checkCidrs(vpcInput.publicAccessCidrs) ?? ['0.0.0.0/0'];

    const enabledLogTypes = this.nextLogTypes([], input.logging?.clusterLogging);
    const authenticationMode = (input.accessConfig?.authenticationMode ?? 'CONFIG_MAP') as AuthenticationMode;
    if (!AUTHENTICATION_LADDER.includes(authenticationMode)) throw invalidParameter(`authenticationMode must be one of ${AUTHENTICATION_LADDER.join(', ')}`);
    const bootstrap = asBoolean(input.accessConfig?.bootstrapClusterCreatorAdminPermissions, true);
    if (!bootstrap && authenticationMode === 'CONFIG_MAP') throw invalidParameter('bootstrapClusterCreatorAdminPermissions must be true when authenticationMode is CONFIG_MAP');

    const clusterSecurityGroupId = this.world.newId('sg');
    this.world.ec2.securityGroups.set(clusterSecurityGroupId, {
      groupId: clusterSecurityGroupId,
      vpcId,
      description: 'EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.',
      tags: { Name: `eks-cluster-sg-${name}-${randomBytes(4).readUInt32BE() % 1e10}`, 'aws:eks:cluster-name': name, [`kubernetes.io/cluster/${name}`]: 'owned' },
    });

    const id = randomUUID();
    const signals = { ready: deferred(), gone: deferred() };
    const cluster: Cluster = {
      name,
      arn: this.arn(`cluster/${name}`),
      id,
      createdAt: this.now(),
      version,
      platformVersion: PLATFORM_VERSION,
      roleArn,
      status: 'CREATING',
      vpc: {
        subnetIds: subnets.map((s) => s.subnetId),
        securityGroupIds: [...(vpcInput.securityGroupIds ?? [])],
        clusterSecurityGroupId,
        vpcId,
        endpointPublicAccess,
        endpointPrivateAccess,
        publicAccessCidrs,
      },
      enabledLogTypes,
      serviceIpv4Cidr: input.kubernetesNetworkConfig?.serviceIpv4Cidr ?? '10.100.0.0/16',
      ipFamily: input.kubernetesNetworkConfig?.ipFamily ?? 'ipv4',
      oidcIssuer: `https://oidc.eks.${this.world.region}.amazonaws.com/id/${randomBytes(16).toString('hex').toUpperCase()}`,
      certificateAuthorityData: this.world.certificates.authorityData(),
      authenticationMode,
      bootstrapClusterCreatorAdminPermissions: bootstrap,
      creatorArn: principalArnOf(creatorArn),
      tags: { ...(input.tags ?? {}) },
      ...(input.encryptionConfig ? { encryptionConfig: input.encryptionConfig as unknown[] } : {}),
      nodegroups: new Map(),
      fargateProfiles: new Map(),
      addons: new Map(),
      accessEntries: new Map(),
      updates: new Map(),
      updateTokens: new Map(),
      kube: new KubeStore(() => this.now()),
      ready: signals.ready.promise,
      gone: signals.gone.promise,
    };
    this.clusters.set(name, cluster);
    this.deferreds.set(cluster, signals);

    this.after('controlPlaneCreate', `cluster/${name}`, { kind: 'clusterCreated', clusterName: name, clusterId: id });
    return cluster;
  }

  private checkCidrs(cidrs: readonly string[] | undefined): string[] | undefined {
    if (cidrs === undefined) return undefined;
    const bad = cidrs.filter((c) => !parseCidr(c));
    if (bad.length) throw invalidParameter(`The following CIDRs are invalid in publicAccessCidrs: ${bad.join(', ')}`);
    if (cidrs.length === 0 || cidrs.length > 40) throw invalidParameter('publicAccessCidrs must list 1-40 CIDR blocks');
    return [...cidrs];
  }

  private nextLogTypes(current: readonly string[], setups: ReadonlyArray<{ types?: string[]; enabled?: boolean }> | undefined): string[] {
    const enabled = new Set(current);
    for (const setup of setups ?? []) {
      for (const type of setup.types ?? []) {
        if (!(LOG_TYPES as readonly string[]).includes(type)) throw invalidParameter(`Invalid log type ${type}; valid types are ${LOG_TYPES.join(', ')}`);
        if (asBoolean(setup.enabled, false)) enabled.add(type);
        else enabled.delete(type);
      }
    }
    return LOG_TYPES.filter((t) => enabled.has(t));
  }

  deleteCluster(name: string): Cluster {
    const cluster = this.cluster(name);
    if (cluster.status === 'DELETING') return cluster;
    if (cluster.status === 'CREATING' || cluster.status === 'UPDATING') throw inUse(`Cluster ${name} is in ${cluster.status} state and cannot be deleted until it is ACTIVE`);
    if (cluster.nodegroups.size > 0) throw inUse(`Cluster has nodegroups attached: ${[...cluster.nodegroups.keys()].join(', ')}`);
    if (cluster.fargateProfiles.size > 0) throw inUse(`Cluster has fargate profiles attached: ${[...cluster.fargateProfiles.keys()].join(', ')}`);
    cluster.status = 'DELETING';
    for (const addon of cluster.addons.values()) addon.status = 'DELETING';
    this.after('controlPlaneDelete', `cluster/${name}`, { kind: 'clusterDeleted', clusterName: name, clusterId: cluster.id });
    return cluster;
  }

  private inProgressUpdate(cluster: Cluster, nodegroupName?: string): Update | undefined {
    return [...cluster.updates.values()].find((u) => u.status === 'InProgress' && u.nodegroupName === nodegroupName && !u.addonName);
  }

  /** Same clientRequestToken, same update: a retried call does not start a second one. */
  private byToken(cluster: Cluster, token: string | undefined, scope: string): Update | undefined {
    const id = token ? cluster.updateTokens.get(`${scope}/${token}`) : undefined;
    return id ? cluster.updates.get(id) : undefined;
  }

  private startUpdate(
    cluster: Cluster,
    fields: Pick<Update, 'type' | 'params'> & { nodegroupName?: string },
    token: string | undefined,
    kind: DurationKind,
    change: UpdateChange,
  ): Update {
    const update: Update = { id: randomUUID(), status: 'InProgress', createdAt: this.now(), errors: [], ...fields };
    cluster.updates.set(update.id, update);
    if (token) cluster.updateTokens.set(`${fields.nodegroupName ?? ''}/${token}`, update.id);
    const nodegroup = fields.nodegroupName ? cluster.nodegroups.get(fields.nodegroupName) : undefined;
    if (nodegroup) nodegroup.status = 'UPDATING';
    else cluster.status = 'UPDATING';
    this.after(kind, `${fields.nodegroupName ? `nodegroup/${cluster.name}/${fields.nodegroupName}` : `cluster/${cluster.name}`}:${fields.type}`, { kind: 'updateFinished', clusterName: cluster.name, clusterId: cluster.id, updateId: update.id, change });
    return update;
  }

  updateClusterConfig(name: string, input: UpdateClusterConfigRequest): Update {
    const cluster = this.cluster(name);
    const repeated = this.byToken(cluster, input.clientRequestToken, '');
    if (repeated) return repeated;

    const unsupported = (['upgradePolicy', 'zonalShiftConfig', 'computeConfig', 'kubernetesNetworkConfig', 'storageConfig', 'remoteNetworkConfig', 'deletionProtection', 'controlPlaneScalingConfig'] as const).filter((k) => (input as unknown as Record<string, unknown>)[k] !== undefined);
    if (unsupported.length) throw invalidParameter(`The local emulator does not update ${unsupported.join(', ')}`);
    const kinds = (['resourcesVpcConfig', 'logging', 'accessConfig'] as const).filter((k) => input[k] !== undefined);
    if (kinds.length === 0) throw invalidParameter('UpdateClusterConfig needs one of resourcesVpcConfig, logging or accessConfig');
    if (kinds.length > 1) throw invalidParameter('Only one type of update can be allowed.');

    if (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') throw inUse(`Cluster ${name} is in ${cluster.status} state`);
    const running = this.inProgressUpdate(cluster);
    if (running) throw inUse(`Cluster has update ${running.id} in progress`);

    if (input.resourcesVpcConfig) {
      const requested = input.resourcesVpcConfig;
      if (requested.subnetIds !== undefined || requested.securityGroupIds !== undefined) throw invalidParameter('The local emulator does not update subnetIds or securityGroupIds');
      const current = cluster.vpc;
      const next = {
        endpointPublicAccess: asBoolean(requested.endpointPublicAccess, current.endpointPublicAccess),
        endpointPrivateAccess: asBoolean(requested.endpointPrivateAccess, current.endpointPrivateAccess),
        publicAccessCidrs: this.checkCidrs(requested.publicAccessCidrs) ?? current.publicAccessCidrs,
      };
      if (!next.endpointPublicAccess && !next.endpointPrivateAccess) throw invalidParameter('Invalid endpoint access configuration: endpointPublicAccess and endpointPrivateAccess cannot both be false');
      const unchanged =
        next.endpointPublicAccess === current.endpointPublicAccess &&
        next.endpointPrivateAccess === current.endpointPrivateAccess &&
        (!next.endpointPublicAccess || sameSet(next.publicAccessCidrs, current.publicAccessCidrs));
      if (unchanged) {
        throw invalidParameter(
          `Cluster is already at the desired configuration with endpointPrivateAccess: ${current.endpointPrivateAccess} , endpointPublicAccess: ${current.endpointPublicAccess}, and Public Endpoint Restrictions: [${current.publicAccessCidrs.join(', ')}]`,
        );
      }
      return this.startUpdate(
        cluster,
        {
          type: 'EndpointAccessUpdate',
          params: [
            { type: 'EndpointPublicAccess', value: String(next.endpointPublicAccess) },
            { type: 'EndpointPrivateAccess', value: String(next.endpointPrivateAccess) },
            { type: 'PublicAccessCidrs', value: JSON.stringify(next.publicAccessCidrs) },
          ],
        },
        input.clientRequestToken,
        'endpointAccessUpdate',
        { kind: 'endpointAccess', vpc: next },
      );
    }

    if (input.logging) {
      const next = this.nextLogTypes(cluster.enabledLogTypes, input.logging.clusterLogging);
      if (sameSet(next, cluster.enabledLogTypes)) throw invalidParameter('No changes needed for the logging config provided');
      const clusterLogging = [
        { types: next, enabled: true },
        { types: LOG_TYPES.filter((t) => !next.includes(t)), enabled: false },
      ].filter((s) => s.types.length > 0);
      return this.startUpdate(cluster, { type: 'LoggingUpdate', params: [{ type: 'ClusterLogging', value: JSON.stringify({ clusterLogging }) }] }, input.clientRequestToken, 'loggingUpdate', { kind: 'logging', enabledLogTypes: next });
    }

    const requested = input.accessConfig!;
    if (requested.authenticationMode === undefined) throw invalidParameter('accessConfig.authenticationMode is required; bootstrapClusterCreatorAdminPermissions can only be set when the cluster is created');
    const from = cluster.authenticationMode;
    const to = requested.authenticationMode as AuthenticationMode;
    if (!AUTHENTICATION_LADDER.includes(to)) throw invalidParameter(`authenticationMode must be one of ${AUTHENTICATION_LADDER.join(', ')}`);
    if (to === from) throw invalidParameter(`Cluster is already at the desired authentication mode ${from}`);
    if (AUTHENTICATION_LADDER.indexOf(to) !== AUTHENTICATION_LADDER.indexOf(from) + 1) {
      throw invalidParameter(`Unsupported authentication mode update from ${from} to ${to}: the mode only moves forward, one step at a time (${AUTHENTICATION_LADDER.join(' → ')})`);
    }
    // The auth-mode switch takes about as long as a logging change (seconds to a minute).
    return this.startUpdate(cluster, { type: 'AccessConfigUpdate', params: [{ type: 'AuthenticationMode', value: to }] }, input.clientRequestToken, 'loggingUpdate', { kind: 'authenticationMode', from, to });
  }

  updateClusterVersion(name: string, input: UpdateClusterVersionRequest): Update {
    const cluster = this.cluster(name);
    const repeated = this.byToken(cluster, input.clientRequestToken, '');
    if (repeated) return repeated;
    if (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') throw inUse(`Cluster ${name} is in ${cluster.status} state`);
    const running = this.inProgressUpdate(cluster);
    if (running) throw inUse(`Cluster has update ${running.id} in progress`);
    const version = input.version ?? '';
    if (version === cluster.version) throw invalidParameter(`Cluster is already at the desired version ${version}`);
    if (!KUBERNETES_VERSIONS.includes(version) || minor(version) !== minor(cluster.version) + 1) {
      throw invalidParameter(`Unsupported Kubernetes minor version update from ${cluster.version} to ${version}`);
    }
    return this.startUpdate(
      cluster,
      { type: 'VersionUpdate', params: [{ type: 'Version', value: version }, { type: 'PlatformVersion', value: PLATFORM_VERSION }] },
      input.clientRequestToken,
      'versionUpdate',
      { kind: 'version', version },
    );
  }

  describeUpdate(name: string, updateId: string, target: { nodegroupName?: string; addonName?: string }): Update {
    const update = this.cluster(name).updates.get(updateId);
    if (!update || update.nodegroupName !== target.nodegroupName || update.addonName !== target.addonName) throw notFound(`No update found for ID: ${updateId}`);
    return update;
  }

  listUpdates(name: string, target: { nodegroupName?: string; addonName?: string }): string[] {
    const cluster = this.cluster(name);
    if (target.nodegroupName && !cluster.nodegroups.has(target.nodegroupName)) throw notFound(`No node group found for name: ${target.nodegroupName}.`);
    return [...cluster.updates.values()].filter((u) => u.nodegroupName === target.nodegroupName && u.addonName === target.addonName).map((u) => u.id);
  }

  // ── Nodegroups ───────────────────────────────────────────────────────────────────────────

  nodegroup(clusterName: string, name: string): Nodegroup {
    const nodegroup = this.cluster(clusterName).nodegroups.get(name);
    if (!nodegroup) throw notFound(`No node group found for name: ${name}.`);
    return nodegroup;
  }

  private checkScaling(config: ScalingConfig): void {
    const { minSize, maxSize, desiredSize } = config;
    for (const [field, value] of Object.entries(config)) {
      if (!Number.isInteger(value) || value < 0) throw invalidParameter(`scalingConfig.${field} must be a non-negative integer`);
    }
    if (maxSize < 1) throw invalidParameter('Maximum capacity must be at least 1');
    if (minSize > maxSize) throw invalidParameter(`Minimum capacity ${minSize} can't be greater than max size ${maxSize}`);
    if (desiredSize < minSize) throw invalidParameter(`Minimum capacity ${minSize} can't be greater than desired size ${desiredSize}`);
    if (desiredSize > maxSize) throw invalidParameter(`Desired capacity ${desiredSize} can't be greater than max size ${maxSize}`);
  }

  private checkLabels(labels: Record<string, string> | undefined): void {
    for (const key of Object.keys(labels ?? {})) {
      if (reservedLabelPrefix(key)) throw invalidParameter(`Label key ${key} is invalid: labels with the kubernetes.io/ or k8s.io/ prefixes are reserved`);
      if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key) || key.length > 317) throw invalidParameter(`Label key ${key} is not a valid Kubernetes label key`);
    }
  }

  private checkTaints(taints: ReadonlyArray<{ key?: string; value?: string; effect?: string }> | undefined): Taint[] {
    const list = (taints ?? []).map((t) => {
      if (!t.key) throw invalidParameter('Taint key is required');
      if (!['NO_SCHEDULE', 'NO_EXECUTE', 'PREFER_NO_SCHEDULE'].includes(t.effect ?? '')) throw invalidParameter(`Taint effect ${t.effect} must be one of NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE`);
      return { key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect as Taint['effect'] };
    });
    if (list.length > 50) throw invalidParameter('A nodegroup can have at most 50 taints');
    return list;
  }

  /** Managed nodes join only with a role that carries the worker and registry policies. */
  private checkNodeRole(arn: string): void {
    const role = this.findRole(arn);
    if (!role) return;
    const missing = NODE_POLICIES.filter((alternatives) => !alternatives.some((name) => role.managedPolicyArns.some((p) => String(p).endsWith(`/${name}`))));
    if (missing.length) {
      throw invalidParameter(
        `The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the following policies [${missing.map((m) => `arn:aws:iam::aws:policy/${m[0]}`).join(', ')}] are attached (nodeRole ${arn})`,
      );
    }
  }

  createNodegroup(clusterName: string, input: CreateNodegroupRequest): Nodegroup {
    const cluster = this.usableCluster(clusterName);
    const name = input.nodegroupName ?? '';
    if (!CHILD_NAME.test(name) || name.length > 63) throw invalidParameter(`Nodegroup name ${name || '(empty)'} must be 1-63 characters: letters, digits, hyphens and underscores, starting with a letter or digit`);
    const existing = cluster.nodegroups.get(name);
    if (existing) {
      if (input.clientRequestToken && existing.clientRequestToken === input.clientRequestToken) return existing;
      throw inUse(`NodeGroup already exists with name ${name} and cluster name ${clusterName}`);
    }
    if (cluster.nodegroups.size >= MAX_NODEGROUPS) throw limitExceeded(`Cluster ${clusterName} already has the maximum of ${MAX_NODEGROUPS} managed nodegroups`);

    const subnets = this.subnets(input.subnets, 'subnets');
    if (subnets.some((s) => s.vpcId !== cluster.vpc.vpcId)) throw invalidParameter(`Subnets must be in the cluster's VPC ${cluster.vpc.vpcId}`);
    const nodeRole = this.requireRole(input.nodeRole, 'nodeRole');
    this.checkNodeRole(nodeRole);
    const scalingConfig: ScalingConfig = { minSize: input.scalingConfig?.minSize ?? 1, maxSize: input.scalingConfig?.maxSize ?? 2, desiredSize: input.scalingConfig?.desiredSize ?? 2 };
    this.checkScaling(scalingConfig);
    this.checkLabels(input.labels);
    const taints = this.checkTaints(input.taints);

    const launchTemplate = input.launchTemplate;
    if (launchTemplate) {
      if (launchTemplate.id && launchTemplate.name) throw invalidParameter('Either launchTemplate id or name can be specified, not both');
      if (!launchTemplate.id && !launchTemplate.name) throw invalidParameter('launchTemplate needs an id or a name');
      if (input.diskSize !== undefined) throw invalidParameter('Disk size must be specified within the launch template.');
      if (input.remoteAccess) throw invalidParameter('Remote access configuration cannot be specified with a launch template.');
    }
    const capacityType = input.capacityType ?? 'ON_DEMAND';
    if (!['ON_DEMAND', 'SPOT', 'CAPACITY_BLOCK'].includes(capacityType)) throw invalidParameter(`capacityType ${capacityType} must be ON_DEMAND, SPOT or CAPACITY_BLOCK`);
    const amiType = input.amiType ?? 'AL2023_x86_64_STANDARD';
    if (!/^(AL2|AL2023|BOTTLEROCKET|WINDOWS|CUSTOM)/.test(amiType)) throw invalidParameter(`amiType ${amiType} is not supported`);
    const version = input.version ?? cluster.version;
    if (!KUBERNETES_VERSIONS.includes(version) || minor(version) > minor(cluster.version) || minor(version) < minor(cluster.version) - 3) {
      throw invalidParameter(`Nodegroup version ${version} must be at most the cluster version ${cluster.version} and at most three minor versions older`);
    }
    if (input.instanceTypes?.length === 0) throw invalidParameter('instanceTypes must not be empty');

    const uuid = randomUUID();
    const now = this.now();
    const nodegroup: Nodegroup = {
      name,
      arn: this.arn(`nodegroup/${clusterName}/${name}/${uuid}`),
      clusterName,
      version,
      releaseVersion: `${version}.0-20251101`,
      createdAt: now,
      modifiedAt: now,
      status: 'CREATING',
      capacityType,
      scalingConfig,
      instanceTypes: input.instanceTypes ?? (launchTemplate ? [] : ['t3.medium']),
      subnets: subnets.map((s) => s.subnetId),
      ...(input.remoteAccess ? { remoteAccess: { ...input.remoteAccess }, remoteAccessSecurityGroup: this.world.newId('sg') } : {}),
      amiType,
      nodeRole,
      labels: { ...(input.labels ?? {}) },
      taints,
      ...(launchTemplate ? { launchTemplate: { ...launchTemplate, version: launchTemplate.version ?? '1' } } : { diskSize: input.diskSize ?? 20 }),
      updateConfig: { ...(input.updateConfig ?? { maxUnavailable: 1 }) } as Record<string, number>,
      tags: { ...(input.tags ?? {}) },
      healthIssues: [],
      autoScalingGroupName: `eks-${name}-${uuid}`,
      ...(input.clientRequestToken ? { clientRequestToken: input.clientRequestToken } : {}),
    };
    cluster.nodegroups.set(name, nodegroup);

    this.after('nodegroupCreate', `nodegroup/${clusterName}/${name}`, { kind: 'nodegroupCreated', clusterName, clusterId: cluster.id, name, arn: nodegroup.arn });
    return nodegroup;
  }

  deleteNodegroup(clusterName: string, name: string): Nodegroup {
    const cluster = this.cluster(clusterName);
    const nodegroup = this.nodegroup(clusterName, name);
    if (nodegroup.status === 'DELETING') return nodegroup;
    if (nodegroup.status === 'CREATING' || nodegroup.status === 'UPDATING') throw inUse(`Nodegroup ${name} cannot be deleted because it is currently in ${nodegroup.status} status`);
    nodegroup.status = 'DELETING';
    nodegroup.modifiedAt = this.now();
    this.refreshAddons(cluster);
    this.after('nodegroupDelete', `nodegroup/${clusterName}/${name}`, { kind: 'nodegroupDeleted', clusterName, clusterId: cluster.id, name, arn: nodegroup.arn });
    return nodegroup;
  }

  updateNodegroupConfig(clusterName: string, name: string, input: UpdateNodegroupConfigRequest): Update {
    const cluster = this.cluster(clusterName);
    const nodegroup = this.nodegroup(clusterName, name);
    const repeated = this.byToken(cluster, input.clientRequestToken, name);
    if (repeated) return repeated;
    const running = this.inProgressUpdate(cluster, name);
    if (running) throw inUse(`Nodegroup ${name} has update ${running.id} in progress`);
    if (nodegroup.status !== 'ACTIVE' && nodegroup.status !== 'DEGRADED') throw inUse(`Nodegroup ${name} is in ${nodegroup.status} status and cannot be updated`);

    const params: Array<{ type: string; value: string }> = [];
    const scaling = { ...nodegroup.scalingConfig, ...Object.fromEntries(Object.entries(input.scalingConfig ?? {}).filter(([, v]) => v !== undefined)) } as ScalingConfig;
    this.checkScaling(scaling);
    for (const [field, type] of [['minSize', 'MinSize'], ['maxSize', 'MaxSize'], ['desiredSize', 'DesiredSize']] as const) {
      if (scaling[field] !== nodegroup.scalingConfig[field]) params.push({ type, value: String(scaling[field]) });
    }

    const labels = { ...nodegroup.labels };
    const addLabels = input.labels?.addOrUpdateLabels ?? {};
    this.checkLabels(addLabels);
    const changedLabels = Object.entries(addLabels).filter(([k, v]) => labels[k] !== v);
    const removedLabels = (input.labels?.removeLabels ?? []).filter((k) => k in labels);
    if (Object.keys(addLabels).some((k) => (input.labels?.removeLabels ?? []).includes(k))) throw invalidParameter('A label cannot be both added and removed');
    for (const [k, v] of changedLabels) labels[k] = v;
    for (const k of removedLabels) delete labels[k];
    if (changedLabels.length) params.push({ type: 'LabelsToAdd', value: JSON.stringify(Object.fromEntries(changedLabels)) });
    if (removedLabels.length) params.push({ type: 'LabelsToRemove', value: JSON.stringify(removedLabels) });

    const addTaints = this.checkTaints(input.taints?.addOrUpdateTaints);
    const removeTaints = this.checkTaints(input.taints?.removeTaints);
    const key = (t: Taint) => `${t.key}:${t.effect}`;
    let taints = nodegroup.taints.filter((t) => !removeTaints.some((r) => key(r) === key(t)));
    const removedTaints = nodegroup.taints.length - taints.length;
    const newTaints = addTaints.filter((t) => !taints.some((x) => key(x) === key(t) && x.value === t.value));
    taints = [...taints.filter((t) => !newTaints.some((n) => key(n) === key(t))), ...newTaints];
    this.checkTaints(taints);
    if (newTaints.length) params.push({ type: 'TaintsToAdd', value: JSON.stringify(newTaints) });
    if (removedTaints) params.push({ type: 'TaintsToRemove', value: JSON.stringify(removeTaints) });

    const updateConfig = input.updateConfig ? ({ ...input.updateConfig } as Record<string, number>) : nodegroup.updateConfig;
    if (JSON.stringify(updateConfig) !== JSON.stringify(nodegroup.updateConfig)) params.push({ type: 'MaxUnavailable', value: JSON.stringify(updateConfig) });

    if (params.length === 0) throw invalidParameter('No changes needed: the nodegroup already has the requested configuration');
    return this.startUpdate(cluster, { type: 'ConfigUpdate', params, nodegroupName: name }, input.clientRequestToken, 'nodegroupUpdate', { kind: 'nodegroupConfig', nodegroup: name, scalingConfig: scaling, labels, taints, updateConfig });
  }

  // ── Fargate profiles ─────────────────────────────────────────────────────────────────────

  fargateProfile(clusterName: string, name: string): FargateProfile {
    const profile = this.cluster(clusterName).fargateProfiles.get(name);
    if (!profile) throw notFound(`No Fargate Profile found with name: ${name}.`);
    return profile;
  }

  /** EKS allows one Fargate profile CREATING or DELETING per cluster. */
  private profileInFlight(cluster: Cluster, except?: string): FargateProfile | undefined {
    return [...cluster.fargateProfiles.values()].find((p) => p.name !== except && (p.status === 'CREATING' || p.status === 'DELETING'));
  }

  createFargateProfile(clusterName: string, input: CreateFargateProfileRequest): FargateProfile {
    const cluster = this.usableCluster(clusterName);
    const name = input.fargateProfileName ?? '';
    if (!CHILD_NAME.test(name) || name.length > 100) throw invalidParameter(`Fargate profile name ${name || '(empty)'} is invalid`);
    const existing = cluster.fargateProfiles.get(name);
    if (existing) {
      if (input.clientRequestToken && existing.clientRequestToken === input.clientRequestToken) return existing;
      throw inUse('A Fargate Profile already exists with this name in the cluster.');
    }
    const busy = this.profileInFlight(cluster);
    if (busy) throw inUse(`Cannot create Fargate Profile ${name} because cluster ${clusterName} currently has Fargate profile ${busy.name} in status ${busy.status}`);
    if (cluster.fargateProfiles.size >= MAX_FARGATE_PROFILES) throw limitExceeded(`Cluster ${clusterName} already has the maximum of ${MAX_FARGATE_PROFILES} Fargate profiles`);

    const podExecutionRoleArn = this.requireRole(input.podExecutionRoleArn, 'podExecutionRoleArn');
    const selectors = input.selectors ?? [];
    if (selectors.length < 1 || selectors.length > 5) throw invalidParameter(`A Fargate profile needs 1 to 5 selectors, got ${selectors.length}`);
    for (const selector of selectors) {
      if (!selector.namespace) throw invalidParameter('Every Fargate profile selector needs a namespace');
      if (Object.keys(selector.labels ?? {}).length > 5) throw invalidParameter('A Fargate profile selector can have at most 5 labels');
    }
    let subnets: Subnet[];
    if (input.subnets?.length) {
      subnets = this.subnets(input.subnets, 'subnets');
      const foreign = subnets.find((s) => s.vpcId !== cluster.vpc.vpcId);
      if (foreign) throw invalidParameter(`Subnet ${foreign.subnetId} is not in the cluster's VPC ${cluster.vpc.vpcId}`);
      const publicSubnet = subnets.find((s) => s.mapPublicIpOnLaunch);
      if (publicSubnet) throw invalidParameter(`Subnet ${publicSubnet.subnetId} provided in Fargate Profile is not a private subnet`);
    } else {
      subnets = cluster.vpc.subnetIds.map((id) => this.world.ec2.subnets.get(id)).filter((s): s is Subnet => Boolean(s && !s.mapPublicIpOnLaunch));
      if (subnets.length === 0) throw invalidParameter("No private subnets found in the cluster's VPC configuration; pass subnets");
    }

    const profile: FargateProfile = {
      name,
      arn: this.arn(`fargateprofile/${clusterName}/${name}/${randomUUID()}`),
      clusterName,
      createdAt: this.now(),
      podExecutionRoleArn,
      subnets: subnets.map((s) => s.subnetId),
      selectors: selectors.map((s) => ({ namespace: s.namespace!, ...(s.labels ? { labels: { ...s.labels } } : {}) })),
      status: 'CREATING',
      tags: { ...(input.tags ?? {}) },
      ...(input.clientRequestToken ? { clientRequestToken: input.clientRequestToken } : {}),
    };
    cluster.fargateProfiles.set(name, profile);
    this.after('fargateProfileCreate', `fargateprofile/${clusterName}/${name}`, { kind: 'fargateProfileCreated', clusterName, clusterId: cluster.id, name, arn: profile.arn });
    return profile;
  }

  deleteFargateProfile(clusterName: string, name: string): FargateProfile {
    const cluster = this.cluster(clusterName);
    const profile = this.fargateProfile(clusterName, name);
    if (profile.status === 'DELETING') return profile;
    const busy = profile.status === 'CREATING' ? profile : this.profileInFlight(cluster, name);
    if (busy) throw inUse(`Cannot delete Fargate Profile ${name} because cluster ${clusterName} currently has Fargate profile ${busy.name} in status ${busy.status}`);
    profile.status = 'DELETING';
    this.refreshAddons(cluster);
    this.after('fargateProfileDelete', `fargateprofile/${clusterName}/${name}`, { kind: 'fargateProfileDeleted', clusterName, clusterId: cluster.id, name, arn: profile.arn });
    return profile;
  }

  // ── Add-ons ──────────────────────────────────────────────────────────────────────────────

  addon(clusterName: string, name: string): Addon {
    const addon = this.cluster(clusterName).addons.get(name);
    if (!addon) throw notFound(`No addon: ${name} found in cluster: ${clusterName}`);
    return addon;
  }

  createAddon(clusterName: string, input: CreateAddonRequest): Addon {
    const cluster = this.usableCluster(clusterName);
    const name = input.addonName ?? '';
    const entry = addonEntry(name);
    if (!entry) throw invalidParameter(`Addon ${name} specified is not supported in ${cluster.version} Kubernetes version`);
    if (cluster.addons.has(name)) throw inUse('Addon already exists.');
    const version = input.addonVersion ?? defaultAddonVersion(name, cluster.version);
    if (!version || !entry.versions.some((v) => v.version === version && v.clusters.includes(cluster.version))) {
      throw invalidParameter(`Addon version specified is not supported: ${name} ${input.addonVersion ?? '(default)'} on Kubernetes ${cluster.version}`);
    }
    if (input.resolveConflicts && !['NONE', 'OVERWRITE', 'PRESERVE'].includes(input.resolveConflicts)) throw invalidParameter('resolveConflicts must be NONE, OVERWRITE or PRESERVE');
    if (input.configurationValues !== undefined) {
      let parsed: unknown;
      try {
        parsed = load(input.configurationValues);
      } catch (error) {
        throw invalidParameter(`ConfigurationValue provided in request is not supported: ${(error as Error).message}`);
      }
      if (input.configurationValues.trim() && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))) {
        throw invalidParameter('ConfigurationValue provided in request is not supported: it must be a JSON or YAML object');
      }
    }
    const now = this.now();
    const addon: Addon = {
      name,
      clusterName,
      status: 'CREATING',
      version,
      arn: this.arn(`addon/${clusterName}/${name}/${randomUUID()}`),
      createdAt: now,
      modifiedAt: now,
      ...(input.serviceAccountRoleArn ? { serviceAccountRoleArn: input.serviceAccountRoleArn } : {}),
      ...(input.configurationValues !== undefined ? { configurationValues: input.configurationValues } : {}),
      tags: { ...(input.tags ?? {}) },
      healthIssues: [],
    };
    cluster.addons.set(name, addon);
    this.after('addonCreate', `addon/${clusterName}/${name}`, { kind: 'addonCreated', clusterName, clusterId: cluster.id, name, arn: addon.arn });
    return addon;
  }

  deleteAddon(clusterName: string, name: string): Addon {
    const cluster = this.cluster(clusterName);
    const addon = this.addon(clusterName, name);
    if (addon.status === 'DELETING') return addon;
    addon.status = 'DELETING';
    addon.modifiedAt = this.now();
    this.after('addonDelete', `addon/${clusterName}/${name}`, { kind: 'addonDeleted', clusterName, clusterId: cluster.id, name, arn: addon.arn });
    return addon;
  }

  /** Where coredns can run: a nodegroup with untainted nodes, or a Fargate profile selecting its pods. */
  hasCapacityForCoreDns(cluster: Cluster): boolean {
    const nodes = [...cluster.nodegroups.values()].some(
      (n) => (n.status === 'ACTIVE' || n.status === 'UPDATING') && n.scalingConfig.desiredSize > 0 && !n.taints.some((t) => t.effect !== 'PREFER_NO_SCHEDULE' && t.key !== 'CriticalAddonsOnly'),
    );
    const fargate = [...cluster.fargateProfiles.values()].some(
      (p) => p.status === 'ACTIVE' && p.selectors.some((s) => s.namespace === 'kube-system' && Object.entries(s.labels ?? {}).every(([k, v]) => COREDNS_POD_LABELS[k] === v)),
    );
    return nodes || fargate;
  }

  /** Add-ons whose pods need capacity are DEGRADED without it and ACTIVE with it. */
  refreshAddons(cluster: Cluster): void {
    const capacity = this.hasCapacityForCoreDns(cluster);
    for (const addon of cluster.addons.values()) {
      if (addon.status !== 'ACTIVE' && addon.status !== 'DEGRADED') continue;
      const next = NEEDS_CAPACITY.has(addon.name) && !capacity ? 'DEGRADED' : 'ACTIVE';
      if (next === addon.status) continue;
      addon.status = next;
      addon.modifiedAt = this.now();
      addon.healthIssues =
        next === 'DEGRADED'
          ? [{ code: 'InsufficientNumberOfReplicas', message: "The add-on is unhealthy because it doesn't have the desired number of replicas.", resourceIds: [] }]
          : [];
    }
  }

  // ── Access entries ───────────────────────────────────────────────────────────────────────

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
  private addCreatorEntry(cluster: Cluster): void {
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
  private computeJoined(cluster: Cluster, roleArn: string, type: 'EC2_LINUX' | 'FARGATE_LINUX'): void {
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
  private enableAccessEntries(cluster: Cluster): void {
    if (cluster.bootstrapClusterCreatorAdminPermissions) this.addCreatorEntry(cluster);
    for (const nodegroup of cluster.nodegroups.values()) {
      if (nodegroup.status === 'ACTIVE' || nodegroup.status === 'UPDATING') this.computeJoined(cluster, nodegroup.nodeRole, 'EC2_LINUX');
    }
    for (const profile of cluster.fargateProfiles.values()) {
      if (profile.status === 'ACTIVE') this.computeJoined(cluster, profile.podExecutionRoleArn, 'FARGATE_LINUX');
    }
  }

  // ── Tags ─────────────────────────────────────────────────────────────────────────────────

  taggable(arn: string): { tags: Record<string, string> } {
    for (const cluster of this.clusters.values()) {
      if (cluster.arn === arn) return cluster;
      for (const collection of [cluster.nodegroups, cluster.fargateProfiles, cluster.addons, cluster.accessEntries] as Array<Map<string, { arn: string; tags: Record<string, string> }>>) {
        for (const item of collection.values()) if (item.arn === arn) return item;
      }
    }
    throw new EmulatorError(404, 'NotFoundException', `Resource ${arn} was not found`);
  }

  tagResource(arn: string, tags: Record<string, string>): void {
    const resource = this.taggable(arn);
    const next = { ...resource.tags, ...tags };
    if (Object.keys(next).length > 50) throw new EmulatorError(400, 'BadRequestException', 'A resource can have at most 50 tags');
    if (Object.keys(tags).some((k) => k.startsWith('aws:'))) throw new EmulatorError(400, 'BadRequestException', 'Tag keys starting with aws: are reserved');
    resource.tags = next;
  }

  untagResource(arn: string, keys: string[]): void {
    const resource = this.taggable(arn);
    resource.tags = Object.fromEntries(Object.entries(resource.tags).filter(([k]) => !keys.includes(k)));
  }

  // ── CloudFormation's AWS::EKS::Cluster provider (EksBackend) ─────────────────────────────

  /**
   * Creates from AWS::EKS::Cluster properties and resolves when ACTIVE with the resource's
   * attributes (Ref is the name). `context.creatorArn` is who CloudFormation acted as (the stack's
   * RoleARN, else the caller); without it the creator is the local developer identity.
   */
  async createClusterForStack(properties: Record<string, unknown>, stackTags: Record<string, string>, context: StackClusterContext = {}) {
    const p = properties as CfnClusterProperties;
    const vpc = p.ResourcesVpcConfig ?? {};
    const tags: Record<string, string> = { ...stackTags };
    for (const tag of p.Tags ?? []) tags[tag.Key] = tag.Value;
    const input: CreateClusterRequest = {
      name: p.Name ?? `${stackTags['aws:cloudformation:logical-id'] ?? 'Cluster'}-${randomBytes(6).toString('hex')}`,
      ...(p.Version !== undefined ? { version: String(p.Version) } : {}),
      roleArn: p.RoleArn,
      resourcesVpcConfig: {
        subnetIds: vpc.SubnetIds,
        securityGroupIds: vpc.SecurityGroupIds,
        endpointPublicAccess: asBoolean(vpc.EndpointPublicAccess, true),
        endpointPrivateAccess: asBoolean(vpc.EndpointPrivateAccess, false),
        ...(vpc.PublicAccessCidrs ? { publicAccessCidrs: vpc.PublicAccessCidrs } : {}),
      },
      ...(p.AccessConfig
        ? { accessConfig: { authenticationMode: p.AccessConfig.AuthenticationMode as AuthenticationMode, bootstrapClusterCreatorAdminPermissions: asBoolean(p.AccessConfig.BootstrapClusterCreatorAdminPermissions, true) } }
        : {}),
      ...(p.Logging?.ClusterLogging?.EnabledTypes ? { logging: { clusterLogging: [{ types: p.Logging.ClusterLogging.EnabledTypes.map((t) => t.Type) as never[], enabled: true }] } } : {}),
      ...(p.KubernetesNetworkConfig ? { kubernetesNetworkConfig: { serviceIpv4Cidr: p.KubernetesNetworkConfig.ServiceIpv4Cidr, ipFamily: p.KubernetesNetworkConfig.IpFamily as never } } : {}),
      ...(p.EncryptionConfig ? { encryptionConfig: p.EncryptionConfig.map((e) => ({ resources: e.Resources, provider: { keyArn: e.Provider?.KeyArn } })) } : {}),
      tags,
    };
    const cluster = this.createCluster(input, context.creatorArn ?? `arn:aws:iam::${this.world.account}:user/local-developer`);
    await cluster.ready;
    return clusterAttributes(cluster);
  }

  resumeClusterForStack(name: string): ReturnType<EksBackend['createClusterForStack']> | undefined {
    const cluster = this.clusters.get(name);
    return cluster && cluster.ready.then(() => clusterAttributes(cluster));
  }

  /** Resolves when the cluster is gone; rejects (ResourceInUse) while nodegroups or Fargate profiles remain. */
  async deleteClusterForStack(name: string): Promise<void> {
    let cluster = this.clusters.get(name);
    // CloudFormation waits out a create or update before it deletes.
    while (cluster && (cluster.status === 'CREATING' || cluster.status === 'UPDATING')) {
      await this.world.clock.sleep(10);
      cluster = this.clusters.get(name);
    }
    if (!cluster) return;
    this.deleteCluster(name);
    await cluster.gone;
  }
}

interface CfnClusterProperties {
  Name?: string;
  Version?: string | number;
  RoleArn?: string;
  ResourcesVpcConfig?: { SubnetIds?: string[]; SecurityGroupIds?: string[]; EndpointPublicAccess?: boolean | string; EndpointPrivateAccess?: boolean | string; PublicAccessCidrs?: string[] };
  AccessConfig?: { AuthenticationMode?: string; BootstrapClusterCreatorAdminPermissions?: boolean | string };
  Logging?: { ClusterLogging?: { EnabledTypes?: Array<{ Type: string }> } };
  KubernetesNetworkConfig?: { ServiceIpv4Cidr?: string; IpFamily?: string };
  EncryptionConfig?: Array<{ Resources?: string[]; Provider?: { KeyArn?: string } }>;
  Tags?: Array<{ Key: string; Value: string }>;
}

/** AWS::EKS::Cluster's return values: Ref (name) and every Fn::GetAtt attribute. */
export function clusterAttributes(cluster: Cluster) {
  return {
    name: cluster.name,
    arn: cluster.arn,
    endpoint: cluster.endpoint ?? '',
    certificateAuthorityData: cluster.certificateAuthorityData,
    clusterSecurityGroupId: cluster.vpc.clusterSecurityGroupId,
    Arn: cluster.arn,
    Endpoint: cluster.endpoint ?? '',
    CertificateAuthorityData: cluster.certificateAuthorityData,
    ClusterSecurityGroupId: cluster.vpc.clusterSecurityGroupId,
    Id: cluster.id,
    OpenIdConnectIssuerUrl: cluster.oidcIssuer,
    EncryptionConfigKeyArn: String((cluster.encryptionConfig?.[0] as { provider?: { keyArn?: string } } | undefined)?.provider?.keyArn ?? ''),
    'KubernetesNetworkConfig.ServiceIpv4Cidr': cluster.serviceIpv4Cidr,
    'KubernetesNetworkConfig.ServiceIpv6Cidr': '',
  };
}
