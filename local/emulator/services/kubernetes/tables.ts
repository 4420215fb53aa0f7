/**
 * kubectl's `get` output: kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io` and
 * prints the columns the server chose. These are kube-apiserver's own printers for each kind
 * served (same names, types, priorities — priority 1 columns show with `-o wide` — and the same
 * cell text, ages included), so `kubectl get` looks as it does against EKS.
 */
import type { ResourceType } from './resources';
import type { Json } from './status';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: 'name';
  priority?: 1;
  description: string;
  cell: (object: any, now: Date) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** apimachinery's duration.HumanDuration: `45s`, `3m20s`, `12m`, `5h10m`, `3d4h`, `2y10d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', cell: (o) => o.metadata.name };
const AGE: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o, now) => (o.metadata.creationTimestamp ? humanDuration(now.getTime() - Date.parse(o.metadata.creationTimestamp)) : '<unknown>'),
};
const selectorText = (labels: Record<string, string> | undefined) =>
  labels && Object.keys(labels).length
    ? Object.keys(labels)
        .sort()
        .map((k) => `${k}=${labels[k]}`)
        .join(',')
    : '<none>';
const containers = (template: any) => (template?.spec?.containers ?? []).map((c: { name: string }) => c.name).join(','); // eslint-disable-line @typescript-eslint/no-explicit-any
const images = (template: any) => (template?.spec?.containers ?? []).map((c: { image: string }) => c.image).join(','); // eslint-disable-line @typescript-eslint/no-explicit-any
const WORKLOAD_WIDE: Column[] = [
  { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (o) => containers(o.spec.template) },
  { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (o) => images(o.spec.template) },
  { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.', cell: (o) => selectorText(o.spec.selector?.matchLabels) },
];
const address = (o: any, type: string) => o.status?.addresses?.find((a: { type: string }) => a.type === type)?.address ?? '<none>'; // eslint-disable-line @typescript-eslint/no-explicit-any

/** kubectl's pod STATUS: Terminating once deleted, a waiting container's reason (ContainerCreating), else the phase. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function podStatus(o: any): string {
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  const waiting = (o.status?.containerStatuses ?? []).find((c: { state?: { waiting?: { reason?: string } } }) => c.state?.waiting?.reason)?.state.waiting.reason;
  return waiting ?? o.status?.reason ?? o.status?.phase ?? 'Unknown';
}

const COLUMNS: Record<string, Column[]> = {
  nodes: [
    NAME,
    {
      name: 'Status',
      type: 'string',
      description: "The status of the node",
      cell: (o) => {
        const ready = o.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
        const status = ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown';
        return o.spec?.unschedulable ? `${status},SchedulingDisabled` : status;
      },
    },
    {
      name: 'Roles',
      type: 'string',
      description: 'The roles of the node',
      cell: (o) => {
        const roles = Object.keys(o.metadata.labels ?? {})
          .filter((k) => k.startsWith('node-role.kubernetes.io/'))
          .map((k) => k.slice('node-role.kubernetes.io/'.length));
        return roles.length ? roles.sort().join(',') : '<none>';
      },
    },
    AGE,
    { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.', cell: (o) => o.status?.nodeInfo?.kubeletVersion ?? '' },
    { name: 'Internal-IP', type: 'string', priority: 1, description: 'List of internal IPs of the node.', cell: (o) => address(o, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, description: 'List of external IPs of the node.', cell: (o) => address(o, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, description: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', cell: (o) => o.status?.nodeInfo?.osImage ?? '<unknown>' },
    { name: 'Kernel-Version', type: 'string', priority: 1, description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", cell: (o) => o.status?.nodeInfo?.kernelVersion ?? '<unknown>' },
    { name: 'Container-Runtime', type: 'string', priority: 1, description: 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', cell: (o) => o.status?.nodeInfo?.containerRuntimeVersion ?? '<unknown>' },
  ],
  pods: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      cell: (o) => `${(o.status?.containerStatuses ?? []).filter((c: { ready: boolean }) => c.ready).length}/${o.spec.containers.length}`,
    },
    { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', cell: (o) => podStatus(o) },
    { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.', cell: (o) => String((o.status?.containerStatuses ?? []).reduce((n: number, c: { restartCount: number }) => n + c.restartCount, 0)) },
    AGE,
    { name: 'IP', type: 'string', priority: 1, description: 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', cell: (o) => o.status?.podIP ?? '<none>' },
    { name: 'Node', type: 'string', priority: 1, description: 'NodeName is a request to schedule this pod onto a specific node.', cell: (o) => o.spec?.nodeName ?? '<none>' },
    { name: 'Nominated Node', type: 'string', priority: 1, description: 'nominatedNodeName is set only when this pod preempts other pods on the node.', cell: (o) => o.status?.nominatedNodeName ?? '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, description: 'If specified, all readiness gates will be evaluated for pod readiness.', cell: (o) => (o.spec?.readinessGates?.length ? `0/${o.spec.readinessGates.length}` : '<none>') },
  ],
  daemonsets: [
    NAME,
    { name: 'Desired', type: 'integer', description: 'The total number of nodes that should be running the daemon pod.', cell: (o) => o.status.desiredNumberScheduled },
    { name: 'Current', type: 'integer', description: 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', cell: (o) => o.status.currentNumberScheduled },
    { name: 'Ready', type: 'integer', description: 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', cell: (o) => o.status.numberReady },
    { name: 'Up-to-date', type: 'integer', description: 'The total number of nodes that are running updated daemon pod', cell: (o) => o.status.updatedNumberScheduled },
    { name: 'Available', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', cell: (o) => o.status.numberAvailable },
    { name: 'Node Selector', type: 'string', description: 'NodeSelector is a selector which must be true for the pod to fit on a node.', cell: (o) => selectorText(o.spec.template?.spec?.nodeSelector) },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  deployments: [
    NAME,
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', cell: (o) => `${o.status.readyReplicas ?? 0}/${o.spec.replicas}` },
    { name: 'Up-to-date', type: 'string', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', cell: (o) => o.status.updatedReplicas ?? 0 },
    { name: 'Available', type: 'string', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', cell: (o) => o.status.availableReplicas ?? 0 },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  replicasets: [
    NAME,
    { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired replicas.', cell: (o) => o.spec.replicas },
    { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of replicas.', cell: (o) => o.status.replicas },
    { name: 'Ready', type: 'integer', description: 'The number of ready replicas for this replica set.', cell: (o) => o.status.readyReplicas ?? 0 },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  services: [
    NAME,
    { name: 'Type', type: 'string', description: 'type determines how the Service is exposed.', cell: (o) => o.spec.type },
    { name: 'Cluster-IP', type: 'string', description: 'clusterIP is the IP address of the service and is usually assigned randomly.', cell: (o) => o.spec.clusterIP ?? '<none>' },
    { name: 'External-IP', type: 'string', description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', cell: (o) => (o.spec.externalIPs?.length ? o.spec.externalIPs.join(',') : '<none>') },
    { name: 'Port(s)', type: 'string', description: 'The list of ports that are exposed by this service.', cell: (o) => (o.spec.ports ?? []).map((p: { port: number; protocol: string }) => `${p.port}/${p.protocol}`).join(',') || '<none>' },
    AGE,
    { name: 'Selector', type: 'string', priority: 1, description: 'Route service traffic to pods with label keys and values matching this selector.', cell: (o) => selectorText(o.spec.selector) },
  ],
  leases: [NAME, { name: 'Holder', type: 'string', description: 'holderIdentity contains the identity of the holder of a current lease.', cell: (o) => o.spec?.holderIdentity ?? '' }, AGE],
  events: [
    { name: 'Last Seen', type: 'string', description: 'The time at which the most recent occurrence of this event was recorded.', cell: (o, now) => humanDuration(now.getTime() - Date.parse(o.lastTimestamp ?? o.metadata.creationTimestamp)) },
    { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning).', cell: (o) => o.type ?? '' },
    { name: 'Reason', type: 'string', description: 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.', cell: (o) => o.reason ?? '' },
    { name: 'Object', type: 'string', description: 'The object that this event is about.', cell: (o) => `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}` },
    { name: 'Message', type: 'string', description: 'A human-readable description of the status of this operation.', cell: (o) => o.message ?? '' },
  ],
  poddisruptionbudgets: [
    NAME,
    { name: 'Min Available', type: 'string', description: 'An eviction is allowed if at least "minAvailable" pods selected by "selector" will still be available after the eviction, i.e. even in the absence of the evicted pod.', cell: (o) => (o.spec?.minAvailable !== undefined ? String(o.spec.minAvailable) : 'N/A') },
    { name: 'Max Unavailable', type: 'string', description: 'An eviction is allowed if at most "maxUnavailable" pods selected by "selector" are unavailable after the eviction, i.e. even in absence of the evicted pod.', cell: (o) => (o.spec?.maxUnavailable !== undefined ? String(o.spec.maxUnavailable) : 'N/A') },
    { name: 'Allowed Disruptions', type: 'integer', description: 'Number of pod disruptions that are currently allowed.', cell: (o) => o.status?.disruptionsAllowed ?? 0 },
    AGE,
  ],
  configmaps: [NAME, { name: 'Data', type: 'integer', description: 'Data contains the configuration data.', cell: (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length }, AGE],
  namespaces: [NAME, { name: 'Status', type: 'string', description: 'The status of the namespace', cell: (o) => o.status?.phase ?? 'Active' }, AGE],
};

/** Whether the request's Accept asks for a Table (kubectl get's human-readable output). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .map((part) => part.trim())
    .some((part) => /^application\/json\s*;/.test(part) && /\bas=Table\b/.test(part) && /\bg=meta\.k8s\.io\b/.test(part) && /\bv=v1\b/.test(part));
}

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** A meta.k8s.io/v1 Table of objects of one resource; `includeObject` as kube-apiserver takes it (default Metadata). */
export function toTable(resource: ResourceType, objects: Json[], resourceVersion: string, now: Date, includeObject: string | null): Json | undefined {
  const columns = COLUMNS[resource.name];
  if (!columns) return undefined;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 })),
    rows: objects.map((object) => ({
      cells: columns.map((c) => c.cell(object, now)),
      ...(includeObject === 'None'
        ? {}
        : { object: includeObject === 'Object' ? object : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata } }),
    })),
  };
}
