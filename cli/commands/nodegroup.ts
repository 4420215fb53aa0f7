/** create | get | scale | delete nodegroup: managed and self-managed nodegroups, and the nodegroups of a cluster with their Ready nodes. */
import type { ApiClient } from '../client/api-client';
import { nodegroupRows, nodegroupTable } from '../render/nodegroups';
import type { CliIo } from './context';
import { act, UsageError, type CommandContext } from './context';
import { nodegroupOfFlags, nodegroupsOfFile, type NodegroupFlags, type NodegroupToAdd } from './nodegroup-config';
import { outputOption, printData, say, type Format } from './output';
import { boolean, integer, keyValues, list } from './parse';
import type { Verbs } from './verbs';
import { startedOperation } from './wait';

interface CreateOptions extends Omit<NodegroupFlags, 'name'> {
  cluster?: string;
  name?: string;
  configFile?: string;
  include?: string[];
  exclude?: string[];
  wait: boolean;
  output: Format;
}

export function registerNodegroupCommands(verbs: Verbs, ctx: CommandContext): void {
  verbs.create
    .command('nodegroup')
    .alias('ng')
    .description('add a managed nodegroup, a self-managed one (--managed=false), or the nodegroups of a ClusterConfig (-f)')
    .option('-c, --cluster <name>', 'the cluster (with -f: its metadata.name)')
    .option('-n, --name <name>', 'the nodegroup')
    .option('-f, --config-file <file>', 'an eksctl ClusterConfig (or our spec): its managedNodeGroups and nodeGroups, one after another')
    .option('--include <names>', 'with -f: only these nodegroups, comma-separated', list)
    .option('--exclude <names>', 'with -f: all but these nodegroups, comma-separated', list)
    .option('--managed [bool]', 'a managed nodegroup (true) or a self-managed one, an Auto Scaling group (false)', boolean, true)
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
        const wanted = nodegroupsWanted(o);
        const client = await ctx.client(command);
        return addNodegroups(ctx.io, client, wanted.cluster, wanted.nodegroups, o);
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

/** The cluster and nodegroups the flags or the file ask for; a UsageError before anything is sent. */
function nodegroupsWanted(o: CreateOptions): { cluster: string; nodegroups: NodegroupToAdd[] } {
  if (!o.configFile) {
    if (!o.cluster || !o.name) throw new UsageError('create nodegroup needs --cluster and --name, or -f FILE');
    if (o.include || o.exclude) throw new UsageError('--include and --exclude choose among the nodegroups of -f FILE');
    return { cluster: o.cluster, nodegroups: [nodegroupOfFlags(o.cluster, { ...o, name: o.name })] };
  }
  const file = nodegroupsOfFile(o.configFile);
  const cluster = o.cluster ?? file.cluster;
  if (!cluster) throw new UsageError(`${o.configFile} names no cluster (metadata.name): give --cluster`);
  if (o.cluster && file.cluster && o.cluster !== file.cluster) throw new UsageError(`--cluster ${o.cluster} is not ${o.configFile}'s cluster (${file.cluster})`);
  const picked = file.nodegroups.filter(({ body }) => (!o.include || o.include.includes(body.name)) && !o.exclude?.includes(body.name));
  const unknown = [...(o.include ?? []), ...(o.exclude ?? [])].filter((name) => !file.nodegroups.some(({ body }) => body.name === name));
  if (unknown.length > 0) throw new UsageError(`${o.configFile} has no nodegroup ${unknown.join(', ')}`);
  if (picked.length === 0) throw new UsageError(`no nodegroup to create: ${o.configFile} lists none${o.include || o.exclude ? ' that --include/--exclude leave' : ''}`);
  if (picked.length > 1 && !o.wait) throw new UsageError('--no-wait takes one nodegroup: a cluster runs one operation at a time, so several are created one after another, each waited for');
  return { cluster, nodegroups: picked };
}

/**
 * Adds each nodegroup in turn (the cluster takes one operation at a time), waiting for each but
 * the last when --no-wait; the first that fails stops the rest, which are named.
 */
async function addNodegroups(io: CliIo, client: ApiClient, cluster: string, nodegroups: NodegroupToAdd[], o: Pick<CreateOptions, 'wait' | 'output'>): Promise<number> {
  for (const [index, nodegroup] of nodegroups.entries()) {
    const accepted = nodegroup.managed ? await client.addNodegroup(cluster, nodegroup.body) : await client.addSelfManagedNodegroup(cluster, nodegroup.body);
    const code = await startedOperation(io, client, accepted, { wait: o.wait, output: o.output });
    const rest = nodegroups.slice(index + 1).map(({ body }) => body.name);
    if (code !== 0 && rest.length > 0) {
      say(io.stderr, 'error', `not created, after nodegroup "${nodegroup.body.name}" did not succeed: ${rest.join(', ')}`, io.now());
      return code;
    }
    if (code !== 0) return code;
  }
  return 0;
}
