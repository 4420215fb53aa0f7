/**
 * The README's set-up is `npm ci` then `npm start` on a fresh clone. Both broke once without any
 * test noticing: the lock lacked other platforms' optional binaries (npm ci refuses such a lock:
 * "Missing: @swc/core-darwin-arm64 from lock file") and `npm start` needed a hand-run codegen.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const readJson = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;

interface LockEntry {
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/** Where npm would find `name` from the package at `from`: its own node_modules, then each ancestor's. */
function resolveInLock(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent === -1 ? '' : base.slice(0, parent);
  }
}

describe('a fresh clone installs and starts with the README commands', () => {
  it('lists every optional dependency of every locked package, for every platform, so npm ci accepts the lock', () => {
    const packages = (readJson('package-lock.json').packages ?? {}) as Record<string, LockEntry>;

    const missing = Object.entries(packages).flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => !resolveInLock(packages, path, name))
        .map((name) => `${name} (optional dependency of ${path || 'the project'})`),
    );

    expect(missing).toEqual([]);
  });

  it('runs codegen before every script that loads the generated validators', () => {
    const scripts = readJson('package.json').scripts as Record<string, string>;

    for (const name of ['start', 'demo', 'bench', 'test', 'build', 'synth', 'lint']) {
      expect({ script: name, pre: scripts[`pre${name}`] }).toEqual({ script: name, pre: expect.stringContaining('npm run codegen') });
    }
  });

  it('installs in CI with npm ci alone, with no fallback that would hide a broken lock', () => {
    const ciScript = readFileSync(join(root, '.ci', 'run'), 'utf8');

    expect(ciScript).toMatch(/^npm ci\b/m);
    expect(ciScript).not.toMatch(/npm install/);
  });
});

describe('the repository stands on its own', () => {
  it('points at its own docs, never at a design or style document outside it', () => {
    const files = execFileSync('git', ['ls-files', '--', 'cli', 'functions', 'infra', 'local', 'bench', 'scripts', 'statemachines', 'schemas', 'test', 'docs', 'README.md'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    const outside = /\b(DESIGN|STYLE|REFERENCE)\.md\b|\b(DESIGN|STYLE)\s*(§|\\u00a7)/;

    const offenders = files.filter((file) => file !== 'test/unit/project/setup.test.ts' && outside.test(readFileSync(join(root, file), 'utf8')));

    expect(offenders).toEqual([]);
  });
});
