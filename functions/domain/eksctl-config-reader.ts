/**
 * How an eksctl ClusterConfig is read, field by field: each section of the translation names the
 * fields it maps and the fields it refuses (with why), and every other key is refused as unknown,
 * so nothing in the ClusterConfig is silently dropped. The translation remembers where each spec
 * field came from, so a problem the spec's own validation finds can point back at the
 * ClusterConfig field that caused it.
 */
import type { SpecProblem } from '../shared/errors';

/** Where a spec field came from: its ClusterConfig pointer, and whether its value is the ClusterConfig's as it is. */
export interface Origin {
  at: string;
  verbatim: boolean;
}

/** A field read into the spec: its value and its JSON pointer in the ClusterConfig. */
export type FieldReader = (value: unknown, at: string) => void;

/**
 * A field the service cannot honour, and why. `honoured` names the values that ask for what the
 * service does anyway (`efaEnabled: false`, `disableIMDSv1: true`): those are accepted.
 */
export type Refusal = string | { why: string; honoured: (value: unknown) => boolean };

export interface SectionRules {
  read?: Record<string, FieldReader>;
  refuse?: Record<string, Refusal>;
}

/** The translation's bookkeeping: the fields refused, and each spec field's origin in the ClusterConfig. */
export class TranslationLog {
  readonly refusals: SpecProblem[] = [];
  /** Spec JSON pointer → the ClusterConfig field it came from. */
  readonly origins = new Map<string, Origin>();

  refuse(at: string, why: string): void {
    this.refusals.push({ pointer: at, message: why });
  }

  /** `verbatim`: the value was copied as it is, so what lies below it is at the same path in both. */
  cameFrom(specPointer: string, configPointer: string, verbatim = false): void {
    this.origins.set(specPointer, { at: configPointer, verbatim });
  }
}

/** A JSON pointer segment (RFC 6901: ~ and / escaped). */
export const segment = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

export const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads one mapping of the ClusterConfig by its rules. A key whose value is null (`key:` with
 * nothing after it in YAML) is absent, as eksctl reads it.
 */
export function readSection(log: TranslationLog, section: unknown, at: string, rules: SectionRules): void {
  if (!isMapping(section)) {
    log.refuse(at, 'must be a mapping');
    return;
  }
  for (const [key, value] of Object.entries(section)) {
    if (value === null || value === undefined) continue;
    const fieldAt = `${at}/${segment(key)}`;
    const reader = rules.read?.[key];
    if (reader) {
      reader(value, fieldAt);
      continue;
    }
    const refusal = rules.refuse?.[key];
    if (refusal === undefined) log.refuse(fieldAt, `is not a field of eksctl.io/v1alpha5 ClusterConfig's ${at || 'top level'}`);
    else if (typeof refusal === 'string') log.refuse(fieldAt, refusal);
    else if (!refusal.honoured(value)) log.refuse(fieldAt, refusal.why);
  }
}

/** Reads each item of a list with `readItem`, or refuses a value that is not a list. */
export function readList(log: TranslationLog, value: unknown, at: string, readItem: (item: unknown, itemAt: string, index: number) => void): void {
  if (!Array.isArray(value)) {
    log.refuse(at, 'must be a list');
    return;
  }
  value.forEach((item, index) => readItem(item, `${at}/${index}`, index));
}

/**
 * A reader that copies the value as it is into `target[specKey]`: the spec's validation judges it,
 * and its problems point back here through the origin.
 */
export function copyTo(log: TranslationLog, target: Record<string, unknown>, specAt: string, specKey: string): FieldReader {
  return (value, at) => {
    target[specKey] = value;
    log.cameFrom(`${specAt}/${segment(specKey)}`, at, true);
  };
}

/** Honoured only when the value asks for nothing (false, or an empty list or mapping). */
export function honouredWhenOff(why: string): Refusal {
  return { why, honoured: (value) => value === false || (Array.isArray(value) && value.length === 0) || (isMapping(value) && Object.keys(value).length === 0) };
}

/** Honoured only when the value is exactly `expected` (what the service does anyway). */
export function honouredWhen(expected: unknown, why: string): Refusal {
  return { why, honoured: (value) => value === expected };
}
