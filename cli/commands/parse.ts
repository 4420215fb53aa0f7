/** Flag values as eksctl spells them. */
import { InvalidArgumentError } from 'commander';

export function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('not a whole number');
  return Number(value);
}

/** `--public-access`, `--public-access=true`, `--public-access false`. */
export function boolean(value: string | undefined): boolean {
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('true or false');
}

/** `a,b,c` (repeatable: the lists add up). */
export function list(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter((v) => v.length > 0)];
}

/** `k1=v1,k2=v2` (repeatable). */
export function keyValues(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const pairs = { ...(previous ?? {}) };
  for (const item of value.split(',').filter((v) => v.length > 0)) {
    const at = item.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`"${item}" is not key=value`);
    pairs[item.slice(0, at)] = item.slice(at + 1);
  }
  return pairs;
}

export function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
