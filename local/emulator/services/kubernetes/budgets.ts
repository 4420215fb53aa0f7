/**
 * PodDisruptionBudgets (policy/v1): create, get, list, update, patch and delete in the cluster's
 * KubeStore, with kube-apiserver's checks (name rules, 409 AlreadyExists / Conflict, minAvailable
 * and maxUnavailable exclusive and non-negative); every read carries the status the disruption
 * controller would have written, computed from the derived pods the selector matches
 * (disruption.ts). The coredns add-on's own budget (maxUnavailable 1 over its pods, as the EKS
 * add-on ships it) is made once per installation of the add-on and removed with it.
 */
import { COREDNS_POD_LABELS } from '../eks/catalog';
import type { KubeStore, PodDisruptionBudgetObject } from '../eks/kube-store';
import type { Cluster } from '../eks/state';
import { budgetStatus, type BudgetPod, type BudgetStatus } from './disruption';
import { timestamp } from './names';
import { applyPatch, OBJECT_META_PATCH } from './patch';
import { StatusError, badRequest, notFound, type Json } from './status';
import type { DerivedObjects } from './workloads';

const INSTALLED = new Set(['ACTIVE', 'DEGRADED', 'UPDATING']);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);

type Selector = PodDisruptionBudgetObject['spec']['selector'];

/** Whether a LabelSelector matches labels: an empty selector matches every pod (policy/v1), an absent one none. */
export function selectorMatches(selector: Selector, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In':
        return k8sHas(labels, e.key) && (e.values ?? []).includes(labels[e.key]!);
      case 'NotIn':
        return !k8sHas(labels, e.key) || !(e.values ?? []).includes(labels[e.key]!);
      case 'Exists':
        return k8sHas(labels, e.key);
      case 'DoesNotExist':
        return !k8sHas(labels, e.key);
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
}
const k8sHas = (labels: Record<string, string>, key: string) => Object.prototype.hasOwnProperty.call(labels, key);

/** The coredns add-on's own budget: made once per installation of the add-on, gone with it. */
export function reconcileAddonBudgets(cluster: Cluster): void {
  const kube = cluster.kube;
  const managed = cluster.addons.get('coredns');
  const addon = managed ? (INSTALLED.has(managed.status) ? managed : undefined) : cluster.preservedAddons?.get('coredns');
  const made = [...kube.addonObjectsMade].filter((key) => key.startsWith('coredns@'));
  if (!addon) {
    // DeleteAddon (without preserve) removes what the add-on installed.
    if (made.length && !managed) {
      kube.deletePodDisruptionBudget('kube-system', 'coredns');
      for (const key of made) kube.addonObjectsMade.delete(key);
    }
    return;
  }
  const key = `coredns@${addon.createdAt.getTime()}`;
  if (kube.addonObjectsMade.has(key)) return;
  kube.addonObjectsMade.add(key);
  if (kube.getPodDisruptionBudget('kube-system', 'coredns')) return;
  kube.putPodDisruptionBudget('kube-system', 'coredns', { spec: { maxUnavailable: 1, selector: { matchLabels: { ...COREDNS_POD_LABELS } } }, labels: { ...COREDNS_POD_LABELS } }, addon.createdAt);
}

/** The budget's status over the derived pods of its namespace. */
export function statusOf(budget: PodDisruptionBudgetObject, derived: DerivedObjects): BudgetStatus {
  return budgetStatus(budget.spec, selectedPods(budget, derived));
}

/** The pods a budget selects, as budgets count them. */
export function selectedPods(budget: PodDisruptionBudgetObject, derived: DerivedObjects): BudgetPod[] {
  return derived.pods
    .filter((p) => {
      const metadata = p.metadata as Json;
      return metadata.namespace === budget.metadata.namespace && selectorMatches(budget.spec.selector, (metadata.labels ?? {}) as Record<string, string>);
    })
    .map((p) => {
      const metadata = p.metadata as Json;
      const origin = derived.origins.get(`${String(metadata.namespace)}/${String(metadata.name)}`);
      if (origin) return { ready: origin.ready, terminating: origin.terminating, pending: origin.pending, controller: origin.controller };
      const status = (p.status ?? {}) as Json;
      return { ready: status.phase === 'Running', terminating: metadata.deletionTimestamp !== undefined, pending: status.phase === 'Pending' };
    });
}

