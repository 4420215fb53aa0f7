/**
 * The cluster's nodes. A managed nodegroup's node is its EC2 instance (world.ec2.instances,
 * which the nodegroup's Auto Scaling group launched): every running instance tagged
 * `eks:cluster-name` = this cluster is a node once its kubelet registered, Ready once the VPC
 * CNI runs on it (node-readiness.ts), named after its private DNS name, with its
 * private IP as InternalIP and the labels EKS's AMI and the nodegroup put on it (zone, region,
 * instance type, capacity type, nodegroup, the nodegroup's own labels and taints). Fargate nodes
 * (one per Fargate pod) are made by the workloads that run there (see workloads.ts).
 * A cordoned node (world.kubeNodes.cordons, written by PATCH: node-writes.ts) is unschedulable
 * and carries the `node.kubernetes.io/unschedulable:NoSchedule` taint, and a node that is not
 * Ready the `node.kubernetes.io/not-ready` (or, status Unknown, `unreachable`) NoSchedule taint,
 * as the node lifecycle controller adds them. An instance its Auto Scaling group terminates stays
 * a node, Unknown once its kubelet is overdue, until the cloud node lifecycle controller deletes
 * it (node-readiness.ts).
 */
import type { Instance, World } from '../../world';
import { amiFor } from '../ec2/instances';
import { KUBERNETES_VERSIONS } from '../eks/catalog';
import type { Cluster, Nodegroup } from '../eks/state';
import { instanceNodeConfig, selfManagedNodeJoins } from '../eks/self-managed-nodes';
import { kubeletGitVersion } from '../eks/versions';
import { addressIn, privateDnsName, timestamp, uid } from './names';
import { hasNode, nodeReadiness, type NodeReadiness } from './node-readiness';
import type { Json } from './status';

export interface NodeInfo {
  name: string;
  ip: string;
  subnetId: string;
  zone: string;
  /** Taints block the system pods that do not tolerate them (coredns tolerates CriticalAddonsOnly). */
  taints: Array<{ key: string; value?: string; effect: string }>;
  fargate: boolean;
  /** Ready: new pods of Deployments may be placed on it (DaemonSets' pods tolerate NotReady). */
  ready: boolean;
  /** Cordoned (spec.unschedulable): no new pods, though those running stay. */
  unschedulable: boolean;
  object: Json;
}

export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

