/**
 * The three PATCH content types kube-apiserver accepts for built-in kinds:
 * - JSON merge patch (RFC 7386, `application/merge-patch+json`): maps merge, null deletes, lists replace.
 * - Strategic merge patch (`application/strategic-merge-patch+json`, kubectl's default and what
 *   `kubectl apply` and `kubectl edit` send): a merge patch whose lists may merge by a key the
 *   schema declares (`x-kubernetes-patch-merge-key`), with the directives `$patch`
 *   (replace/delete/merge), `$retainKeys`, `$setElementOrder/<list>` and
 *   `$deleteFromPrimitiveList/<list>`. The list strategies come from a {@link PatchMeta} tree,
 *   the same facts the OpenAPI document publishes.
 * - JSON patch (RFC 6902, `application/json-patch+json`): add, remove, replace, move, copy, test.
 */
import { StatusError, type Json } from './status';

/** Where a strategic merge patch merges lists instead of replacing them. */
export interface PatchMeta {
  fields?: Record<string, PatchMeta>;
  /** `merge`: the list merges (by mergeKey for lists of objects, as a set for primitives). */
  strategy?: 'merge';
  mergeKey?: string;
}

/** ObjectMeta's mergeable lists (as in its OpenAPI schema); shared by every kind. */
export const OBJECT_META_PATCH: PatchMeta = {
  fields: {
    finalizers: { strategy: 'merge' },
    ownerReferences: { strategy: 'merge', mergeKey: 'uid' },
  },
};

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const clone = <T>(value: T): T => structuredClone(value);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

const invalidPatch = (message: string) => new StatusError(422, 'Invalid', message);

/** Applies a strategic merge patch; `undefined` when the patch deleted the whole map (`$patch: delete`). */
export function strategicMergePatch(target: unknown, patch: unknown, meta: PatchMeta = {}): unknown {
  if (!isObject(patch)) return clone(patch);
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive !== undefined && directive !== 'replace' && directive !== 'merge') throw invalidPatch(`Unknown patch type: ${String(directive)}`);
  const base: Json = directive === 'replace' || !isObject(target) ? {} : { ...target };
  const retainKeys = patch.$retainKeys;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const removed = new Set((Array.isArray(value) ? value : []).map((v) => JSON.stringify(v)));
      if (Array.isArray(base[field])) base[field] = (base[field] as unknown[]).filter((v) => !removed.has(JSON.stringify(v)));
      continue;
    }
    const fieldMeta = meta.fields?.[key] ?? {};
    if (value === null) {
      delete base[key];
    } else if (Array.isArray(value) && fieldMeta.strategy === 'merge') {
      base[key] = mergeLists(Array.isArray(base[key]) ? (base[key] as unknown[]) : [], value, fieldMeta);
    } else if (isObject(value)) {
      const merged = strategicMergePatch(base[key], value, fieldMeta);
      if (merged === undefined) delete base[key];
      else base[key] = merged;
    } else {
      base[key] = clone(value);
    }
  }
  if (Array.isArray(retainKeys)) {
    for (const key of Object.keys(base)) if (!retainKeys.includes(key)) delete base[key];
  }
  return base;
}

function mergeLists(current: unknown[], patch: unknown[], meta: PatchMeta): unknown[] {
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace')).map(clone);
  }
  if (!meta.mergeKey) {
    // A set of primitives: union, current order first.
    const seen = new Set(current.map((v) => JSON.stringify(v)));
    return [...current.map(clone), ...patch.filter((v) => !seen.has(JSON.stringify(v))).map(clone)];
  }
  const key = meta.mergeKey;
  const result = current.map(clone);
  for (const item of patch) {
    if (!isObject(item) || item[key] === undefined) throw invalidPatch(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const at = result.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) result.splice(at, 1);
      continue;
    }
    if (at >= 0) result[at] = strategicMergePatch(result[at], item, meta);
    else result.push(strategicMergePatch({}, item, meta));
  }
  return result;
}

