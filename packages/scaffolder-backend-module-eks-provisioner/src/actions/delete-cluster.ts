/** eks-provisioner:cluster:delete — DELETE /clusters/{name}: the cluster and everything the service made for it. */
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { ApiSource } from '../api';
import { clusterName } from './spec-rules';
import { idempotencyKey } from './task-identity';

export const DELETE_CLUSTER_ACTION = 'eks-provisioner:cluster:delete';

export function deleteClusterAction(api: ApiSource) {
  return createTemplateAction({
    id: DELETE_CLUSTER_ACTION,
    description: 'Starts deleting an EKS cluster made by eks-provisioner; follow it with eks-provisioner:cluster:wait.',
    examples: [{ description: 'Delete the cluster a parameter names', example: 'steps:\n  - id: delete\n    action: eks-provisioner:cluster:delete\n    input:\n      name: ${{ parameters.name }}\n' }],
    schema: {
      input: {
        name: clusterName,
        disableDeletionProtection: (z) => z.boolean().optional().describe('Turn deletion protection off first (as eksp delete cluster --disable-deletion-protection)'),
      },
      output: {
        operationId: (z) => z.string(),
        operationUrl: (z) => z.string(),
        consoleUrl: (z) => z.string().optional(),
      },
    },
    async handler(ctx) {
      const { name, disableDeletionProtection } = ctx.input;
      const { client, operationUrl, consoleOperationUrl } = await api();
      const accepted = await client.deleteCluster(name, { disableDeletionProtection, idempotencyKey: idempotencyKey(ctx, DELETE_CLUSTER_ACTION) });
      ctx.logger.info(`delete cluster "${accepted.cluster}": operation ${accepted.operationId} ${accepted.status}`);
      ctx.output('operationId', accepted.operationId);
      ctx.output('operationUrl', operationUrl(accepted.operationId));
      const consoleUrl = consoleOperationUrl(accepted.operationId);
      if (consoleUrl) ctx.output('consoleUrl', consoleUrl);
    },
  });
}
