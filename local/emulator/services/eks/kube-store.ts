/**
 * The Kubernetes objects of one cluster that the emulator keeps: ConfigMaps (aws-auth above all),
 * PodDisruptionBudgets, and the evictions and deletions of the pods derived from the add-ons
 * (what the controllers would have done with them is derived from these: workloads.ts).
 * It lives with the cluster because EKS itself writes here (node and Fargate roles into aws-auth)
 * while the Kubernetes API emulator serves reads and writes; one revision counter per cluster,
 * like etcd's, gives every write a new resourceVersion so stale writers get 409 Conflict.
 */
import { randomUUID } from 'node:crypto';
import { dump, load } from 'js-yaml';

export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

export interface PodDisruptionBudgetObject {
  apiVersion: 'policy/v1';
  kind: 'PodDisruptionBudget';
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    generation: number;
    creationTimestamp: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
    unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
  };
}

/** A derived pod that was evicted or deleted: terminating until `at` + grace, then gone (its controller makes another). */
export interface PodRemoval {
  namespace: string;
  name: string;
  /** The workload (DaemonSet or Deployment name) and its slot: a Deployment's replica index, a DaemonSet's node name. */
  workload: string;
  slot: string;
  /** Emulated instant of the eviction. */
  at: Date;
  graceSeconds: number;
  /** The pod as it was when evicted: what lists show while it terminates. */
  object: Record<string, unknown>;
  /** Where the scheduler put its replacement (a Deployment's), if a node could take it then. */
  replacementNode?: string;
}

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class KubeStore {
  private revision = 1;
  readonly namespaces = new Set(DEFAULT_NAMESPACES);
  private readonly configMaps = new Map<string, ConfigMapObject>();
  private readonly podDisruptionBudgets = new Map<string, PodDisruptionBudgetObject>();
  /** Evicted and deleted pods, in order. */
  readonly podRemovals: PodRemoval[] = [];
  /** `<add-on>@<createdAt ms>`: the add-on installations whose own objects (coredns's PDB) were made. */
  readonly addonObjectsMade = new Set<string>();

  constructor(private readonly now: () => Date) {}

  get resourceVersion(): string {
    return String(this.revision);
  }

  getConfigMap(namespace: string, name: string): ConfigMapObject | undefined {
    const found = this.configMaps.get(`${namespace}/${name}`);
    return found && structuredClone(found);
  }

  listConfigMaps(namespace?: string): ConfigMapObject[] {
    return [...this.configMaps.values()].filter((c) => !namespace || c.metadata.namespace === namespace).map((c) => structuredClone(c));
  }

  /** Stores a new ConfigMap; the caller has checked it does not exist. */
  createConfigMap(namespace: string, name: string, fields: Pick<ConfigMapObject, 'data' | 'binaryData' | 'immutable'> & { labels?: Record<string, string>; annotations?: Record<string, string> }): ConfigMapObject {
    const object: ConfigMapObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        uid: randomUUID(),
        resourceVersion: this.bump(),
        creationTimestamp: this.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ...(fields.labels ? { labels: fields.labels } : {}),
        ...(fields.annotations ? { annotations: fields.annotations } : {}),
      },
      ...(fields.data ? { data: fields.data } : {}),
      ...(fields.binaryData ? { binaryData: fields.binaryData } : {}),
      ...(fields.immutable !== undefined ? { immutable: fields.immutable } : {}),
    };
    this.configMaps.set(`${namespace}/${name}`, object);
    return structuredClone(object);
  }

  /** Replaces the stored object's content (uid and creation kept) under a new resourceVersion. */
  replaceConfigMap(existing: ConfigMapObject, next: Pick<ConfigMapObject, 'data' | 'binaryData' | 'immutable'> & { labels?: Record<string, string>; annotations?: Record<string, string> }): ConfigMapObject {
    const object: ConfigMapObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: existing.metadata.name,
        namespace: existing.metadata.namespace,
        uid: existing.metadata.uid,
        resourceVersion: this.bump(),
        creationTimestamp: existing.metadata.creationTimestamp,
        ...(next.labels ? { labels: next.labels } : {}),
        ...(next.annotations ? { annotations: next.annotations } : {}),
      },
      ...(next.data ? { data: next.data } : {}),
      ...(next.binaryData ? { binaryData: next.binaryData } : {}),
      ...(next.immutable !== undefined ? { immutable: next.immutable } : {}),
    };
    this.configMaps.set(`${existing.metadata.namespace}/${existing.metadata.name}`, object);
    return structuredClone(object);
  }

  deleteConfigMap(namespace: string, name: string): boolean {
    const deleted = this.configMaps.delete(`${namespace}/${name}`);
    if (deleted) this.bump();
    return deleted;
  }

  getPodDisruptionBudget(namespace: string, name: string): PodDisruptionBudgetObject | undefined {
    const found = this.podDisruptionBudgets.get(`${namespace}/${name}`);
    return found && structuredClone(found);
  }

  listPodDisruptionBudgets(namespace?: string): PodDisruptionBudgetObject[] {
    return [...this.podDisruptionBudgets.values()].filter((b) => !namespace || b.metadata.namespace === namespace).map((b) => structuredClone(b));
  }

  /**
   * Stores a PDB (new, or replacing one: uid and creation kept, generation bumped when the spec
   * changes) under a new resourceVersion.
   */
  putPodDisruptionBudget(namespace: string, name: string, fields: { spec: PodDisruptionBudgetObject['spec']; labels?: Record<string, string>; annotations?: Record<string, string> }, created?: Date): PodDisruptionBudgetObject {
    const existing = this.podDisruptionBudgets.get(`${namespace}/${name}`);
    const specChanged = !existing || JSON.stringify(existing.spec) !== JSON.stringify(fields.spec);
    const object: PodDisruptionBudgetObject = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: {
        name,
        namespace,
        uid: existing?.metadata.uid ?? randomUUID(),
        resourceVersion: this.bump(),
        generation: (existing?.metadata.generation ?? 0) + (specChanged ? 1 : 0),
        creationTimestamp: existing?.metadata.creationTimestamp ?? (created ?? this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ...(fields.labels ? { labels: fields.labels } : {}),
        ...(fields.annotations ? { annotations: fields.annotations } : {}),
      },
      spec: fields.spec,
    };
    this.podDisruptionBudgets.set(`${namespace}/${name}`, object);
    return structuredClone(object);
  }

  deletePodDisruptionBudget(namespace: string, name: string): boolean {
    const deleted = this.podDisruptionBudgets.delete(`${namespace}/${name}`);
    if (deleted) this.bump();
    return deleted;
  }

  recordPodRemoval(removal: PodRemoval): void {
    this.podRemovals.push(removal);
    this.bump();
  }

  private bump(): string {
    this.revision += 1;
    return String(this.revision);
  }
}

