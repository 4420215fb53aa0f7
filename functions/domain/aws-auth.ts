/**
 * The aws-auth ConfigMap the eksctl way (`eksctl create iamidentitymapping`): mapRoles and
 * mapUsers are YAML lists inside the ConfigMap's data. Merging keeps every entry we did not ask
 * for — EKS adds node and Fargate roles itself, and removing them would orphan the nodes.
 */
import { dump, load } from 'js-yaml';
import type { IdentityMappingSpec } from './spec';

export interface RoleMapping {
  rolearn: string;
  username?: string;
  groups?: string[];
}
export interface UserMapping {
  userarn: string;
  username?: string;
  groups?: string[];
}
export type AwsAuthData = Record<string, string>;

function parseList<T>(text: string | undefined, key: string): T[] {
  if (!text || !text.trim()) return [];
  const parsed: unknown = load(text);
  if (!Array.isArray(parsed)) throw new Error(`aws-auth ${key} is not a YAML list`);
  return parsed as T[];
}

function isRole(arn: string): boolean {
  return /:role\//.test(arn);
}

function entry(mapping: IdentityMappingSpec) {
  return {
    ...(mapping.username ? { username: mapping.username } : {}),
    ...(mapping.groups.length ? { groups: mapping.groups } : {}),
  };
}

/**
 * Returns the new data, or undefined when every wanted mapping is already present as asked
 * (so a retried step makes no write).
 */
export function mergeIdentityMappings(current: AwsAuthData | undefined, wanted: IdentityMappingSpec[]): AwsAuthData | undefined {
  const roles = parseList<RoleMapping>(current?.mapRoles, 'mapRoles');
  const users = parseList<UserMapping>(current?.mapUsers, 'mapUsers');
  let changed = false;
  for (const mapping of wanted) {
    const desired = entry(mapping);
    if (isRole(mapping.arn)) changed = upsert(roles, 'rolearn', mapping.arn, desired) || changed;
    else changed = upsert(users, 'userarn', mapping.arn, desired) || changed;
  }
  if (!changed) return undefined;
  return {
    ...(current ?? {}),
    mapRoles: dump(roles),
    ...(users.length || current?.mapUsers !== undefined ? { mapUsers: dump(users) } : {}),
  };
}

function upsert<K extends 'rolearn' | 'userarn'>(list: Array<Record<K, string> & { username?: string; groups?: string[] }>, key: K, arn: string, desired: { username?: string; groups?: string[] }): boolean {
  const index = list.findIndex((item) => item[key] === arn);
  const next = { [key]: arn, ...desired } as Record<K, string> & { username?: string; groups?: string[] };
  if (index === -1) {
    list.push(next);
    return true;
  }
  if (sameEntry(list[index]!, next)) return false;
  list[index] = next;
  return true;
}

/** Key order carries no meaning: eksctl and hand edits write `groups` before `rolearn`. */
function sameEntry(a: object, b: object): boolean {
  const canonical = (entry: object) => JSON.stringify(Object.entries(entry).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return canonical(a) === canonical(b);
}

/** Groups EKS gives the roles of nodes and Fargate pods: removing such a mapping cuts them off the cluster. */
const NODE_GROUPS = ['system:nodes', 'system:bootstrappers', 'system:node-proxier'];

export interface FoundMapping {
  arn: string;
  username?: string;
  groups: string[];
  /** A node or Fargate pod role's mapping (EKS's own), which the service never removes. */
  node: boolean;
}

/** The mapping of `arn` in mapRoles or mapUsers, if any. */
export function findIdentityMapping(current: AwsAuthData | undefined, arn: string): FoundMapping | undefined {
  const found =
    parseList<RoleMapping>(current?.mapRoles, 'mapRoles').find((m) => m.rolearn === arn) ?? parseList<UserMapping>(current?.mapUsers, 'mapUsers').find((m) => m.userarn === arn);
  if (!found) return undefined;
  const groups = found.groups ?? [];
  return { arn, ...(found.username ? { username: found.username } : {}), groups, node: groups.some((g) => NODE_GROUPS.includes(g)) };
}

/** The data without `arn`'s mapping, or undefined when it has none (so a retried step makes no write). */
export function removeIdentityMapping(current: AwsAuthData | undefined, arn: string): AwsAuthData | undefined {
  const roles = parseList<RoleMapping>(current?.mapRoles, 'mapRoles');
  const users = parseList<UserMapping>(current?.mapUsers, 'mapUsers');
  const keptRoles = roles.filter((m) => m.rolearn !== arn);
  const keptUsers = users.filter((m) => m.userarn !== arn);
  if (keptRoles.length === roles.length && keptUsers.length === users.length) return undefined;
  return {
    ...(current ?? {}),
    ...(keptRoles.length !== roles.length ? { mapRoles: dump(keptRoles) } : {}),
    ...(keptUsers.length !== users.length ? { mapUsers: dump(keptUsers) } : {}),
  };
}
