/** Task "Create Cluster Stack": renders the template and creates the stack, idempotently. */
import { validateProvisionState } from '../generated/validators';
import type { ProvisionState, StackState } from '../generated/types';
import { renderClusterTemplate } from '../domain/cluster-template';
import { TAG_OPERATION } from '../domain/naming';
import { firstWaitSeconds } from '../domain/poll-schedule';
import type { StepDeps } from '../shared/deps';
import { StackFailedError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { sdkCloudFormation } from '../ports/cloudformation';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { ownedStackRequest, stackTags } from '../step-support/owned-stack';

export async function createClusterStack(input: ProvisionState, deps: StepDeps<'cloudFormation' | 'events' | 'registry'>): Promise<StackState> {
  const spec = input.spec;
  const { operation } = input;
  const stackName = input.plan.stackName;
  const tags = stackTags(operation, spec);
  const template = renderClusterTemplate({ spec, stackName, tags, kubeAgentCode: deps.settings.kubeAgentCode(), existingVpcId: input.plan.vpcId, permissionsBoundaryArn: deps.settings.permissionsBoundaryArn(), podRoleBoundaryArn: deps.settings.podRoleBoundaryArn() });
  const created = await deps.cloudFormation.createStack(ownedStackRequest(operation, spec, { stackName, template, tags, step: 'create-cluster-stack', roleArn: deps.settings.cloudFormationRoleArn() }));
  const stack = await deps.cloudFormation.describeStack(stackName);
  if (!created && stack?.tags[TAG_OPERATION] !== operation.id) {
    const hint = stack?.status === 'ROLLBACK_COMPLETE' ? ' after a failed create; delete it to reuse the name' : '';
    throw new StackFailedError(`already exists (status ${stack?.status ?? 'unknown'}) and was not created by this operation${hint}`, { resource: `stack ${stackName}` });
  }
  const startedAt = (stack?.creationTime ?? deps.clock()).toISOString();
  if (created) {
    await reportProgress(deps, operation, { status: 'IN_PROGRESS', phase: 'ClusterStack', step: { name: 'Create Cluster Stack', status: 'STARTED', resource: `stack ${stackName}`, startedAt } });
  }
  return { stackName, stackId: stack?.stackId, ready: false, waitSeconds: firstWaitSeconds('stack'), status: stack?.status, startedAt };
}

export const handler = step(validateProvisionState, { cloudFormation: sdkCloudFormation, events: eventBridgeStatusEvents, registry: dynamoRegistry }, createClusterStack);
