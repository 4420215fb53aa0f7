/** What the self-managed nodegroup steps share: how the nodegroup's stack is watched (its own schedule, the step name in events). */
import { stackCreateProgress } from '../domain/status';
import { NodegroupNotReadyError, StackFailedError } from '../shared/errors';
import type { PolledResource } from './resource-poll';

export const selfManagedPolling = (name: string): PolledResource => ({
  kind: 'selfManagedNodegroup',
  stepName: 'Create Self-managed Nodegroup',
  resource: `nodegroup ${name}`,
  classify: stackCreateProgress,
  failedError: StackFailedError,
  notReadyError: NodegroupNotReadyError,
  // Its stack (an Auto Scaling group launching nodes) can be the slowest item, like a managed nodegroup.
  watch: true,
});
