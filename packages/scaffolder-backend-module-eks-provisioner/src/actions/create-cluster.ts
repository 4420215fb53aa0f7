/**
 * eks-provisioner:cluster:create — POST /clusters with the template's inputs. In a dry run
 * (Backstage's template editor) it asks the API for the plan instead (POST /clusters?dryRun=true,
 * as `eksp create cluster --dry-run` does): the spec is checked in full and nothing is created.
 */
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { ApiSource } from '../api';
import { clusterName, kubernetesVersion, managedNodeGroups } from './spec-rules';
import { idempotencyKey } from './task-identity';

export const CREATE_CLUSTER_ACTION = 'eks-provisioner:cluster:create';

export function createClusterAction(api: ApiSource) {
  return createTemplateAction({
    id: CREATE_CLUSTER_ACTION,
    description: 'Starts creating an EKS cluster through eks-provisioner; follow it with eks-provisioner:cluster:wait. Dry runs return the plan and create nothing.',
    supportsDryRun: true,
    examples: [
      {
        description: 'A cluster with one managed nodegroup',
        example: 'steps:\n  - id: create\n    action: eks-provisioner:cluster:create\n    input:\n      name: payments-dev\n      version: "1.33"\n      managedNodeGroups:\n        - { name: general, desiredSize: 2, minSize: 1, maxSize: 4 }\n',
      },
    ],
    schema: {
      input: {
        name: clusterName,
        version: (z) => kubernetesVersion(z).optional(),
        managedNodeGroups: (z) => managedNodeGroups(z).optional(),
        spec: (z) => z.record(z.string(), z.unknown()).optional().describe('More of the cluster spec (docs/cluster-spec.md): tags, addons, network…; name, version and managedNodeGroups above take precedence'),
      },
      output: {
        cluster: (z) => z.string(),
        operationId: (z) => z.string().optional().describe('Absent in a dry run'),
        operationUrl: (z) => z.string().optional(),
        consoleUrl: (z) => z.string().optional(),
        stackName: (z) => z.string().optional().describe('Dry run: the CloudFormation stack the cluster would get'),
        steps: (z) => z.array(z.string()).optional().describe('Dry run: the steps the workflow would take'),
      },
    },
    async handler(ctx) {
      const { name, version, managedNodeGroups: nodegroups, spec } = ctx.input;
      const body = { ...spec, name, ...(version ? { version } : {}), ...(nodegroups ? { managedNodeGroups: nodegroups } : {}) };
      const { client, operationUrl, consoleOperationUrl } = await api();
      ctx.output('cluster', name);

      if (ctx.isDryRun) {
        const plan = await client.planCluster(body);
        ctx.logger.info(`dry run: nothing created; cluster "${name}" would be stack ${plan.stackName}, made in ${plan.steps.length} steps:`);
        for (const step of plan.steps) ctx.logger.info(`  ${step}`);
        ctx.output('stackName', plan.stackName);
        ctx.output('steps', plan.steps);
        return;
      }

      const accepted = await client.createCluster(body, { idempotencyKey: idempotencyKey(ctx, CREATE_CLUSTER_ACTION) });
      ctx.logger.info(`create cluster "${accepted.cluster}": operation ${accepted.operationId} ${accepted.status}`);
      ctx.output('operationId', accepted.operationId);
      ctx.output('operationUrl', operationUrl(accepted.operationId));
      const consoleUrl = consoleOperationUrl(accepted.operationId);
      if (consoleUrl) ctx.output('consoleUrl', consoleUrl);
    },
  });
}
