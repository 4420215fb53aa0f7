/**
 * The create form's model, generated from the cluster spec's JSON Schema: one field per property,
 * nested objects as fieldsets, arrays of objects as repeatable groups, enums as selects, string
 * lists and string maps as text. What the form cannot model field by field (a oneOf of a string
 * and an object, say) is a JSON text field, so every property of the schema can still be given.
 *
 * Pure (no DOM): the components render this model, and unit tests check it.
 */

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  definitions?: Record<string, JsonSchema>;
}

interface FieldBase {
  /** JSON pointer of the field; array items use `*` for the index (`/managedNodeGroups/*\/name`). */
  pointer: string;
  /** The property name, as the API names it (the label: the API's errors name the same). */
  label: string;
  description?: string;
  required: boolean;
  /** The schema's default, shown as a placeholder or the select's "default" choice: never sent. */
  default?: unknown;
}

export type FieldModel =
  | (FieldBase & { kind: 'text'; pattern?: string })
  | (FieldBase & { kind: 'integer' | 'number'; minimum?: number; maximum?: number })
  | (FieldBase & { kind: 'boolean' })
  | (FieldBase & { kind: 'select'; options: string[] })
  /** An array of strings, typed comma-separated. */
  | (FieldBase & { kind: 'list'; options?: string[] })
  /** An object of string values (tags, labels), typed one `key=value` a line. */
  | (FieldBase & { kind: 'map' })
  | (FieldBase & { kind: 'json' })
  | (FieldBase & { kind: 'object'; fields: FieldModel[] })
  | (FieldBase & { kind: 'array'; item: FieldModel });

/** The schema with `$ref` and `allOf` followed (the spec uses `allOf: [{$ref}]` to add a description). */
function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let resolved = schema;
  if (resolved.$ref) {
    const name = /^#\/definitions\/(.+)$/.exec(resolved.$ref)?.[1];
    const target = name ? root.definitions?.[name] : undefined;
    if (!target) throw new Error(`unresolvable $ref ${resolved.$ref}`);
    const { $ref: _ref, ...rest } = resolved;
    resolved = { ...resolve(target, root), ...rest };
  }
  if (resolved.allOf) {
    const { allOf, ...rest } = resolved;
    resolved = allOf.reduce<JsonSchema>((merged, part) => ({ ...merged, ...resolve(part, root) }), rest);
  }
  return resolved;
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

function fieldFor(schema: JsonSchema, root: JsonSchema, pointer: string, label: string, required: boolean): FieldModel {
  const s = resolve(schema, root);
  const base: FieldBase = {
    pointer,
    label,
    required,
    ...(s.description ? { description: s.description } : {}),
    ...(s.default !== undefined ? { default: s.default } : {}),
  };
  // A choice between shapes (ownerAccess: "none" or an access policy) has no one set of inputs.
  if (s.oneOf && !s.properties) return { ...base, kind: 'json' };
  const type = typeOf(s);
  if (s.enum && s.enum.every((v) => typeof v === 'string')) return { ...base, kind: 'select', options: s.enum as string[] };
  switch (type) {
    case 'string':
      return { ...base, kind: 'text', ...(s.pattern ? { pattern: s.pattern } : {}) };
    case 'integer':
    case 'number':
      return { ...base, kind: type, ...(s.minimum !== undefined ? { minimum: s.minimum } : {}), ...(s.maximum !== undefined ? { maximum: s.maximum } : {}) };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'array': {
      const items = s.items ? resolve(s.items, root) : {};
      if (typeOf(items) === 'string') return { ...base, kind: 'list', ...(items.enum ? { options: items.enum as string[] } : {}) };
      if (typeOf(items) === 'object' && items.properties) return { ...base, kind: 'array', item: fieldFor(items, root, `${pointer}/*`, 'item', true) };
      return { ...base, kind: 'json' };
    }
    case 'object': {
      if (s.properties) {
        const needed = new Set(s.required ?? []);
        const fields = Object.entries(s.properties).map(([name, child]) => fieldFor(child, root, `${pointer}/${name}`, name, needed.has(name)));
        return { ...base, kind: 'object', fields };
      }
      const values = typeof s.additionalProperties === 'object' ? resolve(s.additionalProperties, root) : undefined;
      if (values && typeOf(values) === 'string') return { ...base, kind: 'map' };
      return { ...base, kind: 'json' };
    }
    default:
      return { ...base, kind: 'json' };
  }
}

