/**
 * The nodegroups `create nodegroup` sends, read the way the service reads an eksctl ClusterConfig
 * (functions/domain/eksctl-config.ts): from the -f file's managedNodeGroups[] and nodeGroups[], or
 * from eksctl's flags made into one such entry. So `-f` and the flags mean what they mean to
 * eksctl (sizes derived from one another, amiFamily → amiType, Spot through instancesDistribution
 * for a self-managed group), and a field the service cannot honour is refused here, by name,
 * before anything is asked of the API.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CLUSTER_CONFIG_API_VERSION, CLUSTER_CONFIG_KIND, looksLikeClusterConfig, translateClusterConfig } from '../../functions/domain/eksctl-config';
import type { ManagedNodeGroup, SelfManagedNodeGroup } from '../client/types';
import { UsageError } from './context';

type Json = Record<string, unknown>;

/** One nodegroup to add, and which route takes it. */
export type NodegroupToAdd = { managed: true; body: ManagedNodeGroup } | { managed: false; body: SelfManagedNodeGroup };

export interface NodegroupFlags {
  name: string;
  managed: boolean;
  nodeType?: string;
  instanceTypes?: string[];
  nodes?: number;
  nodesMin?: number;
  nodesMax?: number;
  nodeVolumeSize?: number;
  nodeVolumeType?: string;
  nodeLabels?: Record<string, string>;
  nodeAmiFamily?: string;
  nodePrivateNetworking?: boolean;
  spot?: boolean;
}

/** The flag each field of a flags-made entry came from, to name it in a refusal. */
const FLAG_OF: Record<string, string> = {
  instanceType: '--node-type',
  instanceTypes: '--instance-types',
  instancesDistribution: '--spot / --instance-types',
  desiredCapacity: '--nodes',
  minSize: '--nodes-min',
  maxSize: '--nodes-max',
  volumeSize: '--node-volume-size',
  volumeType: '--node-volume-type',
  labels: '--node-labels',
  amiFamily: '--node-ami-family',
  privateNetworking: '--node-private-networking',
  spot: '--spot',
};

/** eksctl's `create nodegroup` flags as the managedNodeGroups[] or nodeGroups[] entry eksctl would write for them. */
export function eksctlNodeGroupOfFlags(o: NodegroupFlags): Json {
  const types = [...(o.nodeType ? [o.nodeType] : []), ...(o.instanceTypes ?? [])];
  const entry: Json = {
    name: o.name,
    ...(o.nodes !== undefined ? { desiredCapacity: o.nodes } : {}),
    ...(o.nodesMin !== undefined ? { minSize: o.nodesMin } : {}),
    ...(o.nodesMax !== undefined ? { maxSize: o.nodesMax } : {}),
    ...(o.nodeVolumeSize !== undefined ? { volumeSize: o.nodeVolumeSize } : {}),
    ...(o.nodeVolumeType ? { volumeType: o.nodeVolumeType } : {}),
    ...(o.nodeLabels ? { labels: o.nodeLabels } : {}),
    ...(o.nodeAmiFamily ? { amiFamily: o.nodeAmiFamily } : {}),
    ...(o.nodePrivateNetworking !== undefined ? { privateNetworking: o.nodePrivateNetworking } : {}),
  };
  if (o.managed) return { ...entry, ...(types.length > 0 ? { instanceTypes: types } : {}), ...(o.spot ? { spot: true } : {}) };
  // A self-managed group mixes instance types and buys Spot through its instancesDistribution, as eksctl's --spot does.
  if (o.spot) return { ...entry, instancesDistribution: { ...(types.length > 0 ? { instanceTypes: types } : {}), onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 0, spotAllocationStrategy: 'capacity-optimized' } };
  if (types.length > 1) return { ...entry, instancesDistribution: { instanceTypes: types } };
  return { ...entry, ...(types.length === 1 ? { instanceType: types[0] } : {}) };
}

/** The nodegroup the flags ask for, or a UsageError naming each flag the service cannot honour. */
export function nodegroupOfFlags(cluster: string, o: NodegroupFlags): NodegroupToAdd {
  const section = o.managed ? 'managedNodeGroups' : 'nodeGroups';
  const [only] = translateNodegroups({ metadata: { name: cluster } }, { [section]: [eksctlNodeGroupOfFlags(o)] }, (pointer) => {
    const field = pointer.split('/')[3];
    return field === undefined ? `nodegroup ${o.name}` : (FLAG_OF[field] ?? field);
  });
  return only!;
}

export interface ConfigNodegroups {
  /** metadata.name of a ClusterConfig, name of our spec. */
  cluster: string | undefined;
  nodegroups: NodegroupToAdd[];
}

/**
 * The nodegroups of a file: an eksctl ClusterConfig (its managedNodeGroups[] and nodeGroups[],
 * translated; the rest of the file is not read, as eksctl's `create nodegroup -f` reads only them)
 * or our spec, JSON or YAML (its managedNodeGroups[] and selfManagedNodeGroups[] as they are).
 */
export function nodegroupsOfFile(path: string): ConfigNodegroups {
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${path} is not a cluster spec or an eksctl ClusterConfig (not a mapping)`);
  const file = parsed as Json;
  if (!looksLikeClusterConfig(parsed)) {
    const list = (key: string) => (Array.isArray(file[key]) ? (file[key] as Json[]) : []);
    return {
      cluster: typeof file.name === 'string' ? file.name : undefined,
      nodegroups: [...list('managedNodeGroups').map((body) => ({ managed: true as const, body: body as unknown as ManagedNodeGroup })), ...list('selfManagedNodeGroups').map((body) => ({ managed: false as const, body: body as unknown as SelfManagedNodeGroup }))],
    };
  }
  const metadata = (typeof file.metadata === 'object' && file.metadata !== null ? file.metadata : {}) as Json;
  const sections = Object.fromEntries(['managedNodeGroups', 'nodeGroups'].filter((key) => file[key] !== undefined && file[key] !== null).map((key) => [key, file[key]]));
  const header = { apiVersion: file.apiVersion, kind: file.kind, ...(typeof metadata.name === 'string' ? { metadata: { name: metadata.name } } : {}) };
  return { cluster: typeof metadata.name === 'string' ? metadata.name : undefined, nodegroups: translateNodegroups(header, sections, (pointer) => pointer) };
}

/**
 * Translates a ClusterConfig holding only `sections` (its managedNodeGroups and nodeGroups) with
 * the service's own translation; refusals become one UsageError, each named by `where`.
 */
function translateNodegroups(header: Json, sections: Json, where: (pointer: string) => string): NodegroupToAdd[] {
  const config = { apiVersion: CLUSTER_CONFIG_API_VERSION, kind: CLUSTER_CONFIG_KIND, ...header, ...sections };
  // No metadata.region is given, so the service's region is not asked for.
  const { spec, refusals } = translateClusterConfig(config, { region: '' });
  if (refusals.length > 0) throw new UsageError(`the service cannot honour ${refusals.length === 1 ? 'this field' : 'these fields'}:${refusals.map((r) => `\n  ${where(r.pointer)}: ${r.message}`).join('')}`);
  const managed = 'managedNodeGroups' in sections ? ((spec.managedNodeGroups ?? []) as ManagedNodeGroup[]) : [];
  const selfManaged = (spec.selfManagedNodeGroups ?? []) as SelfManagedNodeGroup[];
  return [...managed.map((body) => ({ managed: true as const, body })), ...selfManaged.map((body) => ({ managed: false as const, body }))];
}
