/**
 * Task "Finalize Update": the change is done. The registry keeps the cluster's new spec and
 * releases it (ACTIVE); the one terminal SUCCEEDED event says what was changed and whether
 * anything had to be (`unchanged` when the live cluster was already as asked).
 */
import { validateUpdateInput } from '../generated/validators';
import type { UpdateInput } from '../generated/types';
import { changeTarget } from '../domain/cluster-change';
import type { StepDeps } from '../shared/deps';
import { reportOutcome } from '../shared/progress';
import { step } from '../shared/step';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function finalizeUpdate(input: UpdateInput, deps: StepDeps<'events' | 'registry'>): Promise<Record<string, string>> {
  const { operation, change } = input;
  const outputs = {
    action: change.action,
    target: changeTarget(change, operation.cluster.name),
    result: input.progress?.stage === 'unchanged' ? 'unchanged' : 'applied',
  };
  await reportOutcome(deps, operation, { status: 'SUCCEEDED', phase: 'Completed', outputs }, 'ACTIVE', input.spec);
  return outputs;
}

export const handler = step(validateUpdateInput, { events: eventBridgeStatusEvents, registry: dynamoRegistry }, finalizeUpdate);
