/**
 * Bundles every Lambda exactly as CDK will (infra/bundling.ts) into dist/<name>/index.mjs,
 * prints each bundle's size and fails when one exceeds the budget: bundle size is cold-start
 * time, and a stray import (a whole SDK, a YAML parser in a step) shows up here first.
 */
import { build, type Metafile } from 'esbuild';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUNDLE_FILE, PROJECT_ROOT, esbuildOptions, functionEntries, missingEntries, type FunctionEntry } from '../infra/bundling';

const BUDGET_KB = 500;
const DIST = join(PROJECT_ROOT, 'dist');

interface BundleReport {
  name: string;
  bytes: number;
  /** Largest inputs by bytes in the output, to say what to cut when over budget. */
  heaviest: Array<{ path: string; bytes: number }>;
}

async function bundle(fn: FunctionEntry): Promise<BundleReport> {
  const outfile = join(DIST, fn.name, BUNDLE_FILE);
  const result = await build({ ...esbuildOptions, entryPoints: [fn.entry], outfile, metafile: true });
  const output = (result.metafile as Metafile).outputs[relative(process.cwd(), outfile)] ?? Object.values(result.metafile.outputs)[0];
  if (!output) throw new Error(`esbuild reported no output for ${fn.name}`);
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const key = packageOf(path);
    byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytesInOutput);
  }
  const heaviest = [...byPackage].map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  return { name: fn.name, bytes: output.bytes, heaviest };
}

/** `node_modules/@aws-sdk/client-ec2/dist-es/...` → `@aws-sdk/client-ec2`; own code stays a path. */
function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1] ?? path;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

async function main(): Promise<void> {
  const entries = functionEntries();
  const missing = missingEntries(entries);
  if (missing.length > 0) {
    console.error(`Missing handler entry points:\n${missing.map((m) => `  ${m.name}: ${relative(PROJECT_ROOT, m.entry)}`).join('\n')}`);
    process.exit(1);
  }
  rmSync(DIST, { recursive: true, force: true });
  const started = Date.now();
  // One esbuild service bundles all entries concurrently.
  const reports = await Promise.all(entries.map(bundle));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  const width = Math.max(...reports.map((r) => r.name.length), 'function'.length);
  console.log(`${'function'.padEnd(width)}  ${'size KB'.padStart(8)}`);
  for (const r of reports) console.log(`${r.name.padEnd(width)}  ${kb(r.bytes).padStart(8)}${r.bytes > BUDGET_KB * 1024 ? '  OVER BUDGET' : ''}`);
  const total = reports.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`${reports.length} bundles, ${kb(total)} KB in total, in ${seconds}s → ${relative(process.cwd(), DIST) || DIST}/<function>/${BUNDLE_FILE}`);

  const over = reports.filter((r) => r.bytes > BUDGET_KB * 1024);
  if (over.length > 0) {
    for (const r of over) {
      console.error(`\n${r.name} is ${kb(r.bytes)} KB (budget ${BUDGET_KB} KB); largest contributors:`);
      for (const h of r.heaviest) console.error(`  ${kb(h.bytes).padStart(8)} KB  ${h.path}`);
    }
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
