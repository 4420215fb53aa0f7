/**
 * Bundles every Lambda exactly as CDK will (infra/bundling.ts) into dist/<name>/index.mjs,
 * prints each bundle's size and fails when one exceeds the budget: bundle size is cold-start
 * time, and a stray import (a whole SDK client, a YAML parser in a step) shows up here first.
 */
import { build, type Metafile } from 'esbuild';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUNDLE_FILE, PROJECT_ROOT, esbuildOptions, bundleEntries, missingEntries } from '../infra/bundling';

const BUDGET_KB = 500;
/**
 * The API function answers every route and event request: it carries four SDK clients (DynamoDB,
 * EventBridge, Step Functions, EKS for the live state and version support of GET /clusters/{name}
 * and the upgrade dry run's reads) and the whole cluster-spec validator, where a step carries two
 * or three clients. Change Access alone carries a YAML parser (aws-auth) besides the typed change
 * validator. Their cold init is measured with the steps' (`npm run bench`, docs/BENCHMARKS.md).
 */
const BUDGETS_KB: Record<string, number> = {
  // The dry run renders the whole cluster template: the kube agent and a fully private cluster's VPC endpoints are in it.
  // Self-managed nodegroups, Auto Mode and Pod Identity grew the spec, and with it the generated
  // validators every step carries (about 145 KB now, shared definitions that esbuild cannot split):
  // the budgets below grew with them. Splitting the validators per entry is the way back down.
  // POST /clusters reads YAML and eksctl ClusterConfigs: the yaml parser (about 117 KB) and the
  // translator with its refusal reasons (about 26 KB) are in the API's bundle since. The upgrade
  // dry run plans self-managed nodegroups too (plan and skew, about 1.5 KB), and reads what a
  // catch-up would find behind before it takes the version a cluster runs (about 2 KB).
  api: 870,
  plan: 545,
  'create-self-managed-nodegroup': 560,
  // It admits the node role too: the Lambda client for the kube agent (aws-auth) besides EKS and CloudFormation.
  'check-self-managed-nodegroup': 630,
  // Change Settings also switches iam.withOIDC: the OIDC stack's template and the shared stack deletion (with its failure reasons).
  'change-settings': 535,
  'change-pod-identity': 520,
  // The update-cluster steps carry UpdateInput's validator (about 50 KB), whose ClusterChange grows
  // about 3 KB of generated code per change action; the SDK clients are the other 90%.
  // Map Identities and Change Access reach the Kubernetes API through the cluster's kube agent:
  // the Lambda client (Invoke) is about 76 KB of their bundles.
  'change-access': 645,
  // Change Nodegroup also reads a launch template's latest version (EC2 DescribeLaunchTemplates, the
  // query port: SigV4 signer, the default credential chain and an XML parser, about 72 KB) for an
  // instance type change.
  'change-nodegroup': 625,
  // Change Self-managed Nodegroup works on its stack (CloudFormation, SSM for the AMI), its Auto
  // Scaling group (the Auto Scaling client, about 90 KB) and inside the cluster (the Lambda client
  // for the kube agent, EKS for the temporary admin entry): the most clients of any step.
  'change-self-managed-nodegroup': 820,
  // Upgrade Self-managed Nodegroup makes the same look as Change Self-managed Nodegroup (an update's calls only).
  'upgrade-self-managed-nodegroup': 720,
  // The self-managed nodegroup actions' three ClusterChange branches put the plain update steps over the default too.
  'change-endpoint-access': 515,
  'change-fargate-profile': 535,
  'map-identities': 590,
  // Check Nodes Ready reads nodes through the kube agent (the Lambda client) and holds the temporary admin entry (EKS);
  // it takes provision-cluster's state or update-cluster's input, so it carries both validators.
  'check-nodes-ready': 595,
  // Roll Back clears the cluster's VPC of what Kubernetes controllers left before it deletes the
  // stack: the ELBv2 and Classic load balancing clients (about 80 KB and 20 KB) and the EC2 query
  // port besides EKS, CloudFormation, DynamoDB and EventBridge. It runs only after a failed
  // create, where cold start matters least.
  'roll-back': 650,
  // Delete Controller Resources carries both load balancing clients too (the in-tree service
  // controller's Classic Load Balancers: about 20 KB), which put it over the default. Both sweepers
  // carry the STS client (about 10 KB): the in-tree controller's groups are deleted in a session
  // scoped to the cluster (ports/kubernetes-groups.ts).
  'delete-controller-resources': 545,
  // The kube agent carries no SDK (it makes no AWS call) and one validator: kept small, as every cluster runs one.
  'kube-agent': 40,
};
const budgetOf = (name: string) => BUDGETS_KB[name] ?? BUDGET_KB;
const DIST = join(PROJECT_ROOT, 'dist');

interface BundleReport {
  name: string;
  bytes: number;
  /** Largest packages (or own files) by bytes in the output, to say what to cut when over budget. */
  heaviest: Array<{ path: string; bytes: number }>;
}

/** `node_modules/@aws-sdk/client-ec2/dist-es/...` → `@aws-sdk/client-ec2`; own code stays a path. */
function packageOf(path: string): string {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path;
}

function report(name: string, output: Metafile['outputs'][string]): BundleReport {
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const key = packageOf(path);
    byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytesInOutput);
  }
  const heaviest = [...byPackage].map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  return { name, bytes: output.bytes, heaviest };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

async function main(): Promise<void> {
  const entries = bundleEntries();
  const missing = missingEntries(entries);
  if (missing.length > 0) {
    console.error(`Missing handler entry points:\n${missing.map((m) => `  ${m.name}: ${relative(PROJECT_ROOT, m.entry)}`).join('\n')}`);
    process.exit(1);
  }
  rmSync(DIST, { recursive: true, force: true });
  const started = Date.now();
  // One build with every entry point rather than one build per function: esbuild bundles the
  // entries in parallel and parses the shared SDK once, about 3x faster than N builds under
  // Promise.all. Without `splitting` each output is self-contained, byte-for-byte what a
  // single-entry build (and so CDK) produces.
  const result = await build({
    ...esbuildOptions,
    entryPoints: Object.fromEntries(entries.map((e) => [`${e.name}/index`, e.entry])),
    outdir: DIST,
    metafile: true,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  const outputs = Object.entries(result.metafile.outputs);
  const reports = entries.map((e) => {
    const output = outputs.find(([path]) => path.endsWith(`${e.name}/${BUNDLE_FILE}`))?.[1];
    if (!output) throw new Error(`esbuild reported no output for ${e.name}`);
    return report(e.name, output);
  });

  const width = Math.max(...reports.map((r) => r.name.length), 'function'.length);
  console.log(`${'function'.padEnd(width)}  ${'size KB'.padStart(8)}`);
  for (const r of reports) console.log(`${r.name.padEnd(width)}  ${kb(r.bytes).padStart(8)}${r.bytes > budgetOf(r.name) * 1024 ? '  over budget' : ''}`);
  const total = reports.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`${reports.length} bundles, ${kb(total)} KB in total, in ${seconds}s → ${relative(process.cwd(), DIST) || DIST}/<function>/${BUNDLE_FILE}`);

  const over = reports.filter((r) => r.bytes > budgetOf(r.name) * 1024);
  if (over.length > 0) {
    for (const r of over) {
      console.error(`\n${r.name} is ${kb(r.bytes)} KB (budget ${budgetOf(r.name)} KB); largest contributors:`);
      for (const h of r.heaviest) console.error(`  ${kb(h.bytes).padStart(8)} KB  ${h.path}`);
    }
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
