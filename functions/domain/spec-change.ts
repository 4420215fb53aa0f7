/**
 * An update, as the API receives it, applied to the cluster's registered spec: the result is the
 * whole desired spec, which is validated again as a whole (schema, EKS rules, guardrails), so an
 * added nodegroup is held to exactly the rules of one given at creation.
 */
import type { ClusterChange, RequestedChangeAction } from '../generated/types';
import { CHANGE_ACTIONS } from './change-actions';
import type { SpecProblem } from '../shared/errors';
import { settingsTransitionProblems } from './cluster-settings';
import type { NodegroupUpdate } from './nodegroup-update';
import { associationKey, POD_IDENTITY_AGENT_ADDON } from './pod-identity';
import { CLUSTER_SETTING_FIELDS, type AccessEntrySpec, type AddonSpec, type ClusterSettings, type FargateProfileSpec, type IdentityMappingSpec, type NodegroupSpec, type PodIdentityAssociationSpec, type SelfManagedNodegroupSpec, type Spec } from './spec';

/** A change as a route asks for it: the action, the path's target, the request body as sent. */
export interface ChangeRequest {
  action: RequestedChangeAction;
  target?: string;
  body?: Record<string, unknown>;
  /** DELETE …/addons/{addon}?preserve=true: keep the add-on's Kubernetes resources. */
  preserve?: boolean;
  /** POST …/nodegroups?managed=false: the body is a self-managed nodegroup. */
  selfManaged?: boolean;
}

export class UnknownTargetError extends Error {
  override name = 'UnknownTargetError';
  constructor(
    readonly kind: string,
    readonly target: string,
    cluster: string,
  ) {
    super(`cluster ${cluster} has no ${kind} ${target}`);
  }
}

export interface AppliedChange {
  /** The whole desired spec after the change (not yet validated). */
  spec: unknown;
  /**
   * Where the request body sits in that spec (e.g. /managedNodeGroups/2), so a problem found in
   * the whole spec is reported at the body's own pointer.
   */
  bodyPointer?: string;
  /** What the change sets, as pointers into the spec: guardrails judge these (and the node total), not what was there before. */
  changed: string[];
  /** The change update-cluster makes, from the desired spec once validated and normalised (an added item with its defaults). */
  change: (desired: Spec) => ClusterChange;
  /** What the change may not do from the current spec, whatever the desired one says (EKS's one-way settings). */
  problems?: SpecProblem[];
}

export const SCALING_FIELDS = ['minSize', 'maxSize', 'desiredSize'] as const;
/**
 * What PATCH /clusters/{name}/nodegroups/{nodegroup} changes besides the sizes (instanceTypes: to
 * one type, of a nodegroup made with one, nodegroupInstanceTypeProblems); the rest needs a new nodegroup.
 */
export const NODEGROUP_SETTING_FIELDS = ['labels', 'taints', 'updateConfig', 'releaseVersion', 'instanceTypes'] as const;
/** What PATCH /clusters/{name}/nodegroups/{nodegroup} changes on a self-managed nodegroup besides the sizes: each a new launch template version its nodes are moved to. */
export const SELF_MANAGED_SETTING_FIELDS = ['ami', 'labels', 'taints'] as const;
/** What PATCH /clusters/{name}/addons/{addon} may change. */
export const ADDON_FIELDS = ['version', 'configurationValues'] as const;

/**
 * EKS changes a nodegroup's instance type only through its launch template, which holds one type
 * and only when CreateNodegroup was given none: so one type asked, of a nodegroup made with one
 * (create-nodegroup.ts puts a lone type in the launch template). Several types are CreateNodegroup's
 * for good. What only the live nodegroup shows (an older one made with CreateNodegroup's type) the
 * step refuses.
 */
export function nodegroupInstanceTypeProblems(current: NodegroupSpec, asked: unknown, at: string): SpecProblem[] {
  if (!Array.isArray(asked)) return [];
  const replace = `add a nodegroup with the new instance types and remove ${current.name}`;
  if (asked.length > 1) return [{ pointer: `${at}/instanceTypes`, message: `a running nodegroup can change to one instance type only, which its launch template carries; several can only be given to a new nodegroup: ${replace}` }];
  if (current.instanceTypes.length > 1 && JSON.stringify(asked) !== JSON.stringify(current.instanceTypes)) {
    return [{ pointer: `${at}/instanceTypes`, message: `nodegroup ${current.name} was created with several instance types (${current.instanceTypes.join(', ')}), which EKS never changes: ${replace}` }];
  }
  return [];
}

