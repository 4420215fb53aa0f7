/** get operations | watch: the operations of a cluster, and following one. */
import type { Command } from 'commander';
import { table } from '../render/table';
import { act, type CommandContext } from './context';
import { outputOption, printData, type Format } from './output';
import type { Verbs } from './verbs';
import { watchOperation } from './wait';

export function registerOperationCommands(program: Command, verbs: Verbs, ctx: CommandContext): void {
  verbs.get
    .command('operations')
    .alias('operation')
    .description('a cluster’s operations, newest first')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; output: Format }>(ctx, async (o, command) => {
        const operations = await (await ctx.client(command)).listOperations(o.cluster);
        printData(ctx.io.stdout, o.output, operations, () =>
          table(['ID', 'TYPE', 'ACTION', 'STATUS', 'PHASE', 'REQUESTED'], operations.map((op) => [op.id, op.type, op.action ?? '', op.status, op.phase, op.requestedAt ?? ''])),
        );
        return 0;
      }),
    );

  program
    .command('watch')
    .description('follow an operation to its end (Ctrl-C detaches; the operation goes on)')
    .argument('<operation-id>', 'op-…')
    .addOption(outputOption())
    .action(
      act<{ output: Format }>(ctx, async (o, command, args) => {
        return watchOperation(ctx.io, await ctx.client(command), args[0]!, o.output === 'table' ? undefined : o.output);
      }),
    );
}