// ── JSON patch (RFC 6902) ─────────────────────────────────────────────────────────────────────

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw invalidPatch(`the JSON pointer ${path} does not start with /`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(document: unknown, tokens: string[], path: string): { parent: Json | unknown[]; last: string } {
  let node: unknown = document;
  for (const token of tokens.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined;
    if (node === undefined) throw invalidPatch(`the server rejected our request due to an error in our request: doc is missing path: "${path}"`);
  }
  if (!Array.isArray(node) && !isObject(node)) throw invalidPatch(`the server rejected our request due to an error in our request: doc is missing path: "${path}"`);
  return { parent: node, last: tokens[tokens.length - 1]! };
}

function read(document: unknown, path: string): unknown {
  let node = document;
  for (const token of pointer(path)) {
    node = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined;
    if (node === undefined) throw invalidPatch(`the server rejected our request due to an error in our request: doc is missing path: "${path}"`);
  }
  return node;
}

function remove(document: unknown, path: string): unknown {
  const { parent, last } = parentOf(document, pointer(path), path);
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) throw invalidPatch(`the server rejected our request due to an error in our request: remove operation does not apply: doc is missing path: "${path}"`);
    return parent.splice(index, 1)[0];
  }
  if (!(last in parent)) throw invalidPatch(`the server rejected our request due to an error in our request: remove operation does not apply: doc is missing path: "${path}"`);
  const value = parent[last];
  delete parent[last];
  return value;
}

function add(document: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) return clone(value);
  const { parent, last } = parentOf(document, tokens, path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length || (replace && index >= parent.length)) throw invalidPatch(`the server rejected our request due to an error in our request: doc is missing path: "${path}"`);
    parent.splice(index, replace ? 1 : 0, clone(value));
  } else {
    if (replace && !(last in parent)) throw invalidPatch(`the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${path}`);
    parent[last] = clone(value);
  }
  return document;
}

export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new StatusError(400, 'BadRequest', 'the body of a JSON patch must be a list of operations');
  let document = clone(target);
  for (const operation of operations as Operation[]) {
    if (!isObject(operation) || typeof operation.path !== 'string') throw invalidPatch('every JSON patch operation needs an op and a path');
    switch (operation.op) {
      case 'add':
        document = add(document, operation.path, operation.value, false);
        break;
      case 'replace':
        document = add(document, operation.path, operation.value, true);
        break;
      case 'remove':
        remove(document, operation.path);
        break;
      case 'move': {
        const value = remove(document, operation.from ?? '');
        document = add(document, operation.path, value, false);
        break;
      }
      case 'copy':
        document = add(document, operation.path, read(document, operation.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(read(document, operation.path)) !== JSON.stringify(operation.value)) throw invalidPatch(`the server rejected our request due to an error in our request: testing value ${operation.path} failed`);
        break;
      default:
        throw invalidPatch(`the server rejected our request due to an error in our request: Unexpected kind: ${String(operation.op)}`);
    }
  }
  return document;
}

export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;

/** The patched object for a PATCH request's content type and body. */
export function applyPatch(contentType: string, current: Json, patch: unknown, meta: PatchMeta): Json {
  const isJsonObject = isObject(patch);
  switch (contentType) {
    case 'application/json-patch+json':
      return jsonPatch(current, patch) as Json;
    case 'application/merge-patch+json':
      if (!isJsonObject) throw new StatusError(400, 'BadRequest', 'the body of a merge patch must be a JSON object');
      return mergePatch(current, patch) as Json;
    case 'application/strategic-merge-patch+json': {
      if (!isJsonObject) throw new StatusError(400, 'BadRequest', 'the body of a strategic merge patch must be a JSON object');
      const patched = strategicMergePatch(current, patch, meta);
      if (patched === undefined) throw invalidPatch('a strategic merge patch cannot delete the whole object');
      return patched as Json;
    }
    default:
      throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
  }
}
