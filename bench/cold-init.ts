/**
 * Bundle size and cold init per Lambda: each bundle is imported in a fresh Node process (what a
 * cold start pays: read, parse, evaluate the module, build clients lazily) and invoked once, the
 * median of several runs taken; a bare-SDK function built with the same options is the baseline.
 * The first invoke is given an input its schema refuses, so it runs middy, logging and
 * validation without network calls.
 */
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_FILE, PROJECT_ROOT, esbuildOptions, bundleEntries } from '../infra/bundling';

export interface ColdInit {
  name: string;
  bytes: number;
  /** Median ms to import the bundle in a fresh process. */
  importMs: number;
  /** Median ms of the first invocation after import. */
  firstInvokeMs: number;
}

const DIST = join(PROJECT_ROOT, 'dist');
const BENCH_DIST = join(PROJECT_ROOT, 'dist-bench');

/** One fresh process: import, then one invocation; prints the two timings as JSON. */
const PROBE = `
const file = process.argv[1];
const t0 = performance.now();
const mod = await import(file);
const t1 = performance.now();
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000 };
try { await mod.handler({ httpMethod: 'GET', path: '/bench', headers: {}, requestContext: { identity: {} } }, context); } catch {}
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, firstInvokeMs: t2 - t1 }));
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function measure(name: string, file: string, runs: number): ColdInit {
  const samples = Array.from({ length: runs }, () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, file], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').pop()!) as { importMs: number; firstInvokeMs: number };
  });
  return {
    name,
    bytes: statSync(file).size,
    importMs: Math.round(median(samples.map((s) => s.importMs)) * 10) / 10,
    firstInvokeMs: Math.round(median(samples.map((s) => s.firstInvokeMs)) * 10) / 10,
  };
}

/** A handler that only builds an SDK v3 client: what any Lambda using the SDK pays at least. */
async function buildBaseline(): Promise<string> {
  mkdirSync(BENCH_DIST, { recursive: true });
  const entry = join(BENCH_DIST, 'baseline.ts');
  writeFileSync(entry, "import { EKSClient } from '@aws-sdk/client-eks';\nconst client = new EKSClient({});\nexport const handler = async () => ({ statusCode: 200, body: String(Boolean(client)) });\n");
  await build({ ...esbuildOptions, entryPoints: { 'baseline/index': entry }, outdir: BENCH_DIST, logLevel: 'error' });
  return join(BENCH_DIST, 'baseline', BUNDLE_FILE);
}

/** Builds the bundles (npm run build) and the baseline, then measures every one. */
export async function measureColdInit(runs = 5): Promise<{ baseline: ColdInit; functions: ColdInit[] }> {
  execFileSync('npx', ['tsx', 'scripts/build.ts'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  const baseline = measure('bare-sdk-baseline', await buildBaseline(), runs);
  const functions = bundleEntries().map((e) => measure(e.name, join(DIST, e.name, BUNDLE_FILE), runs));
  return { baseline, functions };
}
