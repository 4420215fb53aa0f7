/**
 * EventBridge event patterns: whether a pattern is well formed (PutRule, TestEventPattern) and
 * whether an event matches it (rules on a bus, TestEventPattern).
 */
type Json = unknown;

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const LEAF_OPERATORS = ['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'equals-ignore-case', 'wildcard', 'cidr'];

/** Why an event pattern is not valid, or undefined when it is. */
export function eventPatternError(pattern: unknown, path = ''): string | undefined {
  if (!isObject(pattern)) return path ? `${path} must be an object or an array` : 'Filter is not an object';
  for (const [key, value] of Object.entries(pattern)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) return `${here} must be an array of at least 2 patterns`;
      for (const sub of value) {
        const error = eventPatternError(sub, here);
        if (error) return error;
      }
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) return `Empty arrays are not allowed (${here})`;
      for (const matcher of value) {
        if (!isObject(matcher)) {
          if (Array.isArray(matcher)) return `Match value must be String, number, true, false, or null (${here})`;
          continue;
        }
        const keys = Object.keys(matcher);
        if (keys.length !== 1 || !LEAF_OPERATORS.includes(keys[0]!)) return `Unrecognized match type ${keys.join(',')} (${here})`;
        const operand = matcher[keys[0]!];
        if (keys[0] === 'numeric' && (!Array.isArray(operand) || operand.length % 2 !== 0 || operand.length === 0)) return `Value of numeric must be an array of operator/number pairs (${here})`;
        if (keys[0] === 'exists' && typeof operand !== 'boolean') return `exists match pattern must be either true or false (${here})`;
      }
      continue;
    }
    if (isObject(value)) {
      const error = eventPatternError(value, here);
      if (error) return error;
      continue;
    }
    return `"${here}" must be an object or an array`;
  }
  return undefined;
}

function wildcardMatches(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's').test(value);
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function stringOperand(operand: unknown, value: string, test: (operand: string, value: string) => boolean): boolean {
  // `{"prefix": {"equals-ignore-case": "x"}}` is the case-insensitive form.
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') return test(operand['equals-ignore-case'].toLowerCase(), value.toLowerCase());
  return typeof operand === 'string' && test(operand, value);
}

function leafMatches(matcher: unknown, value: Json): boolean {
  if (!isObject(matcher)) {
    if (typeof matcher === 'number' && typeof value === 'number') return matcher === value;
    return matcher === value;
  }
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'exists':
      return operand === true; // present here; absence is handled by the caller
    case 'prefix':
      return typeof value === 'string' && stringOperand(operand, value, (o, v) => v.startsWith(o));
    case 'suffix':
      return typeof value === 'string' && stringOperand(operand, value, (o, v) => v.endsWith(o));
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && operand.toLowerCase() === value.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && typeof operand === 'string' && wildcardMatches(operand, value);
    case 'anything-but': {
      if (Array.isArray(operand)) return !operand.some((o) => leafMatches(o, value));
      if (isObject(operand)) return !leafMatches(operand, value);
      return !leafMatches(operand, value);
    }
    case 'numeric': {
      if (typeof value !== 'number' || !Array.isArray(operand)) return false;
      for (let i = 0; i < operand.length; i += 2) {
        const bound = Number(operand[i + 1]);
        const ok = { '<': value < bound, '<=': value <= bound, '=': value === bound, '>': value > bound, '>=': value >= bound }[String(operand[i])];
        if (!ok) return false;
      }
      return true;
    }
    case 'cidr': {
      if (typeof value !== 'string' || typeof operand !== 'string') return false;
      const [base, bits] = operand.split('/');
      const ip = ipv4ToNumber(value);
      const network = ipv4ToNumber(base ?? '');
      if (ip === undefined || network === undefined) return false;
      const size = 2 ** (32 - Number(bits ?? 32));
      return Math.floor(ip / size) === Math.floor(network / size);
    }
    default:
      return false;
  }
}

function fieldMatches(matchers: unknown[], value: Json): boolean {
  if (value === undefined) return matchers.some((m) => isObject(m) && m.exists === false);
  if (matchers.some((m) => isObject(m) && m.exists === false)) return false;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return false;
  return matchers.some((m) => values.some((v) => leafMatches(m, v)));
}

/**
 * EventBridge content filtering: every field named in the pattern must match (AND), any value
 * listed for a field may (OR); arrays in the event match when any element does. Supports literal
 * values, prefix, suffix, anything-but, numeric, exists, equals-ignore-case, wildcard, cidr and $or.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) return false;
  const subject = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return Array.isArray(expected) && expected.some((alternative) => matchesEventPattern(alternative, subject));
    const value = subject[key];
    if (Array.isArray(expected)) return fieldMatches(expected, value);
    if (isObject(expected)) return matchesEventPattern(expected, isObject(value) ? value : {});
    return false;
  });
}
