/** create | get | delete podidentityassociation: EKS Pod Identity for a service account. */
import type { PodIdentityAssociation } from '../client/types';
import { table } from '../render/table';
import { act, UsageError, type CommandContext } from './context';
import { outputOption, printData, type Format } from './output';
import { list } from './parse';
import type { Verbs } from './verbs';
import { startedOperation } from './wait';

export function registerPodIdentityCommands(verbs: Verbs, ctx: CommandContext): void {
  verbs.create
    .command('podidentityassociation')
    .description('give a service account an IAM role through EKS Pod Identity: an existing role, or one made with --permission-policy-arns')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('--namespace <namespace>', 'the service account’s namespace')
    .requiredOption('--service-account-name <name>', 'the service account')
    .option('--role-arn <arn>', 'an existing role (it must trust pods.eks.amazonaws.com)')
    .option('--permission-policy-arns <arns>', 'managed policies of a role the service makes, comma-separated', list)
    .option('--no-wait', 'return once the operation is accepted')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; namespace: string; serviceAccountName: string; roleArn?: string; permissionPolicyArns?: string[]; wait: boolean; output: Format }>(ctx, async (o, command) => {
        if ((o.roleArn === undefined) === (o.permissionPolicyArns === undefined)) throw new UsageError('give either --role-arn or --permission-policy-arns');
        const body: PodIdentityAssociation = {
          namespace: o.namespace,
          serviceAccountName: o.serviceAccountName,
          ...(o.roleArn ? { roleArn: o.roleArn } : {}),
          ...(o.permissionPolicyArns ? { permissionPolicyArns: o.permissionPolicyArns } : {}),
        };
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.addPodIdentityAssociation(o.cluster, body), { wait: o.wait, output: o.output });
      }),
    );

  verbs.get
    .command('podidentityassociation')
    .alias('podidentityassociations')
    .description('the Pod Identity associations of the cluster’s spec')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .option('--namespace <namespace>', 'only this namespace’s')
    .option('--service-account-name <name>', 'only this service account’s')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; namespace?: string; serviceAccountName?: string; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        const associations = ((await client.getCluster(o.cluster)).spec.podIdentityAssociations ?? []).filter(
          (a) => (!o.namespace || a.namespace === o.namespace) && (!o.serviceAccountName || a.serviceAccountName === o.serviceAccountName),
        );
        printData(ctx.io.stdout, o.output, associations, () =>
          associations.length === 0
            ? `No Pod Identity associations on cluster ${o.cluster}${o.namespace ? ` in namespace ${o.namespace}` : ''}\n`
            : table(['NAMESPACE', 'SERVICE ACCOUNT NAME', 'IAM ROLE ARN', 'PERMISSION POLICY ARNS'], associations.map((a) => [a.namespace, a.serviceAccountName, a.roleArn ?? '(made by the service)', (a.permissionPolicyArns ?? []).join(',')])),
        );
        return 0;
      }),
    );

  verbs.delete
    .command('podidentityassociation')
    .description('remove a service account’s Pod Identity association (and the role the service made for it)')
    .requiredOption('-c, --cluster <name>', 'the cluster')
    .requiredOption('--namespace <namespace>', 'the service account’s namespace')
    .requiredOption('--service-account-name <name>', 'the service account')
    .option('-w, --wait', 'wait for the removal to end')
    .addOption(outputOption())
    .action(
      act<{ cluster: string; namespace: string; serviceAccountName: string; wait?: boolean; output: Format }>(ctx, async (o, command) => {
        const client = await ctx.client(command);
        return startedOperation(ctx.io, client, await client.removePodIdentityAssociation(o.cluster, o.namespace, o.serviceAccountName), { wait: Boolean(o.wait), output: o.output });
      }),
    );
}
