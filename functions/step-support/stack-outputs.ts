import type { ResourceItem, StackOutputs } from '../generated/types';
import { StackFailedError } from '../shared/errors';

/** The cluster stack's outputs, which Check Cluster Stack put in the state once the stack was complete. */
export function stackOutputs(input: Partial<Pick<ResourceItem, 'stack'>>): StackOutputs {
  // ProvisionState's stack is optional: a state without one is a wiring bug that must fail by name, not as a TypeError.
  if (!input.stack?.outputs) throw new StackFailedError('has no outputs in the workflow state; was it complete?', { resource: `stack ${input.stack?.stackName ?? '(none in the state)'}` });
  return input.stack.outputs;
}

/** Comma-joined list outputs (SubnetsPrivate, SubnetsPublic). */
export function outputList(outputs: StackOutputs, name: string): string[] {
  return (outputs[name] ?? '').split(',').filter(Boolean);
}
