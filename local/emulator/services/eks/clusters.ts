/**
 * EKS clusters: CreateCluster's checks and the new cluster (its security group, OIDC issuer, CA,
 * Kubernetes store), and DeleteCluster. Updates to a running cluster are in updates.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CreateClusterRequest } from '@aws-sdk/client-eks';
import { attachControlPlaneNetwork } from '../ec2/control-plane-network';
import { cidrsOverlap } from '../../ipv4';
import { principalArnOf } from '../sts';
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, LOG_TYPES, PLATFORM_VERSION } from './catalog';
import { EksPart, deferred } from './context';
import { KubeStore } from './kube-store';
import { AUTHENTICATION_LADDER, type AuthenticationMode, type Cluster } from './model';
import { requireCreatableVersion } from './versions';
import { IAM_PRINCIPAL, asBoolean, inUse, invalidParameter, parseCidr } from './validation';

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;

export class Clusters extends EksPart {
  createCluster(input: CreateClusterRequest, creatorArn: string): Cluster {
    const name = input.name ?? '';
    if (!CLUSTER_NAME.test(name) || name.length > 100) throw invalidParameter(`Cluster name ${name || '(empty)'} must be 1-100 characters, start with a letter or digit and contain only letters, digits, hyphens and underscores`);
    if (this.clusters.has(name)) throw inUse(`Cluster already exists with name: ${name}`);
    const version = input.version ?? DEFAULT_KUBERNETES_VERSION;
    if (!KUBERNETES_VERSIONS.includes(version)) throw invalidParameter(`unsupported Kubernetes version ${version}`);
    requireCreatableVersion(this.world, version);
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
    const publicAccessCidrs = checkCidrs(vpcInput.publicAccessCidrs) ?? ['0.0.0.0/0'];

    const enabledLogTypes = nextLogTypes([], input.logging?.clusterLogging);
    const authenticationMode = (input.accessConfig?.authenticationMode ?? 'CONFIG_MAP') as AuthenticationMode;
    if (!AUTHENTICATION_LADDER.includes(authenticationMode)) throw invalidParameter(`authenticationMode must be one of ${AUTHENTICATION_LADDER.join(', ')}`);
    const bootstrap = asBoolean(input.accessConfig?.bootstrapClusterCreatorAdminPermissions, true);
    if (!bootstrap && authenticationMode === 'CONFIG_MAP') throw invalidParameter('bootstrapClusterCreatorAdminPermissions must be true when authenticationMode is CONFIG_MAP');

    const settings = this.parts.settings.atCreate(input);
    const autoMode = this.parts.autoMode.atCreate(input, authenticationMode);

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
      serviceIpv4Cidr: input.kubernetesNetworkConfig?.serviceIpv4Cidr ?? defaultServiceCidr(this.world.ec2.vpcs.get(vpcId)?.cidrBlock),
      ipFamily: input.kubernetesNetworkConfig?.ipFamily ?? 'ipv4',
      oidcIssuer: `https://oidc.eks.${this.world.region}.amazonaws.com/id/${randomBytes(16).toString('hex').toUpperCase()}`,
      certificateAuthorityData: this.world.certificates.authorityData(),
      authenticationMode,
      bootstrapClusterCreatorAdminPermissions: bootstrap,
      creatorArn: principalArnOf(creatorArn),
      tags: { ...(input.tags ?? {}) },
      ...settings,
      ...(autoMode ? { autoMode } : {}),
      nodegroups: new Map(),
      fargateProfiles: new Map(),
      addons: new Map(),
      accessEntries: new Map(),
      podIdentityAssociations: new Map(),
      updates: new Map(),
      updateTokens: new Map(),
      kube: new KubeStore(() => this.now()),
      ready: signals.ready.promise,
      gone: signals.gone.promise,
    };
    this.clusters.set(name, cluster);
    this.shared.signals.set(cluster, signals);
    attachControlPlaneNetwork(this.world, cluster);

    this.after('controlPlaneCreate', `cluster/${name}`, { kind: 'clusterCreated', clusterName: name, clusterId: id });
    return cluster;
  }

  deleteCluster(name: string): Cluster {
    const cluster = this.cluster(name);
    if (cluster.status === 'DELETING') return cluster;
    if (cluster.status === 'CREATING' || cluster.status === 'UPDATING') throw inUse(`Cluster ${name} is in ${cluster.status} state and cannot be deleted until it is ACTIVE`);
    this.parts.settings.checkDeletable(cluster);
    if (cluster.nodegroups.size > 0) throw inUse(`Cluster has nodegroups attached: ${[...cluster.nodegroups.keys()].join(', ')}`);
    if (cluster.fargateProfiles.size > 0) throw inUse(`Cluster has fargate profiles attached: ${[...cluster.fargateProfiles.keys()].join(', ')}`);
    cluster.status = 'DELETING';
    for (const addon of cluster.addons.values()) addon.status = 'DELETING';
    this.after('controlPlaneDelete', `cluster/${name}`, { kind: 'clusterDeleted', clusterName: name, clusterId: cluster.id });
    return cluster;
  }
}

/** publicAccessCidrs as given, once each block parses and there are 1-40 of them; undefined when not given. */
export function checkCidrs(cidrs: readonly string[] | undefined): string[] | undefined {
  if (cidrs === undefined) return undefined;
  const bad = cidrs.filter((c) => !parseCidr(c));
  if (bad.length) throw invalidParameter(`The following CIDRs are invalid in publicAccessCidrs: ${bad.join(', ')}`);
  if (cidrs.length === 0 || cidrs.length > 40) throw invalidParameter('publicAccessCidrs must list 1-40 CIDR blocks');
  return [...cidrs];
}

/** The control-plane log types enabled after applying `setups` to `current`, in EKS's order. */
export function nextLogTypes(current: readonly string[], setups: ReadonlyArray<{ types?: string[]; enabled?: boolean }> | undefined): string[] {
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

/** EKS's default service CIDR: 10.100.0.0/16, or 172.20.0.0/16 when the VPC is in 10.0.0.0/8 (so they cannot overlap). */
export function defaultServiceCidr(vpcCidr: string | undefined): string {
  return vpcCidr !== undefined && cidrsOverlap(vpcCidr, '10.0.0.0/8') ? '172.20.0.0/16' : '10.100.0.0/16';
}