export interface AwsAuthRole {
  rolearn: string;
  username?: string;
  groups?: string[];
}

/** mapRoles of aws-auth, tolerating an absent or unparsable value (EKS skips a broken map rather than fail). */
export function awsAuthRoles(map: ConfigMapObject | undefined): AwsAuthRole[] {
  return yamlList(map?.data?.mapRoles) as AwsAuthRole[];
}
export function awsAuthUsers(map: ConfigMapObject | undefined): Array<{ userarn: string; username?: string; groups?: string[] }> {
  return yamlList(map?.data?.mapUsers) as Array<{ userarn: string; username?: string; groups?: string[] }>;
}

function yamlList(text: string | undefined): unknown[] {
  if (!text?.trim()) return [];
  try {
    const parsed = load(text);
    return Array.isArray(parsed) ? parsed.filter((e) => e && typeof e === 'object') : [];
  } catch {
    return [];
  }
}

/**
 * What EKS does when a managed nodegroup or Fargate profile joins a cluster that reads aws-auth:
 * adds its role to mapRoles (creating the ConfigMap when absent) unless already mapped, keeping
 * every other entry and key. Returns true when it wrote.
 */
export function addAwsAuthRole(store: KubeStore, role: AwsAuthRole): boolean {
  const current = store.getConfigMap('kube-system', 'aws-auth');
  const roles = awsAuthRoles(current);
  if (roles.some((r) => r.rolearn === role.rolearn)) return false;
  const entry = { groups: role.groups, rolearn: role.rolearn, username: role.username };
  const mapRoles = dump([...roles, entry]);
  if (!current) {
    store.createConfigMap('kube-system', 'aws-auth', { data: { mapRoles } });
  } else {
    store.replaceConfigMap(current, { ...current, labels: current.metadata.labels, annotations: current.metadata.annotations, data: { ...(current.data ?? {}), mapRoles } });
  }
  return true;
}
