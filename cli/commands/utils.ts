/** utils update-cluster-endpoints | associate-iam-oidc-provider | write-kubeconfig. */
import { kubeconfigPath, writeMergedKubeconfig } from '../kubeconfig/merge';
import type { EndpointAccess } from '../client/types';
import { act, UsageError, type CommandContext } from './context';
import { outputOption, say, type Format } from './output';
import { boolean, list } from './parse';
import type { Verbs } from './verbs';
import { startedOperation } from './wait';

/** The body replaces the whole setting (PUT), so flags not given keep the cluster's current values. */
export function endpointAccessBody(current: EndpointAccess, flags: { publicAccess?: boolean; privateAccess?: boolean; publicAccessCidrs?: string[] }): EndpointAccess {
  const next: EndpointAccess = {
    public: flags.publicAccess ?? current.public ?? true,
    private: flags.privateAccess ?? current.private ?? false,
  };
  const cidrs = flags.publicAccessCidrs ?? current.publicAccessCidrs;
  if (next.public && cidrs) next.publicAccessCidrs = cidrs;
  return next;
}

const describeAccess = (a: EndpointAccess) => `public=${a.public ?? true} private=${a.private ?? false}${a.public !== false ? ` publicAccessCidrs=${(a.publicAccessCidrs ?? ['0.0.0.0/0']).join(',')}` : ''}`;

export function registerUtilsCommands(verbs: Verbs, ctx: CommandContext): void {
  verbs.utils
    .command('update-cluster-endpoints')
    .description('change the API endpoint’s public and private access (without --approve: show the change only)')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .option('--public-access [bool]', 'public endpoint on (true) or off (false)', boolean)
    .option('--private-access [bool]', 'private endpoint on (true) or off (false)', boolean)
    .option('--public-access-cidrs <cidrs>', 'CIDRs admitted to the public endpoint, comma-separated', list)
    .option('--approve', 'apply the change')
    .option('--no-wait', 'return once the operation is accepted')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; publicAccess?: boolean; privateAccess?: boolean; publicAccessCidrs?: string[]; approve?: boolean; wait: boolean; output: Format }>(ctx, async (o, command) => {
        if (o.publicAccess === undefined && o.privateAccess === undefined && o.publicAccessCidrs === undefined) throw new UsageError('give at least one of --public-access, --private-access, --public-access-cidrs');
        const client = await ctx.client(command);
        const cluster = await client.getCluster(o.cluster);
        const current = cluster.live?.endpointAccess ?? cluster.spec.endpointAccess ?? {};
        const body = endpointAccessBody(current, o);
        if (!o.approve) {
          say(ctx.io.stdout, 'info', `(plan) would change the endpoint access of cluster "${o.cluster}" from ${describeAccess(current)} to ${describeAccess(body)}`, ctx.io.now());
          say(ctx.io.stdout, 'warning', "no changes were applied, run again with '--approve' to apply the changes", ctx.io.now());
          return 0;
        }
        return startedOperation(ctx.io, client, await client.setEndpointAccess(o.cluster, body), { wait: o.wait, output: o.output });
      }),
    );

  verbs.utils
    .command('associate-iam-oidc-provider')
    .description('give the cluster an IAM OIDC identity provider for IAM roles for service accounts (without --approve: show the change only)')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .option('--approve', 'apply the change')
    .option('--no-wait', 'return once the operation is accepted')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; approve?: boolean; wait: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        if (!o.approve) {
          const cluster = await client.getCluster(o.cluster);
          const has = cluster.spec.iam?.withOIDC === true;
          say(ctx.io.stdout, 'info', has ? `cluster "${o.cluster}" already has an IAM OIDC provider` : `(plan) would create IAM Open ID Connect provider for cluster "${o.cluster}"`, ctx.io.now());
          if (!has) say(ctx.io.stdout, 'warning', "no changes were applied, run again with '--approve' to apply the changes", ctx.io.now());
          return 0;
        }
        return startedOperation(ctx.io, client, await client.updateClusterSettings(o.cluster, { iam: { withOIDC: true } }), { wait: o.wait, output: o.output });
      }),
    );

  verbs.utils
    .command('write-kubeconfig')
    .description('merge the cluster’s kubeconfig into ~/.kube/config (or --kubeconfig, or KUBECONFIG)')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .option('--kubeconfig <path>', 'the file to write')
    .option('--no-set-kubeconfig-context', 'leave current-context as it is')
    .action(
      act<{ cluster: string; kubeconfig?: string; setKubeconfigContext: boolean }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        const path = kubeconfigPath(o.kubeconfig, ctx.io.env);
        const merged = writeMergedKubeconfig(path, await client.kubeconfig(o.cluster), { setCurrentContext: o.setKubeconfigContext });
        say(ctx.io.stdout, 'success', `saved kubeconfig as "${path}"${o.setKubeconfigContext ? ` (context "${merged['current-context']}")` : ''}`, ctx.io.now());
        return 0;
      }),
    );
}
