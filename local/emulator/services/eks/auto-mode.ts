/**
 * EKS Auto Mode: EKS runs the cluster's nodes (its built-in node pools general-purpose and
 * system), load balancing and block storage itself. Its three switches at CreateCluster (or
 * CloudFormation's AWS::EKS::Cluster) and UpdateClusterConfig, its update (AutoModeUpdate), and
 * the access entry EKS makes for the node role.
 *
 * AWS's rules (EKS user guide "Automate cluster infrastructure with EKS Auto Mode", "Enable EKS
 * Auto Mode on an existing cluster"; API reference ComputeConfigRequest):
 * - computeConfig.enabled, storageConfig.blockStorage.enabled and
 *   kubernetesNetworkConfig.elasticLoadBalancing.enabled are given together, all true or all false
 *   (InvalidParameterException otherwise), at creation and in one UpdateClusterConfig.
 * - Auto Mode maps its roles into the cluster with access entries: not on CONFIG_MAP clusters.
 * - The built-in node pools are general-purpose and system; nodes of a pool need the node role
 *   (computeConfig.nodeRoleArn), for which EKS makes an access entry of type EC2 with
 *   AmazonEKSAutoNodePolicy.
 */
import type { CreateClusterRequest, UpdateClusterConfigRequest } from '@aws-sdk/client-eks';
import { EksPart } from './context';
import { ACCESS_POLICY_PREFIX } from './catalog';
import type { AutoModeConfig, Cluster, UpdateChange } from './model';
import { asBoolean, invalidParameter } from './validation';

export const BUILT_IN_NODE_POOLS = ['general-purpose', 'system'];
/** The access policy of the node role's entry, which EKS associates itself. */
const AUTO_NODE_POLICY = `${ACCESS_POLICY_PREFIX}AmazonEKSAutoNodePolicy`;

const ALL_OR_NOTHING =
  'For EKS Auto Mode, please ensure that all required configs, including computeConfig, kubernetesNetworkConfig, and blockStorage are all either fully enabled or fully disabled.';

type AutoModeRequest = Pick<CreateClusterRequest | UpdateClusterConfigRequest, 'computeConfig' | 'storageConfig' | 'kubernetesNetworkConfig'>;

/** Whether a request touches Auto Mode at all (any of its three switches given). */
export function asksAutoMode(input: AutoModeRequest): boolean {
  return input.computeConfig?.enabled != null || input.storageConfig?.blockStorage?.enabled != null || input.kubernetesNetworkConfig?.elasticLoadBalancing?.enabled != null;
}

export class AutoMode extends EksPart {
  /** CreateCluster's Auto Mode; undefined when the request leaves it off. */
  atCreate(input: AutoModeRequest & { accessConfig?: { authenticationMode?: string } }, authenticationMode: string): AutoModeConfig | undefined {
    if (!asksAutoMode(input)) return undefined;
    const config = this.requested(input, authenticationMode);
    return config.enabled ? config : undefined;
  }

  /** UpdateClusterConfig's AutoModeUpdate: what it records and what finishing it changes. */
  update(cluster: Cluster, input: AutoModeRequest) {
    const next = this.requested(input, cluster.authenticationMode);
    const current = cluster.autoMode;
    if (!next.enabled && !current?.enabled) throw invalidParameter('Cluster is already at the desired configuration with computeConfig enabled: false');
    if (next.enabled && current?.enabled && sameConfig(current, next)) throw invalidParameter('Cluster is already at the desired configuration with computeConfig enabled: true');
    const computeConfig = { enabled: next.enabled, nodePools: next.nodePools, ...(next.nodeRoleArn ? { nodeRoleArn: next.nodeRoleArn } : {}) };
    return {
      type: 'AutoModeUpdate',
      params: [
        { type: 'ComputeConfig', value: JSON.stringify(computeConfig) },
        { type: 'StorageConfig', value: JSON.stringify({ blockStorage: { enabled: next.enabled } }) },
        { type: 'KubernetesNetworkConfig', value: JSON.stringify({ elasticLoadBalancing: { enabled: next.enabled } }) },
      ],
      change: { kind: 'autoMode', config: next } satisfies UpdateChange,
    };
  }

