/**
 * The one set of esbuild options for every Lambda bundle. CDK's NodejsFunction (synth/deploy) and
 * scripts/build.ts (size report, CI gate) both read it, so the size the build measures is the
 * size that ships.
 */
import type { BuildOptions } from 'esbuild';
import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TASK_FUNCTIONS, type StepModule } from '../statemachines/task-functions';

/** Repository root: entries, the lock file and tsconfig are resolved from here. */
export const PROJECT_ROOT = join(__dirname, '..');

/** Node major the bundles are compiled for; must match the Lambda runtime (nodejs22.x). */
export const NODE_TARGET = 'node22';

/**
 * ESM needs `require` for the CommonJS dependencies esbuild inlines (several @smithy and
 * @aws-crypto packages still `require('crypto')`, `require('stream')`, ...): without it the
 * bundle fails at cold start with "Dynamic require of "crypto" is not supported".
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __eksp_createRequire } from 'node:module'; const require = __eksp_createRequire(import.meta.url);";

/**
 * Why each option:
 * - format esm / .mjs: Lambda loads `.mjs` as ESM without a package.json beside it; ESM output
 *   keeps the SDK's ESM builds free of CommonJS interop wrappers and allows top-level await
 *   during init (which runs on the boosted init CPU).
 * - mainFields module,main: SDK v3 ships ESM builds under `module`; preferring them lets esbuild
 *   tree-shake unused commands and roughly halves bundle size and require time.
 * - The AWS SDK is bundled, not left external: the runtime's SDK copy is whatever version the
 *   Lambda team ships that week, while bundling pins the version we tested, and a single minified
 *   file initialises faster than resolving hundreds of files under /var/runtime/node_modules.
 * - minify: smaller files load and parse faster at cold start.
 * - keepNames: Step Functions matches Retry/Catch on the Lambda errorType, which is the JS error's
 *   `name`, and functions/shared/errors.ts derives it from `new.target.name`. Minified without
 *   keepNames, StackNotReadyError would surface as "e" and no Retry would ever match. Costs a few KB.
 * - sourcemap off: an inline map doubles the file and its parse time, and Lambda only applies
 *   maps with NODE_OPTIONS=--enable-source-maps, which slows every cold start. keepNames keeps
 *   stack traces readable enough to find the function.
 * - alias @aws-sdk/credential-provider-node → functions/shared/lambda-credentials.ts: Lambda gives
 *   credentials in the environment, so the rest of the default chain is ~90 KB of dead weight.
 * - legal comments stay at the end of the file (esbuild's default for bundles), as licences ask.
 */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  minify: true,
  keepNames: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  external: [] as string[],
  alias: { '@aws-sdk/credential-provider-node': join(PROJECT_ROOT, 'functions', 'shared', 'lambda-credentials.ts') },
  banner: { js: ESM_REQUIRE_BANNER },
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
} satisfies BuildOptions;

/** File name Lambda loads (handler `index.handler`). */
export const BUNDLE_FILE = 'index.mjs';

/** The same options in the shape NodejsFunction wants; local esbuild only (no Docker here). */
export function nodejsBundling(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: esbuildOptions.target,
    minify: esbuildOptions.minify,
    keepNames: esbuildOptions.keepNames,
    sourceMap: esbuildOptions.sourcemap,
    mainFields: esbuildOptions.mainFields,
    externalModules: esbuildOptions.external,
    bundleAwsSDK: true,
    esbuildArgs: Object.fromEntries(Object.entries(esbuildOptions.alias).map(([from, to]) => [`--alias:${from}`, to])),
    banner: esbuildOptions.banner.js,
    // esbuild's CLI default (info) prints a size line per function on every synth.
    logLevel: LogLevel.WARNING,
    forceDockerBundling: false,
  };
}

export interface FunctionEntry {
  /** Bundle and construct name: `api` or the step module name (e.g. `create-cluster-stack`). */
  name: string;
  /** Absolute path of the TypeScript entry point (exports `handler`). */
  entry: string;
}

export const API_FUNCTION = 'api';

export function apiEntry(): FunctionEntry {
  return { name: API_FUNCTION, entry: join(PROJECT_ROOT, 'functions', 'api', 'handler.ts') };
}

/** Functions that react to events: the execution-ended backstop. */
export const EXECUTION_ENDED_FUNCTION = 'execution-ended';

export function executionEndedEntry(): FunctionEntry {
  return { name: EXECUTION_ENDED_FUNCTION, entry: join(PROJECT_ROOT, 'functions', 'listeners', 'execution-ended.ts') };
}

/** Metrics from the service's own status events. */
export const OPERATION_METRICS_FUNCTION = 'operation-metrics';

export function operationMetricsEntry(): FunctionEntry {
  return { name: OPERATION_METRICS_FUNCTION, entry: join(PROJECT_ROOT, 'functions', 'listeners', 'operation-metrics.ts') };
}

/** The scheduled reconciler: settles operations and redelivers terminal events. */
export const RECONCILER_FUNCTION = 'reconciler';

export function reconcilerEntry(): FunctionEntry {
  return { name: RECONCILER_FUNCTION, entry: join(PROJECT_ROOT, 'functions', 'listeners', 'reconciler.ts') };
}

/** The daily version support check: notices before a cluster's Kubernetes version loses support. */
export const VERSION_SUPPORT_CHECK_FUNCTION = 'version-support-check';

export function versionSupportCheckEntry(): FunctionEntry {
  return { name: VERSION_SUPPORT_CHECK_FUNCTION, entry: join(PROJECT_ROOT, 'functions', 'listeners', 'version-support-check.ts') };
}

/**
 * The kube agent: deployed not as one of the service's functions but as an asset every cluster
 * stack makes its own function from (infra/constructs/kube-agent-code.ts).
 */
export const KUBE_AGENT_FUNCTION = 'kube-agent';

export function kubeAgentEntry(): FunctionEntry {
  return { name: KUBE_AGENT_FUNCTION, entry: join(PROJECT_ROOT, 'functions', 'kube-agent', 'handler.ts') };
}

export function stepEntry(module: StepModule): FunctionEntry {
  return { name: module, entry: join(PROJECT_ROOT, 'functions', 'steps', `${module}.ts`) };
}

/** Unique step modules, in TASK_FUNCTIONS order (two placeholders could share a module). */
export function stepModules(): StepModule[] {
  return [...new Set(Object.values(TASK_FUNCTIONS))];
}

/** Every Lambda the service deploys: the API handler, the listeners, plus one per Task step module. */
export function functionEntries(): FunctionEntry[] {
  return [apiEntry(), executionEndedEntry(), reconcilerEntry(), versionSupportCheckEntry(), operationMetricsEntry(), ...stepModules().map(stepEntry)];
}

/** Every bundle the service ships: its functions' and the kube agent's (the build measures them all). */
export function bundleEntries(): FunctionEntry[] {
  return [...functionEntries(), kubeAgentEntry()];
}

/** Entries whose source file is missing, so callers can fail with one clear message. */
export function missingEntries(entries: FunctionEntry[] = bundleEntries()): FunctionEntry[] {
  return entries.filter((e) => !existsSync(e.entry));
}
