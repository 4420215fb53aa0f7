/**
 * ConfigMaps, the one kind clients write here (aws-auth above all): create, replace, patch (JSON
 * merge, strategic merge, JSON patch) and delete, with kube-apiserver's checks and answers —
 * resourceVersion optimistic concurrency (409 Conflict), immutable ConfigMaps, name rules,
 * `fieldValidation` (Strict rejects unknown fields, Warn — the default — warns of them) and
 * `dryRun=All` (answers what would be stored, stores nothing). Objects live in the cluster's
 * KubeStore, where EKS writes too (node and Fargate roles into aws-auth).
 */
import type { ConfigMapObject, KubeStore } from '../eks/kube-store';
import { applyPatch, OBJECT_META_PATCH, type PatchMeta } from './patch';
import { StatusError, badRequest, invalid, notFound, type Json } from './status';

const CONFIG_MAP_PATCH: PatchMeta = { fields: { metadata: OBJECT_META_PATCH } };
const FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'data', 'binaryData', 'immutable']);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export interface WriteOptions {
  /** `fieldValidation`: Strict, Warn (default) or Ignore. */
  fieldValidation: string;
  dryRun: boolean;
  /** Collects `Warning` header values. */
  warnings: string[];
}

type Fields = Pick<ConfigMapObject, 'data' | 'binaryData' | 'immutable'> & { labels?: Record<string, string>; annotations?: Record<string, string> };

function stringMap(value: unknown, field: string, name: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value as Json).some((v) => typeof v !== 'string')) {
    throw invalid('ConfigMap', name, field, 'Invalid value: every value must be a string');
  }
  return value as Record<string, string>;
}

function fieldsOf(object: Json, name: string): Fields {
  const metadata = (object.metadata ?? {}) as Json;
  const data = stringMap(object.data, 'data', name);
  const binaryData = stringMap(object.binaryData, 'binaryData', name);
  const labels = stringMap(metadata.labels, 'metadata.labels', name);
  const annotations = stringMap(metadata.annotations, 'metadata.annotations', name);
  return {
    ...(data ? { data } : {}),
    ...(binaryData ? { binaryData } : {}),
    ...(typeof object.immutable === 'boolean' ? { immutable: object.immutable } : {}),
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

function checkKind(object: Json): void {
  if (object.kind !== undefined && object.kind !== 'ConfigMap') throw badRequest(`the object kind ${String(object.kind)} is not ConfigMap`);
  if (object.apiVersion !== undefined && object.apiVersion !== 'v1') throw badRequest(`the API version ${String(object.apiVersion)} is not v1`);
}

/** Unknown top-level fields, handled as `fieldValidation` asks. */
function validateFields(object: Json, options: WriteOptions): void {
  const unknown = Object.keys(object).filter((key) => !FIELDS.has(key));
  if (!unknown.length || options.fieldValidation === 'Ignore') return;
  if (options.fieldValidation === 'Strict') throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  options.warnings.push(...unknown.map((f) => `unknown field "${f}"`));
}

const conflict = (name: string) =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: 'configmaps' });

/** What the store would hold after a write, without writing (dryRun). */
function preview(current: ConfigMapObject, fields: Fields): ConfigMapObject {
  const { labels, annotations, ...content } = fields;
  const { labels: _l, annotations: _a, ...metadata } = current.metadata;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...metadata, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) }, ...content };
}

export function createConfigMap(kube: KubeStore, namespace: string, object: Json, options: WriteOptions): ConfigMapObject {
  checkKind(object);
  validateFields(object, options);
  const metadata = (object.metadata ?? {}) as Json;
  const name = String(metadata.name ?? '');
  if (!name) throw new StatusError(422, 'Invalid', 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required', { kind: 'ConfigMap' });
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) {
    throw invalid('ConfigMap', name, 'metadata.name', `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  }
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  if (metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  if (!kube.namespaces.has(namespace)) throw notFound('namespaces', '', namespace);
  if (kube.getConfigMap(namespace, name)) throw new StatusError(409, 'AlreadyExists', `configmaps "${name}" already exists`, { name, kind: 'configmaps' });
  const fields = fieldsOf(object, name);
  if (options.dryRun) return preview({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, uid: '', resourceVersion: '', creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } }, fields);
  return kube.createConfigMap(namespace, name, fields);
}

function existing(kube: KubeStore, namespace: string, name: string): ConfigMapObject {
  const found = kube.getConfigMap(namespace, name);
  if (!found) throw notFound('configmaps', '', name);
  return found;
}

function write(kube: KubeStore, current: ConfigMapObject, next: Json, options: WriteOptions): ConfigMapObject {
  const name = current.metadata.name;
  const fields = fieldsOf(next, name);
  if (current.immutable && (JSON.stringify(fields.data ?? {}) !== JSON.stringify(current.data ?? {}) || JSON.stringify(fields.binaryData ?? {}) !== JSON.stringify(current.binaryData ?? {}) || fields.immutable === false)) {
    throw invalid('ConfigMap', name, 'data', 'Forbidden: field is immutable when `immutable` is set');
  }
  return options.dryRun ? preview(current, fields) : kube.replaceConfigMap(current, fields);
}

export function replaceConfigMap(kube: KubeStore, namespace: string, name: string, object: Json, options: WriteOptions): ConfigMapObject {
  checkKind(object);
  validateFields(object, options);
  const metadata = (object.metadata ?? {}) as Json;
  if (metadata.name !== undefined && metadata.name !== name) throw badRequest(`the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`);
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const current = existing(kube, namespace, name);
  if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(name);
  return write(kube, current, object, options);
}

export function patchConfigMap(kube: KubeStore, namespace: string, name: string, contentType: string, patch: unknown, options: WriteOptions): ConfigMapObject {
  const current = existing(kube, namespace, name);
  const merged = applyPatch(contentType, current as unknown as Json, patch, CONFIG_MAP_PATCH);
  checkKind(merged);
  validateFields(merged, options);
  const metadata = (merged.metadata ?? {}) as Json;
  if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(name);
  if (metadata.name !== name || metadata.namespace !== namespace) throw badRequest('a patch cannot change the name or namespace of an object');
  if (metadata.uid !== current.metadata.uid) throw badRequest('a patch cannot change the uid of an object');
  return write(kube, current, merged, options);
}

/** DELETE with optional DeleteOptions preconditions (uid, resourceVersion). */
export function deleteConfigMap(kube: KubeStore, namespace: string, name: string, deleteOptions: Json, dryRun: boolean): Json {
  const current = existing(kube, namespace, name);
  const preconditions = (deleteOptions.preconditions ?? {}) as Json;
  if (preconditions.uid !== undefined && preconditions.uid !== current.metadata.uid) {
    throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on configmaps "${name}": Precondition failed: UID in precondition: ${String(preconditions.uid)}, UID in object meta: ${current.metadata.uid}`, { name, kind: 'configmaps' });
  }
  if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== current.metadata.resourceVersion) throw conflict(name);
  if (!dryRun) kube.deleteConfigMap(namespace, name);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'configmaps', uid: current.metadata.uid } };
}
