/** create | get | delete | upgrade cluster. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { stringify } from 'yaml';
import type { RawBody } from '../client/api-client';
import type { ClusterSummary } from '../client/types';
import { table } from '../render/table';
import { act, UsageError, type CommandContext } from './context';
import { outputOption, printData, say, type Format } from './output';
import type { Verbs } from './verbs';
import { startedOperation } from './wait';

/** The file as it is, with the media type its extension says: the service reads JSON, YAML and eksctl's ClusterConfig. */
export function specBody(path: string): RawBody {
  const text = readFileSync(path, 'utf8');
  const ext = extname(path).toLowerCase();
  return { text, contentType: ext === '.yaml' || ext === '.yml' ? 'application/yaml' : 'application/json' };
}

export function registerClusterCommands(verbs: Verbs, ctx: CommandContext): void {
  verbs.create
    .command('cluster')
    .description('create a cluster from a spec file (our JSON or YAML spec, or an eksctl ClusterConfig)')
    .option('-f, --config-file <file>', 'the cluster spec (.json, .yaml or .yml)')
    .option('-n, --name <name>', 'without -f: a cluster with every default (eksctl’s)')
    .option('--version <version>', 'without -f: the Kubernetes version')
    .option('--dry-run', 'show the plan (the normalised spec, stack and steps) and create nothing')
    .option('--no-wait', 'return once the operation is accepted')
    .addOption(outputOption())
    .action(
      act<{ configFile?: string; name?: string; version?: string; dryRun?: boolean; wait: boolean; output: Format }>(ctx, async (o, command) => {
        if (!o.configFile && !o.name) throw new UsageError('create cluster needs -f FILE or --name NAME');
        const body: RawBody | Record<string, unknown> = o.configFile ? specBody(o.configFile) : { name: o.name, ...(o.version ? { version: o.version } : {}) };
        const client = await ctx.client(command);
        if (o.dryRun) {
          const plan = await client.planCluster(body);
          printData(ctx.io.stdout, o.output, plan, () => `stack: ${plan.stackName}\nsteps:\n${plan.steps.map((s) => `  - ${s}`).join('\n')}\nspec:\n${indent(stringify(plan.spec))}\n`);
          return 0;
        }
        const accepted = await client.createCluster(body);
        return startedOperation(ctx.io, client, accepted, { wait: o.wait, output: o.output });
      }),
    );

  verbs.get
    .command('cluster')
    .alias('clusters')
    .description('list your clusters, or one with --name')
    .option('-n, --name <name>', 'one cluster')
    .addOption(outputOption())
    .action(
      act<{ name?: string; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        const clusters: ClusterSummary[] = o.name ? [await client.getCluster(o.name)] : await client.listClusters();
        const data = o.name ? clusters[0] : clusters;
        printData(ctx.io.stdout, o.output, data, () =>
          clusters.length === 0 ? 'No clusters found\n' : table(['NAME', 'VERSION', 'STATUS', 'CREATED', 'OPERATION'], clusters.map((c) => [c.name, c.kubernetesVersion, c.status, c.createdAt, c.currentOperation?.id ?? ''])),
        );
        return 0;
      }),
    );

  verbs.delete
    .command('cluster')
    .description('delete a cluster and everything the service made for it')
    .requiredOption('-n, --name <name>', 'the cluster')
    .option('-w, --wait', 'wait for the deletion to end')
    .option('--disable-deletion-protection', 'turn deletion protection off first')
    .addOption(outputOption())
    .action(
      act<{ name: string; wait?: boolean; disableDeletionProtection?: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        const accepted = await client.deleteCluster(o.name, { disableDeletionProtection: o.disableDeletionProtection });
        return startedOperation(ctx.io, client, accepted, { wait: Boolean(o.wait), output: o.output });
      }),
    );

  verbs.upgrade
    .command('cluster')
    .description('upgrade the Kubernetes version (without --approve: show the plan and change nothing)')
    .requiredOption('-n, --name <name>', 'the cluster')
    .requiredOption('--version <version>', 'the Kubernetes minor to reach, e.g. 1.33')
    .option('--approve', 'apply the upgrade')
    .option('--force', 'go ahead despite upgrade insights in ERROR and PodDisruptionBudgets')
    .option('--no-wait', 'return once the operation is accepted')
    .addOption(outputOption())
    .action(
      act<{ name: string; version: string; approve?: boolean; force?: boolean; wait: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        const body = { version: o.version, ...(o.force ? { force: true } : {}) };
        if (!o.approve) {
          const answer = await client.planUpgrade(o.name, body);
          if (o.output !== 'table') printData(ctx.io.stdout, o.output, answer, () => '');
          else printUpgradePlan(ctx, answer.plan);
          return answer.plan.canProceed ? 0 : 1;
        }
        const accepted = await client.upgradeCluster(o.name, body);
        return startedOperation(ctx.io, client, accepted, { wait: o.wait, output: o.output });
      }),
    );
}

function printUpgradePlan(ctx: CommandContext, plan: import('../client/api-client').UpgradePlan['plan']): void {
  const now = ctx.io.now();
  const out = ctx.io.stdout;
  say(out, 'info', `(plan) would upgrade cluster "${plan.cluster}" control plane from current version "${plan.from}" to "${plan.to}"${plan.passes.length > 1 ? ` (through ${plan.passes.join(', ')})` : ''}`, now);
  for (const addon of plan.addons.filter((a) => a.from !== a.to)) say(out, 'info', `(plan) would update add-on "${addon.name}" from ${addon.from} to ${addon.to}`, now);
  for (const nodegroup of plan.nodegroups) say(out, 'info', `(plan) would upgrade nodegroup "${nodegroup.name}" from ${nodegroup.from} to ${nodegroup.to}`, now);
  for (const nodegroup of plan.selfManagedNodegroups ?? []) {
    if (nodegroup.skipped) say(out, 'info', `(plan) would leave self-managed nodegroup "${nodegroup.name}" as it is: ${nodegroup.skipped}`, now);
    else say(out, 'info', `(plan) would replace the nodes of self-managed nodegroup "${nodegroup.name}" with ${nodegroup.to} nodes, one at a time`, now);
  }
  for (const problem of plan.problems) say(out, problem.severity === 'error' ? 'error' : 'warning', `${problem.resource}: ${problem.message}${problem.recommendation ? ` (${problem.recommendation})` : ''}`, now);
  if (!plan.canProceed) say(out, 'error', 'the upgrade cannot proceed as planned: fix the problems above (or, for upgrade insights, use --force)', now);
  say(out, 'warning', "no changes were applied, run again with '--approve' to apply the changes", now);
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
