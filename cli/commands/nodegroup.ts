/** create | get | scale | delete nodegroup: the managed nodegroup routes, and the nodegroups of a cluster with their Ready nodes. */
import { nodegroupRows, nodegroupTable } from '../render/nodegroups';
import { act, UsageError, type CommandContext } from './context';
import { outputOption, printData, type Format } from './output';
import { integer, keyValues, list } from './parse';
import type { Verbs } from './verbs';
import { startedOperation } from './wait';

interface CreateOptions {
  cluster: string;
  name: string;
  nodeType?: string;
  instanceTypes?: string[];
  nodes?: number;
  nodesMin?: number;
  nodesMax?: number;
  nodeVolumeSize?: number;
  nodeVolumeType?: string;
  nodeLabels?: Record<string, string>;
  nodeAmiFamily?: string;
  nodePrivateNetworking?: boolean;
  spot?: boolean;
  wait: boolean;
  output: Format;
}

/** eksctl's flags to a ManagedNodeGroup of the spec (unset flags: the service's eksctl defaults). */
export function nodegroupBody(o: CreateOptions): Record<string, unknown> {
  const types = [...(o.nodeType ? [o.nodeType] : []), ...(o.instanceTypes ?? [])];
  return {
    name: o.name,
    ...(types.length > 0 ? { instanceTypes: types } : {}),
    ...(o.nodes !== undefined ? { desiredSize: o.nodes } : {}),
    ...(o.nodesMin !== undefined ? { minSize: o.nodesMin } : {}),
    ...(o.nodesMax !== undefined ? { maxSize: o.nodesMax } : {}),
    ...(o.nodeVolumeSize !== undefined ? { volumeSize: o.nodeVolumeSize } : {}),
    ...(o.nodeVolumeType ? { volumeType: o.nodeVolumeType } : {}),
    ...(o.nodeLabels ? { labels: o.nodeLabels } : {}),
    ...(o.nodeAmiFamily ? { amiFamily: o.nodeAmiFamily } : {}),
    ...(o.nodePrivateNetworking !== undefined ? { privateNetworking: o.nodePrivateNetworking } : {}),
    ...(o.spot ? { capacityType: 'SPOT' } : {}),
  };
}

export function registerNodegroupCommands(verbs: Verbs, ctx: CommandContext): void {
  verbs.create
    .command('nodegroup')
    .alias('ng')
    .description('add a managed nodegroup')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('-n, --name <name>', 'the nodegroup')
    .option('-t, --node-type <type>', 'instance type')
    .option('--instance-types <types>', 'instance types, comma-separated', list)
    .option('-N, --nodes <n>', 'desired nodes', integer)
    .option('-m, --nodes-min <n>', 'minimum nodes', integer)
    .option('-M, --nodes-max <n>', 'maximum nodes', integer)
    .option('--node-volume-size <gib>', 'root volume size in GiB', integer)
    .option('--node-volume-type <type>', 'root volume type')
    .option('--node-labels <k=v,…>', 'node labels', keyValues)
    .option('--node-ami-family <family>', 'AMI family')
    .option('-P, --node-private-networking', 'nodes in private subnets only')
    .option('--spot', 'Spot capacity')
    .option('--no-wait', 'return once the operation is accepted')
    .addOption(outputOption())
    .action(
      act<CreateOptions>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.addNodegroup(o.cluster, nodegroupBody(o)), { wait: o.wait, output: o.output });
      }),
    );

  verbs.get
    .command('nodegroup')
    .alias('nodegroups')
    .alias('ng')
    .description('the cluster’s nodegroups, with their Ready nodes when the workflow last waited for them')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .option('-n, --name <name>', 'only this nodegroup')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; name?: string; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        const rows = nodegroupRows(await client.getCluster(o.cluster)).filter((r) => !o.name || r.name === o.name);
        if (o.name && rows.length === 0) {
          ctx.io.stderr.write(`Error: no nodegroup "${o.name}" in cluster "${o.cluster}"\n`);
          return 1;
        }
        printData(ctx.io.stdout, o.output, rows, () => (rows.length === 0 ? `No nodegroups found for cluster "${o.cluster}"\n` : nodegroupTable(rows)));
        return 0;
      }),
    );

  verbs.scale
    .command('nodegroup')
    .alias('ng')
    .description('change a nodegroup’s sizes (only those given)')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('-n, --name <name>', 'the nodegroup')
    .option('-N, --nodes <n>', 'desired nodes', integer)
    .option('-m, --nodes-min <n>', 'minimum nodes', integer)
    .option('-M, --nodes-max <n>', 'maximum nodes', integer)
    .option('--no-wait', 'return once the operation is accepted')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; name: string; nodes?: number; nodesMin?: number; nodesMax?: number; wait: boolean; output: Format }>(ctx, async (o, command) => {
        const body = { ...(o.nodes !== undefined ? { desiredSize: o.nodes } : {}), ...(o.nodesMin !== undefined ? { minSize: o.nodesMin } : {}), ...(o.nodesMax !== undefined ? { maxSize: o.nodesMax } : {}) };
        if (Object.keys(body).length === 0) throw new UsageError('scale nodegroup needs at least one of --nodes, --nodes-min, --nodes-max');
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.updateNodegroup(o.cluster, o.name, body), { wait: o.wait, output: o.output });
      }),
    );

  verbs.delete
    .command('nodegroup')
    .alias('ng')
    .description('remove a nodegroup')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('-n, --name <name>', 'the nodegroup')
    .option('-w, --wait', 'wait for the deletion to end')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; name: string; wait?: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.deleteNodegroup(o.cluster, o.name), { wait: Boolean(o.wait), output: o.output });
      }),
    );
}
