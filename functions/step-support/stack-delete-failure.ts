/** Why a stack could not be deleted, from its events: shared by the steps that delete stacks and those that watch them. */
import type { StackDescription } from '../ports/cloudformation';
import { rootCauseFromStackEvents } from '../domain/diagnosis';
import type { StepDeps } from '../shared/deps';

/**
 * Why a stack's delete failed: the first DELETE_FAILED resource event whose reason is the cause.
 * Events of the failed create (CREATE_FAILED) and of earlier delete attempts are not the reason.
 */
export async function deleteFailureReason(stack: Pick<StackDescription, 'stackName' | 'statusReason'>, deps: Pick<StepDeps<'cloudFormation'>, 'cloudFormation'>, since?: string): Promise<string> {
  const failed = (await deps.cloudFormation.stackEvents(stack.stackName)).filter((e) => e.resourceStatus === 'DELETE_FAILED');
  const recent = since ? failed.filter((e) => new Date(e.timestamp ?? 0).getTime() >= new Date(since).getTime()) : failed;
  const cause = rootCauseFromStackEvents(recent.length > 0 ? recent : failed);
  return cause?.message ?? stack.statusReason ?? 'no reason given';
}
