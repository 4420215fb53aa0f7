/** create | delete accessentry: EKS access entries. */
import type { AccessEntryRequest } from '../client/api-client';
import { act, type CommandContext } from './context';
import { outputOption, type Format } from './output';
import { list, repeatable } from './parse';
import type { Verbs } from './verbs';
import { startedOperation } from './wait';

interface CreateOptions {
  cluster: string;
  principalArn: string;
  type?: string;
  kubernetesUsername?: string;
  kubernetesGroups?: string[];
  accessPolicy?: string[];
  namespaces?: string[];
  wait: boolean;
  output: Format;
}

/** Each --access-policy at cluster scope, or at namespace scope over --namespaces. */
export function accessEntryBody(o: CreateOptions): AccessEntryRequest {
  const scope = o.namespaces && o.namespaces.length > 0 ? { scope: 'namespace' as const, namespaces: o.namespaces } : { scope: 'cluster' as const };
  return {
    principalArn: o.principalArn,
    ...(o.type ? { type: o.type } : {}),
    ...(o.kubernetesUsername ? { username: o.kubernetesUsername } : {}),
    ...(o.kubernetesGroups ? { kubernetesGroups: o.kubernetesGroups } : {}),
    ...(o.accessPolicy ? { accessPolicies: o.accessPolicy.map((policy) => ({ policy, ...scope })) } : {}),
  };
}

export function registerAccessEntryCommands(verbs: Verbs, ctx: CommandContext): void {
  verbs.create
    .command('accessentry')
    .description('give an IAM principal an EKS access entry')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('--principal-arn <arn>', 'the IAM user or role')
    .option('--type <type>', 'STANDARD, EC2_LINUX, EC2_WINDOWS or FARGATE_LINUX')
    .option('--kubernetes-username <name>', 'the Kubernetes username')
    .option('--kubernetes-groups <groups>', 'Kubernetes groups, comma-separated', list)
    .option('--access-policy <policy>', 'an access policy name or ARN (repeatable)', repeatable)
    .option('--namespaces <namespaces>', 'scope the access policies to these namespaces, comma-separated (default: the cluster)', list)
    .option('--no-wait', 'return once the operation is accepted')
    .addOption(outputOption())
    .action(
      act<CreateOptions>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.addAccess(o.cluster, accessEntryBody(o)), { wait: o.wait, output: o.output });
      }),
    );

  verbs.delete
    .command('accessentry')
    .description('remove an IAM principal’s access entry (and its aws-auth mapping, if any)')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('--principal-arn <arn>', 'the IAM user or role')
    .option('-w, --wait', 'wait for the removal to end')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; principalArn: string; wait?: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.removeAccess(o.cluster, o.principalArn), { wait: Boolean(o.wait), output: o.output });
      }),
    );
}
