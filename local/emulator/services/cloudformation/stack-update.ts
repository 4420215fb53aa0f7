/**
 * UpdateStack as far as the local emulator takes it: new stack tags, and a template whose only
 * differences from the current one are changes CloudFormation makes without replacing anything,
 * with the same parameter values:
 * - any resource's own tags (a resource's `Tags`, a launch template's `TagSpecifications` and its
 *   `LaunchTemplateData.TagSpecifications`);
 * - a launch template's `LaunchTemplateData` InstanceType, ImageId and UserData: a new version;
 * - an Auto Scaling group's MinSize, MaxSize and DesiredCapacity (the group launches or scales
 *   in), and its launch template Version, which a `Fn::GetAtt [Template, LatestVersionNumber]`
 *   re-resolves to when the template got a new version in the same update (running instances
 *   keep theirs, as without an UpdatePolicy);
 * - an IAM role's `ManagedPolicyArns` (detached and attached).
 * CloudFormation then tags every resource that takes tags with the new stack tags (and takes the
 * old ones off), a resource's own tags winning over stack tags. Each resource that changes goes
 * UPDATE_IN_PROGRESS → UPDATE_COMPLETE, in dependency order, the stack UPDATE_IN_PROGRESS →
 * UPDATE_COMPLETE_CLEANUP_IN_PROGRESS → UPDATE_COMPLETE. A resource whose service refuses the
 * change is UPDATE_FAILED with the service's reason, and the stack rolls back: the stack
 * UPDATE_ROLLBACK_IN_PROGRESS, the resources already changed (and the failed one) updated back
 * to the previous template, UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS →
 * UPDATE_ROLLBACK_COMPLETE. When nothing would change, the call fails with "No updates are to be
 * performed.". A resource removed from the template (with outputs removed, none changed or added)
 * is deleted once the rest is updated, while the stack is UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, as
 * CloudFormation deletes it (a rollback before then leaves it as it was); a removed output's export
 * that another stack imports refuses the update. Any other template change (a resource added or
 * otherwise changed, another section) is refused: the local emulator does not replace resources. This module has the rules
 * and where each resource type keeps its tags; engine.ts runs the update.
 */
import { EmulatorError } from '../../protocol';
import type { World } from '../../world';
import type { Template } from './template';

export interface UpdateStackRequest {
  stackName?: string;
  usePreviousTemplate: boolean;
  templateBody?: string;
  templateUrl?: string;
  parameters: Array<{ key: string; value?: string; usePreviousValue?: boolean }>;
  /** Undefined: the stack keeps its tags (as AWS does when Tags is not passed). */
  tags?: Array<{ Key: string; Value: string }>;
  capabilities: string[];
  clientRequestToken?: string;
}