/** The spec after `request`. Targets must exist (UnknownTargetError); bodies are checked later, in place. */
export function applyChange(current: Spec, request: ChangeRequest): AppliedChange {
  const spec = structuredClone(current);
  const target = request.target ?? '';
  const body = request.body ?? {};
  const find = <T>(items: T[], matches: (item: T) => boolean) => indexOf(items, matches, CHANGE_ACTIONS[request.action].targetKind, target, spec.name);
  switch (request.action) {
    case 'ADD_NODEGROUP': {
      if (request.selfManaged) {
        const at = spec.selfManagedNodeGroups.push(body as unknown as SelfManagedNodegroupSpec) - 1;
        return added(spec, `/selfManagedNodeGroups/${at}`, (desired) => ({ action: 'ADD_SELF_MANAGED_NODEGROUP', target: desired.selfManagedNodeGroups[at]!.name, item: desired.selfManagedNodeGroups[at]! }));
      }
      const at = spec.managedNodeGroups.push(body as unknown as NodegroupSpec) - 1;
      return added(spec, `/managedNodeGroups/${at}`, (desired) => ({ action: 'ADD_NODEGROUP', target: desired.managedNodeGroups[at]!.name, item: desired.managedNodeGroups[at]! }));
    }
    case 'UPDATE_NODEGROUP': {
      const selfManaged = spec.selfManagedNodeGroups.findIndex((n) => n.name === target);
      if (selfManaged >= 0) return updateSelfManagedNodegroup(spec, selfManaged, body);
      const index = find(spec.managedNodeGroups, (n) => n.name === target);
      const nodegroup = spec.managedNodeGroups[index]!;
      const scaling = Object.fromEntries(SCALING_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f] as number]));
      Object.assign(nodegroup, scaling);
      // An unasked desiredSize follows the new bounds, as update-cluster applies it (wantedScaling).
      if (scaling.desiredSize === undefined) nodegroup.desiredSize = Math.min(Math.max(nodegroup.desiredSize, nodegroup.minSize), nodegroup.maxSize);
      // Labels and taints given are the whole new set; updateConfig and releaseVersion replace the spec's.
      const settings = NODEGROUP_SETTING_FIELDS.filter((f) => body[f] !== undefined);
      Object.assign(nodegroup, Object.fromEntries(settings.map((field) => [field, body[field]])));
      const changed = [...Object.keys(scaling), ...settings].map((f) => `/managedNodeGroups/${index}/${f}`);
      const asked = (field: (typeof NODEGROUP_SETTING_FIELDS)[number]) => settings.includes(field);
      const update = (desired: Spec): NodegroupUpdate => {
        const after = desired.managedNodeGroups[index]!;
        return {
          ...(Object.keys(scaling).length ? { scaling } : {}),
          ...(asked('labels') ? { labels: after.labels } : {}),
          ...(asked('taints') ? { taints: after.taints } : {}),
          ...(asked('updateConfig') && after.updateConfig ? { updateConfig: after.updateConfig } : {}),
          ...(asked('releaseVersion') && after.releaseVersion ? { releaseVersion: after.releaseVersion } : {}),
          ...(asked('instanceTypes') ? { instanceTypes: after.instanceTypes } : {}),
        };
      };
      const problems = [
        ...nodegroupInstanceTypeProblems(current.managedNodeGroups[index]!, body.instanceTypes, `/managedNodeGroups/${index}`),
        ...(body.ami !== undefined ? [{ pointer: `/managedNodeGroups/${index}/ami`, message: `nodegroup ${target} is managed: EKS picks its AMI, which changes with releaseVersion (or a version upgrade)` }] : []),
      ];
      return { spec, bodyPointer: `/managedNodeGroups/${index}`, changed, change: (desired) => ({ action: 'UPDATE_NODEGROUP', target, update: update(desired) }), ...(problems.length ? { problems } : {}) };
    }
    case 'REMOVE_NODEGROUP': {
      const selfManaged = spec.selfManagedNodeGroups.findIndex((n) => n.name === target);
      if (selfManaged >= 0) {
        spec.selfManagedNodeGroups.splice(selfManaged, 1);
        return removed(spec, { action: 'REMOVE_SELF_MANAGED_NODEGROUP', target });
      }
      spec.managedNodeGroups.splice(find(spec.managedNodeGroups, (n) => n.name === target), 1);
      return removed(spec, { action: 'REMOVE_NODEGROUP', target });
    }
    case 'ADD_FARGATE_PROFILE': {
      const at = spec.fargateProfiles.push(body as unknown as FargateProfileSpec) - 1;
      return added(spec, `/fargateProfiles/${at}`, (desired) => ({ action: 'ADD_FARGATE_PROFILE', target: desired.fargateProfiles[at]!.name, item: desired.fargateProfiles[at]! }));
    }
    case 'REMOVE_FARGATE_PROFILE':
      spec.fargateProfiles.splice(find(spec.fargateProfiles, (p) => p.name === target), 1);
      // The `fargate: true` shorthand would bring fp-default back on normalisation.
      spec.fargate = false;
      return removed(spec, { action: 'REMOVE_FARGATE_PROFILE', target });
    case 'ADD_ACCESS_ENTRY': {
      if ('arn' in body) {
        const at = spec.identityMappings.push(body as unknown as IdentityMappingSpec) - 1;
        return added(spec, `/identityMappings/${at}`, (desired) => ({ action: 'ADD_ACCESS_ENTRY', target: desired.identityMappings[at]!.arn, item: desired.identityMappings[at]! }));
      }
      const at = spec.accessEntries.push(body as unknown as AccessEntrySpec) - 1;
      return added(spec, `/accessEntries/${at}`, (desired) => ({ action: 'ADD_ACCESS_ENTRY', target: desired.accessEntries[at]!.principalArn, item: desired.accessEntries[at]! }));
    }
    case 'REMOVE_ACCESS_ENTRY': {
      const entries = spec.accessEntries.filter((e) => e.principalArn !== target);
      const mappings = spec.identityMappings.filter((m) => m.arn !== target);
      if (entries.length === spec.accessEntries.length && mappings.length === spec.identityMappings.length) throw new UnknownTargetError('access entry', target, spec.name);
      return removed({ ...spec, accessEntries: entries, identityMappings: mappings }, { action: 'REMOVE_ACCESS_ENTRY', target });
    }
    case 'SET_ENDPOINT_ACCESS':
      return { spec: { ...spec, endpointAccess: body }, bodyPointer: '/endpointAccess', changed: ['/endpointAccess'], change: (desired) => ({ action: 'SET_ENDPOINT_ACCESS', endpointAccess: desired.endpointAccess }) };
    case 'UPDATE_SETTINGS': {
      // Each field given replaces the spec's (tags too: the map given is the whole new set of the user's tags).
      const asked = CLUSTER_SETTING_FIELDS.filter((field) => body[field] !== undefined);
      const merged: Record<string, unknown> = { ...spec };
      // iam merges into the spec's (absent withOIDC: as it is), as PATCH reads; the other fields replace.
      for (const field of asked) merged[field] = field === 'iam' ? { ...spec.iam, ...(body.iam as object) } : body[field];
      const settings = (desired: Spec): ClusterSettings => Object.fromEntries(asked.map((field) => [field, desired[field]]));
      return { spec: merged, changed: asked.map((field) => `/${field}`), change: (desired) => ({ action: 'UPDATE_SETTINGS', settings: settings(desired) }), problems: settingsTransitionProblems(current, body) };
    }
    case 'ADD_ADDON': {
      const at = spec.addons.push(body as unknown as AddonSpec) - 1;
      return added(spec, `/addons/${at}`, (desired) => ({ action: 'ADD_ADDON', target: desired.addons[at]!.name, item: desired.addons[at]! }));
    }
    case 'UPDATE_ADDON': {
      const index = find(spec.addons, (a) => a.name === target);
      const asked = ADDON_FIELDS.filter((f) => body[f] !== undefined);
      for (const field of asked) spec.addons[index]![field] = body[field] as string;
      const changes = (desired: Spec) => Object.fromEntries(asked.map((f) => [f, desired.addons[index]![f]]));
      return { spec, bodyPointer: `/addons/${index}`, changed: asked.map((f) => `/addons/${index}/${f}`), change: (desired) => ({ action: 'UPDATE_ADDON', target, changes: changes(desired) }) };
    }
    case 'REMOVE_ADDON': {
      spec.addons.splice(find(spec.addons, (a) => a.name === target), 1);
      const problems = target === POD_IDENTITY_AGENT_ADDON ? podIdentityAgentNeeded(current, 'remove it') : [];
      return { ...removed(spec, { action: 'REMOVE_ADDON', target, preserve: request.preserve === true }), ...(problems.length ? { problems } : {}) };
    }
    case 'ADD_POD_IDENTITY_ASSOCIATION': {
      const at = spec.podIdentityAssociations.push(body as unknown as PodIdentityAssociationSpec) - 1;
      // Normalisation would list the agent add-on without anything installing it: ask for it first.
      const problems = current.addons.some((a) => a.name === POD_IDENTITY_AGENT_ADDON) ? [] : [{ pointer: '/addons', message: `the cluster has no ${POD_IDENTITY_AGENT_ADDON} add-on, which serves pods their association's credentials: add it first (POST /clusters/${current.name}/addons {"name": "${POD_IDENTITY_AGENT_ADDON}"})` }];
      const change: AppliedChange['change'] = (desired) => ({ action: 'ADD_POD_IDENTITY_ASSOCIATION', target: associationKey(desired.podIdentityAssociations[at]!), item: desired.podIdentityAssociations[at]! });
      return { ...added(spec, `/podIdentityAssociations/${at}`, change), ...(problems.length ? { problems } : {}) };
    }
    case 'REMOVE_POD_IDENTITY_ASSOCIATION':
      spec.podIdentityAssociations.splice(find(spec.podIdentityAssociations, (a) => associationKey(a) === target), 1);
      return removed(spec, { action: 'REMOVE_POD_IDENTITY_ASSOCIATION', target });
  }
}