/** The object as served: its stored spec and the status the disruption controller would show now. */
export function withStatus(budget: PodDisruptionBudgetObject, derived: DerivedObjects, now: Date): Json {
  const status = statusOf(budget, derived);
  const allowed = status.disruptionsAllowed > 0;
  return {
    ...budget,
    status: {
      observedGeneration: budget.metadata.generation,
      disruptionsAllowed: status.disruptionsAllowed,
      currentHealthy: status.currentHealthy,
      desiredHealthy: status.desiredHealthy,
      expectedPods: status.expectedPods,
      conditions: [{ type: 'DisruptionAllowed', status: allowed ? 'True' : 'False', reason: allowed ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration: budget.metadata.generation, lastTransitionTime: timestamp(now) }],
    },
  };
}

function invalid(name: string, field: string, message: string): StatusError {
  return new StatusError(422, 'Invalid', `PodDisruptionBudget.policy "${name}" is invalid: ${field}: ${message}`, { name, group: 'policy', kind: 'PodDisruptionBudget', causes: [{ reason: 'FieldValueInvalid', message, field }] });
}

function intOrPercent(value: unknown, name: string, field: string): number | string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (value < 0) throw invalid(name, field, `Invalid value: ${value}: must be greater than or equal to 0`);
    return value;
  }
  if (typeof value === 'string' && /^\d+%$/.test(value)) {
    if (Number(value.slice(0, -1)) > 100) throw invalid(name, field, `Invalid value: "${value}": must be no more than 100%`);
    return value;
  }
  throw invalid(name, field, `Invalid value: ${JSON.stringify(value)}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`);
}

/** The spec, labels and annotations of a written object, checked as kube-apiserver checks them. */
function fieldsOf(object: Json, name: string): { spec: PodDisruptionBudgetObject['spec']; labels?: Record<string, string>; annotations?: Record<string, string> } {
  if (object.kind !== undefined && object.kind !== 'PodDisruptionBudget') throw badRequest(`the object kind ${String(object.kind)} is not PodDisruptionBudget`);
  if (object.apiVersion !== undefined && object.apiVersion !== 'policy/v1') throw badRequest(`the API version ${String(object.apiVersion)} is not policy/v1`);
  const unknown = Object.keys(object).filter((key) => !FIELDS.has(key));
  if (unknown.length) throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  const spec = (object.spec ?? {}) as Json;
  const minAvailable = intOrPercent(spec.minAvailable, name, 'spec.minAvailable');
  const maxUnavailable = intOrPercent(spec.maxUnavailable, name, 'spec.maxUnavailable');
  if (minAvailable !== undefined && maxUnavailable !== undefined) throw invalid(name, 'spec', 'Invalid value: "object": minAvailable and maxUnavailable cannot be both set');
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== 'IfHealthyBudget' && policy !== 'AlwaysAllow') throw invalid(name, 'spec.unhealthyPodEvictionPolicy', `Unsupported value: "${String(policy)}": supported values: "AlwaysAllow", "IfHealthyBudget"`);
  const metadata = (object.metadata ?? {}) as Json;
  const stringMap = (value: unknown) => (value && typeof value === 'object' ? (value as Record<string, string>) : undefined);
  const labels = stringMap(metadata.labels);
  const annotations = stringMap(metadata.annotations);
  return {
    spec: {
      ...(minAvailable !== undefined ? { minAvailable } : {}),
      ...(maxUnavailable !== undefined ? { maxUnavailable } : {}),
      ...(spec.selector && typeof spec.selector === 'object' ? { selector: spec.selector as Selector } : {}),
      ...(policy ? { unhealthyPodEvictionPolicy: policy as 'IfHealthyBudget' | 'AlwaysAllow' } : {}),
    },
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

const conflict = (name: string) =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on poddisruptionbudgets.policy "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: 'policy', kind: 'poddisruptionbudgets' });

function existing(kube: KubeStore, namespace: string, name: string): PodDisruptionBudgetObject {
  const found = kube.getPodDisruptionBudget(namespace, name);
  if (!found) throw notFound('poddisruptionbudgets', 'policy', name);
  return found;
}

/** What would be stored (dryRun) or is stored. */
function preview(namespace: string, name: string, fields: ReturnType<typeof fieldsOf>, current: PodDisruptionBudgetObject | undefined, now: Date): PodDisruptionBudgetObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name,
      namespace,
      uid: current?.metadata.uid ?? '',
      resourceVersion: current?.metadata.resourceVersion ?? '',
      generation: current?.metadata.generation ?? 1,
      creationTimestamp: current?.metadata.creationTimestamp ?? timestamp(now),
      ...(fields.labels ? { labels: fields.labels } : {}),
      ...(fields.annotations ? { annotations: fields.annotations } : {}),
    },
    spec: fields.spec,
  };
}

