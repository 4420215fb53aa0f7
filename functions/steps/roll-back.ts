/**
 * Task "Roll Back": deletes what the failed provisioning made, in the order EKS and
 * CloudFormation require — nodegroups (all at once), Fargate profiles (one at a time), then the
 * stack (termination protection off first). Each run advances what it can and throws
 * RollbackNotDoneError while anything remains; the ASL's Retry is the wait. Safe to repeat.
 */
import { validateFailureState } from '../generated/validators';
import type { FailureState, Poll } from '../generated/types';
import { rootCauseFromStackEvents } from '../domain/diagnosis';
import { clusterStackName, idempotencyToken } from '../domain/naming';
import { stackDeleteProgress, subresourceDeleteProgress } from '../domain/status';
import type { StepDeps } from '../shared/deps';
import { RollbackFailedError, RollbackNotDoneError } from '../shared/errors';
import { step } from '../shared/step';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';

export async function rollBack(input: FailureState, deps: StepDeps<'cloudFormation' | 'eks'>): Promise<Poll> {
  const cluster = input.operation.cluster.name;
  const stackName = clusterStackName(cluster);
  const remaining = [...(await deleteNodegroups(cluster, deps)), ...(await deleteFargateProfiles(cluster, deps))];
  if (remaining.length > 0) throw new RollbackNotDoneError(`waiting for ${remaining.join(', ')} to be deleted`, { resource: `cluster ${cluster}` });

  const stack = await deps.cloudFormation.describeStack(stackName);
  const progress = stackDeleteProgress(stack?.status);
  if (progress === 'gone') return { ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE' };
  if (progress === 'failed') {
    const cause = rootCauseFromStackEvents(await deps.cloudFormation.stackEvents(stackName));
    throw new RollbackFailedError(`DELETE_FAILED: ${cause?.message ?? stack?.statusReason ?? 'no reason given'}`, { resource: `stack ${stackName}` });
  }
  if (progress === 'deletable') {
    if (stack?.terminationProtection) await deps.cloudFormation.setTerminationProtection(stackName, false);
    await deps.cloudFormation.deleteStack(stackName, idempotencyToken(input.operation.id, 'roll-back'), deps.settings.cloudFormationRoleArn());
  }
  throw new RollbackNotDoneError(`${stack?.status === undefined ? 'deleting' : progress === 'deletable' ? 'DELETE_IN_PROGRESS' : stack.status}`, { resource: `stack ${stackName}` });
}

/** Starts every deletable nodegroup's delete; returns those still present. */
async function deleteNodegroups(cluster: string, deps: StepDeps<'cloudFormation' | 'eks'>): Promise<string[]> {
  const names = await deps.eks.listNodegroups(cluster);
  for (const name of names) {
    const nodegroup = await deps.eks.describeNodegroup(cluster, name);
    const progress = subresourceDeleteProgress(nodegroup?.status);
    if (progress === 'failed') {
      const issues = (nodegroup?.health?.issues ?? []).map((i) => `${i.code}: ${i.message}`).join('; ');
      throw new RollbackFailedError(`DELETE_FAILED: ${issues || 'EKS gave no reason'}`, { resource: `nodegroup ${name}` });
    }
    if (nodegroup && progress === 'deletable') await deps.eks.deleteNodegroup(cluster, name);
  }
  return names.map((name) => `nodegroup ${name}`);
}

/** EKS deletes one Fargate profile at a time: start the next only when none is DELETING. */
async function deleteFargateProfiles(cluster: string, deps: StepDeps<'cloudFormation' | 'eks'>): Promise<string[]> {
  const names = await deps.eks.listFargateProfiles(cluster);
  const profiles = await Promise.all(names.map(async (name) => ({ name, status: (await deps.eks.describeFargateProfile(cluster, name))?.status })));
  const failed = profiles.find((p) => subresourceDeleteProgress(p.status) === 'failed');
  if (failed) throw new RollbackFailedError('DELETE_FAILED', { resource: `Fargate profile ${failed.name}` });
  const busy = profiles.some((p) => p.status === 'DELETING' || p.status === 'CREATING');
  const next = profiles.find((p) => p.status !== undefined && subresourceDeleteProgress(p.status) === 'deletable');
  if (!busy && next) await deps.eks.deleteFargateProfile(cluster, next.name);
  return names.map((name) => `Fargate profile ${name}`);
}

export const handler = step(validateFailureState, { cloudFormation: sdkCloudFormation, eks: sdkEks }, rollBack);
