/**
 * eks-provisioner:cluster:wait — follows an operation (GET /operations/{id}) to its terminal
 * status, logging each phase and each step on each resource as it happens, and fails the task with
 * the operation's root cause when it did not succeed. Cancelling the task, or the timeout, stops
 * the following only: the operation goes on in the service.
 */
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { followOperation, type Operation } from '../../../../cli/client';
import { outcome } from '../../../../cli/render/log-lines';
import type { ApiSource } from '../api';
import { operationLogger } from '../operation-log';

export const WAIT_ACTION = 'eks-provisioner:cluster:wait';
/** Creating a cluster with nodegroups takes 15–25 minutes on EKS; a delete about as long. */
const DEFAULT_TIMEOUT_MINUTES = 60;

/** The operation ended in FAILED or ROLLED_BACK: the message is its root cause (code, message, resource). */
export class OperationFailedError extends Error {
  override readonly name = 'OperationFailedError';

  constructor(readonly operation: Operation) {
    super(outcome(operation).map((event) => event.message).join('\n'));
  }
}

/** The task stopped following before the operation ended (timeout or cancel); the operation goes on. */
export class StoppedFollowingError extends Error {
  override readonly name = 'StoppedFollowingError';
}

export interface WaitOptions {
  /** How often the operation is read. */
  pollIntervalMs: number;
}

export function waitForOperationAction(api: ApiSource, options: WaitOptions) {
  return createTemplateAction({
    id: WAIT_ACTION,
    description: 'Follows an eks-provisioner operation to its end, logging its progress; fails with the root cause unless it SUCCEEDED.',
    examples: [{ description: 'Wait for the create started by the step "create"', example: 'steps:\n  - id: wait\n    action: eks-provisioner:cluster:wait\n    input:\n      operationId: ${{ steps.create.output.operationId }}\n' }],
    schema: {
      input: {
        operationId: (z) => z.string().min(1).describe('The operation to follow, as eks-provisioner:cluster:create or :delete output it'),
        timeoutMinutes: (z) => z.number().positive().optional().describe(`How long to follow before failing the task (default ${DEFAULT_TIMEOUT_MINUTES}); the operation itself goes on`),
      },
      output: {
        status: (z) => z.string(),
        phase: (z) => z.string(),
        cluster: (z) => z.string(),
        outputs: (z) => z.record(z.string(), z.unknown()).optional().describe('What the operation produced (the cluster endpoint, say)'),
      },
    },
    async handler(ctx) {
      const { operationId, timeoutMinutes = DEFAULT_TIMEOUT_MINUTES } = ctx.input;
      const { client } = await api();
      const timeout = AbortSignal.timeout(timeoutMinutes * 60_000);
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;

      const result = await followOperation(client, operationId, { intervalMs: options.pollIntervalMs, signal, onSnapshot: operationLogger(ctx.logger) });

      if (!result.ended) {
        const why = timeout.aborted ? `after ${timeoutMinutes} minutes` : 'because the task was cancelled';
        throw new StoppedFollowingError(`stopped following operation ${operationId} ${why}; it goes on in eks-provisioner (phase ${result.operation?.phase ?? 'unknown'})`);
      }
      const operation = result.operation;
      ctx.output('status', operation.status);
      ctx.output('phase', operation.phase);
      ctx.output('cluster', operation.cluster);
      if (operation.outputs) ctx.output('outputs', operation.outputs);
      if (operation.status !== 'SUCCEEDED') throw new OperationFailedError(operation);
    },
  });
}