/** Stack statuses UpdateStack starts from (AWS lists these as the stable, updatable ones). */
export const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);
/** A stack saved in one of these resumes its update (or its rollback) after a restart. */
export const UPDATING = new Set(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS']);
/** Of UPDATING, those rolling back. */
export const ROLLING_BACK = new Set(['UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS']);

const validation = (message: string) => new EmulatorError(400, 'ValidationError', message);

/** The tag list as a map. */
export function tagMap(tags: ReadonlyArray<{ Key: string; Value: string }>): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

/**
 * The request's own rules (template given one way, parameters kept): the local emulator changes
 * no parameter value, since that could change more than it changes in place.
 */
export function checkUpdateRequest(request: UpdateStackRequest, stack: { parameters: Array<{ key: string; raw: string }> }): void {
  if (request.usePreviousTemplate && (request.templateBody !== undefined || request.templateUrl !== undefined)) {
    throw validation('You cannot specify both usePreviousTemplate and Template Body/Template URL');
  }
  if (!request.usePreviousTemplate) {
    if (request.templateUrl !== undefined) throw validation('TemplateURL is not supported by the local emulator: pass the template as TemplateBody');
    if (request.templateBody === undefined) throw validation('Either Template URL or Template Body must be specified.');
  }
  for (const given of request.parameters) {
    const current = stack.parameters.find((p) => p.key === given.key);
    if (!current) throw validation(`Parameters: [${given.key}] do not exist in the template`);
    if (given.usePreviousValue === true && given.value !== undefined) throw validation(`Invalid input for parameter key ${given.key}. Cannot specify usePreviousValue as true and non empty value for a parameter`);
    if (given.usePreviousValue !== true && given.value !== current.raw) throw validation('The local emulator cannot change parameter values in place: pass each with UsePreviousValue');
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What the local emulator changes in place besides tags: a launch template's instance type, image
 * and user data (a new version, as CloudFormation makes for any change of LaunchTemplateData), an
 * Auto Scaling group's sizes and launch template version (UpdateAutoScalingGroup, the group kept),
 * a role's managed policies (attached and detached, the role kept: CloudFormation updates
 * ManagedPolicyArns without replacement).
 */
export function inPlacePaths(type: string): string[][] {
  if (type === LAUNCH_TEMPLATE) return [...tagPaths(type), ...['InstanceType', 'ImageId', 'UserData'].map((p) => ['LaunchTemplateData', p])];
  if (type === AUTO_SCALING_GROUP) return [...tagPaths(type), ['MinSize'], ['MaxSize'], ['DesiredCapacity'], ['LaunchTemplate', 'Version'], ['MixedInstancesPolicy', 'LaunchTemplate', 'LaunchTemplateSpecification', 'Version']];
  if (type === IAM_ROLE) return [...tagPaths(type), ['ManagedPolicyArns']];
  return tagPaths(type);
}

/**
 * Where a resource declaration of `type` keeps its own tags, as property paths: every type's
 * `Tags`; a launch template's `TagSpecifications` (its own tags) and `LaunchTemplateData.TagSpecifications`
 * (its instances', volumes' and interfaces', a change of which is a new version).
 */
export function tagPaths(type: string): string[][] {
  return type === LAUNCH_TEMPLATE ? [['Tags'], ['TagSpecifications'], ['LaunchTemplateData', 'TagSpecifications']] : [['Tags']];
}

const LAUNCH_TEMPLATE = 'AWS::EC2::LaunchTemplate';
const IAM_ROLE = 'AWS::IAM::Role';
const AUTO_SCALING_GROUP = 'AWS::AutoScaling::AutoScalingGroup';

/** The value at `path` under `properties`, undefined when absent. */
export function valueAt(properties: unknown, path: string[]): unknown {
  let value = properties;
  for (const part of path) value = isObject(value) ? value[part] : undefined;
  return value;
}

/** A copy of `properties` with `value` at `path` (deleted when undefined); the objects on the way are copied, not shared. */
export function withValueAt(properties: Json, path: string[], value: unknown): Json {
  const [head, ...rest] = path;
  if (head === undefined) return properties;
  const copy = { ...properties };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
  } else if (isObject(copy[head])) {
    copy[head] = withValueAt(copy[head], rest, value);
  } else if (value !== undefined) {
    copy[head] = withValueAt({}, rest, value);
  }
  return copy;
}

/** JSON with object keys sorted, so two declarations compare by content, not key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

/** A resource declaration without what may change in place (inPlacePaths). */
function untagged(resource: unknown): string {
  if (!isObject(resource)) return canonical(resource);
  const type = String(resource.Type);
  let properties = isObject(resource.Properties) ? resource.Properties : undefined;
  if (properties) for (const path of inPlacePaths(type)) properties = withValueAt(properties, path, undefined);
  return canonical({ ...resource, ...(properties ? { Properties: properties } : {}) });
}

const cannotChange = (what: string) =>
  validation(
    `The local emulator cannot make that change in place: ${what}. It updates resources' tags (Tags, and a launch template's TagSpecifications), a launch template's InstanceType, ImageId and UserData, an Auto Scaling group's MinSize, MaxSize, DesiredCapacity and launch template Version, and a role's ManagedPolicyArns; delete and create the stack for other changes.`,
  );

/** What an update does to the stack's resources and outputs. */
export interface TemplateChanges {
  /** The resources changed in place (inPlacePaths), in the new template's order. */
  changed: string[];
  /** The resources the new template no longer declares: deleted in the cleanup. */
  removed: string[];
  /** The outputs it no longer declares. */
  removedOutputs: string[];
}

/**
 * The resources whose declarations differ between the stack's template and `next` in what
 * changes in place (inPlacePaths), and the resources and outputs `next` drops; a ValidationError
 * naming the resource (or section) for any other difference.
 */
export function templateChanges(current: Template, next: Template): TemplateChanges {
  for (const section of ['AWSTemplateFormatVersion', 'Description', 'Parameters', 'Mappings', 'Conditions'] as const) {
    if (canonical(current[section]) !== canonical(next[section])) throw cannotChange(`the template's ${section} section changes`);
  }
  for (const [name, output] of Object.entries(next.Outputs)) {
    if (canonical(current.Outputs[name]) !== canonical(output)) throw cannotChange(`the template's Outputs section changes (output ${name} is added or changed)`);
  }
  const removed = Object.keys(current.Resources).filter((id) => !(id in next.Resources));
  const removedOutputs = Object.keys(current.Outputs).filter((name) => !(name in next.Outputs));
  const changed: string[] = [];
  for (const [id, resource] of Object.entries(next.Resources)) {
    const before = current.Resources[id];
    if (!before) throw cannotChange(`resource ${id} is added`);
    if (before.Type !== resource.Type) throw cannotChange(`resource ${id} changes type from ${before.Type} to ${resource.Type}`);
    if (untagged(before) !== untagged(resource)) throw cannotChange(`resource ${id} (${resource.Type}) changes more than the local emulator changes in place`);
    if (inPlacePaths(resource.Type).some((path) => canonical(valueAt(before.Properties, path)) !== canonical(valueAt(resource.Properties, path)))) changed.push(id);
  }
  return { changed, removed, removedOutputs };
}

/**
 * A resource's own tags from its (evaluated) properties: a launch template's are in its
 * launch-template TagSpecification, every other type's in Tags.
 */
export function ownTags(type: string, properties: Json): Record<string, string> {
  if (type === LAUNCH_TEMPLATE) {
    const specifications = Array.isArray(properties.TagSpecifications) ? properties.TagSpecifications.filter(isObject) : [];
    return tagMap(tagList(specifications.find((s) => s.ResourceType === 'launch-template')?.Tags));
  }
  return tagMap(tagList(properties.Tags));
}

/** A Tags value as a list (the EKS and EC2 forms are Key/Value lists; a map is taken too). */
export function tagList(value: unknown): Array<{ Key: string; Value: string }> {
  if (Array.isArray(value)) return value.filter(isObject).map((t) => ({ Key: String(t.Key), Value: String(t.Value) }));
  if (isObject(value)) return Object.entries(value).map(([Key, Value]) => ({ Key, Value: String(Value) }));
  return [];
}

/** Whether the launch template's data (what its instances get) changed: CloudFormation makes a new version then. */
export function launchTemplateDataChanged(type: string, before: Json, after: Json): boolean {
  return type === LAUNCH_TEMPLATE && canonical(before.LaunchTemplateData) !== canonical(after.LaunchTemplateData);
}

/** Whether `type` is a role, whose managed policies an update attaches and detaches. */
export const isRole = (type: string): boolean => type === IAM_ROLE;

/** Whether `type` is an Auto Scaling group, which an update resizes (stack-groups.ts). */
export const isAutoScalingGroup = (type: string): boolean => type === AUTO_SCALING_GROUP;

/**
 * A resource's tags after the stack tags change from `before` to `after` and its own tags (the
 * template's) from `ownBefore` to `ownAfter`: old stack tags and old own tags no longer given come
 * off, the new ones go on, and the resource's own tags win over stack tags.
 */
export function retagged(
  current: Record<string, string>,
  before: Record<string, string>,
  after: Record<string, string>,
  ownBefore: Record<string, string>,
  ownAfter: Record<string, string>,
): Record<string, string> {
  const next = { ...current };
  for (const key of [...Object.keys(before), ...Object.keys(ownBefore)]) if (!(key in after) && !(key in ownAfter)) delete next[key];
  return { ...next, ...after, ...ownAfter };
}

/** Where a resource of a stack keeps its tags in the emulated account, when its type takes them. */
export function tagHolder(world: World, type: string, physicalId: string): { tags: Record<string, string> } | undefined {
  switch (type) {
    case 'AWS::EC2::VPC':
      return world.ec2.vpcs.get(physicalId);
    case 'AWS::EC2::Subnet':
      return world.ec2.subnets.get(physicalId);
    case 'AWS::EC2::SecurityGroup':
      return world.ec2.securityGroups.get(physicalId);
    case 'AWS::IAM::Role':
      return world.iam.roles.get(physicalId);
    case 'AWS::EKS::Cluster':
      return world.eks?.clusterTagsForStack?.(physicalId);
    // Instances it launches from then on carry the new tags; running ones keep theirs, as in Auto Scaling.
    case 'AWS::AutoScaling::AutoScalingGroup':
      return world.autoScaling.groups.get(physicalId);
    default: {
      const other = world.ec2.other.get(physicalId);
      return other?.type === type ? other : undefined;
    }
  }
}
