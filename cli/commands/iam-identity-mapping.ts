/** create | get | delete iamidentitymapping: aws-auth mappings through the access-entries routes. */
import type { IdentityMapping } from '../client/types';
import { table } from '../render/table';
import { act, UsageError, type CommandContext } from './context';
import { outputOption, printData, type Format } from './output';
import { list } from './parse';
import type { Verbs } from './verbs';
import { startedOperation } from './wait';

export function registerIdentityMappingCommands(verbs: Verbs, ctx: CommandContext): void {
  verbs.create
    .command('iamidentitymapping')
    .description('map an IAM user or role to a Kubernetes username and groups in aws-auth')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('--arn <arn>', 'the IAM user or role')
    .option('--username <name>', 'the Kubernetes username')
    .option('--group <group>', 'a Kubernetes group (repeatable, or comma-separated)', list)
    .option('--no-duplicate-arns', 'refuse if the cluster already maps this ARN')
    .option('--no-wait', 'return once the operation is accepted')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; arn: string; username?: string; group?: string[]; duplicateArns: boolean; wait: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        if (!o.duplicateArns) {
          const mapped = (await client.getCluster(o.cluster)).spec.identityMappings ?? [];
          if (mapped.some((m) => m.arn === o.arn)) throw new UsageError(`cluster ${o.cluster} already maps ${o.arn} (--no-duplicate-arns)`);
        }
        const body: IdentityMapping = { arn: o.arn, ...(o.username ? { username: o.username } : {}), ...(o.group ? { groups: o.group } : {}) };
        return startedOperation(ctx.io, client, await client.addAccess(o.cluster, body), { wait: o.wait, output: o.output });
      }),
    );

  verbs.get
    .command('iamidentitymapping')
    .description('the aws-auth mappings of the cluster’s spec')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .option('--arn <arn>', 'only this ARN’s')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; arn?: string; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        const mappings = ((await client.getCluster(o.cluster)).spec.identityMappings ?? []).filter((m) => !o.arn || m.arn === o.arn);
        if (o.arn && mappings.length === 0) {
          ctx.io.stderr.write(`Error: no iamidentitymapping with arn "${o.arn}" found\n`);
          return 1;
        }
        printData(ctx.io.stdout, o.output, mappings, () => table(['ARN', 'USERNAME', 'GROUPS'], mappings.map((m) => [m.arn, m.username ?? '', (m.groups ?? []).join(',')])));
        return 0;
      }),
    );

  verbs.delete
    .command('iamidentitymapping')
    .description('remove the ARN’s aws-auth mapping (and its access entry, if any)')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('--arn <arn>', 'the IAM user or role')
    .option('-w, --wait', 'wait for the removal to end')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; arn: string; wait?: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.removeAccess(o.cluster, o.arn), { wait: Boolean(o.wait), output: o.output });
      }),
    );
}

