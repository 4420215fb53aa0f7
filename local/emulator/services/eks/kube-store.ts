/**
 * The Kubernetes objects of one cluster that the emulator keeps: ConfigMaps (aws-auth above all).
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

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class KubeStore {
  private revision = 1;
  readonly namespaces = new Set(DEFAULT_NAMESPACES);
  private readonly configMaps = new Map<string, ConfigMapObject>();

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
