/**
 * An update, as the API receives it, applied to the cluster's registered spec: the result is the
 * whole desired spec, which is validated again as a whole (schema, EKS rules, guardrails), so an
 * added nodegroup is held to exactly the rules of one given at creation.
 */
import type { ClusterChange } from '../generated/types';
import type { Spec } from './spec';

export class UnknownTargetError extends Error {
  override name = 'UnknownTargetError';
  constructor(
    readonly kind: 'nodegroup' | 'Fargate profile' | 'access entry',
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
}

const SCALING_FIELDS = ['minSize', 'maxSize', 'desiredSize'] as const;

/** The spec after `change`. Targets must exist (UnknownTargetError); bodies are checked later, in place. */
export function applyChange(current: Spec, change: ClusterChange): AppliedChange {
  const spec = structuredClone(current);
  const target = change.target ?? '';
  switch (change.action) {
    case 'ADD_NODEGROUP':
      spec.managedNodeGroups.push(change.item as never);
      return added(spec, `/managedNodeGroups/${spec.managedNodeGroups.length - 1}`);
    case 'SCALE_NODEGROUP': {
      const index = indexOf(spec.managedNodeGroups, (n) => n.name === target, 'nodegroup', target, spec.name);
      const nodegroup = spec.managedNodeGroups[index]!;
      for (const field of SCALING_FIELDS) if (change.scaling?.[field] !== undefined) nodegroup[field] = change.scaling[field];
      // An unasked desiredSize follows the new bounds, as update-cluster applies it (wantedScaling).
      if (change.scaling?.desiredSize === undefined) nodegroup.desiredSize = Math.min(Math.max(nodegroup.desiredSize, nodegroup.minSize), nodegroup.maxSize);
      return { spec, bodyPointer: `/managedNodeGroups/${index}`, changed: SCALING_FIELDS.filter((f) => change.scaling?.[f] !== undefined).map((f) => `/managedNodeGroups/${index}/${f}`) };
    }
    case 'REMOVE_NODEGROUP':
      spec.managedNodeGroups.splice(indexOf(spec.managedNodeGroups, (n) => n.name === target, 'nodegroup', target, spec.name), 1);
      return { spec, changed: [] };
    case 'ADD_FARGATE_PROFILE':
      spec.fargateProfiles.push(change.item as never);
      return added(spec, `/fargateProfiles/${spec.fargateProfiles.length - 1}`);
    case 'REMOVE_FARGATE_PROFILE':
      spec.fargateProfiles.splice(indexOf(spec.fargateProfiles, (p) => p.name === target, 'Fargate profile', target, spec.name), 1);
      // The `fargate: true` shorthand would bring fp-default back on normalisation.
      spec.fargate = false;
      return { spec, changed: [] };
    case 'ADD_ACCESS_ENTRY':
      if (change.itemKind === 'identityMapping') {
        spec.identityMappings.push(change.item as never);
        return added(spec, `/identityMappings/${spec.identityMappings.length - 1}`);
      }
      spec.accessEntries.push(change.item as never);
      return added(spec, `/accessEntries/${spec.accessEntries.length - 1}`);
    case 'REMOVE_ACCESS_ENTRY': {
      const entries = spec.accessEntries.filter((e) => e.principalArn !== target);
      const mappings = spec.identityMappings.filter((m) => m.arn !== target);
      if (entries.length === spec.accessEntries.length && mappings.length === spec.identityMappings.length) throw new UnknownTargetError('access entry', target, spec.name);
      return { spec: { ...spec, accessEntries: entries, identityMappings: mappings }, changed: [] };
    }
    case 'SET_ENDPOINT_ACCESS':
      return { spec: { ...spec, endpointAccess: change.endpointAccess }, bodyPointer: '/endpointAccess', changed: ['/endpointAccess'] };
  }
}

const added = (spec: unknown, pointer: string): AppliedChange => ({ spec, bodyPointer: pointer, changed: [pointer] });

function indexOf<T>(items: T[], matches: (item: T) => boolean, kind: UnknownTargetError['kind'], target: string, cluster: string): number {
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