export function createBudget(kube: KubeStore, namespace: string, object: Json, dryRun: boolean, now: Date): PodDisruptionBudgetObject {
  const metadata = (object.metadata ?? {}) as Json;
  const name = String(metadata.name ?? '');
  if (!name) throw new StatusError(422, 'Invalid', 'PodDisruptionBudget.policy "" is invalid: metadata.name: Required value: name or generateName is required', { group: 'policy', kind: 'PodDisruptionBudget' });
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) throw invalid(name, 'metadata.name', `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  if (metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  if (!kube.namespaces.has(namespace)) throw notFound('namespaces', '', namespace);
  if (kube.getPodDisruptionBudget(namespace, name)) throw new StatusError(409, 'AlreadyExists', `poddisruptionbudgets.policy "${name}" already exists`, { name, group: 'policy', kind: 'poddisruptionbudgets' });
  const fields = fieldsOf(object, name);
  return dryRun ? preview(namespace, name, fields, undefined, now) : kube.putPodDisruptionBudget(namespace, name, fields);
}

export function replaceBudget(kube: KubeStore, namespace: string, name: string, object: Json, dryRun: boolean, now: Date): PodDisruptionBudgetObject {
  const metadata = (object.metadata ?? {}) as Json;
  if (metadata.name !== undefined && metadata.name !== name) throw badRequest(`the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`);
  const current = existing(kube, namespace, name);
  if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(name);
  const fields = fieldsOf(object, name);
  return dryRun ? preview(namespace, name, fields, current, now) : kube.putPodDisruptionBudget(namespace, name, fields);
}

export function patchBudget(kube: KubeStore, namespace: string, name: string, contentType: string, patch: unknown, dryRun: boolean, now: Date): PodDisruptionBudgetObject {
  const current = existing(kube, namespace, name);
  const merged = applyPatch(contentType, current as unknown as Json, patch, { fields: { metadata: OBJECT_META_PATCH } });
  const metadata = (merged.metadata ?? {}) as Json;
  if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(name);
  if (metadata.name !== name || metadata.namespace !== namespace) throw badRequest('a patch cannot change the name or namespace of an object');
  // The status is the controller's: what a patch says of it is dropped, as the main resource's PATCH drops it.
  const { status: _status, ...rest } = merged;
  const fields = fieldsOf(rest, name);
  return dryRun ? preview(namespace, name, fields, current, now) : kube.putPodDisruptionBudget(namespace, name, fields);
}

export function deleteBudget(kube: KubeStore, namespace: string, name: string, dryRun: boolean): Json {
  const current = existing(kube, namespace, name);
  if (!dryRun) kube.deletePodDisruptionBudget(namespace, name);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: 'policy', kind: 'poddisruptionbudgets', uid: current.metadata.uid } };
}

/** The cluster's budgets (of a namespace, or all), the add-on's own in place. */
export function budgetsOf(cluster: Cluster, namespace?: string): PodDisruptionBudgetObject[] {
  reconcileAddonBudgets(cluster);
  return cluster.kube.listPodDisruptionBudgets(namespace);
}