/**
 * A self-managed nodegroup's sizes (its Auto Scaling group's, all three as the desired spec has
 * them: the stack holds them, not a running update) and its AMI, labels and taints (a new launch
 * template version). What only EKS does for managed nodegroups is refused by name.
 */
function updateSelfManagedNodegroup(spec: Spec, index: number, body: Record<string, unknown>): AppliedChange {
  const at = `/selfManagedNodeGroups/${index}`;
  const nodegroup = spec.selfManagedNodeGroups[index]!;
  const managedOnly = NODEGROUP_SETTING_FIELDS.filter((field) => body[field] !== undefined && !(SELF_MANAGED_SETTING_FIELDS as readonly string[]).includes(field));
  const problems: SpecProblem[] = managedOnly.map((field) => ({
    pointer: `${at}/${field}`,
    message:
      field === 'instanceTypes'
        ? `a self-managed nodegroup's instance types are its launch template's and Auto Scaling group's for good: add a nodegroup with the new types and remove ${nodegroup.name}`
        : `is a managed nodegroup's setting; ${nodegroup.name} is self-managed (its AMI changes with ami)`,
  }));
  const scaling = SCALING_FIELDS.filter((f) => body[f] !== undefined);
  for (const field of scaling) nodegroup[field] = body[field] as number;
  if (!scaling.includes('desiredSize')) nodegroup.desiredSize = Math.min(Math.max(nodegroup.desiredSize, nodegroup.minSize), nodegroup.maxSize);
  const settings = SELF_MANAGED_SETTING_FIELDS.filter((f) => body[f] !== undefined);
  Object.assign(nodegroup, Object.fromEntries(settings.map((field) => [field, body[field]])));
  const target = nodegroup.name;
  const change = (desired: Spec): ClusterChange => {
    const after = desired.selfManagedNodeGroups[index]!;
    return {
      action: 'UPDATE_SELF_MANAGED_NODEGROUP',
      target,
      update: {
        ...(scaling.length ? { scaling: { minSize: after.minSize, maxSize: after.maxSize, desiredSize: after.desiredSize } } : {}),
        ...(settings.includes('ami') && after.ami ? { ami: after.ami } : {}),
        ...(settings.includes('labels') ? { labels: after.labels } : {}),
        ...(settings.includes('taints') ? { taints: after.taints } : {}),
      },
    };
  };
  return { spec, bodyPointer: at, changed: [...scaling, ...settings].map((f) => `${at}/${f}`), change, ...(problems.length ? { problems } : {}) };
}

