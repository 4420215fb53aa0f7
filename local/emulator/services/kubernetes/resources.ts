/**
 * The resource types this API serves, one entry each: discovery, OpenAPI, routing, tables and
 * authorization all read this list, so a kind appears in discovery exactly when a route serves
 * it, with exactly the verbs it serves (kubectl picks endpoints and error messages from it).
 */

export type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';

export interface ResourceType {
  group: string;
  version: string;
  /** The plural name in URLs: `configmaps`. */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: Verb[];
  shortNames?: string[];
  /** `all` puts it into `kubectl get all`. */
  categories?: string[];
  /** Subresources served (`pods/eviction`): discovery lists them, with the kind their POST takes. */
  subresources?: Array<{ name: string; group: string; version: string; kind: string; verbs: Verb[] }>;
}

const READ: Verb[] = ['get', 'list'];
const WRITE: Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update'];

export const RESOURCE_TYPES: ResourceType[] = [
  { group: '', version: 'v1', name: 'events', singularName: 'event', kind: 'Event', namespaced: true, verbs: READ, shortNames: ['ev'] },
  { group: '', version: 'v1', name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', namespaced: true, verbs: WRITE, shortNames: ['cm'] },
  { group: '', version: 'v1', name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false, verbs: READ, shortNames: ['ns'] },
  // Nodes take a PATCH of spec.unschedulable (kubectl cordon); pods a DELETE and an eviction (kubectl drain).
  { group: '', version: 'v1', name: 'nodes', singularName: 'node', kind: 'Node', namespaced: false, verbs: ['get', 'list', 'patch'], shortNames: ['no'] },
  { group: '', version: 'v1', name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, verbs: ['delete', 'get', 'list'], shortNames: ['po'], categories: ['all'], subresources: [{ name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] }] },
  { group: '', version: 'v1', name: 'services', singularName: 'service', kind: 'Service', namespaced: true, verbs: READ, shortNames: ['svc'], categories: ['all'] },
  { group: 'apps', version: 'v1', name: 'daemonsets', singularName: 'daemonset', kind: 'DaemonSet', namespaced: true, verbs: READ, shortNames: ['ds'], categories: ['all'] },
  { group: 'apps', version: 'v1', name: 'deployments', singularName: 'deployment', kind: 'Deployment', namespaced: true, verbs: READ, shortNames: ['deploy'], categories: ['all'] },
  { group: 'apps', version: 'v1', name: 'replicasets', singularName: 'replicaset', kind: 'ReplicaSet', namespaced: true, verbs: READ, shortNames: ['rs'], categories: ['all'] },
  { group: 'authentication.k8s.io', version: 'v1', name: 'selfsubjectreviews', singularName: 'selfsubjectreview', kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', name: 'selfsubjectrulesreviews', singularName: 'selfsubjectrulesreview', kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'] },
  // kube-apiserver lists coordination.k8s.io after the groups above, and policy after it.
  { group: 'coordination.k8s.io', version: 'v1', name: 'leases', singularName: 'lease', kind: 'Lease', namespaced: true, verbs: READ },
  { group: 'policy', version: 'v1', name: 'poddisruptionbudgets', singularName: 'poddisruptionbudget', kind: 'PodDisruptionBudget', namespaced: true, verbs: WRITE, shortNames: ['pdb'] },
];

/** The group versions served, core first: `v1`, `apps/v1`, ... */
export function groupVersions(): Array<{ group: string; version: string; groupVersion: string }> {
  const seen = new Map<string, { group: string; version: string; groupVersion: string }>();
  for (const r of RESOURCE_TYPES) {
    const groupVersion = r.group ? `${r.group}/${r.version}` : r.version;
    if (!seen.has(groupVersion)) seen.set(groupVersion, { group: r.group, version: r.version, groupVersion });
  }
  return [...seen.values()];
}

export function resourcesOf(group: string, version: string): ResourceType[] {
  return RESOURCE_TYPES.filter((r) => r.group === group && r.version === version);
}

export function findResource(group: string, version: string, name: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((r) => r.group === group && r.version === version && r.name === name);
}

/** A resource by any name kubectl or a SelfSubjectAccessReview may use (plural, singular, short), in a group. */
export function resourceNamed(group: string, name: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((r) => r.group === group && (r.name === name || r.singularName === name || r.shortNames?.includes(name)));
}
