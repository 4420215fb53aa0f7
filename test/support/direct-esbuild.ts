/**
 * CDK's NodejsFunction bundles each Lambda with `npx --no-install esbuild …` (esbuild is a
 * workspace package and the lock file is npm's). npx only resolves that to the repository's own
 * node_modules/.bin/esbuild, but starting npm costs ~0.7 s per function, about 30 s for the
 * stack's 41 functions. For the duration of `run`, an `npx` earlier on PATH runs that same esbuild
 * binary with the same arguments; any other npx call goes to the real npx. The bundles, their
 * options and a failing bundle's error are exactly those of a normal synth.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const ESBUILD = resolve(__dirname, '..', '..', 'node_modules', '.bin', 'esbuild');

/** The first `name` on PATH that is not in `skip`. */
function onPath(name: string, skip: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && dir !== skip)
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file));
}

export function withDirectEsbuild<T>(run: () => T): T {
  const realNpx = onPath('npx', '');
  if (!existsSync(ESBUILD) || !realNpx) return run();
  const dir = mkdtempSync(join(tmpdir(), 'eksp-npx-'));
  const shim = join(dir, 'npx');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(shim, `#!/bin/sh\nif [ "$1" = "--no-install" ] && [ "$2" = "esbuild" ]; then shift 2; exec ${quote(ESBUILD)} "$@"; fi\nexec ${quote(realNpx)} "$@"\n`);
  chmodSync(shim, 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${dir}${delimiter}${path ?? ''}`;
  try {
    return run();
  } finally {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  }
}