/** While the cluster has associations, the agent add-on stays (normalisation would put it back in the spec, uninstalled). */
function podIdentityAgentNeeded(current: Spec, what: string): SpecProblem[] {
  if (current.podIdentityAssociations.length === 0) return [];
  return [{ pointer: '', message: `cannot ${what}: the cluster's Pod Identity associations (${current.podIdentityAssociations.map(associationKey).join(', ')}) need ${POD_IDENTITY_AGENT_ADDON}; remove them first` }];
}

const added = (spec: unknown, pointer: string, change: AppliedChange['change']): AppliedChange => ({ spec, bodyPointer: pointer, changed: [pointer], change });
const removed = (spec: unknown, change: ClusterChange): AppliedChange => ({ spec, changed: [], change: () => change });

function indexOf<T>(items: T[], matches: (item: T) => boolean, kind: string, target: string, cluster: string): number {
  const index = items.findIndex(matches);
  if (index < 0) throw new UnknownTargetError(kind, target, cluster);
  return index;
}

/** A problem's pointer in the whole spec, relative to the request body when it lies inside it. */
export function pointerInBody(pointer: string, bodyPointer: string | undefined): string {
  if (bodyPointer === undefined) return pointer;
  if (pointer === bodyPointer) return '';
  return pointer.startsWith(`${bodyPointer}/`) ? pointer.slice(bodyPointer.length) : pointer;
}
