/**
 * EC2-style filters (`Filter.N.Name` / `Filter.N.Value.M`), shared by the query services that
 * take them. Every filter must match (AND); within one filter any value may (OR); values accept
 * the `*` and `?` wildcards; `tag:<key>`, `tag-key` and `tag-value` work on any tagged resource.
 * A filter name the resource does not know is InvalidParameterValue, as EC2 answers.
 */
import { EmulatorError, formList } from '../protocol';

export interface Filter {
  name: string;
  values: string[];
}

export function parseFilters(form: URLSearchParams, prefix = 'Filter'): Filter[] {
  const filters: Filter[] = [];
  for (let i = 1; ; i++) {
    const name = form.get(`${prefix}.${i}.Name`);
    if (name === null) return filters;
    filters.push({ name, values: formList(form, `${prefix}.${i}.Value`, false) });
  }
}

/** EC2 filter values accept `*` (any run) and `?` (any one character). */
export function globMatches(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return regex.test(value);
}

/** What a filter compares: a value, several (any may match), or nothing (never matches). */
export type FieldReader<T> = (resource: T) => string | number | boolean | Array<string | number | boolean> | undefined;

function candidatesOf<T>(item: T, filter: Filter, fields: Record<string, FieldReader<T>>, tagsOf: (item: T) => Record<string, string>): string[] {
  if (filter.name.startsWith('tag:')) {
    const value = tagsOf(item)[filter.name.slice(4)];
    return value === undefined ? [] : [value];
  }
  if (filter.name === 'tag-key') return Object.keys(tagsOf(item));
  if (filter.name === 'tag-value') return Object.values(tagsOf(item));
  const read = fields[filter.name]!(item);
  if (read === undefined) return [];
  return (Array.isArray(read) ? read : [read]).map(String);
}

function isTagFilter(name: string): boolean {
  return name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';
}

/**
 * The items every filter matches. `fields` names the filters the resource supports (EC2's
 * documented names; a few services also accept the element names, which callers list too).
 */
export function applyFilters<T>(items: T[], filters: Filter[], fields: Record<string, FieldReader<T>>, tagsOf: (item: T) => Record<string, string> = (item) => (item as { tags?: Record<string, string> }).tags ?? {}): T[] {
  for (const filter of filters) {
    if (!isTagFilter(filter.name) && !Object.hasOwn(fields, filter.name)) throw new EmulatorError(400, 'InvalidParameterValue', `The filter '${filter.name}' is invalid`);
  }
  return items.filter((item) => filters.every((filter) => filter.values.some((pattern) => candidatesOf(item, filter, fields, tagsOf).some((candidate) => globMatches(pattern, candidate)))));
}
