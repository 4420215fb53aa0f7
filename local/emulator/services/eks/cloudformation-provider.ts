/**
 * CloudFormation's AWS::EKS::Cluster provider (world.eks, EksBackend): a cluster made from the
 * resource's properties, waited for until ACTIVE, and its Ref/Fn::GetAtt attributes.
 */
import { randomBytes } from 'node:crypto';
import type { CreateClusterRequest } from '@aws-sdk/client-eks';
import type { EksBackend } from '../../world';
import { EksPart } from './context';
import type { AuthenticationMode, Cluster, SupportType } from './model';
import { asBoolean } from './validation';

export interface StackClusterContext {
  /** The identity CloudFormation created the cluster as: the stack's RoleARN, else the CreateStack caller. */
  creatorArn?: string;
}

export class StackClusters extends EksPart {
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
      ...(p.KubernetesNetworkConfig
        ? {
            kubernetesNetworkConfig: {
              serviceIpv4Cidr: p.KubernetesNetworkConfig.ServiceIpv4Cidr,
              ipFamily: p.KubernetesNetworkConfig.IpFamily as never,
              ...(p.KubernetesNetworkConfig.ElasticLoadBalancing ? { elasticLoadBalancing: { enabled: asBoolean(p.KubernetesNetworkConfig.ElasticLoadBalancing.Enabled, false) } } : {}),
            },
          }
        : {}),
      ...(p.ComputeConfig
        ? { computeConfig: { enabled: asBoolean(p.ComputeConfig.Enabled, false), ...(p.ComputeConfig.NodePools ? { nodePools: p.ComputeConfig.NodePools } : {}), ...(p.ComputeConfig.NodeRoleArn ? { nodeRoleArn: p.ComputeConfig.NodeRoleArn } : {}) } }
        : {}),
      ...(p.StorageConfig?.BlockStorage ? { storageConfig: { blockStorage: { enabled: asBoolean(p.StorageConfig.BlockStorage.Enabled, false) } } } : {}),
      ...(p.BootstrapSelfManagedAddons !== undefined ? { bootstrapSelfManagedAddons: asBoolean(p.BootstrapSelfManagedAddons, true) } : {}),
      ...(p.EncryptionConfig ? { encryptionConfig: p.EncryptionConfig.map((e) => ({ resources: e.Resources, provider: { keyArn: e.Provider?.KeyArn } })) } : {}),
      ...(p.DeletionProtection !== undefined ? { deletionProtection: asBoolean(p.DeletionProtection, false) } : {}),
      ...(p.UpgradePolicy?.SupportType !== undefined ? { upgradePolicy: { supportType: p.UpgradePolicy.SupportType as SupportType } } : {}),
      ...(p.ZonalShiftConfig?.Enabled !== undefined ? { zonalShiftConfig: { enabled: asBoolean(p.ZonalShiftConfig.Enabled, false) } } : {}),
      tags,
    };
    const cluster = this.parts.clusters.createCluster(input, context.creatorArn ?? `arn:aws:iam::${this.world.account}:user/local-developer`);
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
    this.parts.clusters.deleteCluster(name);
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
  KubernetesNetworkConfig?: { ServiceIpv4Cidr?: string; IpFamily?: string; ElasticLoadBalancing?: { Enabled?: boolean | string } };
  ComputeConfig?: { Enabled?: boolean | string; NodePools?: string[]; NodeRoleArn?: string };
  StorageConfig?: { BlockStorage?: { Enabled?: boolean | string } };
  BootstrapSelfManagedAddons?: boolean | string;
  EncryptionConfig?: Array<{ Resources?: string[]; Provider?: { KeyArn?: string } }>;
  DeletionProtection?: boolean | string;
  UpgradePolicy?: { SupportType?: string };
  ZonalShiftConfig?: { Enabled?: boolean | string };
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
    EncryptionConfigKeyArn: cluster.encryptionConfig?.[0]?.provider.keyArn ?? '',
    'KubernetesNetworkConfig.ServiceIpv4Cidr': cluster.serviceIpv4Cidr,
    'KubernetesNetworkConfig.ServiceIpv6Cidr': '',
  };
}
