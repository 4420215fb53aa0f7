/**
 * moto_server for differential conformance tests: started on a free loopback port in its own
 * process group (so only it is stopped), and the shape comparison the differential tests make —
 * keys and value types, recursively, restricted to what both sides return.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface RunningMoto {
  url: string;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function startMoto(env: NodeJS.ProcessEnv): Promise<RunningMoto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { env, detached: true, stdio: 'ignore' });
  const stop = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(`${url}/moto-api/`);
      return { url, stop };
    } catch {
      if (Date.now() > deadline) {
        stop();
        throw new Error(`moto_server did not answer on ${url} within 20 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

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

/** Paths of keys `theirs` has that `ours` lacks, recursively (lists by their first element). */
export function missingKeys(ours: unknown, theirs: unknown, path = ''): string[] {
  if (Array.isArray(theirs)) return Array.isArray(ours) && ours.length && theirs.length ? missingKeys(ours[0], theirs[0], `${path}[0]`) : [];
  if (theirs === null || typeof theirs !== 'object') return [];
  if (ours === null || typeof ours !== 'object') return [path];
  const mine = ours as Record<string, unknown>;
  return Object.entries(theirs).flatMap(([key, value]) => (key in mine ? missingKeys(mine[key], value, `${path}.${key}`) : [`${path}.${key}`]));
}
