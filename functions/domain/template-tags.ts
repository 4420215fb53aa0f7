/**
 * The user's tags rewritten in a stack's current template, for PATCH /clusters/{name} tags: a
 * resource's own `Tags` win over stack tags, so new stack tags alone leave every resource the
 * template tags with the old values (docs/api.md, PATCH tags).
 *
 * Only the user's tags are touched, in the places CloudFormation resources keep tags: a
 * resource's `Tags` (a {Key, Value} list, or a key → value map for the types that take one), its
 * `TagSpecifications[].Tags` (a launch template's own tags) and a launch template's
 * `LaunchTemplateData.TagSpecifications[].Tags` (what its instances, volumes and interfaces
 * get; a change there is a new launch template version). The service's and AWS's tags and the
 * template's own resource tags (Name, kubernetes.io/role/elb…) stay as they are: the caller says
 * which keys are the user's. Everything else in the template is left exactly as it was, so the
 * update changes tags and nothing else. Pure: no AWS, no clock.
 */

type Json = unknown;
type JsonObject = Record<string, Json>;

export interface RetaggedTemplate {
  template: JsonObject;
  /** Logical ids of the resources whose tags changed, in template order; none means the template is as wanted. */
  changed: string[];
}

const isObject = (value: Json): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `template` with the user's tags made `userTags` on every resource: user keys (`isUserKey`) not in
 * `userTags` come off, `userTags` go on; other keys are kept. The input is not modified.
 */
export function retagTemplate(template: JsonObject, userTags: Record<string, string>, isUserKey: (key: string) => boolean): RetaggedTemplate {
  const copy = structuredClone(template);
  const changed: string[] = [];
  const resources = isObject(copy.Resources) ? copy.Resources : {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource) || !isObject(resource.Properties)) continue;
    if (retagProperties(resource.Properties, String(resource.Type), userTags, isUserKey)) changed.push(logicalId);
  }
  return { template: copy, changed };
}

/** Rewrites a resource's properties in place; true when a tag changed. */
function retagProperties(properties: JsonObject, type: string, userTags: Record<string, string>, isUserKey: (key: string) => boolean): boolean {
  let changed = false;
  const rewrite = (holder: JsonObject) => {
    const next = retagged(holder.Tags, userTags, isUserKey);
    if (next === undefined) return;
    holder.Tags = next;
    changed = true;
  };
  if ('Tags' in properties) rewrite(properties);
  for (const specification of tagSpecifications(properties)) rewrite(specification);
  if (type === 'AWS::EC2::LaunchTemplate' && isObject(properties.LaunchTemplateData)) {
    for (const specification of tagSpecifications(properties.LaunchTemplateData)) rewrite(specification);
  }
  return changed;
}

function tagSpecifications(holder: JsonObject): JsonObject[] {
  return Array.isArray(holder.TagSpecifications) ? holder.TagSpecifications.filter(isObject).filter((s) => 'Tags' in s) : [];
}

/** The tags with the user's made `userTags`, in the form they came in; undefined when nothing changes (or the form is not one tags take). */
function retagged(tags: Json, userTags: Record<string, string>, isUserKey: (key: string) => boolean): Json | undefined {
  if (Array.isArray(tags)) return retaggedList(tags, userTags, isUserKey);
  if (isObject(tags)) return retaggedMap(tags, userTags, isUserKey);
  return undefined;
}

/**
 * A {Key, Value} list: entries keep their order, unwanted user entries go, wanted values are set
 * in place and new keys follow in key order. Entries whose Key is not a plain string (an
 * intrinsic) are not the user's and stay.
 */
function retaggedList(tags: Json[], userTags: Record<string, string>, isUserKey: (key: string) => boolean): Json[] | undefined {
  const keyOf = (entry: Json) => (isObject(entry) && typeof entry.Key === 'string' ? entry.Key : undefined);
  const present = new Set(tags.map(keyOf).filter((key): key is string => key !== undefined));
  const next: Json[] = [];
  for (const entry of tags) {
    const key = keyOf(entry);
    if (key === undefined || !isUserKey(key)) next.push(entry);
    else if (key in userTags) next.push({ ...(entry as JsonObject), Value: userTags[key] });
  }
  // An Auto Scaling group's tags each say whether instances get them (PropagateAtLaunch, required):
  // a new user tag reaches the instances as the others do.
  const propagating = tags.some((entry) => isObject(entry) && entry.PropagateAtLaunch === true);
  for (const key of Object.keys(userTags).sort()) if (!present.has(key) && isUserKey(key)) next.push({ Key: key, Value: userTags[key], ...(propagating ? { PropagateAtLaunch: true } : {}) });
  return JSON.stringify(next) === JSON.stringify(tags) ? undefined : next;
}

/** A key → value map (the form some resource types take), same rules. */
function retaggedMap(tags: JsonObject, userTags: Record<string, string>, isUserKey: (key: string) => boolean): JsonObject | undefined {
  const next: JsonObject = {};
  for (const [key, value] of Object.entries(tags)) {
    if (!isUserKey(key)) next[key] = value;
    else if (key in userTags) next[key] = userTags[key];
  }
  for (const key of Object.keys(userTags).sort()) if (!(key in tags) && isUserKey(key)) next[key] = userTags[key];
  return JSON.stringify(next) === JSON.stringify(tags) ? undefined : next;
}
