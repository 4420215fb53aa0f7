/** What the nodegroup steps share: how a nodegroup is observed and polled. */
import type { Nodegroup } from '../ports/eks';
import { nodegroupProgress } from '../domain/status';
import { NodegroupFailedError, NodegroupNotReadyError } from '../shared/errors';
import type { Observed, PolledResource } from './resource-poll';

export const nodegroupPolling = (name: string): PolledResource => ({
  kind: 'nodegroup',
  stepName: 'Create Nodegroup',
  resource: `nodegroup ${name}`,
  classify: nodegroupProgress,
  failedError: NodegroupFailedError,
  notReadyError: NodegroupNotReadyError,
  watch: true,
});

export function observeNodegroup(nodegroup: Nodegroup | undefined): Observed | undefined {
  if (!nodegroup) return undefined;
  const issues = nodegroup.health?.issues ?? [];
  return {
    status: nodegroup.status,
    createdAt: nodegroup.createdAt,
    problems: issues.map((i) => `${i.code}: ${i.message}${i.resourceIds?.length ? ` (${i.resourceIds.join(', ')})` : ''}`).join('; '),
  };
}