  /** A finished AutoModeUpdate (or a new Auto Mode cluster turning ACTIVE): the node role's access entry, and when the nodes came. */
  apply(cluster: Cluster, config: AutoModeConfig): void {
    cluster.autoMode = config.enabled ? { ...config, since: this.now() } : { enabled: false, nodePools: [] };
    if (config.enabled) this.addNodeRoleEntry(cluster);
    this.parts.addons.refreshAddons(cluster);
  }

  /** EKS's own access entry for the node role: type EC2, with AmazonEKSAutoNodePolicy. */
  addNodeRoleEntry(cluster: Cluster): void {
    const role = cluster.autoMode?.nodeRoleArn;
    if (!role || cluster.accessEntries.has(role)) return;
    const now = this.now();
    const match = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(role);
    if (!match) return;
    cluster.accessEntries.set(role, {
      clusterName: cluster.name,
      principalArn: role,
      arn: this.arn(`access-entry/${cluster.name}/role/${match[1]}/${match[2]}/${cluster.id}`),
      type: 'EC2',
      username: 'system:node:{{SessionName}}',
      kubernetesGroups: [],
      createdAt: now,
      modifiedAt: now,
      tags: {},
      policies: new Map([[AUTO_NODE_POLICY, { policyArn: AUTO_NODE_POLICY, accessScope: { type: 'cluster', namespaces: [] }, associatedAt: now, modifiedAt: now }]]),
    });
  }

  /** The three switches agree and the rest of the request is usable. */
  private requested(input: AutoModeRequest, authenticationMode: string): AutoModeConfig {
    const switches = [input.computeConfig?.enabled, input.storageConfig?.blockStorage?.enabled, input.kubernetesNetworkConfig?.elasticLoadBalancing?.enabled];
    if (switches.some((s) => s == null)) throw invalidParameter(ALL_OR_NOTHING);
    const values = switches.map((s) => asBoolean(s, false));
    if (values.some((v) => v !== values[0])) throw invalidParameter(ALL_OR_NOTHING);
    const enabled = values[0]!;
    if (!enabled) return { enabled: false, nodePools: [] };
    if (authenticationMode === 'CONFIG_MAP') throw invalidParameter('EKS Auto Mode requires the cluster authentication mode to be API or API_AND_CONFIG_MAP.');
    const nodePools = [...(input.computeConfig?.nodePools ?? [])];
    const unknown = nodePools.filter((pool) => !BUILT_IN_NODE_POOLS.includes(pool));
    if (unknown.length > 0) throw invalidParameter(`Invalid node pool(s) ${unknown.join(', ')}: the supported node pools are ${BUILT_IN_NODE_POOLS.join(', ')}`);
    if (new Set(nodePools).size !== nodePools.length) throw invalidParameter('computeConfig.nodePools must not repeat a node pool');
    const nodeRoleArn = input.computeConfig?.nodeRoleArn;
    if (nodePools.length > 0 && !nodeRoleArn) throw invalidParameter('computeConfig.nodeRoleArn is required when computeConfig.nodePools is not empty');
    if (nodeRoleArn) this.requireRole(nodeRoleArn, 'computeConfig.nodeRoleArn');
    return { enabled: true, nodePools, ...(nodeRoleArn ? { nodeRoleArn } : {}) };
  }
}

/** DescribeCluster's computeConfig and storageConfig; absent on a cluster that never had Auto Mode, as EKS leaves them. */
export function describeAutoMode(cluster: Cluster): Record<string, unknown> {
  const config = cluster.autoMode;
  if (!config) return {};
  return {
    computeConfig: { enabled: config.enabled, nodePools: [...config.nodePools], ...(config.nodeRoleArn ? { nodeRoleArn: config.nodeRoleArn } : {}) },
    storageConfig: { blockStorage: { enabled: config.enabled } },
  };
}

function sameConfig(a: AutoModeConfig, b: AutoModeConfig): boolean {
  return a.nodeRoleArn === b.nodeRoleArn && [...a.nodePools].sort().join() === [...b.nodePools].sort().join();
}
