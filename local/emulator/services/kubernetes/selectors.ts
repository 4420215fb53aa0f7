/**
 * `labelSelector` and `fieldSelector` of list requests (`kubectl get -l app=x`,
 * `--field-selector spec.nodeName=...`, and kubectl's own `metadata.name=` lists when it waits
 * for a deletion). Equality-based requirements (`=`, `==`, `!=`), existence (`key`, `!key`) and
 * set-based `in`/`notin` for labels; fields by their JSON path.
 */
import { badRequest, type Json } from './status';

type Predicate = (object: Json) => boolean;

function splitRequirements(selector: string): string[] {
  // Commas inside `in (a,b)` belong to the requirement.
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

export function labelSelector(selector: string | null): Predicate {
  if (!selector) return () => true;
  const checks = splitRequirements(selector).map((requirement): Predicate => {
    const labels = (o: Json) => (((o.metadata ?? {}) as Json).labels ?? {}) as Record<string, string>;
    const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(requirement);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      return set[2] === 'in' ? (o) => values.includes(labels(o)[set[1]!] as string) : (o) => !values.includes(labels(o)[set[1]!] as string);
    }
    const equality = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(requirement);
    if (equality) {
      const [, key, op, value] = equality as unknown as [string, string, string, string];
      return op === '!=' ? (o) => labels(o)[key] !== value : (o) => labels(o)[key] === value;
    }
    if (/^![^\s!=]+$/.test(requirement)) return (o) => !(requirement.slice(1) in labels(o));
    if (/^[^\s!=()]+$/.test(requirement)) return (o) => requirement in labels(o);
    throw badRequest(`unable to parse requirement: found '${requirement}', expected: in, notin, =, ==, !=, gt, lt`);
  });
  return (object) => checks.every((check) => check(object));
}

export function fieldSelector(selector: string | null): Predicate {
  if (!selector) return () => true;
  const checks = splitRequirements(selector).map((requirement): Predicate => {
    const match = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(requirement);
    if (!match) throw badRequest(`invalid selector: '${selector}'; can't understand '${requirement}'`);
    const [, path, op, value] = match as unknown as [string, string, string, string];
    const read = (o: Json) => path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), o);
    return op === '!=' ? (o) => String(read(o) ?? '') !== value : (o) => String(read(o) ?? '') === value;
  });
  return (object) => checks.every((check) => check(object));
}