/** The taints the node lifecycle controller keeps on a node: cordoned, not ready, unreachable. */
function lifecycleTaints(cordonedSince: Date | undefined, readiness: Pick<NodeReadiness, 'ready' | 'condition'>): Array<{ key: string; effect: string; timeAdded?: string }> {
  return [
    ...(readiness.ready ? [] : [{ key: readiness.condition.status === 'Unknown' ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]),
    ...(cordonedSince ? [{ key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule', timeAdded: timestamp(cordonedSince) }] : []),
  ];
}

/** The names a node's nodegroup goes by: a managed one's name; a self-managed one's kubelet label (eksctl's or this project's) or Auto Scaling group. */
function nodegroupNames(instance: Instance, nodegroup: Nodegroup | undefined, labels: Record<string, string>): string[] {
  if (nodegroup) return [nodegroup.name];
  return [labels['alpha.eksctl.io/nodegroup-name'], labels['eks-provisioner/nodegroup'], instance.tags['aws:autoscaling:groupName']].filter((n): n is string => !!n);
}

const TAINT_EFFECTS: Record<string, string> = { NO_SCHEDULE: 'NoSchedule', NO_EXECUTE: 'NoExecute', PREFER_NO_SCHEDULE: 'PreferNoSchedule' };

/** Capacity of the instance types nodegroups commonly use (cpu, memory in Ki, max pods with the VPC CNI). */
const CAPACITY: Record<string, [cpu: number, memoryKi: number, pods: number]> = {
  't3.small': [2, 1_929_168, 11],
  't3.medium': [2, 3_943_416, 17],
  't3.large': [2, 8_049_176, 35],
  't3.xlarge': [4, 16_202_120, 58],
  'm5.large': [2, 7_851_536, 29],
  'm5.xlarge': [4, 15_896_204, 58],
  'm6i.large': [2, 7_851_536, 29],
  'c5.large': [2, 3_787_920, 29],
  'm6g.large': [2, 7_851_536, 29],
  't4g.medium': [2, 3_943_416, 17],
};

/**
 * The Kubernetes minor version of a node's kubelet: the one of the EKS optimized AMI it booted
 * (during a nodegroup version update, replaced nodes run the new AMI while the others still run
 * the old one); the nodegroup's version when the AMI is not EKS's (a launch template's own).
 */
function nodeMinorVersion(world: World, instance: Instance, nodegroup: Nodegroup | undefined, cluster: Cluster): string {
  // A self-managed node: the version of the EKS optimized AL2023 AMI it booted, if it is one.
  if (!nodegroup) return KUBERNETES_VERSIONS.find((v) => ['AL2023_x86_64_STANDARD', 'AL2023_ARM_64_STANDARD'].some((amiType) => amiFor(world, amiType, v) === instance.imageId)) ?? cluster.version;
  return KUBERNETES_VERSIONS.find((v) => amiFor(world, nodegroup.amiType, v) === instance.imageId) ?? nodegroup.version;
}

/**
 * When a node was cordoned: while its nodegroup's version update runs, EKS cordons every node
 * launched before the update (those it will replace), so kubectl shows them SchedulingDisabled.
 */
function cordonedForUpdate(cluster: Cluster, nodegroup: Nodegroup, instance: Instance): Date | undefined {
  const update = [...cluster.updates.values()].find((u) => u.status === 'InProgress' && u.type === 'VersionUpdate' && u.nodegroupName === nodegroup.name);
  return update && instance.launchTime < update.createdAt ? update.createdAt : undefined;
}

/** Instances EKS reported as failing to join (NodeCreationFailure): running, but never nodes. */
function strandedInstances(cluster: Cluster): Set<string> {
  return new Set([...cluster.nodegroups.values()].flatMap((ng) => ng.healthIssues.filter((issue) => issue.code === 'NodeCreationFailure').flatMap((issue) => issue.resourceIds)));
}

export function clusterInstances(world: World, cluster: Cluster): Instance[] {
  const stranded = strandedInstances(cluster);
  const now = world.clock.now();
  return [...world.ec2.instances.values()]
    .filter((i) => hasNode(i, now) && !stranded.has(i.instanceId) && (i.tags['eks:cluster-name'] === cluster.name || (i.tags['eks:cluster-name'] === undefined && i.tags[`kubernetes.io/cluster/${cluster.name}`] === 'owned' && selfManagedNodeJoins(world, cluster, i))))
    .sort((a, b) => a.launchTime.getTime() - b.launchTime.getTime() || a.privateDnsName.localeCompare(b.privateDnsName));
}

export function instanceNodes(world: World, cluster: Cluster): NodeInfo[] {
  const now = world.clock.now();
  return clusterInstances(world, cluster).flatMap((instance) => {
    const nodegroup: Nodegroup | undefined = cluster.nodegroups.get(instance.tags['eks:nodegroup-name'] ?? '');
    // A self-managed node's labels and taints are what its kubelet registered with (the user data's NodeConfig).
    const selfManaged = instance.tags['eks:cluster-name'] === undefined ? instanceNodeConfig(world, instance) : undefined;
    const arch = instance.architecture === 'arm64' ? 'arm64' : 'amd64';
    const name = instance.privateDnsName || privateDnsName(instance.privateIpAddress, world.region);
    const taints = selfManaged ? selfManaged.taints : (nodegroup?.taints ?? []).map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: TAINT_EFFECTS[t.effect] ?? t.effect }));
    const [cpu, memoryKi, pods] = CAPACITY[instance.instanceType] ?? [2, 3_943_416, 17];
    const version = kubeletGitVersion(nodeMinorVersion(world, instance, nodegroup, cluster));
    const readiness = nodeReadiness(world, cluster, instance, nodegroupNames(instance, nodegroup, selfManaged?.labels ?? {}), now);
    // Until its kubelet registers, the instance is no node.
    if (readiness.registeredAt > now) return [];
    const cordonedSince = world.kubeNodes.cordons.get(name) ?? (nodegroup ? cordonedForUpdate(cluster, nodegroup, instance) : undefined);
    const nodeTaints = [...taints, ...lifecycleTaints(cordonedSince, readiness)];
    const object: Json = {
      metadata: {
        name,
        uid: uid(`node/${instance.instanceId}`),
        resourceVersion: cluster.kube.resourceVersion,
        creationTimestamp: timestamp(readiness.registeredAt),
        labels: {
          'beta.kubernetes.io/arch': arch,
          'beta.kubernetes.io/instance-type': instance.instanceType,
          'beta.kubernetes.io/os': 'linux',
          // EKS's labels are put on by managed nodegroups only.
          ...(selfManaged ? {} : { 'eks.amazonaws.com/capacityType': instance.capacityType }),
          ...(nodegroup ? { 'eks.amazonaws.com/nodegroup': nodegroup.name } : {}),
          ...(selfManaged ? {} : { 'eks.amazonaws.com/nodegroup-image': instance.imageId }),
          ...(instance.launchTemplate && !selfManaged ? { 'eks.amazonaws.com/sourceLaunchTemplateId': instance.launchTemplate.id, 'eks.amazonaws.com/sourceLaunchTemplateVersion': instance.launchTemplate.version } : {}),
          'failure-domain.beta.kubernetes.io/region': world.region,
          'failure-domain.beta.kubernetes.io/zone': instance.availabilityZone,
          'k8s.io/cloud-provider-aws': uid(`cloud-provider/${cluster.name}`).replace(/-/g, ''),
          'kubernetes.io/arch': arch,
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'node.kubernetes.io/instance-type': instance.instanceType,
          'topology.kubernetes.io/region': world.region,
          'topology.kubernetes.io/zone': instance.availabilityZone,
          ...(nodegroup?.labels ?? {}),
          ...(selfManaged?.labels ?? {}),
        },
        annotations: { ...(world.kubeNodes.annotations.get(name) ?? {}), 'alpha.kubernetes.io/provided-node-ip': instance.privateIpAddress, 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: {
        providerID: `aws:///${instance.availabilityZone}/${instance.instanceId}`,
        ...(cordonedSince ? { unschedulable: true } : {}),
        ...(nodeTaints.length ? { taints: nodeTaints } : {}),
      },
      status: {
        capacity: { cpu: String(cpu), 'ephemeral-storage': '20893676Ki', 'hugepages-2Mi': '0', memory: `${memoryKi}Ki`, pods: String(pods) },
        allocatable: { cpu: `${cpu * 1000 - 70}m`, 'ephemeral-storage': '18181869946', 'hugepages-2Mi': '0', memory: `${memoryKi - 560_000}Ki`, pods: String(pods) },
        conditions: nodeConditions(readiness.registeredAt, readiness.condition),
        addresses: [
          { type: 'InternalIP', address: instance.privateIpAddress },
          ...(instance.publicIpAddress ? [{ type: 'ExternalIP', address: instance.publicIpAddress }] : []),
          { type: 'InternalDNS', address: name },
          { type: 'Hostname', address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: arch,
          bootID: uid(`boot/${instance.instanceId}`),
          containerRuntimeVersion: 'containerd://1.7.27',
          kernelVersion: arch === 'arm64' ? '6.1.150-174.273.amzn2023.aarch64' : '6.1.150-174.273.amzn2023.x86_64',
          kubeProxyVersion: '',
          kubeletVersion: version,
          machineID: uid(`machine/${instance.instanceId}`).replace(/-/g, ''),
          operatingSystem: 'linux',
          osImage: 'Amazon Linux 2023.8.20250915',
          systemUUID: uid(`system/${instance.instanceId}`),
        },
      },
    };
    return [{ name, ip: instance.privateIpAddress, subnetId: instance.subnetId, zone: instance.availabilityZone, taints: nodeTaints, fargate: false, ready: readiness.ready, unschedulable: cordonedSince !== undefined, object }];
  });
}

/**
 * A node's conditions: no pressure, and Ready as `ready` says (Ready from `since` when absent).
 * A kubelet that stopped posting leaves every condition Unknown, as the node lifecycle controller
 * marks them.
 */
export function nodeConditions(since: Date, ready?: NodeReadiness['condition']): Json[] {
  const at = timestamp(since);
  const readyCondition = ready ?? { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', since };
  const heartbeat = timestamp(readyCondition.status === 'Unknown' ? readyCondition.since : since);
  const condition = (type: string, status: string, reason: string, message: string, transition = at) => ({ type, status, lastHeartbeatTime: heartbeat, lastTransitionTime: transition, reason, message });
  const unknown = readyCondition.status === 'Unknown';
  const pressure = (type: string, reason: string, message: string) => (unknown ? condition(type, 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', timestamp(readyCondition.since)) : condition(type, 'False', reason, message));
  return [
    pressure('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    pressure('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    pressure('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    condition('Ready', readyCondition.status, readyCondition.reason, readyCondition.message, timestamp(readyCondition.since)),
  ];
}

/** What an EKS Auto Mode node pool launches here: one node per built-in pool (system's only for critical add-ons, as EKS taints it). */
const AUTO_MODE_POOLS: Record<string, { instanceType: string; taints: Array<{ key: string; value: string; effect: string }> }> = {
  system: { instanceType: 'c6g.large', taints: [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' }] },
  'general-purpose': { instanceType: 'c6a.large', taints: [] },
};

/**
 * EKS Auto Mode's nodes: EC2 managed instances EKS launches for its node pools, named by instance
 * id and labelled with their pool. Real node pools scale with pending pods; here each built-in
 * pool of an ACTIVE (or UPDATING) Auto Mode cluster has one Ready node from when Auto Mode came on,
 * spread over the cluster's subnets.
 */
export function autoModeNodes(world: World, cluster: Cluster): NodeInfo[] {
  const config = cluster.autoMode;
  if (!config?.enabled || !config.since || (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING')) return [];
  const since = config.since;
  return config.nodePools.map((pool, index) => {
    const shape = AUTO_MODE_POOLS[pool] ?? { instanceType: 'c6a.large', taints: [] };
    const subnetId = cluster.vpc.subnetIds[index % cluster.vpc.subnetIds.length] ?? '';
    const subnet = world.ec2.subnets.get(subnetId);
    const zone = subnet?.availabilityZone ?? `${world.region}a`;
    const seed = `${cluster.id}/auto-mode/${pool}/${since.toISOString()}`;
    const ip = addressIn(subnet?.cidrBlock ?? '10.0.0.0/16', seed);
    const name = `i-${uid(seed).replace(/-/g, '').slice(0, 17)}`;
    const arch = shape.instanceType.includes('g.') ? 'arm64' : 'amd64';
    const object: Json = {
      metadata: {
        name,
        uid: uid(`node/${seed}`),
        resourceVersion: cluster.kube.resourceVersion,
        creationTimestamp: timestamp(since),
        labels: {
          'eks.amazonaws.com/compute-type': 'auto',
          'eks.amazonaws.com/nodeclass': 'default',
          'karpenter.sh/nodepool': pool,
          'karpenter.sh/capacity-type': 'on-demand',
          'karpenter.sh/initialized': 'true',
          'karpenter.sh/registered': 'true',
          'kubernetes.io/arch': arch,
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'node.kubernetes.io/instance-type': shape.instanceType,
          'topology.kubernetes.io/region': world.region,
          'topology.kubernetes.io/zone': zone,
        },
      },
      spec: { providerID: `aws:///${zone}/${name}`, ...(shape.taints.length ? { taints: shape.taints.map((t) => ({ ...t })) } : {}) },
      status: {
        conditions: nodeConditions(since),
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'InternalDNS', address: privateDnsName(ip, world.region) },
          { type: 'Hostname', address: name },
        ],
        nodeInfo: {
          architecture: arch,
          containerRuntimeVersion: 'containerd://1.7.27+bottlerocket',
          kernelVersion: '6.1.141',
          kubeletVersion: kubeletGitVersion(cluster.version),
          operatingSystem: 'linux',
          osImage: 'Bottlerocket (EKS Auto, Standard) 2025.9.12 (aws-k8s-' + cluster.version + '-standard)',
        },
      },
    };
    return { name, ip, subnetId, zone, taints: shape.taints, fargate: false, ready: true, unschedulable: false, object };
  });
}