/** The whole form: the spec's top-level object. */
export function formModel(schema: JsonSchema): FieldModel & { kind: 'object' } {
  const model = fieldFor(schema, schema, '', 'cluster spec', true);
  if (model.kind !== 'object') throw new Error('the cluster spec schema is not an object');
  return model;
}

// ---- values: the draft spec is a plain JSON value; fields read and write it by pointer ----

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function segments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function getAt(value: Json | undefined, pointer: string): Json | undefined {
  let current: Json | undefined = value;
  for (const key of segments(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? current[Number(key)] : current[key];
  }
  return current;
}

/**
 * A copy of `value` with `next` at `pointer` (undefined removes it). An object left empty by a
 * removal is removed too: an absent key means "the default" to the API, and `{}` may not
 * (`"addons": []` means none). Array items stay, so an added nodegroup keeps its place.
 */
export function setAt(value: Json | undefined, pointer: string, next: Json | undefined): Json | undefined {
  const [head, ...rest] = segments(pointer);
  if (head === undefined) return next;
  const childPointer = rest.length ? `/${rest.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` : '';
  if (Array.isArray(value)) {
    const copy = [...value];
    const index = Number(head);
    const child = setAt(copy[index], childPointer, next);
    copy[index] = child === undefined ? {} : child;
    return copy;
  }
  const object: { [key: string]: Json } = value && typeof value === 'object' ? { ...value } : {};
  const child = setAt(object[head], childPointer, next);
  if (child === undefined) delete object[head];
  else object[head] = child;
  return Object.keys(object).length ? object : undefined;
}

/** The concrete pointer of an item's field: `*` becomes the item's index, left to right. */
export function concrete(pointer: string, indexes: number[]): string {
  let i = 0;
  return pointer.replace(/\/\*(?=\/|$)/g, () => `/${indexes[i++] ?? 0}`);
}

/** What an input's text means for its field: a value to set, undefined to remove it, or an error. */
export function parseInput(field: FieldModel, raw: string | boolean): { value?: Json; error?: string } {
  if (field.kind === 'boolean') return raw === '' ? {} : { value: raw === true || raw === 'true' };
  const text = String(raw);
  if (text.trim() === '') return {};
  switch (field.kind) {
    case 'integer':
    case 'number': {
      const n = Number(text);
      if (!Number.isFinite(n) || (field.kind === 'integer' && !Number.isInteger(n))) return { error: `must be ${field.kind === 'integer' ? 'a whole number' : 'a number'}` };
      return { value: n };
    }
    case 'list':
      return { value: text.split(',').map((s) => s.trim()).filter(Boolean) };
    case 'map': {
      const entries: Array<[string, string]> = [];
      for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
        const at = line.indexOf('=');
        if (at <= 0) return { error: `"${line}" is not key=value` };
        entries.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
      }
      return { value: Object.fromEntries(entries) };
    }
    case 'json':
      try {
        return { value: JSON.parse(text) as Json };
      } catch {
        return { error: 'must be JSON' };
      }
    default:
      return { value: text };
  }
}

/** The text an input shows for the field's current value (the inverse of parseInput). */
export function formatValue(field: FieldModel, value: Json | undefined): string {
  if (value === undefined) return '';
  switch (field.kind) {
    case 'list':
      return Array.isArray(value) ? value.join(', ') : '';
    case 'map':
      return value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value).map(([k, v]) => `${k}=${String(v)}`).join('\n') : '';
    case 'json':
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

/** The schema default as a hint: `2`, `m5.large`, `{"policy":…}`. */
export function defaultHint(field: FieldModel): string | undefined {
  if (field.default === undefined) return undefined;
  if (Array.isArray(field.default) && field.default.length === 0) return 'none';
  if (field.kind === 'list' && Array.isArray(field.default)) return field.default.join(', ');
  if (typeof field.default === 'object') return JSON.stringify(field.default);
  return String(field.default);
}

/**
 * Every concrete pointer the form shows for this draft (array items expanded): where an API
 * error can be shown inline.
 */
export function fieldPointers(model: FieldModel, draft: Json | undefined, indexes: number[] = []): string[] {
  const here = concrete(model.pointer, indexes);
  if (model.kind === 'object') return [here, ...model.fields.flatMap((f) => fieldPointers(f, draft, indexes))];
  if (model.kind === 'array') {
    const items = getAt(draft, here);
    const count = Array.isArray(items) ? items.length : 0;
    return [here, ...Array.from({ length: count }, (_, i) => fieldPointers(model.item, draft, [...indexes, i])).flat()];
  }
  return [here];
}
