/**
 * Response shapes for differential tests: keys and value types, recursively, so two services'
 * answers compare without their ids, dates or other values.
 */
export type Shape = string | { [key: string]: Shape } | Shape[];

/** Keys and value types, recursively (lists by their first element). */
export function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return value.length ? [shapeOf(value[0])] : [];
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  return typeof value;
}

/** The shape of `value` restricted to the keys `other` also has, recursively. */
export function commonShape(value: unknown, other: unknown): Shape {
  if (Array.isArray(value) && Array.isArray(other)) return value.length && other.length ? [commonShape(value[0], other[0])] : [];
  if (value && other && typeof value === 'object' && typeof other === 'object' && !Array.isArray(value) && !Array.isArray(other)) {
    const otherRecord = other as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k in otherRecord)
        .map(([k, v]) => [k, commonShape(v, otherRecord[k])]),
    );
  }
  return shapeOf(value);
}

/** Every key path of `value` (`Role.Tags[].Key`), for "every field they return, we return". */
export function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length ? keyPaths(value[0], `${prefix}[]`) : [];
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return [path, ...keyPaths(child, path)];
    });
  }
  return [];
}
