/**
 * The objects a new EKS cluster runs, derived from what the cluster has (read-only here):
 * - Nodes: the nodegroups' running EC2 instances (nodes.ts), plus one Fargate node per pod that
 *   runs on Fargate.
 * - The system add-ons installed on the cluster (EKS add-ons, and those a DeleteAddon with
 *   preserve left running; an add-on that is not installed has no objects): vpc-cni → DaemonSet aws-node, kube-proxy → DaemonSet kube-proxy (one pod
 *   per EC2 node, host network, pod IP = node IP); coredns → Deployment coredns (2 replicas,
 *   pod IPs from the VPC CNI inside the node's subnet) and Service kube-dns; metrics-server →
 *   Deployment metrics-server (2 replicas) and its Service. A Deployment's pods go to Ready
 *   nodes whose taints they tolerate, one after another; coredns runs on Fargate instead when no node
 *   takes it and a Fargate profile selects its pods (one Fargate node per pod, pod IP = that
 *   node's); otherwise its pods are Pending, as EKS shows them while the add-on is DEGRADED.
 * - Services `kubernetes` (default) and `kube-dns` on the cluster's serviceIpv4Cidr (EKS's
 *   default: 10.100.0.0/16, or 172.20.0.0/16 when the VPC is in 10.0.0.0/8) — ClusterIPs .1 and .10.
 * - Namespaces from the cluster's Kubernetes store.
 * Pods evicted or deleted (the store's podRemovals: evictions.ts) are listed terminating for
 * their grace period; the controllers' answer follows from the same record: a Deployment's
 * replacement (a new name, on the node the scheduler chose then, starting for 5 s), a
 * DaemonSet's next pod on the same node once the old one is gone.
 */
import type { World } from '../../world';
import { COREDNS_POD_LABELS } from '../eks/catalog';
import type { Addon, Cluster } from '../eks/state';
import { kubeletGitVersion } from '../eks/versions';
import { addressIn, nameSuffix, nthAddress, privateDnsName, templateHash, timestamp, uid } from './names';
import type { PodRemoval } from '../eks/kube-store';
import { autoModeNodes, instanceNodes, nodeConditions, UNSCHEDULABLE_TAINT, type NodeInfo } from './nodes';
import type { Json } from './status';

export interface ClusterObjects {
  namespaces: Json[];
  nodes: Json[];
  pods: Json[];
  services: Json[];
  daemonsets: Json[];
  deployments: Json[];
  replicasets: Json[];
  /** Each node's heartbeat in kube-node-lease, renewed as the kubelet renews it (every 10 s). */
  leases: Json[];
  /** No events are recorded: the emulator runs no controllers that would write them. */
  events: Json[];
}

/** Which workload and slot a derived pod fills, and its state as budgets count it. */
export interface PodOrigin {
  workload: string;
  kind: 'DaemonSet' | 'Deployment';
  /** A Deployment's replica index, a DaemonSet's node name. */
  slot: string;
  ready: boolean;
  pending: boolean;
  terminating: boolean;
  controller: { uid: string; scale: number };
  /** Nodes a new pod of the workload may go to now (not cordoned, Ready, taints tolerated). */
  schedulable: string[];
}

/** How long a replacement pod is Pending (ContainerCreating) before it runs, in emulated seconds. */
const CONTAINER_START_SECONDS = 5;

interface Toleration {
  key?: string;
  operator: 'Exists' | 'Equal';
  effect?: string;
}

interface SystemWorkload {
  addon: string;
  kind: 'DaemonSet' | 'Deployment';
  name: string;
  /** Pod labels; the selector is the same map. */
  labels: Record<string, string>;
  containers: (addon: Addon, region: string) => Array<{ name: string; image: string; ports?: Json[] }>;
  hostNetwork: boolean;
  replicas?: number;
  tolerations: Toleration[];
  priorityClassName: string;
  serviceAccountName: string;
  /** Can run on Fargate when a profile selects its pods (coredns). */
  fargate?: boolean;
}

const ECR = (region: string) => `602401143452.dkr.ecr.${region}.amazonaws.com`;
const TOLERATE_ALL: Toleration[] = [{ operator: 'Exists' }];

