/** create | get | update | delete addon: the cluster's EKS add-ons. */
import { readFileSync } from 'node:fs';
import type { Addon, AddonChange } from '../client/types';
import { table } from '../render/table';
import { act, UsageError, type CommandContext } from './context';
import { outputOption, printData, type Format } from './output';
import type { Verbs } from './verbs';
import { startedOperation } from './wait';

/** --configuration-values as eksctl takes it (JSON or YAML text), or `@file` for a file's text. */
export function configurationValues(value: string): string {
  if (!value.startsWith('@')) return value;
  try {
    return readFileSync(value.slice(1), 'utf8');
  } catch (error) {
    throw new UsageError(`--configuration-values ${value}: ${(error as Error).message}`);
  }
}

const VALUES_HELP = 'the add-on’s configuration values (JSON or YAML), or @FILE to read them from a file';

export function registerAddonCommands(verbs: Verbs, ctx: CommandContext): void {
  verbs.create
    .command('addon')
    .description('install an EKS add-on (at --version, else EKS’s default for the cluster’s Kubernetes version)')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('-n, --name <name>', 'the add-on (vpc-cni, coredns, aws-ebs-csi-driver, …)')
    .option('--version <version>', 'the add-on version, e.g. v1.19.5-eksbuild.3')
    .option('--configuration-values <json|@file>', VALUES_HELP)
    .option('-w, --wait', 'wait for the add-on to be installed')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; name: string; version?: string; configurationValues?: string; wait?: boolean; output: Format }>(ctx, async (o, command) => {
        const body: Addon = { name: o.name, ...(o.version ? { version: o.version } : {}), ...(o.configurationValues !== undefined ? { configurationValues: configurationValues(o.configurationValues) } : {}) };
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.addAddon(o.cluster, body), { wait: Boolean(o.wait), output: o.output });
      }),
    );

  verbs.get
    .command('addon')
    .alias('addons')
    .description('the add-ons of the cluster’s spec')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .option('-n, --name <name>', 'only this add-on')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; name?: string; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        const addons = ((await client.getCluster(o.cluster)).spec.addons ?? []).filter((a) => !o.name || a.name === o.name);
        if (o.name && addons.length === 0) {
          ctx.io.stderr.write(`Error: no add-on "${o.name}" on cluster ${o.cluster}\n`);
          return 1;
        }
        printData(ctx.io.stdout, o.output, addons, () =>
          addons.length === 0 ? `No add-ons on cluster ${o.cluster}\n` : table(['NAME', 'VERSION', 'CONFIGURATION VALUES'], addons.map((a) => [a.name, a.version ?? '(EKS default)', oneLine(a.configurationValues ?? '')])),
        );
        return 0;
      }),
    );

  verbs.update
    .command('addon')
    .description('change an add-on’s version or configuration values')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('-n, --name <name>', 'the add-on')
    .option('--version <version>', 'the add-on version to move to')
    .option('--configuration-values <json|@file>', VALUES_HELP)
    .option('-w, --wait', 'wait for the update to end')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; name: string; version?: string; configurationValues?: string; wait?: boolean; output: Format }>(ctx, async (o, command) => {
        const body: AddonChange = { ...(o.version ? { version: o.version } : {}), ...(o.configurationValues !== undefined ? { configurationValues: configurationValues(o.configurationValues) } : {}) };
        if (Object.keys(body).length === 0) throw new UsageError('update addon needs --version or --configuration-values');
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.updateAddon(o.cluster, o.name, body), { wait: Boolean(o.wait), output: o.output });
      }),
    );

  verbs.delete
    .command('addon')
    .description('remove an add-on')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('-n, --name <name>', 'the add-on')
    .option('--preserve', 'leave the add-on’s Kubernetes resources on the cluster (EKS stops managing them)')
    .option('-w, --wait', 'wait for the removal to end')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; name: string; preserve?: boolean; wait?: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.removeAddon(o.cluster, o.name, { preserve: Boolean(o.preserve) }), { wait: Boolean(o.wait), output: o.output });
      }),
    );
}

/** Configuration values on one table line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
