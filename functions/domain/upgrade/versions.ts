/**
 * Kubernetes minor versions as EKS names them ("1.33") and the passes an upgrade takes. EKS moves
 * the control plane one minor at a time (UpdateClusterVersion refuses to skip one) and never
 * down, so an upgrade from 1.31 to 1.33 is two updates: 1.32, then 1.33.
 */
import { ChangeRefusedError } from '../../shared/errors';

export interface KubernetesMinor {
  major: number;
  minor: number;
}

/** Why an upgrade from one version to another cannot be planned at all. */
export interface VersionRefusal {
  code: 'MalformedVersion' | 'SameVersion' | 'Downgrade';
  message: string;
}

/**
 * "1.33" → {major 1, minor 33}; anything else (patch versions, "v1.33", leading zeros) is not a
 * version EKS accepts in UpdateClusterVersion, so it is not one here either.
 */
export function parseMinor(version: string): KubernetesMinor | undefined {
  const match = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)$/.exec(version);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

export function formatMinor(version: KubernetesMinor): string {
  return `${version.major}.${version.minor}`;
}

/** Negative when a is older than b, zero when equal, positive when newer. Throws on a malformed version: comparing it would sort it anywhere. */
export function compareMinors(a: string, b: string): number {
  const left = parseOrThrow(a);
  const right = parseOrThrow(b);
  return left.major - right.major || left.minor - right.minor;
}

/** How many minors b is ahead of a (negative when behind). Only within one major: Kubernetes has had no 2.x, and none can be reasoned about yet. */
export function minorsBetween(a: string, b: string): number {
  const left = parseOrThrow(a);
  const right = parseOrThrow(b);
  if (left.major !== right.major) throw new ChangeRefusedError(`cannot count minor versions between ${a} and ${b}: they differ in major version`);
  return right.minor - left.minor;
}

/** The newest of the given versions (malformed ones ignored), or undefined when none parses. */
export function newestMinor(versions: readonly string[]): string | undefined {
  return versions.filter((v) => parseMinor(v)).reduce<string | undefined>((newest, v) => (newest === undefined || compareMinors(v, newest) > 0 ? v : newest), undefined);
}

/** Why `from` cannot be upgraded to `to`, or undefined when it can. */
export function upgradeRefusal(from: string, to: string): VersionRefusal | undefined {
  for (const version of [from, to]) {
    if (!parseMinor(version)) return { code: 'MalformedVersion', message: `${JSON.stringify(version)} is not a Kubernetes minor version such as "1.33"` };
  }
  const order = compareMinors(to, from);
  if (order === 0) return { code: 'SameVersion', message: `the cluster already runs Kubernetes ${from}` };
  if (order < 0) return { code: 'Downgrade', message: `Kubernetes ${to} is older than the cluster's ${from}: EKS cannot downgrade a control plane (make a new cluster at ${to} instead)` };
  if (parseOrThrow(from).major !== parseOrThrow(to).major) return { code: 'MalformedVersion', message: `an upgrade from ${from} to ${to} crosses a major version, which EKS has never offered` };
  return undefined;
}

/**
 * The versions the control plane passes through, in order, ending with `to`: 1.31 → 1.33 gives
 * ["1.32", "1.33"]. Throws ChangeRefusedError (terminal) for a downgrade, the same version or a
 * malformed one; preflight reports those as problems first with upgradeRefusal.
 */
export function upgradePasses(from: string, to: string): string[] {
  const refusal = upgradeRefusal(from, to);
  if (refusal) throw new ChangeRefusedError(refusal.message);
  const start = parseOrThrow(from);
  const steps = minorsBetween(from, to);
  return Array.from({ length: steps }, (_, i) => formatMinor({ major: start.major, minor: start.minor + i + 1 }));
}

function parseOrThrow(version: string): KubernetesMinor {
  const parsed = parseMinor(version);
  if (!parsed) throw new ChangeRefusedError(`${JSON.stringify(version)} is not a Kubernetes minor version such as "1.33"`);
  return parsed;
}
