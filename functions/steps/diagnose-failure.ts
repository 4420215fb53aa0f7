/**
 * Task "Diagnose Failure": turns what the Catch recorded into a root cause a person can act on.
 * Our own errors already name the resource and AWS's reason; anything else (a crash, a timeout)
 * is explained from the stack's events when the stack has any to tell.
 */
import { validateFailureState } from '../generated/validators';
import type { Diagnosis, FailureState } from '../generated/types';
import { diagnosis, locateFailure, OUR_ERRORS, rootCauseFromStackEvents } from '../domain/diagnosis';
import { clusterStackName, TAG_OPERATION } from '../domain/naming';
import { stackDeleteProgress } from '../domain/status';
import type { StepDeps } from '../shared/deps';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { sdkCloudFormation } from '../ports/cloudformation';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function diagnoseFailure(input: FailureState, deps: StepDeps<'cloudFormation' | 'events' | 'registry'>): Promise<Diagnosis> {
  const spec = input.spec;
  const stackName = clusterStackName(input.operation.cluster.name);
  const parsed = locateFailure(input.failure, { cluster: input.operation.cluster.name });
  const stack = await deps.cloudFormation.describeStack(stackName);
  // Only a stack this operation created is ours to roll back: one that already held the name
  // (another operation's, or made by hand) must survive our failure.
  const resourcesCreated = stack !== undefined && stackDeleteProgress(stack.status) !== 'gone' && stack.tags[TAG_OPERATION] === input.operation.id;

  let { message, resource } = parsed;
  const explainedByUs = OUR_ERRORS.has(parsed.code);
  if (!explainedByUs && resourcesCreated) {
    const cause = rootCauseFromStackEvents(await deps.cloudFormation.stackEvents(stackName));
    if (cause) {
      message = `${message} — stack ${stackName}: ${cause.message}`;
      resource ??= cause.resource;
    }
  }
  const result = diagnosis(parsed.code, message, parsed.phase, resourcesCreated, resource);

  if (spec.onFailure === 'rollback' && resourcesCreated) {
    const now = deps.clock().toISOString();
    await reportProgress(deps, input.operation, {
      status: 'IN_PROGRESS',
      phase: 'Rollback',
      step: { name: 'Roll Back', status: 'STARTED', resource: `stack ${stackName}`, startedAt: now },
      error: { code: result.code, message: result.message, ...(result.resource ? { resource: result.resource } : {}) },
    });
  }
  return result;
}

export const handler = step(validateFailureState, { cloudFormation: sdkCloudFormation, events: eventBridgeStatusEvents, registry: dynamoRegistry }, diagnoseFailure);
