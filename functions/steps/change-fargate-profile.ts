/**
 * Task "Change Fargate Profile" (update-cluster, ADD/REMOVE_FARGATE_PROFILE), looked at again
 * after each wait. EKS allows one profile CREATING or DELETING per cluster: ResourceBusyError is
 * retried by the ASL. A cluster made without profiles has no pod execution role in its stack;
 * the first profile added brings the cluster's Fargate stack (`eksp-<cluster>-fargate`) with one.
 * Each look first waits out any update of the cluster, whoever started it (settled.ts).
 */
import { validateUpdateInput } from '../generated/validators';
import type { Poll, UpdateInput } from '../generated/types';
import { renderFargateTemplate } from '../domain/cluster-template';
import { planFargateProfileChange, STACK_STAGES, type FargateProfileCall, type LiveState } from '../domain/cluster-change';
import { rootCauseFromStackEvents } from '../domain/diagnosis';
import { clusterStackName, fargateStackName, idempotencyToken, TAG_CLUSTER, TAG_OPERATION } from '../domain/naming';
import type { Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { StackFailedError } from '../shared/errors';
import { step } from '../shared/step';
import { fargateProfileRequest } from './create-fargate-profile';
import { observeFargateProfile } from '../step-support/fargate-profile';
import { changeFor } from '../domain/change-actions';
import { ChangeProgress } from '../step-support/update-change';
import { settledCluster } from '../step-support/settled';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { ownedStackRequest, stackTags } from '../step-support/owned-stack';

type Deps = StepDeps<'cloudFormation' | 'eks' | 'events' | 'registry'>;

export async function changeFargateProfile(input: UpdateInput, deps: Deps): Promise<Poll> {
  const spec = input.spec;
  const change = changeFor(input.change, 'Change Fargate Profile');
  const progress = new ChangeProgress(input, deps, 'Change Fargate Profile');
  const { cluster, target: name } = progress;
  const stackName = fargateStackName(cluster);

  // Once our own stage runs, each poll reads only what it follows (no ListUpdates per poll).
  if (!progress.underway) await settledCluster(deps, cluster);
  const live: LiveState = {};
  const observed = observeFargateProfile(await deps.eks.describeFargateProfile(cluster, name));
  if (observed) live.fargateProfile = { status: observed.status ?? 'UNKNOWN', problems: observed.problems };
  if (change.action === 'ADD_FARGATE_PROFILE' && !observed) {
    const clusterStack = await deps.cloudFormation.describeStack(clusterStackName(cluster));
    if (!clusterStack) throw new StackFailedError('does not exist: a Fargate profile needs its subnets', { resource: `stack ${clusterStackName(cluster)}` });
    live.clusterStackOutputs = clusterStack.outputs;
    if (!clusterStack.outputs.FargatePodExecutionRoleArn) {
      const stack = await deps.cloudFormation.describeStack(stackName);
      if (stack) live.stack = { status: stack.status, operationId: stack.tags[TAG_OPERATION], cluster: stack.tags[TAG_CLUSTER], outputs: stack.outputs };
    }
  }

  return progress.follow(
    planFargateProfileChange(change, spec, live, input.operation.id),
    (call) => makeCall(call, input, spec, live, deps),
    async (stage) => (STACK_STAGES.includes(stage) ? rootCauseFromStackEvents(await deps.cloudFormation.stackEvents(stackName))?.message : undefined),
  );
}

async function makeCall(call: FargateProfileCall, input: UpdateInput, spec: Spec, live: LiveState, deps: Deps): Promise<void> {
  const { operation } = input;
  const cluster = operation.cluster.name;
  const stackName = fargateStackName(cluster);
  switch (call.call) {
    case 'createFargateStack': {
      const tags = stackTags(operation, spec);
      const template = renderFargateTemplate({ clusterName: cluster, stackName, tags, permissionsBoundaryArn: deps.settings.permissionsBoundaryArn() });
      await deps.cloudFormation.createStack(ownedStackRequest(operation, spec, { stackName, template, tags, step: 'create-fargate-stack', roleArn: deps.settings.cloudFormationRoleArn() }));
      return;
    }
    case 'createFargateProfile':
      await deps.eks.createFargateProfile(fargateProfileRequest(operation, call.profile, call.podExecutionRoleArn, live.clusterStackOutputs ?? {}));
      return;
    case 'deleteFargateProfile':
      await deps.eks.deleteFargateProfile(cluster, call.profile);
      return;
    case 'deleteStack':
      // A failed Fargate stack an earlier operation left: the name must be free for a new one.
      await deps.cloudFormation.setTerminationProtection(stackName, false);
      await deps.cloudFormation.deleteStack(stackName, idempotencyToken(operation.id, 'delete-fargate-stack'), deps.settings.cloudFormationRoleArn());
      return;
  }
}

export const handler = step(validateUpdateInput, { cloudFormation: sdkCloudFormation, eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, changeFargateProfile);