const SYSTEM_WORKLOADS: SystemWorkload[] = [
  {
    addon: 'vpc-cni',
    kind: 'DaemonSet',
    name: 'aws-node',
    labels: { 'k8s-app': 'aws-node' },
    containers: (addon, region) => [
      { name: 'aws-node', image: `${ECR(region)}/amazon-k8s-cni:${addon.version}`, ports: [{ containerPort: 61678, name: 'metrics', protocol: 'TCP' }] },
      { name: 'aws-eks-nodeagent', image: `${ECR(region)}/amazon/aws-network-policy-agent:v1.2.1-eksbuild.1` },
    ],
    hostNetwork: true,
    tolerations: TOLERATE_ALL,
    priorityClassName: 'system-node-critical',
    serviceAccountName: 'aws-node',
  },
  {
    addon: 'eks-pod-identity-agent',
    kind: 'DaemonSet',
    name: 'eks-pod-identity-agent',
    labels: { 'app.kubernetes.io/instance': 'eks-pod-identity-agent', 'app.kubernetes.io/name': 'eks-pod-identity-agent' },
    // Listens on the link-local address pods' SDKs get credentials from (169.254.170.23:80).
    containers: (addon, region) => [{ name: 'eks-pod-identity-agent', image: `${ECR(region)}/eks/eks-pod-identity-agent:${addon.version}`, ports: [{ containerPort: 80, name: 'proxy', protocol: 'TCP' }] }],
    hostNetwork: true,
    tolerations: TOLERATE_ALL,
    priorityClassName: 'system-node-critical',
    serviceAccountName: 'eks-pod-identity-agent-sa',
  },
  {
    addon: 'kube-proxy',
    kind: 'DaemonSet',
    name: 'kube-proxy',
    labels: { 'k8s-app': 'kube-proxy' },
    containers: (addon, region) => [{ name: 'kube-proxy', image: `${ECR(region)}/eks/kube-proxy:${addon.version}` }],
    hostNetwork: true,
    tolerations: TOLERATE_ALL,
    priorityClassName: 'system-node-critical',
    serviceAccountName: 'kube-proxy',
  },
  {
    addon: 'coredns',
    kind: 'Deployment',
    name: 'coredns',
    labels: { ...COREDNS_POD_LABELS },
    containers: (addon, region) => [
      {
        name: 'coredns',
        image: `${ECR(region)}/eks/coredns:${addon.version}`,
        ports: [
          { containerPort: 53, name: 'dns', protocol: 'UDP' },
          { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
          { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
        ],
      },
    ],
    hostNetwork: false,
    replicas: 2,
    tolerations: [
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
    ],
    priorityClassName: 'system-cluster-critical',
    serviceAccountName: 'coredns',
    fargate: true,
  },
  {
    addon: 'metrics-server',
    kind: 'Deployment',
    name: 'metrics-server',
    labels: { 'app.kubernetes.io/instance': 'metrics-server', 'app.kubernetes.io/name': 'metrics-server' },
    containers: (addon, region) => [{ name: 'metrics-server', image: `${ECR(region)}/eks/metrics-server:${addon.version}`, ports: [{ containerPort: 10251, name: 'https', protocol: 'TCP' }] }],
    hostNetwork: false,
    replicas: 2,
    tolerations: [],
    priorityClassName: 'system-cluster-critical',
    serviceAccountName: 'metrics-server',
  },
];

const INSTALLED = new Set(['ACTIVE', 'DEGRADED', 'UPDATING']);

function tolerates(tolerations: Toleration[], taint: { key: string; effect: string }): boolean {
  return taint.effect === 'PreferNoSchedule' || tolerations.some((t) => (t.key === undefined || t.key === taint.key) && (t.effect === undefined || t.effect === taint.effect));
}


/** The served lists, and what made each derived pod (by `namespace/name`), for evictions and budgets. */
export type DerivedObjects = ClusterObjects & { origins: Map<string, PodOrigin> };

export function clusterObjects(world: World, cluster: Cluster): DerivedObjects {
  const resourceVersion = cluster.kube.resourceVersion;
  const ec2Nodes = [...instanceNodes(world, cluster), ...autoModeNodes(world, cluster)];
  const fargateNodes: NodeInfo[] = [];
  const objects: ClusterObjects = { namespaces: [], nodes: [], pods: [], services: [], daemonsets: [], deployments: [], replicasets: [], leases: [], events: [] };
  const origins = new Map<string, PodOrigin>();
  const now = world.clock.now();
  const removals = cluster.kube.podRemovals;
  const later = (...dates: Date[]) => new Date(Math.max(...dates.map((d) => d.getTime())));

  for (const workload of SYSTEM_WORKLOADS) {
    const managed = cluster.addons.get(workload.addon);
    // A preserving DeleteAddon left the add-on's resources running, now self-managed.
    const addon = managed && INSTALLED.has(managed.status) ? managed : managed ? undefined : cluster.preservedAddons?.get(workload.addon);
    if (!addon) continue;
    const containers = workload.containers(addon, world.region);
    const ownerUid = uid(`${cluster.id}/${workload.kind}/${workload.name}`);
    const podSpec = (node?: NodeInfo): Json => ({
      containers: containers.map((c) => ({ ...c, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' })),
      dnsPolicy: workload.hostNetwork ? 'ClusterFirstWithHostNet' : 'Default',
      enableServiceLinks: true,
      ...(workload.hostNetwork ? { hostNetwork: true } : {}),
      ...(node ? { nodeName: node.name } : {}),
      preemptionPolicy: 'PreemptLowerPriority',
      priority: workload.priorityClassName === 'system-node-critical' ? 2000001000 : 2000000000,
      priorityClassName: workload.priorityClassName,
      restartPolicy: 'Always',
      schedulerName: node?.fargate ? 'fargate-scheduler' : 'default-scheduler',
      securityContext: {},
      serviceAccount: workload.serviceAccountName,
      serviceAccountName: workload.serviceAccountName,
      terminationGracePeriodSeconds: 30,
      tolerations: workload.tolerations,
    });
    const template = { metadata: { labels: workload.labels }, spec: podSpec() };
    /** A pod on `node` (Running, or `starting` its containers), or Pending unscheduled without one. */
    const pod = (name: string, generateName: string, extraLabels: Record<string, string>, owner: Json, node: NodeInfo | undefined, podIp: string | undefined, options: { created?: Date; starting?: boolean } = {}): Json => {
      const created = options.created ?? later(addon.createdAt, node ? new Date(String((node.object.metadata as Json).creationTimestamp)) : addon.createdAt);
      const started = timestamp(created);
      const conditions = (ready: boolean) =>
        ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: ready || type === 'PodScheduled' || type === 'Initialized' ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: started, ...(ready || type === 'PodScheduled' || type === 'Initialized' ? {} : type === 'PodReadyToStartContainers' ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]` }) }));
      return {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { name, generateName, namespace: 'kube-system', uid: uid(`${cluster.id}/pod/${name}`), resourceVersion, creationTimestamp: started, labels: { ...workload.labels, ...extraLabels }, ownerReferences: [owner] },
        spec: podSpec(node),
        status: !node
          ? {
              phase: 'Pending',
              conditions: [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: started, reason: 'Unschedulable', message: `0/${ec2Nodes.length} nodes are available: no node the pod tolerates.` }],
              qosClass: 'Burstable',
            }
          : options.starting
            ? {
                phase: 'Pending',
                conditions: conditions(false),
                hostIP: node.ip,
                hostIPs: [{ ip: node.ip }],
                startTime: started,
                qosClass: 'Burstable',
                containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } })),
              }
            : {
                phase: 'Running',
                conditions: conditions(true),
                hostIP: node.ip,
                hostIPs: [{ ip: node.ip }],
                podIP: podIp,
                podIPs: [{ ip: podIp }],
                startTime: started,
                qosClass: 'Burstable',
                containerStatuses: containers.map((c) => ({
                  name: c.name,
                  image: c.image,
                  imageID: `${c.image.split(':')[0]}@sha256:${uid(c.image).replace(/-/g, '')}${uid(`${c.image}/2`).replace(/-/g, '')}`,
                  containerID: `containerd://${uid(`${name}/${c.name}`).replace(/-/g, '')}${uid(`${name}/${c.name}/2`).replace(/-/g, '')}`,
                  ready: true,
                  started: true,
                  restartCount: 0,
                  state: { running: { startedAt: started } },
                })),
              },
      };
    };
    /** Evicted or deleted pods of one slot, oldest first; those still terminating are listed as they were, with their deletionTimestamp. */
    const removalsOf = (slot: string) => removals.filter((r) => r.workload === workload.name && r.slot === slot);
    const showTerminating = (slotRemovals: PodRemoval[], scale: number) => {
      for (const removal of slotRemovals) {
        const goneAt = removal.at.getTime() + removal.graceSeconds * 1000;
        if (goneAt <= now.getTime()) continue;
        const object = structuredClone(removal.object) as Json;
        object.metadata = { ...(object.metadata as Json), deletionTimestamp: timestamp(new Date(goneAt)), deletionGracePeriodSeconds: removal.graceSeconds };
        objects.pods.push(object);
        origins.set(`kube-system/${removal.name}`, { workload: workload.name, kind: workload.kind, slot: removal.slot, ready: false, pending: false, terminating: true, controller: { uid: ownerUid, scale }, schedulable: [] });
      }
    };
    const generationName = (base: string, seed: string, generation: number) => `${base}-${nameSuffix(generation === 0 ? seed : `${seed}/${generation}`)}`;

    if (workload.kind === 'DaemonSet') {
      const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: workload.name, uid: ownerUid, controller: true, blockOwnerDeletion: true };
      const revision = templateHash(`${cluster.id}/${workload.name}/${addon.version}`);
      const nodes = ec2Nodes.filter((n) => n.taints.every((t) => tolerates(workload.tolerations, t)));
      let running = 0;
      for (const node of nodes) {
        const slotRemovals = removalsOf(node.name);
        showTerminating(slotRemovals, nodes.length);
        const last = slotRemovals[slotRemovals.length - 1];
        // The DaemonSet controller makes the node's next pod once the evicted one is gone.
        const recreatedAt = last ? new Date(last.at.getTime() + last.graceSeconds * 1000) : undefined;
        if (recreatedAt && recreatedAt > now) continue;
        const name = generationName(workload.name, `${cluster.id}/${workload.name}/${node.name}`, slotRemovals.length);
        objects.pods.push(pod(name, `${workload.name}-`, { 'controller-revision-hash': revision, 'pod-template-generation': '1' }, owner, node, node.ip, recreatedAt ? { created: recreatedAt } : {}));
        origins.set(`kube-system/${name}`, { workload: workload.name, kind: workload.kind, slot: node.name, ready: true, pending: false, terminating: false, controller: { uid: ownerUid, scale: nodes.length }, schedulable: [] });
        running += 1;
      }
      objects.daemonsets.push({
        kind: 'DaemonSet',
        apiVersion: 'apps/v1',
        metadata: { name: workload.name, namespace: 'kube-system', uid: ownerUid, resourceVersion, generation: 1, creationTimestamp: timestamp(addon.createdAt), labels: { ...workload.labels, 'app.kubernetes.io/managed-by': 'EKS' }, annotations: { 'deprecated.daemonset.template.generation': '1' } },
        spec: { selector: { matchLabels: workload.labels }, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } }, revisionHistoryLimit: 10 },
        status: { currentNumberScheduled: running, desiredNumberScheduled: nodes.length, numberAvailable: running, numberMisscheduled: 0, numberReady: running, observedGeneration: 1, updatedNumberScheduled: running, ...(running < nodes.length ? { numberUnavailable: nodes.length - running } : {}) },
      });
      continue;
    }

    const replicas = workload.replicas ?? 1;
    const hash = templateHash(`${cluster.id}/${workload.name}/${addon.version}`);
    const replicaSetName = `${workload.name}-${hash}`;
    const replicaSetUid = uid(`${cluster.id}/ReplicaSet/${replicaSetName}`);
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSetName, uid: replicaSetUid, controller: true, blockOwnerDeletion: true };
    // Where the first pods run: Ready nodes whose taints they tolerate. A cordon moves no running pod, so it is not asked here...
    const candidates = ec2Nodes.filter((n) => n.taints.every((t) => t.key === UNSCHEDULABLE_TAINT || tolerates(workload.tolerations, t)));
    // ...but the scheduler places no new pod (an evicted pod's replacement) on a cordoned node.
    const schedulable = candidates.filter((n) => !n.unschedulable);
    const fargateProfile =
      workload.fargate && candidates.length === 0
        ? [...cluster.fargateProfiles.values()].find((p) => p.status === 'ACTIVE' && p.selectors.some((s) => s.namespace === 'kube-system' && Object.entries(s.labels ?? {}).every(([k, v]) => workload.labels[k] === v)))
        : undefined;
    let ready = 0;
    const podIpOn = (node: NodeInfo, name: string) => {
      const cidr = world.ec2.subnets.get(node.subnetId)?.cidrBlock ?? `${node.ip.split('.').slice(0, 3).join('.')}.0/24`;
      return addressIn(cidr, `${cluster.id}/pod/${name}`, [...ec2Nodes.map((n) => n.ip), ...objects.pods.map((p) => String((p.status as Json).podIP))]);
    };
    for (let i = 0; i < replicas; i++) {
      const slotRemovals = removalsOf(String(i));
      showTerminating(slotRemovals, replicas);
      const last = slotRemovals[slotRemovals.length - 1];
      const name = generationName(replicaSetName, `${cluster.id}/${replicaSetName}/${i}`, slotRemovals.length);
      let node: NodeInfo | undefined;
      let podIp: string | undefined;
      let starting = false;
      if (last) {
        // The ReplicaSet made this pod when its predecessor was evicted; the scheduler placed it then.
        node = ec2Nodes.find((n) => n.name === last.replacementNode) ?? (schedulable.length ? schedulable[i % schedulable.length] : undefined);
        if (node) podIp = podIpOn(node, name);
        starting = now.getTime() < last.at.getTime() + CONTAINER_START_SECONDS * 1000;
      } else if (candidates.length) {
        node = candidates[i % candidates.length]!;
        podIp = podIpOn(node, name);
      } else if (fargateProfile) {
        node = fargateNode(world, cluster, fargateProfile.name, fargateProfile.subnets[i % Math.max(1, fargateProfile.subnets.length)] ?? '', `${fargateProfile.arn}/${name}`, later(fargateProfile.createdAt, addon.createdAt));
        fargateNodes.push(node);
        podIp = node.ip;
      }
      const running = node !== undefined && !starting;
      if (running) ready += 1;
      objects.pods.push(pod(name, `${replicaSetName}-`, { 'pod-template-hash': hash }, owner, node, podIp, { ...(last ? { created: last.at } : {}), starting }));
      origins.set(`kube-system/${name}`, { workload: workload.name, kind: workload.kind, slot: String(i), ready: running, pending: !running, terminating: false, controller: { uid: ownerUid, scale: replicas }, schedulable: schedulable.map((n) => n.name) });
    }
    const replicaStatus = { replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 };
    const deploymentUid = ownerUid;
    objects.replicasets.push({
      kind: 'ReplicaSet',
      apiVersion: 'apps/v1',
      metadata: {
        name: replicaSetName,
        namespace: 'kube-system',
        uid: replicaSetUid,
        resourceVersion,
        generation: 1,
        creationTimestamp: timestamp(addon.createdAt),
        labels: { ...workload.labels, 'pod-template-hash': hash },
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + 1), 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: workload.name, uid: deploymentUid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas, selector: { matchLabels: { ...workload.labels, 'pod-template-hash': hash } }, template: { ...template, metadata: { labels: { ...workload.labels, 'pod-template-hash': hash } } } },
      status: { ...replicaStatus, fullyLabeledReplicas: replicas },
    });
    const at = timestamp(addon.createdAt);
    objects.deployments.push({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: workload.name, namespace: 'kube-system', uid: deploymentUid, resourceVersion, generation: 1, creationTimestamp: at, labels: { ...workload.labels, 'app.kubernetes.io/managed-by': 'EKS' }, annotations: { 'deployment.kubernetes.io/revision': '1' } },
      spec: { replicas, selector: { matchLabels: workload.labels }, template, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 },
      status: {
        ...replicaStatus,
        updatedReplicas: replicas,
        ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}),
        conditions: [
          { type: 'Available', status: ready >= replicas - 1 && ready > 0 ? 'True' : 'False', lastUpdateTime: at, lastTransitionTime: at, reason: ready > 0 ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: ready > 0 ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.' },
          { type: 'Progressing', status: 'True', lastUpdateTime: at, lastTransitionTime: at, reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${replicaSetName}" has successfully progressed.` },
        ],
      },
    });
  }

  objects.nodes = [...ec2Nodes, ...fargateNodes].map((n) => ({ kind: 'Node', apiVersion: 'v1', ...n.object }));
  objects.leases = objects.nodes.map((node) => nodeLease(node, world.clock.now(), resourceVersion));
  objects.services = services(world, cluster);
  objects.namespaces = [...cluster.kube.namespaces].sort().map((name) => ({
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name, uid: uid(`${cluster.id}/namespace/${name}`), resourceVersion, creationTimestamp: timestamp(cluster.createdAt), labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
  return { ...objects, origins };
}

/** A Fargate node: one per pod, in the profile's subnet, named fargate-ip-… */
function fargateNode(world: World, cluster: Cluster, profile: string, subnetId: string, seed: string, created: Date): NodeInfo {
  const subnet = world.ec2.subnets.get(subnetId);
  const zone = subnet?.availabilityZone ?? `${world.region}a`;
  const ip = addressIn(subnet?.cidrBlock ?? '10.0.0.0/16', seed);
  const name = privateDnsName(ip, world.region, 'fargate-ip');
  const object: Json = {
    metadata: {
      name,
      uid: uid(`fargate/${seed}`),
      resourceVersion: cluster.kube.resourceVersion,
      creationTimestamp: timestamp(created),
      labels: {
        'eks.amazonaws.com/compute-type': 'fargate',
        'eks.amazonaws.com/fargate-profile': profile,
        'failure-domain.beta.kubernetes.io/region': world.region,
        'failure-domain.beta.kubernetes.io/zone': zone,
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'topology.kubernetes.io/region': world.region,
        'topology.kubernetes.io/zone': zone,
      },
    },
    spec: { providerID: `aws:///${zone}/${uid(seed).replace(/-/g, '').slice(0, 20)}/${name}`, taints: [{ key: 'eks.amazonaws.com/compute-type', value: 'fargate', effect: 'NoSchedule' }] },
    status: {
      conditions: nodeConditions(created),
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'InternalDNS', address: name },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: { architecture: 'amd64', containerRuntimeVersion: 'containerd://1.7.27', kernelVersion: '5.10.240-238.955.amzn2.x86_64', kubeletVersion: kubeletGitVersion(cluster.version), operatingSystem: 'linux', osImage: 'Amazon Linux 2' },
    },
  };
  return { name, ip, subnetId, zone, taints: [], fargate: true, ready: true, unschedulable: false, object };
}

function services(world: World, cluster: Cluster): Json[] {
  const cidr = cluster.serviceIpv4Cidr;
  const resourceVersion = cluster.kube.resourceVersion;
  const service = (namespace: string, name: string, clusterIp: string, ports: Json[], labels: Record<string, string>, selector: Record<string, string> | undefined, created: Date): Json => ({
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name, namespace, uid: uid(`${cluster.id}/service/${namespace}/${name}`), resourceVersion, creationTimestamp: timestamp(created), labels },
    spec: { clusterIP: clusterIp, clusterIPs: [clusterIp], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports, ...(selector ? { selector } : {}), sessionAffinity: 'None', type: 'ClusterIP' },
    status: { loadBalancer: {} },
  });
  const result = [service('default', 'kubernetes', nthAddress(cidr, 1), [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }], { component: 'apiserver', provider: 'kubernetes' }, undefined, cluster.createdAt)];
  const coredns = cluster.addons.get('coredns');
  if (coredns && INSTALLED.has(coredns.status)) {
    result.push(
      service(
        'kube-system',
        'kube-dns',
        nthAddress(cidr, 10),
        [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
        { 'eks.amazonaws.com/component': 'kube-dns', 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
        { 'k8s-app': 'kube-dns' },
        coredns.createdAt,
      ),
    );
  }
  const metrics = cluster.addons.get('metrics-server');
  if (metrics && INSTALLED.has(metrics.status)) {
    // Any other Service gets a free address of the range, as the allocator picks one.
    result.push(service('kube-system', 'metrics-server', addressIn(cidr, `${cluster.id}/service/metrics-server`, [nthAddress(cidr, 1), nthAddress(cidr, 10)]), [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }], { 'app.kubernetes.io/instance': 'metrics-server', 'app.kubernetes.io/name': 'metrics-server' }, { 'app.kubernetes.io/instance': 'metrics-server', 'app.kubernetes.io/name': 'metrics-server' }, metrics.createdAt));
  }
  return result;
}

/** The Lease a node's kubelet keeps in kube-node-lease (what `kubectl describe node` reads as its heartbeat). */
function nodeLease(node: Json, now: Date, resourceVersion: string): Json {
  const metadata = node.metadata as Json;
  const name = String(metadata.name);
  // Renewed every 10 s: the last renewal is the latest 10-second mark.
  const renewTime = new Date(Math.floor(now.getTime() / 10_000) * 10_000).toISOString().replace('Z', '000Z');
  return {
    kind: 'Lease',
    apiVersion: 'coordination.k8s.io/v1',
    metadata: {
      name,
      namespace: 'kube-node-lease',
      uid: uid(`lease/${String(metadata.uid)}`),
      resourceVersion,
      creationTimestamp: metadata.creationTimestamp,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: metadata.uid }],
    },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
  };
}
