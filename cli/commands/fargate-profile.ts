/** create | delete fargateprofile. */
import { act, type CommandContext } from './context';
import { outputOption, type Format } from './output';
import { keyValues, list } from './parse';
import type { Verbs } from './verbs';
import { startedOperation } from './wait';

export function registerFargateProfileCommands(verbs: Verbs, ctx: CommandContext): void {
  verbs.create
    .command('fargateprofile')
    .description('add a Fargate profile selecting one namespace (and labels)')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('--name <name>', 'the profile')
    .requiredOption('--namespace <namespace>', 'the namespace whose pods run on Fargate')
    .option('-l, --labels <k=v,…>', 'only pods with these labels', keyValues)
    .option('--subnets <ids>', 'private subnets, comma-separated', list)
    .option('--no-wait', 'return once the operation is accepted')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; name: string; namespace: string; labels?: Record<string, string>; subnets?: string[]; wait: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        const body = { name: o.name, selectors: [{ namespace: o.namespace, ...(o.labels ? { labels: o.labels } : {}) }], ...(o.subnets ? { subnets: o.subnets } : {}) };
        return startedOperation(ctx.io, client, await client.addFargateProfile(o.cluster, body), { wait: o.wait, output: o.output });
      }),
    );

  verbs.delete
    .command('fargateprofile')
    .description('remove a Fargate profile')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('--name <name>', 'the profile')
    .option('-w, --wait', 'wait for the deletion to end')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; name: string; wait?: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.deleteFargateProfile(o.cluster, o.name), { wait: Boolean(o.wait), output: o.output });
      }),
    );
}
